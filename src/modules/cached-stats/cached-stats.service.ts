/**
 * The cached statistics of spec §9.5 (`cached_stats_repository`): five aggregates behind the public stats pages,
 * too costly to compute per page view on a large database, so a periodic job computes them together and every
 * read returns that snapshot. Rows keep the reference's names and JSON shapes, so its stats pages could read them.
 */
import type { DataSource, EntityManager } from "typeorm";
import { ChorusError, ErrorCode } from "../../common/errors.js";
import type { TreeState } from "../trees/message-tree-state.entity.js";
import type { MessageRoleEnum } from "../trees/message.types.js";
import type { CachedStats } from "./cached-stats.types.js";
import { ModerationAction, writeJournal, type Actor } from "../moderation/journal.js";
import type { RequestContext } from "../../common/request-context.js";

export const CACHED_STAT_NAMES = [
  "human_messages_by_lang",
  "human_messages_by_role",
  "message_trees_by_state",
  "message_trees_states_by_lang",
  "users_accepted_tos",
] as const;
type CachedStatName = (typeof CACHED_STAT_NAMES)[number];

/** Human messages are the accepted, live ones no model wrote (the reference's filter). */
const HUMAN = `NOT deleted AND review_result AND NOT synthetic`;

export class CachedStatsService {
  constructor(private readonly ds: DataSource) {}

  /** An admin's refresh: recomputed now and journaled in the same transaction, as refreshLeaderboards is. */
  async refresh(rc: RequestContext): Promise<CachedStats> {
    return this.recompute(rc.actor);
  }

  /**
   * Computes every statistic from one snapshot of the database (REPEATABLE READ) and stores them together; with an
   * `actor`, the journal row in the same transaction (the periodic job's own recomputation writes none).
   */
  private async recompute(actor: Actor | null): Promise<CachedStats> {
    await this.ds.transaction("REPEATABLE READ", async (em) => {
      const values = await this.compute(em);
      for (const name of CACHED_STAT_NAMES) {
        await em.query(
          `INSERT INTO cached_stats (name, modified_date, stats) VALUES ($1, now(), $2::jsonb)
           ON CONFLICT (name) DO UPDATE SET modified_date = EXCLUDED.modified_date, stats = EXCLUDED.stats`,
          [name, JSON.stringify(values[name])],
        );
      }
      if (actor) await writeJournal(em, actor, ModerationAction.CACHED_STATS_REFRESHED, { targetId: null }, { names: CACHED_STAT_NAMES });
    });
    return this.read();
  }

  /** Recomputes unless the stored snapshot is younger than `maxAgeMs` (another replica or a restart just did it). */
  async refreshIfOlderThan(maxAgeMs: number): Promise<boolean> {
    const [row] = await this.ds.query(`SELECT count(*)::int AS n, min(modified_date) AS oldest FROM cached_stats WHERE name = ANY($1::text[])`, [
      CACHED_STAT_NAMES,
    ]);
    if (row.n === CACHED_STAT_NAMES.length && Date.now() - new Date(row.oldest).getTime() < maxAgeMs) return false;
    await this.recompute(null);
    return true;
  }

  /** The stored snapshot; CACHED_STATS_NOT_AVAILABLE before the first computation. */
  async read(): Promise<CachedStats> {
    const rows: { name: CachedStatName; modified_date: Date; stats: unknown }[] = await this.ds.query(
      `SELECT name, modified_date, stats FROM cached_stats WHERE name = ANY($1::text[])`,
      [CACHED_STAT_NAMES],
    );
    const by = new Map(rows.map((r) => [r.name, r]));
    const missing = CACHED_STAT_NAMES.filter((n) => !by.has(n));
    if (missing.length) {
      throw new ChorusError(
        ErrorCode.CACHED_STATS_NOT_AVAILABLE,
        `The cached stats have not been computed yet (${missing.join(", ")}); an admin can run refreshCachedStats`,
      );
    }
    const stats = <T>(name: CachedStatName) => by.get(name)!.stats as T;
    // Code-point order: the same on every machine, whatever the database's collation.
    const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const counts = <K extends string>(name: CachedStatName) => Object.entries(stats<Record<K, number>>(name)) as [K, number][];
    return {
      lastUpdated: new Date(Math.min(...rows.map((r) => new Date(r.modified_date).getTime()))),
      humanMessagesByLang: counts<string>("human_messages_by_lang")
        .map(([lang, count]) => ({ lang, count }))
        .sort((a, b) => byCodePoint(a.lang, b.lang)),
      humanMessagesByRole: counts<MessageRoleEnum>("human_messages_by_role")
        .map(([role, count]) => ({ role, count }))
        .sort((a, b) => byCodePoint(a.role, b.role)),
      messageTreesByState: counts<TreeState>("message_trees_by_state")
        .map(([state, count]) => ({ state, count }))
        .sort((a, b) => byCodePoint(a.state, b.state)),
      messageTreesStatesByLang: stats<{ lang: string; state: TreeState; count: number }[]>("message_trees_states_by_lang"),
      usersAcceptedTermsOfService: stats<{ count: number }>("users_accepted_tos").count,
    };
  }

  /** The five aggregates in the reference's shapes: `{key: count}` objects, a row list, and `{count}`. */
  private async compute(em: EntityManager): Promise<Record<CachedStatName, unknown>> {
    const byKey = async (sql: string) => {
      const rows: { key: string; count: number }[] = await em.query(sql);
      return Object.fromEntries(rows.map((r) => [r.key, r.count]));
    };
    return {
      human_messages_by_lang: await byKey(`SELECT lang AS key, count(*)::int AS count FROM message WHERE ${HUMAN} GROUP BY lang ORDER BY lang`),
      human_messages_by_role: await byKey(`SELECT role AS key, count(*)::int AS count FROM message WHERE ${HUMAN} GROUP BY role ORDER BY role`),
      message_trees_by_state: await byKey(`SELECT state AS key, count(*)::int AS count FROM message_tree_state GROUP BY state ORDER BY state`),
      message_trees_states_by_lang: await em.query(
        `SELECT m.lang, s.state, count(*)::int AS count FROM message_tree_state s JOIN message m ON m.id = s.message_tree_id
          GROUP BY m.lang, s.state ORDER BY m.lang, s.state`,
      ),
      users_accepted_tos: { count: (await em.query(`SELECT count(*)::int AS count FROM "user" WHERE enabled AND tos_acceptance_date IS NOT NULL`))[0].count },
    };
  }
}
