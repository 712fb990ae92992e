/**
 * The model leaderboards (docs/arena.md): Bradley–Terry fits of the counted battles per filter, stored as snapshots,
 * recomputed when their battles change, and announced to subscribers on every replica. Part of ArenaService.
 */
import type { DataSource } from "typeorm";
import type { RequestContext } from "../../common/request-context.js";
import type { ArenaConfig } from "../../config/index.js";
import type { PubSubHandle } from "../../infra/pubsub.js";
import { enforceRate, type RateLimiter, type RateLimitRule } from "../../infra/rate-limit.js";
import { inTransaction } from "../../db/transaction.js";
import { rowsOf } from "../../db/rows.js";
import { createRng } from "../../db/random.js";
import { ModerationAction, writeJournal } from "../moderation/journal.js";
import { ArenaLeaderboardSnapshot } from "./arena.entity.js";
import type { ModelLeaderboard, ModelLeaderboardRefresh } from "./arena.types.js";
import { computeLeaderboard, type BattleTally } from "./leaderboard.js";

export interface LeaderboardFilter {
  category: string | null;
  lang: string | null;
  since: Date | null;
}

export const OVERALL: LeaderboardFilter = { category: null, lang: null, since: null };
const TOPIC = "arena:leaderboard";
/** Stored leaderboards beyond the overall one; the least recently computed go first. */
const MAX_SNAPSHOTS = 100;
const CONFIDENCE = 0.95;

export function filterKey(f: LeaderboardFilter): string {
  return `${f.category ?? ""}|${f.lang ?? ""}|${f.since?.toISOString() ?? ""}`;
}

function scoreOf(winner: string): number {
  return winner === "A" ? 1 : winner === "B" ? 0 : 0.5;
}

export class ArenaLeaderboards {
  constructor(
    private readonly ds: DataSource,
    private readonly config: ArenaConfig,
    private readonly pubSub: PubSubHandle,
    private readonly limiter: RateLimiter,
    private readonly leaderboardRule: RateLimitRule,
  ) {}

  /** Counted battles matching the filter, tallied by pair and outcome (excluded voters' left out). */
  async tallies(f: LeaderboardFilter): Promise<BattleTally[]> {
    const rows = rowsOf<{ model_a: string; model_b: string; winner: string; count: number }>(
      await this.ds.query(
        `SELECT b.model_a, b.model_b, b.winner, count(*)::int AS count FROM arena_battle b
          WHERE b.winner IS NOT NULL AND b.counted
            AND (b.user_id IS NULL OR NOT EXISTS (SELECT 1 FROM arena_voter_exclusion e WHERE e.user_id = b.user_id))
            AND ($1::text IS NULL OR b.category = $1) AND ($2::text IS NULL OR b.lang = $2) AND ($3::timestamptz IS NULL OR b.voted_at >= $3)
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        [f.category, f.lang, f.since],
      ),
    );
    return rows.map((r) => ({ modelA: r.model_a, modelB: r.model_b, scoreA: scoreOf(r.winner), count: r.count }));
  }

  /** Changes whenever a vote or an exclusion could change the filter's leaderboard. */
  private async dataVersion(f: LeaderboardFilter): Promise<string> {
    const [r] = await this.ds.query(
      `SELECT (SELECT count(*) FROM arena_battle b WHERE b.winner IS NOT NULL AND ($1::text IS NULL OR b.category = $1) AND ($2::text IS NULL OR b.lang = $2)
                 AND ($3::timestamptz IS NULL OR b.voted_at >= $3)) AS n,
              (SELECT max(voted_at) FROM arena_battle b WHERE b.winner IS NOT NULL) AS last_vote,
              (SELECT count(*) FROM arena_voter_exclusion) AS excluded, (SELECT max(created_at) FROM arena_voter_exclusion) AS last_exclusion`,
      [f.category, f.lang, f.since],
    );
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : "-");
    return `${r.n}:${iso(r.last_vote)}:${r.excluded}:${iso(r.last_exclusion)}`;
  }

  /** Fits and stores one leaderboard; tells subscribers. */
  private async compute(f: LeaderboardFilter): Promise<ArenaLeaderboardSnapshot> {
    const version = await this.dataVersion(f);
    const rng = this.config.bootstrapSeed === undefined ? Math.random : createRng(this.config.bootstrapSeed);
    const result = computeLeaderboard(
      await this.tallies(f),
      { bootstrapSamples: this.config.bootstrapSamples, confidenceLevel: CONFIDENCE, ridge: this.config.ridge },
      rng,
    );
    const snapshot: ArenaLeaderboardSnapshot = {
      key: filterKey(f),
      dataVersion: version,
      computedAt: new Date(),
      payload: { ...result, category: f.category, lang: f.lang, since: f.since?.toISOString() ?? null } as unknown as Record<string, unknown>,
    };
    await this.ds.getRepository(ArenaLeaderboardSnapshot).save(snapshot);
    this.pubSub.pubSub.publish(TOPIC, snapshot.key, { computedAt: snapshot.computedAt.toISOString(), battles: result.battles });
    return snapshot;
  }

  private static toView(s: ArenaLeaderboardSnapshot): ModelLeaderboard {
    const p = s.payload as unknown as Omit<ModelLeaderboard, "since" | "computedAt"> & { since: string | null };
    return { ...p, since: p.since ? new Date(p.since) : null, computedAt: new Date(s.computedAt) };
  }

  /**
   * The leaderboard of a filter as last computed (the periodic job recomputes changed ones); a filter never asked
   * for is computed now, which counts against ARENA_RATE_LIMIT_LEADERBOARD.
   */
  async leaderboard(rc: RequestContext, f: LeaderboardFilter): Promise<ModelLeaderboard> {
    const stored = await this.ds.getRepository(ArenaLeaderboardSnapshot).findOneBy({ key: filterKey(f) });
    if (stored) return ArenaLeaderboards.toView(stored);
    // Counted per user, else per client; the server itself and the command line count as their door.
    const who = rc.identity.user?.id ?? rc.identity.apiClient?.id ?? rc.identity.via;
    await enforceRate(this.limiter, this.leaderboardRule, who, "new leaderboard computations");
    const snapshot = await this.compute(f);
    await this.ds.query(
      `DELETE FROM arena_leaderboard WHERE key <> $1 AND key NOT IN (SELECT key FROM arena_leaderboard WHERE key <> $1 ORDER BY computed_at DESC LIMIT $2)`,
      [filterKey(OVERALL), MAX_SNAPSHOTS],
    );
    return ArenaLeaderboards.toView(snapshot);
  }

  /** The periodic job: recomputes every stored leaderboard whose battles changed (and the overall one at least once). */
  async refreshChanged(): Promise<number> {
    const stored = await this.ds.getRepository(ArenaLeaderboardSnapshot).find();
    const overallKey = filterKey(OVERALL);
    let n = 0;
    if (!stored.some((s) => s.key === overallKey)) {
      await this.compute(OVERALL);
      n++;
    }
    for (const s of stored) {
      const f = ArenaLeaderboards.filterOf(s);
      if ((await this.dataVersion(f)) === s.dataVersion) continue;
      await this.compute(f);
      n++;
    }
    return n;
  }

  private static filterOf(s: ArenaLeaderboardSnapshot): LeaderboardFilter {
    const p = s.payload as { category?: string | null; lang?: string | null; since?: string | null };
    return { category: p.category ?? null, lang: p.lang ?? null, since: p.since ? new Date(p.since) : null };
  }

  /** The admin's refresh: recomputed now, journaled. */
  async refreshByAdmin(rc: RequestContext, f: LeaderboardFilter): Promise<ModelLeaderboard> {
    const snapshot = await this.compute(f);
    await inTransaction(this.ds, (em) =>
      writeJournal(
        em,
        rc.actor,
        ModerationAction.ARENA_LEADERBOARD_REFRESHED,
        { targetId: null },
        {
          filter: { category: f.category, lang: f.lang, since: f.since?.toISOString() ?? null },
          battles: (snapshot.payload as { battles: number }).battles,
        },
      ),
    );
    return ArenaLeaderboards.toView(snapshot);
  }

  /** Every recomputation of the filter's leaderboard from now on, on any replica. */
  subscribe(f: LeaderboardFilter): AsyncIterable<ModelLeaderboardRefresh> {
    const source = (
      this.pubSub.pubSub as unknown as { subscribe(topic: string, id: string): AsyncIterable<{ computedAt: string; battles: number }> }
    ).subscribe(TOPIC, filterKey(f));
    return {
      [Symbol.asyncIterator]: () => {
        const it = source[Symbol.asyncIterator]();
        return {
          next: async () => {
            const r = await it.next();
            if (r.done) return r;
            // Serialised on the way (with Redis the event crosses replicas as JSON): dates come back from strings.
            return { done: false, value: { ...f, battles: r.value.battles, computedAt: new Date(r.value.computedAt) } };
          },
          return: async () => {
            await it.return?.();
            return { done: true as const, value: undefined };
          },
        };
      },
    };
  }
}
