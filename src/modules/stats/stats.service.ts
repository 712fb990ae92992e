/**
 * User stats, leaderboards, the troll board and streaks (spec §6.1–6.5). The periodic job of a frame recomputes
 * only the users whose data changed since its last run and ranks the frame again (stats-incremental.ts); the
 * ADMIN refresh, and a frame's first run, recompute every user set-based (the statements are in stats-sql.ts).
 * Either runs in one transaction, so readers see the old board or the new one. Ranks are not stored (a score
 * change would move every rank below it): reads number the rows in board order from the index on (time_frame,
 * score, user_id), the leaderboard's over the rows visible as of their recompute, and one user's rank sums the
 * per-score counts that triggers keep (`stats_score_count`); a board's window start and refresh time are the
 * frame's (`stats_frame`).
 */
import type { DataSource, EntityManager } from "typeorm";
import type { PubSubHandle } from "../../infra/pubsub.js";
import { inTransaction } from "../../db/transaction.js";
import { uuid7 } from "../../db/uuid7.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { badInput, notFound } from "../../common/errors.js";
import {
  STATS_TIME_FRAMES,
  STREAK_RESET_AFTER_MS,
  leaderboardWindowBounds,
  levelForScore,
  statsWindowStart,
  type StatsTimeFrame,
} from "../consensus/scores.js";
import { clearMarks, readFrameState, recomputeChanged, refreshDays, writeFrameState } from "./stats-incremental.js";
import { COUNTERS, TROLL_STATS_SQL, TROLL_STATS_TOTAL_SQL, USER_STATS_SQL, USER_STATS_TOTAL_SQL } from "./stats-sql.js";
import { LEADERBOARD_TOPIC, type LeaderboardRefresh, type StatsPage, type TrollScoreRow, type UserScore, type UserScoreRow } from "./stats-rows.js";
import type { RequestContext } from "../../common/request-context.js";

export { LEADERBOARD_TOPIC, type LeaderboardRefresh, type StatsPage, type TrollScoreRow, type UserScore, type UserScoreRow } from "./stats-rows.js";
export { TROLL_STATS_SQL, TROLL_STATS_TOTAL_SQL, USER_STATS_SQL, USER_STATS_TOTAL_SQL } from "./stats-sql.js";

const USER_FIELDS = `u.id AS "userId", u.username, u.auth_method AS "authMethod", u.display_name AS "displayName",
  u.streak_days AS "streakDays", u.streak_last_day_date AS "streakLastDayDate", u.last_activity_date AS "lastActivityDate"`;
/** The frame's window start and refresh time (a row written before frames were kept has its own). */
const FRAME_DATES = `CASE WHEN f.time_frame IS NULL THEN s.base_date ELSE f.base_date END AS "baseDate",
  coalesce(f.refreshed_at, s.modified_date) AS "modifiedDate"`;
const FRAME_JOIN = `LEFT JOIN stats_frame f ON f.time_frame = s.time_frame`;
const SCORE_FIELDS = `s.time_frame AS "timeFrame", s.leader_score AS "leaderScore", ${FRAME_DATES}, ${COUNTERS.map(([c, f]) => `s.${c} AS "${f}"`).join(", ")}`;
const VISIBLE = `u.show_on_leaderboard AND u.enabled AND NOT u.deleted`;

/**
 * A frame's leaderboard in rank order (`ix_user_stats_board`): the rows visible as of their recompute, by score,
 * then id, numbered from 1, as the full recompute ranked them. Readers order by `BOARD_ORDER` (the index's order, which the numbering follows, so no sort) and stop at the rows they
 * want: a page costs its rank, not the board's size. `$1` is the frame.
 */
const LEADERBOARD = `(SELECT b.user_id, b.leader_score AS score, row_number() OVER (ORDER BY b.leader_score DESC, b.user_id) AS rank
   FROM user_stats b WHERE b.time_frame = $1 AND b.visible ORDER BY b.leader_score DESC, b.user_id) AS b`;
/** The troll board in rank order (`ix_troll_stats_board`): every row, by score, then id. `$1` is the frame. */
const TROLLBOARD = `(SELECT b.user_id, b.troll_score AS score, row_number() OVER (ORDER BY b.troll_score DESC, b.user_id) AS rank
   FROM troll_stats b WHERE b.time_frame = $1 ORDER BY b.troll_score DESC, b.user_id) AS b`;
const BOARD_ORDER = `b.score DESC, b.user_id`;
/**
 * The leaderboard rank of row `s` (null when it was not visible): one more than the visible rows before it, those
 * with a higher score summed from the per-score counts (`stats_score_count`, one row per distinct score) and the
 * ties ahead by id counted from the board's index.
 */
const RANK_OF = `CASE WHEN s.visible THEN 1
    + (SELECT coalesce(sum(c.n), 0) FROM stats_score_count c WHERE c.time_frame = s.time_frame AND c.leader_score > s.leader_score)
    + (SELECT count(*) FROM user_stats o WHERE o.time_frame = s.time_frame AND o.visible AND o.leader_score = s.leader_score AND o.user_id < s.user_id)
  END::int`;

export class StatsService {
  constructor(
    private readonly ds: DataSource,
    private readonly pubSub: PubSubHandle,
  ) {}

  // --- recomputation ---------------------------------------------------------------------------

  /**
   * The periodic job of one frame: bring it up to date in its own transaction (the changed users only, or every
   * user on the frame's first run), then tell subscribers. `at` stands for the database's clock (tests moving
   * windows forward).
   */
  async refresh(timeFrame: StatsTimeFrame, at?: Date): Promise<LeaderboardRefresh> {
    const result = await inTransaction(this.ds, (em) => this.recompute(em, timeFrame, "schedule", "changed", at));
    this.announce(result);
    return result;
  }

  /**
   * The per-day counters' own periodic job: the buckets and running sums of WEEK, MONTH and TOTAL brought up to
   * date from the (user, day) marks, in a transaction of its own. Each of those windows' runs still brings them up
   * to date first (its marks must have their buckets current), but finds only the marks made since this job's last
   * run, so no window's run pays for the upkeep of all three.
   */
  async refreshDayCounters(): Promise<{ rebuilt: boolean; marks: number }> {
    return inTransaction(this.ds, async (em) => {
      await batchSettings(em);
      return refreshDays(em);
    });
  }

  /**
   * The ADMIN refresh: the given frames (all by default) recomputed in one transaction together with the journal
   * row that records who asked; subscribers hear about each frame once it is committed.
   */
  async refreshByAdmin(rc: RequestContext, timeFrames: readonly StatsTimeFrame[] = STATS_TIME_FRAMES): Promise<LeaderboardRefresh[]> {
    const frames = STATS_TIME_FRAMES.filter((f) => timeFrames.includes(f)); // fixed order: no lock-order deadlocks
    if (frames.length === 0) throw badInput("Name at least one window to refresh");
    const results = await inTransaction(this.ds, async (em) => {
      const out: LeaderboardRefresh[] = [];
      for (const frame of frames) out.push(await this.recompute(em, frame, "admin", "full"));
      const { actor } = rc;
      await em.query(`INSERT INTO journal (id, user_id, message_id, api_client_id, event_type, event_payload) VALUES ($1, $2, NULL, $3, $4, $5)`, [
        uuid7(),
        actor.userId,
        actor.apiClientId,
        "leaderboards_refreshed",
        {
          type: "leaderboards_refreshed",
          user_id: actor.userId,
          api_client_id: actor.apiClientId,
          via: actor.via,
          time_frames: out.map((r) => ({ time_frame: r.timeFrame, users: r.users, ranked_users: r.rankedUsers, troll_users: r.trollUsers })),
        },
      ]);
      return out;
    });
    for (const r of results) this.announce(r);
    return results;
  }

  /**
   * Brings one frame's user and troll stats up to date: "full" deletes and re-inserts every row, "changed" only
   * the rows of users whose data changed (falling back to full when the frame has no earlier run). A
   * transaction-scoped advisory lock per frame serialises replicas and the admin refresh, so two runs never
   * interleave their deletes and inserts.
   */
  private async recompute(
    em: EntityManager,
    timeFrame: StatsTimeFrame,
    trigger: LeaderboardRefresh["trigger"],
    mode: "full" | "changed",
    at?: Date,
  ): Promise<LeaderboardRefresh> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('chorus.stats.' || $1))`, [timeFrame]);
    await batchSettings(em);
    const now: Date = at ?? (await em.query(`SELECT now() AS now`))[0].now;
    const baseDate = statsWindowStart(timeFrame, now);
    const previous = mode === "changed" ? await readFrameState(em, timeFrame) : null;
    // A scheduled first run of WEEK, MONTH or TOTAL builds the per-day buckets too (the incremental run brings
    // them up to date itself), so the frame's next run has them.
    if (mode === "changed" && !previous && timeFrame !== "day") await refreshDays(em);
    const r = previous ? await recomputeChanged(em, timeFrame, baseDate, previous) : null;
    if (r) {
      await writeFrameState(em, timeFrame, { baseDate, refreshedAt: now });
      return { timeFrame, baseDate, refreshedAt: now, users: r.users, rankedUsers: r.rankedUsers, trollUsers: r.trollUsers, trigger };
    }
    // Marks dropped before the data is read: see recomputeChanged. (When it gave up for too many changed users it
    // took the marks already; the full recompute covers them.)
    await clearMarks(em, timeFrame);
    await em.query(`DELETE FROM user_stats WHERE time_frame = $1`, [timeFrame]);
    await em.query(`DELETE FROM troll_stats WHERE time_frame = $1`, [timeFrame]);
    const whole = baseDate === null;
    const [stats]: { users: number; ranked: number }[] = await em.query(whole ? USER_STATS_TOTAL_SQL : USER_STATS_SQL, [baseDate, timeFrame]);
    const [troll]: { users: number }[] = await em.query(whole ? TROLL_STATS_TOTAL_SQL : TROLL_STATS_SQL, [baseDate, timeFrame]);
    await writeFrameState(em, timeFrame, { baseDate, refreshedAt: now });
    return { timeFrame, baseDate, refreshedAt: now, users: stats.users, rankedUsers: stats.ranked, trollUsers: troll.users, trigger };
  }

  private announce(result: LeaderboardRefresh): void {
    // Serialised (dates as strings): with Redis the event crosses to other replicas as JSON.
    this.pubSub.pubSub.publish(LEADERBOARD_TOPIC, result.timeFrame, {
      ...result,
      baseDate: result.baseDate?.toISOString() ?? null,
      refreshedAt: result.refreshedAt.toISOString(),
    });
  }

  /** Every recomputation of `timeFrame` from now on, on any replica. */
  subscribe(timeFrame: StatsTimeFrame): AsyncIterable<LeaderboardRefresh> {
    const source = (this.pubSub.pubSub as unknown as { subscribe(topic: string, id: string): AsyncIterable<Record<string, unknown>> }).subscribe(
      LEADERBOARD_TOPIC,
      timeFrame,
    );
    return {
      [Symbol.asyncIterator]: () => {
        const it = source[Symbol.asyncIterator]();
        return {
          next: async () => {
            const r = await it.next();
            if (r.done) return r;
            const v = r.value;
            return {
              done: false,
              value: {
                ...(v as unknown as LeaderboardRefresh),
                baseDate: v.baseDate ? new Date(String(v.baseDate)) : null,
                refreshedAt: new Date(String(v.refreshedAt)),
              },
            };
          },
          return: async () => {
            await it.return?.();
            return { done: true, value: undefined };
          },
        };
      },
    };
  }

  /**
   * The streak job (spec §6.4): users without activity for more than 36 hours lose their streak, so their next
   * activity starts a new one. Returns how many streaks ended.
   */
  async resetStreaks(): Promise<number> {
    const rows = rowsOf<unknown>(
      await this.ds.query(
        `UPDATE "user" SET streak_days = 0, streak_last_day_date = NULL
         WHERE streak_last_day_date IS NOT NULL AND last_activity_date < now() - make_interval(secs => $1)
         RETURNING 1`,
        [STREAK_RESET_AFTER_MS / 1000],
      ),
    );
    return rows.length;
  }

  // --- reads -----------------------------------------------------------------------------------

  /**
   * A page of the leaderboard in rank order, after rank `afterRank`; only users shown on the board. An untrusted
   * caller sees its own client's users only, at their ranks; the acting user's row is highlighted.
   */
  async leaderboard(rc: RequestContext, timeFrame: StatsTimeFrame, first: number, afterRank: number): Promise<StatsPage<UserScore>> {
    const viewerId = rc.identity.user?.id ?? null;
    const { apiClientId } = rc.visibility;
    if (!Number.isInteger(first) || first < 1 || first > 10_000) throw badInput("first must be between 1 and 10000");
    const rows: UserScoreRow[] = await this.ds.query(
      `SELECT ${SCORE_FIELDS}, b.rank::int AS rank, ${USER_FIELDS}, true AS "hasRow"
       FROM ${LEADERBOARD} JOIN user_stats s ON s.time_frame = $1 AND s.user_id = b.user_id JOIN "user" u ON u.id = s.user_id ${FRAME_JOIN}
       WHERE b.rank > $2 AND ${VISIBLE} AND ($4::uuid IS NULL OR u.api_client_id = $4)
       ORDER BY ${BOARD_ORDER} LIMIT $3`,
      [timeFrame, afterRank, first + 1, apiClientId],
    );
    return { nodes: rows.slice(0, first).map((r) => this.score(r, viewerId)), hasNextPage: rows.length > first };
  }

  /** One user's score in every frame: zero counters and level 0 where the user has no row. An untrusted caller: its own client's users only. */
  async userStats(rc: RequestContext, userId: string): Promise<UserScore[]> {
    const viewerId = rc.identity.user?.id ?? null;
    const { apiClientId } = rc.visibility;
    if (!isUuid(userId)) throw notFound("User", userId);
    const rows: (UserScoreRow & { frame: StatsTimeFrame })[] = await this.ds.query(
      `SELECT fr.frame, ${SCORE_FIELDS}, ${RANK_OF} AS rank, ${USER_FIELDS}, s.user_id IS NOT NULL AS "hasRow"
       FROM "user" u CROSS JOIN unnest($2::text[]) WITH ORDINALITY AS fr(frame, n)
       LEFT JOIN user_stats s ON s.user_id = u.id AND s.time_frame = fr.frame
       ${FRAME_JOIN}
       WHERE u.id = $1 AND ($3::uuid IS NULL OR u.api_client_id = $3) ORDER BY fr.n`,
      [userId, STATS_TIME_FRAMES, apiClientId],
    );
    if (rows.length === 0) throw notFound("User", userId);
    return rows.map(({ frame, ...r }) => this.score(r.hasRow ? r : zeroRow(r, frame), viewerId));
  }

  /**
   * The ranks around one user (spec §6.3, with its off-by-one fixed: see `leaderboardWindowBounds`): exactly
   * `size` rows where the board has them, each highlighted relative to that user. Null when the user is hidden,
   * disabled or unranked in this frame. For an untrusted caller the user must be its client's, and only that
   * client's users of the window are listed.
   */
  async leaderboardWindow(rc: RequestContext, userId: string, timeFrame: StatsTimeFrame, size: number): Promise<UserScore[] | null> {
    const { apiClientId } = rc.visibility;
    if (!Number.isInteger(size) || size < 1 || size > 100) throw badInput("size must be between 1 and 100");
    if (!isUuid(userId)) throw notFound("User", userId);
    // The ranks below the user, up to `size` of them (all the window's bounds need: whether the board ends
    // within the window), counted from the user's place in the index rather than the whole board.
    const found: { rank: number | null; visible: boolean; below: number | null; score: number | null }[] = await this.ds.query(
      `SELECT ${RANK_OF} AS rank, ${VISIBLE} AS visible, s.leader_score AS score,
              least($4::int, (SELECT count(*) FROM (SELECT 1 FROM user_stats o WHERE o.time_frame = s.time_frame AND o.visible
                                                     AND o.leader_score = s.leader_score AND o.user_id > s.user_id LIMIT $4) AS ties)
                         + (SELECT count(*) FROM (SELECT 1 FROM user_stats o WHERE o.time_frame = s.time_frame AND o.visible
                                                     AND o.leader_score < s.leader_score LIMIT $4) AS lower))::int AS below
       FROM "user" u LEFT JOIN user_stats s ON s.user_id = u.id AND s.time_frame = $2
       WHERE u.id = $1 AND ($3::uuid IS NULL OR u.api_client_id = $3)`,
      [userId, timeFrame, apiClientId, size],
    );
    if (found.length === 0) throw notFound("User", userId);
    const { rank, visible, below, score } = found[0];
    if (!visible || rank === null) return null;
    const bounds = leaderboardWindowBounds(rank, size, rank + (below ?? 0));
    // The board's rows next to the user's, read from its place in the index in both directions (each a range of
    // the index from the user's score and id, as parameters so that every part is one index scan with a limit) and
    // numbered from its rank, not the board numbered from the top down to it; then filtered as a page of the board is.
    const rows: UserScoreRow[] = await this.ds.query(
      `WITH ahead AS (
         SELECT b.user_id, $3::int - row_number() OVER (ORDER BY b.leader_score, b.user_id DESC) AS rank FROM (
           (SELECT o.user_id, o.leader_score FROM user_stats o WHERE o.time_frame = $1 AND o.visible
              AND o.leader_score = $7 AND o.user_id < $2 ORDER BY o.user_id DESC LIMIT $4)
           UNION ALL
           (SELECT o.user_id, o.leader_score FROM user_stats o WHERE o.time_frame = $1 AND o.visible
              AND o.leader_score > $7 ORDER BY o.leader_score, o.user_id DESC LIMIT $4)) b
         ORDER BY b.leader_score, b.user_id DESC LIMIT $4),
       behind AS (
         SELECT b.user_id, $3::int + row_number() OVER (ORDER BY b.leader_score DESC, b.user_id) AS rank FROM (
           (SELECT o.user_id, o.leader_score FROM user_stats o WHERE o.time_frame = $1 AND o.visible
              AND o.leader_score = $7 AND o.user_id > $2 ORDER BY o.user_id LIMIT $5)
           UNION ALL
           (SELECT o.user_id, o.leader_score FROM user_stats o WHERE o.time_frame = $1 AND o.visible
              AND o.leader_score < $7 ORDER BY o.leader_score DESC, o.user_id LIMIT $5)) b
         ORDER BY b.leader_score DESC, b.user_id LIMIT $5),
       near AS (SELECT user_id, rank FROM ahead UNION ALL SELECT $2::uuid, $3::int UNION ALL SELECT user_id, rank FROM behind)
       SELECT ${SCORE_FIELDS}, b.rank::int AS rank, ${USER_FIELDS}, true AS "hasRow"
       FROM near b JOIN user_stats s ON s.time_frame = $1 AND s.user_id = b.user_id JOIN "user" u ON u.id = s.user_id ${FRAME_JOIN}
       WHERE ${VISIBLE} AND ($6::uuid IS NULL OR u.api_client_id = $6)
       ORDER BY b.rank`,
      [timeFrame, userId, rank, rank - bounds.first, bounds.last - rank, apiClientId, score],
    );
    return rows.map((r) => this.score(r, userId));
  }

  /** A page of the troll board in rank order, optionally only enabled (or only disabled) users; an untrusted caller: its own client's users only. */
  async trollboard(
    rc: RequestContext,
    timeFrame: StatsTimeFrame,
    first: number,
    afterRank: number,
    enabled: boolean | null,
  ): Promise<StatsPage<TrollScoreRow>> {
    const { apiClientId } = rc.visibility;
    if (!Number.isInteger(first) || first < 1 || first > 10_000) throw badInput("first must be between 1 and 10000");
    const rows: TrollScoreRow[] = await this.ds.query(
      `SELECT s.time_frame AS "timeFrame", b.rank::int AS rank, s.troll_score AS "trollScore", ${FRAME_DATES},
              s.red_flags AS "redFlags", s.upvotes, s.downvotes, s.spam_prompts AS "spamPrompts", s.quality, s.humor, s.toxicity,
              s.violence, s.helpfulness, s.spam, s.lang_mismach AS "langMismatch", s.not_appropriate AS "notAppropriate", s.pii,
              s.hate_speech AS "hateSpeech", s.sexual_content AS "sexualContent", s.political_content AS "politicalContent",
              u.id AS "userId", u.username, u.auth_method AS "authMethod", u.display_name AS "displayName", u.enabled, u.deleted,
              u.show_on_leaderboard AS "showOnLeaderboard"
       FROM ${TROLLBOARD} JOIN troll_stats s ON s.time_frame = $1 AND s.user_id = b.user_id JOIN "user" u ON u.id = s.user_id ${FRAME_JOIN}
       WHERE b.rank > $2 AND ($4::boolean IS NULL OR u.enabled = $4) AND ($5::uuid IS NULL OR u.api_client_id = $5)
       ORDER BY ${BOARD_ORDER} LIMIT $3`,
      [timeFrame, afterRank, first + 1, enabled, apiClientId],
    );
    return { nodes: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  private score(row: UserScoreRow, viewerId: string | null): UserScore {
    return { ...row, level: levelForScore(row.hasRow ? row.leaderScore : null), highlighted: viewerId !== null && row.userId === viewerId };
  }
}

/**
 * Batch statements over whole tables, unlike requests: enough memory to aggregate every user without spilling to
 * disk, and PostgreSQL's stock page cost instead of the connection's 1.1 (data-source.ts), which made the planner
 * look up hundreds of thousands of ranked replies one index probe at a time rather than hash-join them (5x slower
 * for TOTAL at 100,000 users). Transaction-scoped.
 */
async function batchSettings(em: EntityManager): Promise<void> {
  await em.query(`SET LOCAL work_mem = '64MB'`);
  await em.query(`SET LOCAL random_page_cost = 4`);
}

function zeroRow(row: UserScoreRow, frame: StatsTimeFrame): UserScoreRow {
  const zeros = Object.fromEntries(COUNTERS.map(([, f]) => [f, 0]));
  return { ...row, ...zeros, timeFrame: frame, rank: null, leaderScore: 0, baseDate: null, modifiedDate: null, hasRow: false };
}
