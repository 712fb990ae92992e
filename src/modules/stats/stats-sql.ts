/**
 * The set-based computation of the boards (spec §6.1, §6.2, §6.5): one INSERT ... SELECT per table and time
 * frame that counts and scores every user at once, and notes whether the user is shown on the leaderboard (ranks
 * are numbered at read time, stats.service.ts). `$1` is the window's start (null for the total), `$2` the frame.
 * The full recompute (the ADMIN refresh, a frame's first run), and the oracle of the incremental runs'
 * tests. The "users" shape computes the same rows for the users in `$3` only: DAY's incremental run. One builder
 * for all shapes, so every counter is the same expression in each.
 */
import { leaderScoreSql, trollScoreSql } from "../consensus/scores.js";
import { labelWeightSql } from "../labels/label-weight.js";
import type { UserScoreRow } from "./stats-rows.js";

export const LABEL_PAYLOAD_TYPES = ["LabelInitialPromptPayload", "LabelAssistantReplyPayload", "LabelPrompterReplyPayload"];

export const COUNTERS: [string, keyof UserScoreRow][] = [
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
export const COUNTER_COLUMNS = COUNTERS.map(([c]) => c);

/**
 * whole: every row of the window (TOTAL's plans); windowed: DAY/WEEK/MONTH's; users-windowed: the same plans,
 * only the users in `$3` (DAY's incremental run).
 */
type Shape = "whole" | "windowed" | "users-windowed";
const forUsers = (shape: Shape) => shape.startsWith("users");

/** In the users shapes, a predicate keeping the users of `$3` (nothing otherwise). */
const ofUsers = (shape: Shape, col: string) => (forUsers(shape) ? ` AND ${col} = ANY($3::uuid[])` : "");

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
const rankedCreditWindowed = (shape: Shape) => `SELECT m.user_id, ${counterRow({
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
  WHERE m.user_id IS NOT NULL${ofUsers(shape, "m.user_id")}
  GROUP BY m.user_id`;

const RANKED_POSITIONS_WHOLE = [1, 2, 3]
  .map(
    (pos) => `SELECT (r.payload->'ranked_message_ids'->>${pos - 1})::uuid AS message_id, ${pos} AS pos
    FROM message_reaction r WHERE r.payload_type = 'RankingReactionPayload' AND ${inWindow("r.created_date")}`,
  )
  .join("\n    UNION ALL\n    ");

const rankedCreditWhole = (shape: Shape) => `SELECT m.user_id, ${counterRow({
  reply_ranked_1: "count(*) FILTER (WHERE p.pos = 1)",
  reply_ranked_2: "count(*) FILTER (WHERE p.pos = 2)",
  reply_ranked_3: "count(*) FILTER (WHERE p.pos = 3)",
})}
  FROM (${RANKED_POSITIONS_WHOLE}) AS p
  JOIN message m ON m.id = p.message_id
  WHERE m.user_id IS NOT NULL${ofUsers(shape, "m.user_id")}
  GROUP BY m.user_id`;

/**
 * `user_stats` of one frame: every source counted in one pass, summed per user, scored with the formula of
 * scores.ts, with the user's visibility on the board ($2 = time frame).
 */
const userStatsSql = (shape: Shape) => `
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
  WHERE NOT m.deleted AND m.user_id IS NOT NULL AND ${inWindow("m.created_date")}${ofUsers(shape, "m.user_id")}
  GROUP BY m.user_id
  UNION ALL
  SELECT t.user_id, ${counterRow({
    labels_simple: "count(*) FILTER (WHERE t.payload->>'mode' = 'simple')",
    labels_full: "count(*) FILTER (WHERE t.payload->>'mode' = 'full')",
  })}
  FROM task t
  WHERE t.done AND t.payload_type IN (${LABEL_PAYLOAD_TYPES.map((p) => `'${p}'`).join(", ")}) AND t.user_id IS NOT NULL AND ${inWindow("t.created_date")}${ofUsers(shape, "t.user_id")}
  GROUP BY t.user_id
  UNION ALL
  SELECT r.user_id, ${counterRow({ rankings_total: "count(*)" })}
  FROM message_reaction r
  WHERE r.payload_type = 'RankingReactionPayload' AND ${inWindow("r.created_date")}${ofUsers(shape, "r.user_id")}
  GROUP BY r.user_id
  UNION ALL
  -- each ballot credits the authors of its first three replies (per ballot, not the consensus)
  ${shape.endsWith("whole") ? rankedCreditWhole(shape) : rankedCreditWindowed(shape)}
),
${
  shape === "whole"
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
  INSERT INTO user_stats (time_frame, user_id, base_date, modified_date, leader_score, visible, ${COUNTER_COLUMNS.join(", ")})
  SELECT $2, user_id, $1::timestamptz, now(), leader_score, visible, ${COUNTER_COLUMNS.join(", ")}
  FROM scored
  RETURNING visible
)
SELECT count(*)::int AS users, count(*) FILTER (WHERE visible)::int AS ranked FROM inserted`;

/** DAY, WEEK, MONTH ($1 = the window's start). */
export const USER_STATS_SQL = userStatsSql("windowed");
/** TOTAL ($1 = null). */
export const USER_STATS_TOTAL_SQL = userStatsSql("whole");
/** DAY, WEEK, MONTH, the users of `$3` only (their earlier rows deleted first). */
export const USER_STATS_USERS_SQL = userStatsSql("users-windowed");

export const TROLL_INT_LABELS: [string, string][] = [
  ["spam", "spam"],
  ["lang_mismatch", "lang_mismach"],
  ["not_appropriate", "not_appropriate"],
  ["pii", "pii"],
  ["hate_speech", "hate_speech"],
  ["sexual_content", "sexual_content"],
  ["political_content", "political_content"],
];
export const TROLL_AVG_LABELS = ["quality", "humor", "toxicity", "violence", "helpfulness"];
export const TROLL_INT_COLUMNS = ["red_flags", "upvotes", "downvotes", "spam_prompts", ...TROLL_INT_LABELS.map(([, c]) => c)];

function trollRow(ints: Partial<Record<string, string>>, avgs: Partial<Record<string, string>> = {}): string {
  return [
    ...TROLL_INT_COLUMNS.map((c) => `(${ints[c] ?? "0"})::int AS ${c}`),
    ...TROLL_AVG_LABELS.map((c) => `${avgs[c] ?? "NULL::double precision"} AS ${c}`),
  ].join(", ");
}

/**
 * A label's value as the reference summed it: the JSON number cast to an integer, i.e. rounded, once per review
 * it stands for (label-weight.ts).
 */
const roundedLabel = (name: string) => `coalesce(sum(round((l.labels->>'${name}')::numeric)::int * ${labelWeightSql("l", `'${name}'`)}), 0)`;

/** A label's average over its reviews (label-weight.ts): what avg() over one row per review gives. */
const averagedLabel = (name: string) => {
  const value = `(l.labels->>'${name}')::double precision`;
  return `sum(${value} * ${labelWeightSql("l", `'${name}'`)}) / sum(CASE WHEN ${value} IS NOT NULL THEN ${labelWeightSql("l", `'${name}'`)} END)`;
};

/**
 * `troll_stats` of one frame, per author of the messages created in the window ($2 = time frame).
 *
 * QUIRK fixed (spec §6.5): the reference summed reviewers' labels only over messages that had a non-null `emojis`
 * value, i.e. messages someone had reacted to, so labels on a message nobody reacted to (the usual case for spam
 * caught in review) never reached the troll board. Here the labels of every live message of the author in the
 * window count, reactions or not.
 */
const trollStatsSql = (shape: Shape) => `
WITH signals AS (
  SELECT m.user_id, ${trollRow({
    red_flags: "coalesce(sum((m.emojis->>'red_flag')::int), 0)",
    upvotes: "coalesce(sum((m.emojis->>'+1')::int), 0)",
    downvotes: "coalesce(sum((m.emojis->>'-1')::int), 0)",
  })}
  FROM message m
  WHERE NOT m.deleted AND m.user_id IS NOT NULL AND ${inWindow("m.created_date")}${ofUsers(shape, "m.user_id")}
  GROUP BY m.user_id
  UNION ALL
  SELECT m.user_id, ${trollRow({ spam_prompts: "count(*)" })}
  FROM message m JOIN message_tree_state s ON s.message_tree_id = m.id
  WHERE m.parent_id IS NULL AND s.state = 'aborted_low_grade' AND m.user_id IS NOT NULL AND ${inWindow("m.created_date")}${ofUsers(shape, "m.user_id")}
  GROUP BY m.user_id
  UNION ALL
  SELECT m.user_id, ${trollRow(
    Object.fromEntries(TROLL_INT_LABELS.map(([label, column]) => [column, roundedLabel(label)])),
    Object.fromEntries(TROLL_AVG_LABELS.map((label) => [label, averagedLabel(label)])),
  )}
  FROM text_labels l JOIN message m ON m.id = l.message_id
  WHERE NOT m.deleted AND m.user_id IS NOT NULL AND ${inWindow("m.created_date")}${ofUsers(shape, "m.user_id")}
  GROUP BY m.user_id
),
${
  shape === "whole"
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
  INSERT INTO troll_stats (time_frame, user_id, base_date, modified_date, troll_score, ${[...TROLL_INT_COLUMNS, ...TROLL_AVG_LABELS].join(", ")})
  SELECT $2, user_id, $1::timestamptz, now(), troll_score, ${[...TROLL_INT_COLUMNS, ...TROLL_AVG_LABELS].join(", ")}
  FROM scored
  RETURNING 1
)
SELECT count(*)::int AS users FROM inserted`;

/** DAY, WEEK, MONTH ($1 = the window's start). */
export const TROLL_STATS_SQL = trollStatsSql("windowed");
/** TOTAL ($1 = null). */
export const TROLL_STATS_TOTAL_SQL = trollStatsSql("whole");
/** DAY, WEEK, MONTH, the users of `$3` only (their earlier rows deleted first). */
export const TROLL_STATS_USERS_SQL = trollStatsSql("users-windowed");
