/**
 * User stats, leaderboards, the troll board and streaks (spec §6.1–6.5). The counters are recomputed set-based:
 * one INSERT ... SELECT per table and time frame that counts, scores and ranks (a window function) every user at
 * once, inside one transaction that first deletes the frame's rows, so readers see either the old board or the
 * new one. Reads then are plain index lookups on (time_frame, rank).
 */
import type { DataSource, EntityManager } from "typeorm";
import type { Logger } from "pino";
import type { PubSubHandle } from "../../infra/pubsub.js";
import { inTransaction } from "../../db/transaction.js";
import { uuid7 } from "../../db/uuid7.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { badInput, notFound } from "../../server/errors.js";
import {
  STATS_TIME_FRAMES,
  STREAK_RESET_AFTER_MS,
  leaderScoreSql,
  leaderboardWindowBounds,
  levelForScore,
  statsWindowStart,
  trollScoreSql,
  type StatsTimeFrame,
} from "../consensus/scores.js";

export const LEADERBOARD_TOPIC = "leaderboard-updated";

/** What one recomputation of one time frame did; also the payload of `leaderboardUpdated`. */
export interface LeaderboardRefresh {
  timeFrame: StatsTimeFrame;
  /** Start of the window (null for total). */
  baseDate: Date | null;
  /** The database time of the recomputation (every row's modified_date). */
  refreshedAt: Date;
  /** Users with a stats row (any activity in the window). */
  users: number;
  /** Of these, users with a rank (shown on the leaderboard). */
  rankedUsers: number;
  /** Authors with a troll stats row. */
  trollUsers: number;
  /** Why it ran. */
  trigger: "schedule" | "admin";
}

/** The counters of `user_stats` as the API returns them, with the user's public fields. */
export interface UserScoreRow {
  timeFrame: StatsTimeFrame;
  rank: number | null;
  userId: string;
  username: string;
  authMethod: string;
  displayName: string;
  leaderScore: number;
  /** null when the user has no row in this frame (no activity): level 0, zero counters. */
  hasRow: boolean;
  baseDate: Date | null;
  modifiedDate: Date | null;
  prompts: number;
  repliesAssistant: number;
  repliesPrompter: number;
  labelsSimple: number;
  labelsFull: number;
  rankingsTotal: number;
  rankingsGood: number;
  acceptedPrompts: number;
  acceptedRepliesAssistant: number;
  acceptedRepliesPrompter: number;
  replyRanked1: number;
  replyRanked2: number;
  replyRanked3: number;
  streakDays: number | null;
  streakLastDayDate: Date | null;
  lastActivityDate: Date | null;
}

export interface UserScore extends UserScoreRow {
  level: number;
  highlighted: boolean;
}

export interface TrollScoreRow {
  timeFrame: StatsTimeFrame;
  rank: number | null;
  userId: string;
  username: string;
  authMethod: string;
  displayName: string;
  enabled: boolean;
  deleted: boolean;
  showOnLeaderboard: boolean;
  trollScore: number;
  baseDate: Date | null;
  modifiedDate: Date;
  redFlags: number;
  upvotes: number;
  downvotes: number;
  spamPrompts: number;
  quality: number | null;
  humor: number | null;
  toxicity: number | null;
  violence: number | null;
  helpfulness: number | null;
  spam: number;
  langMismatch: number;
  notAppropriate: number;
  pii: number;
  hateSpeech: number;
  sexualContent: number;
  politicalContent: number;
}

import type { Actor } from "../moderation/journal.js";
export type { Actor };

export interface StatsPage<T> {
  nodes: T[];
  hasNextPage: boolean;
}

const LABEL_PAYLOAD_TYPES = ["LabelInitialPromptPayload", "LabelAssistantReplyPayload", "LabelPrompterReplyPayload"];

const COUNTERS: [string, keyof UserScoreRow][] = [
  ["prompts", "prompts"],
  ["replies_assistant", "repliesAssistant"],
  ["replies_prompter", "repliesPrompter"],
  ["labels_simple", "labelsSimple"],
  ["labels_full", "labelsFull"],
  ["rankings_total", "rankingsTotal"],
  ["rankings_good", "rankingsGood"],
  ["accepted_prompts", "acceptedPrompts"],
  ["accepted_replies_assistant", "acceptedRepliesAssistant"],
  ["accepted_replies_prompter", "acceptedRepliesPrompter"],
  ["reply_ranked_1", "replyRanked1"],
  ["reply_ranked_2", "replyRanked2"],
  ["reply_ranked_3", "replyRanked3"],
];
const COUNTER_COLUMNS = COUNTERS.map(([c]) => c);

/** The frame's window as a predicate on `col`; `$1` is the base date (null for total). */
const inWindow = (col: string) => `($1::timestamptz IS NULL OR ${col} >= $1::timestamptz)`;

/** One source of counters as a row of all 13 columns: the named ones from `exprs`, zero for the rest. */
function counterRow(exprs: Partial<Record<string, string>>): string {
  // integers, not count()'s bigint: summing bigints makes numerics, several times slower to aggregate
  return COUNTER_COLUMNS.map((c) => `(${exprs[c] ?? "0"})::int AS ${c}`).join(", ");
}

/*
 * Two shapes of each statement, the same rows (test/integration/stats-recompute-equivalence.test.ts):
 * - windowed (DAY, WEEK, MONTH): few rows per source, so index probes are cheapest; ballots are grouped per ranked
 *   reply and each reply's author looked up once, users looked up per summed row.
 * - whole history (TOTAL): every row of every table, where the windowed shape made the planner probe the message
 *   index 260,000 times (it took the grouped LATERAL rows for a handful) and the user index 99,000 times (it
 *   guesses 200 users for a sum of aggregates). Here the ballot positions are a UNION ALL of one scan per position,
 *   whose 3 × ballots rows it estimates right and hash-joins to the authors, and "user" is joined to the per-source
 *   rows before the sums (it estimates those well, and hash-joins): TOTAL at 100,000 users went from about 11.6 s
 *   to about 9.7 s (README, Leaderboard recompute). The join only drops ids without a user and adds columns that are
 *   one value per user, so moving it changes no row.
 */

/** Whole history: the first three positions of every ranking ballot, one row each (message_id, pos). */
const RANKED_CREDIT_WINDOWED = `SELECT m.user_id, ${counterRow({
    reply_ranked_1: "sum(b.first)",
    reply_ranked_2: "sum(b.second)",
    reply_ranked_3: "sum(b.third)",
  })}
  FROM (
    SELECT p.message_id::uuid AS message_id, count(*) FILTER (WHERE p.pos = 1) AS first,
           count(*) FILTER (WHERE p.pos = 2) AS second, count(*) FILTER (WHERE p.pos = 3) AS third
    FROM message_reaction r
    CROSS JOIN LATERAL (VALUES (1, r.payload->'ranked_message_ids'->>0), (2, r.payload->'ranked_message_ids'->>1),
                               (3, r.payload->'ranked_message_ids'->>2)) AS p(pos, message_id)
    WHERE r.payload_type = 'RankingReactionPayload' AND ${inWindow("r.created_date")} AND p.message_id IS NOT NULL
    GROUP BY 1
  ) AS b
  JOIN message m ON m.id = b.message_id
  WHERE m.user_id IS NOT NULL
  GROUP BY m.user_id`;

const RANKED_POSITIONS_WHOLE = [1, 2, 3]
  .map(
    (pos) => `SELECT (r.payload->'ranked_message_ids'->>${pos - 1})::uuid AS message_id, ${pos} AS pos
    FROM message_reaction r WHERE r.payload_type = 'RankingReactionPayload' AND ${inWindow("r.created_date")}`,
  )
  .join("\n    UNION ALL\n    ");

const RANKED_CREDIT_WHOLE = `SELECT m.user_id, ${counterRow({
    reply_ranked_1: "count(*) FILTER (WHERE p.pos = 1)",
    reply_ranked_2: "count(*) FILTER (WHERE p.pos = 2)",
    reply_ranked_3: "count(*) FILTER (WHERE p.pos = 3)",
  })}
  FROM (${RANKED_POSITIONS_WHOLE}) AS p
  JOIN message m ON m.id = p.message_id
  WHERE m.user_id IS NOT NULL
  GROUP BY m.user_id`;

/**
 * `user_stats` of one frame: every source counted in one pass, summed per user, scored with the formula of
 * scores.ts and ranked among the users shown on the board ($2 = time frame).
 */
const userStatsSql = (whole: boolean) => `
WITH counts AS (
  SELECT m.user_id, ${counterRow({
    prompts: "count(*) FILTER (WHERE m.parent_id IS NULL)",
    replies_assistant: "count(*) FILTER (WHERE m.parent_id IS NOT NULL AND m.role = 'assistant')",
    replies_prompter: "count(*) FILTER (WHERE m.parent_id IS NOT NULL AND m.role = 'prompter')",
    accepted_prompts: "count(*) FILTER (WHERE m.parent_id IS NULL AND m.review_result)",
    accepted_replies_assistant: "count(*) FILTER (WHERE m.parent_id IS NOT NULL AND m.role = 'assistant' AND m.review_result)",
    accepted_replies_prompter: "count(*) FILTER (WHERE m.parent_id IS NOT NULL AND m.role = 'prompter' AND m.review_result)",
  })}
  FROM message m
  WHERE NOT m.deleted AND m.user_id IS NOT NULL AND ${inWindow("m.created_date")}
  GROUP BY m.user_id
  UNION ALL
  SELECT t.user_id, ${counterRow({
    labels_simple: "count(*) FILTER (WHERE t.payload->>'mode' = 'simple')",
    labels_full: "count(*) FILTER (WHERE t.payload->>'mode' = 'full')",
  })}
  FROM task t
  WHERE t.done AND t.payload_type IN (${LABEL_PAYLOAD_TYPES.map((p) => `'${p}'`).join(", ")}) AND t.user_id IS NOT NULL AND ${inWindow("t.created_date")}
  GROUP BY t.user_id
  UNION ALL
  SELECT r.user_id, ${counterRow({ rankings_total: "count(*)" })}
  FROM message_reaction r
  WHERE r.payload_type = 'RankingReactionPayload' AND ${inWindow("r.created_date")}
  GROUP BY r.user_id
  UNION ALL
  -- each ballot credits the authors of its first three replies (per ballot, not the consensus)
  ${whole ? RANKED_CREDIT_WHOLE : RANKED_CREDIT_WINDOWED}
),
${
  whole
    ? `totals AS (
  SELECT c.user_id, ${COUNTER_COLUMNS.map((c) => `sum(c.${c})::int AS ${c}`).join(", ")},
         bool_and(u.show_on_leaderboard AND u.enabled AND NOT u.deleted) AS visible
  FROM counts c JOIN "user" u ON u.id = c.user_id
  GROUP BY c.user_id
),
scored AS (
  SELECT t.*, (${leaderScoreSql("t.")})::int AS leader_score FROM totals t
),`
    : `totals AS (
  SELECT user_id, ${COUNTER_COLUMNS.map((c) => `sum(${c})::int AS ${c}`).join(", ")}
  FROM counts GROUP BY user_id
),
scored AS (
  SELECT t.*, (${leaderScoreSql("t.")})::int AS leader_score, (u.show_on_leaderboard AND u.enabled AND NOT u.deleted) AS visible
  FROM totals t JOIN "user" u ON u.id = t.user_id
),`
}
inserted AS (
  INSERT INTO user_stats (time_frame, user_id, base_date, modified_date, leader_score, rank, ${COUNTER_COLUMNS.join(", ")})
  SELECT $2, user_id, $1::timestamptz, now(), leader_score,
         CASE WHEN visible THEN row_number() OVER (PARTITION BY visible ORDER BY leader_score DESC, user_id) END,
         ${COUNTER_COLUMNS.join(", ")}
  FROM scored
  RETURNING rank
)
SELECT count(*)::int AS users, count(rank)::int AS ranked FROM inserted`;

/** DAY, WEEK, MONTH ($1 = the window's start). */
export const USER_STATS_SQL = userStatsSql(false);
/** TOTAL ($1 = null). */
export const USER_STATS_TOTAL_SQL = userStatsSql(true);

const TROLL_INT_LABELS: [string, string][] = [
  ["spam", "spam"],
  ["lang_mismatch", "lang_mismach"],
  ["not_appropriate", "not_appropriate"],
  ["pii", "pii"],
  ["hate_speech", "hate_speech"],
  ["sexual_content", "sexual_content"],
  ["political_content", "political_content"],
];
const TROLL_AVG_LABELS = ["quality", "humor", "toxicity", "violence", "helpfulness"];
const TROLL_INT_COLUMNS = ["red_flags", "upvotes", "downvotes", "spam_prompts", ...TROLL_INT_LABELS.map(([, c]) => c)];

function trollRow(ints: Partial<Record<string, string>>, avgs: Partial<Record<string, string>> = {}): string {
  return [
    ...TROLL_INT_COLUMNS.map((c) => `(${ints[c] ?? "0"})::int AS ${c}`),
    ...TROLL_AVG_LABELS.map((c) => `${avgs[c] ?? "NULL::double precision"} AS ${c}`),
  ].join(", ");
}

/** A label's value as the reference summed it: the JSON number cast to an integer, i.e. rounded. */
const roundedLabel = (name: string) => `coalesce(sum(round((l.labels->>'${name}')::numeric)::int), 0)`;

/**
 * `troll_stats` of one frame, per author of the messages created in the window ($2 = time frame).
 *
 * QUIRK fixed (spec §6.5): the reference summed reviewers' labels only over messages that had a non-null `emojis`
 * value, i.e. messages someone had reacted to, so labels on a message nobody reacted to (the usual case for spam
 * caught in review) never reached the troll board. Here the labels of every live message of the author in the
 * window count, reactions or not.
 */
const trollStatsSql = (whole: boolean) => `
WITH signals AS (
  SELECT m.user_id, ${trollRow({
    red_flags: "coalesce(sum((m.emojis->>'red_flag')::int), 0)",
    upvotes: "coalesce(sum((m.emojis->>'+1')::int), 0)",
    downvotes: "coalesce(sum((m.emojis->>'-1')::int), 0)",
  })}
  FROM message m
  WHERE NOT m.deleted AND m.user_id IS NOT NULL AND ${inWindow("m.created_date")}
  GROUP BY m.user_id
  UNION ALL
  SELECT m.user_id, ${trollRow({ spam_prompts: "count(*)" })}
  FROM message m JOIN message_tree_state s ON s.message_tree_id = m.id
  WHERE m.parent_id IS NULL AND s.state = 'aborted_low_grade' AND m.user_id IS NOT NULL AND ${inWindow("m.created_date")}
  GROUP BY m.user_id
  UNION ALL
  SELECT m.user_id, ${trollRow(
    Object.fromEntries(TROLL_INT_LABELS.map(([label, column]) => [column, roundedLabel(label)])),
    Object.fromEntries(TROLL_AVG_LABELS.map((label) => [label, `avg((l.labels->>'${label}')::double precision)`])),
  )}
  FROM text_labels l JOIN message m ON m.id = l.message_id
  WHERE NOT m.deleted AND m.user_id IS NOT NULL AND ${inWindow("m.created_date")}
  GROUP BY m.user_id
),
${
  whole
    ? `totals AS (
  SELECT s.user_id, ${TROLL_INT_COLUMNS.map((c) => `sum(s.${c})::int AS ${c}`).join(", ")},
         ${TROLL_AVG_LABELS.map((c) => `max(s.${c}) AS ${c}`).join(", ")}
  FROM signals s JOIN "user" u ON u.id = s.user_id
  GROUP BY s.user_id
),
scored AS (
  SELECT t.*, (${trollScoreSql("t.")})::int AS troll_score FROM totals t
),`
    : `totals AS (
  SELECT user_id, ${TROLL_INT_COLUMNS.map((c) => `sum(${c})::int AS ${c}`).join(", ")},
         ${TROLL_AVG_LABELS.map((c) => `max(${c}) AS ${c}`).join(", ")}
  FROM signals GROUP BY user_id
),
scored AS (
  SELECT t.*, (${trollScoreSql("t.")})::int AS troll_score FROM totals t JOIN "user" u ON u.id = t.user_id
),`
}
inserted AS (
  INSERT INTO troll_stats (time_frame, user_id, base_date, modified_date, troll_score, rank, ${[...TROLL_INT_COLUMNS, ...TROLL_AVG_LABELS].join(", ")})
  SELECT $2, user_id, $1::timestamptz, now(), troll_score, row_number() OVER (ORDER BY troll_score DESC, user_id),
         ${[...TROLL_INT_COLUMNS, ...TROLL_AVG_LABELS].join(", ")}
  FROM scored
  RETURNING 1
)
SELECT count(*)::int AS users FROM inserted`;

/** DAY, WEEK, MONTH ($1 = the window's start). */
export const TROLL_STATS_SQL = trollStatsSql(false);
/** TOTAL ($1 = null). */
export const TROLL_STATS_TOTAL_SQL = trollStatsSql(true);

const USER_FIELDS = `u.id AS "userId", u.username, u.auth_method AS "authMethod", u.display_name AS "displayName",
  u.streak_days AS "streakDays", u.streak_last_day_date AS "streakLastDayDate", u.last_activity_date AS "lastActivityDate"`;
const SCORE_FIELDS = `s.time_frame AS "timeFrame", s.rank, s.leader_score AS "leaderScore", s.base_date AS "baseDate",
  s.modified_date AS "modifiedDate", ${COUNTERS.map(([c, f]) => `s.${c} AS "${f}"`).join(", ")}`;
const VISIBLE = `u.show_on_leaderboard AND u.enabled AND NOT u.deleted`;

export class StatsService {
  constructor(
    private readonly ds: DataSource,
    private readonly pubSub: PubSubHandle,
    private readonly log: Logger,
  ) {}

  // --- recomputation ---------------------------------------------------------------------------

  /** The periodic job of one frame: recompute it in its own transaction, then tell subscribers. */
  async refresh(timeFrame: StatsTimeFrame): Promise<LeaderboardRefresh> {
    const result = await inTransaction(this.ds, (em) => this.recompute(em, timeFrame, "schedule"));
    this.announce(result);
    return result;
  }

  /**
   * The ADMIN refresh: the given frames (all by default) recomputed in one transaction together with the journal
   * row that records who asked; subscribers hear about each frame once it is committed.
   */
  async refreshByAdmin(actor: Actor, timeFrames: readonly StatsTimeFrame[] = STATS_TIME_FRAMES): Promise<LeaderboardRefresh[]> {
    const frames = STATS_TIME_FRAMES.filter((f) => timeFrames.includes(f)); // fixed order: no lock-order deadlocks
    if (frames.length === 0) throw badInput("Name at least one window to refresh");
    const results = await inTransaction(this.ds, async (em) => {
      const out: LeaderboardRefresh[] = [];
      for (const frame of frames) out.push(await this.recompute(em, frame, "admin"));
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
   * Deletes and re-inserts one frame's user and troll stats. A transaction-scoped advisory lock per frame
   * serialises replicas and the admin refresh, so two recomputations never interleave their deletes and inserts.
   */
  private async recompute(em: EntityManager, timeFrame: StatsTimeFrame, trigger: LeaderboardRefresh["trigger"]): Promise<LeaderboardRefresh> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('chorus.stats.' || $1))`, [timeFrame]);
    // Batch statements over whole tables, unlike requests: enough memory to aggregate every user without
    // spilling to disk, and PostgreSQL's stock page cost instead of the connection's 1.1 (data-source.ts), which
    // made the planner look up hundreds of thousands of ranked replies one index probe at a time rather than
    // hash-join them (5x slower for TOTAL at 100,000 users).
    await em.query(`SET LOCAL work_mem = '64MB'`);
    await em.query(`SET LOCAL random_page_cost = 4`);
    const [{ now }]: { now: Date }[] = await em.query(`SELECT now() AS now`);
    const baseDate = statsWindowStart(timeFrame, now);
    await em.query(`DELETE FROM user_stats WHERE time_frame = $1`, [timeFrame]);
    await em.query(`DELETE FROM troll_stats WHERE time_frame = $1`, [timeFrame]);
    const whole = baseDate === null;
    const [stats]: { users: number; ranked: number }[] = await em.query(whole ? USER_STATS_TOTAL_SQL : USER_STATS_SQL, [baseDate, timeFrame]);
    const [troll]: { users: number }[] = await em.query(whole ? TROLL_STATS_TOTAL_SQL : TROLL_STATS_SQL, [baseDate, timeFrame]);
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

  /** A page of the leaderboard in rank order, after rank `afterRank`; only users shown on the board. */
  /** A page of the board in rank order; with `apiClientId` (an untrusted caller) that client's users only, at their ranks. */
  async leaderboard(
    timeFrame: StatsTimeFrame,
    first: number,
    afterRank: number,
    viewerId: string | null,
    apiClientId: string | null = null,
  ): Promise<StatsPage<UserScore>> {
    if (!Number.isInteger(first) || first < 1 || first > 10_000) throw badInput("first must be between 1 and 10000");
    const rows: UserScoreRow[] = await this.ds.query(
      `SELECT ${SCORE_FIELDS}, ${USER_FIELDS}, true AS "hasRow"
       FROM user_stats s JOIN "user" u ON u.id = s.user_id
       WHERE s.time_frame = $1 AND s.rank > $2 AND ${VISIBLE} AND ($4::uuid IS NULL OR u.api_client_id = $4)
       ORDER BY s.rank LIMIT $3`,
      [timeFrame, afterRank, first + 1, apiClientId],
    );
    return { nodes: rows.slice(0, first).map((r) => this.score(r, viewerId)), hasNextPage: rows.length > first };
  }

  /** One user's score in every frame: zero counters and level 0 where the user has no row. `apiClientId`: that client's users only. */
  async userStats(userId: string, viewerId: string | null, apiClientId: string | null = null): Promise<UserScore[]> {
    if (!isUuid(userId)) throw notFound("User", userId);
    const rows: (UserScoreRow & { frame: StatsTimeFrame })[] = await this.ds.query(
      `SELECT f.frame, ${SCORE_FIELDS}, ${USER_FIELDS}, s.user_id IS NOT NULL AS "hasRow"
       FROM "user" u CROSS JOIN unnest($2::text[]) WITH ORDINALITY AS f(frame, n)
       LEFT JOIN user_stats s ON s.user_id = u.id AND s.time_frame = f.frame
       WHERE u.id = $1 AND ($3::uuid IS NULL OR u.api_client_id = $3) ORDER BY f.n`,
      [userId, STATS_TIME_FRAMES, apiClientId],
    );
    if (rows.length === 0) throw notFound("User", userId);
    return rows.map(({ frame, ...r }) => this.score(r.hasRow ? r : zeroRow(r, frame), viewerId));
  }

  /**
   * The ranks around one user (spec §6.3, with its off-by-one fixed: see `leaderboardWindowBounds`): exactly
   * `size` rows where the board has them, each highlighted relative to that user. Null when the user is hidden,
   * disabled or unranked in this frame. With `apiClientId` (an untrusted caller) the user must be that client's,
   * and only that client's users of the window are listed.
   */
  async leaderboardWindow(userId: string, timeFrame: StatsTimeFrame, size: number, apiClientId: string | null = null): Promise<UserScore[] | null> {
    if (!Number.isInteger(size) || size < 1 || size > 100) throw badInput("size must be between 1 and 100");
    if (!isUuid(userId)) throw notFound("User", userId);
    const found: { rank: number | null; visible: boolean; lastRank: number | null }[] = await this.ds.query(
      `SELECT s.rank, ${VISIBLE} AS visible, (SELECT max(rank) FROM user_stats WHERE time_frame = $2) AS "lastRank"
       FROM "user" u LEFT JOIN user_stats s ON s.user_id = u.id AND s.time_frame = $2
       WHERE u.id = $1 AND ($3::uuid IS NULL OR u.api_client_id = $3)`,
      [userId, timeFrame, apiClientId],
    );
    if (found.length === 0) throw notFound("User", userId);
    const { rank, visible, lastRank } = found[0];
    if (!visible || rank === null) return null;
    const bounds = leaderboardWindowBounds(rank, size, lastRank ?? rank);
    const rows: UserScoreRow[] = await this.ds.query(
      `SELECT ${SCORE_FIELDS}, ${USER_FIELDS}, true AS "hasRow"
       FROM user_stats s JOIN "user" u ON u.id = s.user_id
       WHERE s.time_frame = $1 AND s.rank BETWEEN $2 AND $3 AND ${VISIBLE} AND ($4::uuid IS NULL OR u.api_client_id = $4)
       ORDER BY s.rank`,
      [timeFrame, bounds.first, bounds.last, apiClientId],
    );
    return rows.map((r) => this.score(r, userId));
  }

  /** A page of the troll board in rank order, optionally only enabled (or only disabled) users; `apiClientId`: that client's users only. */
  async trollboard(
    timeFrame: StatsTimeFrame,
    first: number,
    afterRank: number,
    enabled: boolean | null,
    apiClientId: string | null = null,
  ): Promise<StatsPage<TrollScoreRow>> {
    if (!Number.isInteger(first) || first < 1 || first > 10_000) throw badInput("first must be between 1 and 10000");
    const rows: TrollScoreRow[] = await this.ds.query(
      `SELECT s.time_frame AS "timeFrame", s.rank, s.troll_score AS "trollScore", s.base_date AS "baseDate", s.modified_date AS "modifiedDate",
              s.red_flags AS "redFlags", s.upvotes, s.downvotes, s.spam_prompts AS "spamPrompts", s.quality, s.humor, s.toxicity,
              s.violence, s.helpfulness, s.spam, s.lang_mismach AS "langMismatch", s.not_appropriate AS "notAppropriate", s.pii,
              s.hate_speech AS "hateSpeech", s.sexual_content AS "sexualContent", s.political_content AS "politicalContent",
              u.id AS "userId", u.username, u.auth_method AS "authMethod", u.display_name AS "displayName", u.enabled, u.deleted,
              u.show_on_leaderboard AS "showOnLeaderboard"
       FROM troll_stats s JOIN "user" u ON u.id = s.user_id
       WHERE s.time_frame = $1 AND s.rank > $2 AND ($4::boolean IS NULL OR u.enabled = $4) AND ($5::uuid IS NULL OR u.api_client_id = $5)
       ORDER BY s.rank LIMIT $3`,
      [timeFrame, afterRank, first + 1, enabled, apiClientId],
    );
    return { nodes: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  private score(row: UserScoreRow, viewerId: string | null): UserScore {
    return { ...row, level: levelForScore(row.hasRow ? row.leaderScore : null), highlighted: viewerId !== null && row.userId === viewerId };
  }
}

function zeroRow(row: UserScoreRow, frame: StatsTimeFrame): UserScoreRow {
  const zeros = Object.fromEntries(COUNTERS.map(([, f]) => [f, 0]));
  return { ...row, ...zeros, timeFrame: frame, rank: null, leaderScore: 0, baseDate: null, modifiedDate: null, hasRow: false };
}
