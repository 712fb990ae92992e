/**
 * The per user and UTC day buckets of migration StatsDays (`stats_day`) and their running sums per user
 * (`stats_total`), and the WEEK, MONTH and TOTAL rows made from them. A bucket holds, for the activity one user's
 * boards date to one UTC day, every counter the full recompute (stats-sql.ts) sums over a window, so a window that
 * starts at a UTC midnight is a sum of buckets and TOTAL the running sum; equal to the full recompute's rows
 * (test/integration/stats-incremental-equivalence.test.ts). Every source is dated and attributed exactly as
 * there: messages (counters, emojis, labels, spam prompts) by the message and its author, label tasks by the
 * task, ballots by the ballot, for the voter and the authors of its first three replies.
 *
 * The marks of a run are in the temporary table `stats_day_marks` (user_id, day): a day, or null for every day
 * of that user. Three shapes of the bucket statement: "pairs" (the marked days of the marked users, found through
 * the (user, created) indexes and, for ballots, the day's ballots), "users" (every day of the users marked with a
 * null day) and "all" (the rebuild).
 */
import { leaderScoreSql, trollScoreSql } from "../consensus/scores.js";
import { labelWeightSql } from "../labels/label-weight.js";
import { COUNTER_COLUMNS, LABEL_PAYLOAD_TYPES, TROLL_AVG_LABELS, TROLL_INT_COLUMNS, TROLL_INT_LABELS } from "./stats-sql.js";

type Shape = "pairs" | "users" | "all";

const INT_COLUMNS = ["n_user", ...COUNTER_COLUMNS, "n_troll", ...TROLL_INT_COLUMNS];
const COUNT_COLUMNS = TROLL_AVG_LABELS.map((c) => `${c}_n`);
/** The bucket columns after (user_id, day), in the order of the migration's tables. */
export const BUCKET_COLUMNS = [...INT_COLUMNS, ...TROLL_AVG_LABELS.flatMap((c) => [`${c}_sum`, `${c}_n`])];
const IS_INT = new Set([...INT_COLUMNS, ...COUNT_COLUMNS]);

/** One source's contribution as a row of every bucket column: the named ones from `exprs`, zero for the rest. */
function bucketRow(exprs: Partial<Record<string, string>>): string {
  return BUCKET_COLUMNS.map((c) => `(${exprs[c] ?? "0"})::${IS_INT.has(c) ? "int" : "numeric"} AS ${c}`).join(", ");
}

const utcStart = (day: string) => `(${day}::timestamp AT TIME ZONE 'UTC')`;
const WHOLE_USERS = `(SELECT user_id FROM stats_day_marks WHERE day IS NULL)`;
const MARKED_DAYS = `(SELECT DISTINCT day FROM stats_day_marks WHERE day IS NOT NULL)`;

/**
 * The rows of `table alias` in the shape's scope, by the user and date columns that attribute them: a FROM list
 * and a predicate to AND with the source's own.
 */
function scoped(shape: Shape, table: string, userCol: string, dateCol: string): { from: string; where: string } {
  switch (shape) {
    case "all":
      return { from: table, where: "true" };
    case "users":
      return { from: table, where: `${userCol} IN ${WHOLE_USERS}` };
    case "pairs":
      return {
        from: `stats_day_marks k JOIN ${table} ON ${userCol} = k.user_id AND ${dateCol} >= ${utcStart("k.day")} AND ${dateCol} < ${utcStart("(k.day + 1)")}`,
        where: "k.day IS NOT NULL",
      };
  }
}

/** Ballots of the scope: all, or those dated on a marked day (a day's ballots by their date index). */
function ballots(shape: Shape): string {
  return shape === "pairs"
    ? `${MARKED_DAYS} AS md JOIN message_reaction r ON r.created_date >= ${utcStart("md.day")} AND r.created_date < ${utcStart("(md.day + 1)")}`
    : "message_reaction r";
}

/**
 * The first three positions of the scope's ballots (pos, message_id, day), read before their replies are looked
 * up: `OFFSET 0` keeps PostgreSQL from joining the marks in first, which at 100,000 users made it walk every
 * marked author's messages once per ballot of the day (minutes for marks over a few hundred days) where reading
 * the day's ballots and probing each named reply by key takes milliseconds.
 */
function ballotPositions(shape: Shape): string {
  return `(SELECT v.pos, stats_try_uuid(v.message_id) AS message_id, stats_utc_day(r.created_date) AS day
    FROM ${ballots(shape)}
    CROSS JOIN LATERAL (VALUES (1, r.payload->'ranked_message_ids'->>0), (2, r.payload->'ranked_message_ids'->>1),
                               (3, r.payload->'ranked_message_ids'->>2)) AS v(pos, message_id)
    WHERE r.payload_type = 'RankingReactionPayload' OFFSET 0) AS p`;
}

/** Keeps a (user, day) of the "pairs" shape only where it is marked; of "users" only the whole users. */
function attributed(shape: Shape, userCol: string, day: string): string {
  switch (shape) {
    case "all":
      return "true";
    case "users":
      return `${userCol} IN ${WHOLE_USERS}`;
    case "pairs":
      return `EXISTS (SELECT 1 FROM stats_day_marks k WHERE k.user_id = ${userCol} AND k.day = ${day})`;
  }
}

/** A label's value rounded, once per review it stands for (label-weight.ts), as stats-sql.ts sums it. */
const roundedLabel = (name: string) => `coalesce(sum(round((l.labels->>'${name}')::numeric)::int * ${labelWeightSql("l", `'${name}'`)}), 0)`;

/** The bucket rows (user_id, day, every bucket column) of the shape's scope, computed from the source rows. */
function bucketsSql(shape: Shape): string {
  const m = scoped(shape, "message m", "m.user_id", "m.created_date");
  const t = scoped(shape, "task t", "t.user_id", "t.created_date");
  const voter = shape === "users" ? `r.user_id IN ${WHOLE_USERS}` : attributed(shape, "r.user_id", "stats_utc_day(r.created_date)");
  return `
SELECT user_id, day, ${BUCKET_COLUMNS.map((c) => `sum(${c})::${IS_INT.has(c) ? "int" : "numeric"} AS ${c}`).join(", ")}
FROM (
  SELECT m.user_id, stats_utc_day(m.created_date) AS day, ${bucketRow({
    n_user: "count(*)",
    prompts: "count(*) FILTER (WHERE m.parent_id IS NULL)",
    replies_assistant: "count(*) FILTER (WHERE m.parent_id IS NOT NULL AND m.role = 'assistant')",
    replies_prompter: "count(*) FILTER (WHERE m.parent_id IS NOT NULL AND m.role = 'prompter')",
    accepted_prompts: "count(*) FILTER (WHERE m.parent_id IS NULL AND m.review_result)",
    accepted_replies_assistant: "count(*) FILTER (WHERE m.parent_id IS NOT NULL AND m.role = 'assistant' AND m.review_result)",
    accepted_replies_prompter: "count(*) FILTER (WHERE m.parent_id IS NOT NULL AND m.role = 'prompter' AND m.review_result)",
    n_troll: "count(*)",
    red_flags: "coalesce(sum((m.emojis->>'red_flag')::int), 0)",
    upvotes: "coalesce(sum((m.emojis->>'+1')::int), 0)",
    downvotes: "coalesce(sum((m.emojis->>'-1')::int), 0)",
  })}
  FROM ${m.from}
  WHERE ${m.where} AND NOT m.deleted AND m.user_id IS NOT NULL
  GROUP BY 1, 2
  UNION ALL
  SELECT t.user_id, stats_utc_day(t.created_date), ${bucketRow({
    n_user: "count(*)",
    labels_simple: "count(*) FILTER (WHERE t.payload->>'mode' = 'simple')",
    labels_full: "count(*) FILTER (WHERE t.payload->>'mode' = 'full')",
  })}
  FROM ${t.from}
  WHERE ${t.where} AND t.done AND t.payload_type IN (${LABEL_PAYLOAD_TYPES.map((p) => `'${p}'`).join(", ")}) AND t.user_id IS NOT NULL
  GROUP BY 1, 2
  UNION ALL
  SELECT r.user_id, stats_utc_day(r.created_date), ${bucketRow({ n_user: "count(*)", rankings_total: "count(*)" })}
  FROM ${ballots(shape)}
  WHERE r.payload_type = 'RankingReactionPayload' AND r.user_id IS NOT NULL AND ${voter}
  GROUP BY 1, 2
  UNION ALL
  -- each ballot credits the authors of its first three replies (deleted replies too), dated by the ballot
  SELECT a.user_id, p.day, ${bucketRow({
    n_user: "count(*)",
    reply_ranked_1: "count(*) FILTER (WHERE p.pos = 1)",
    reply_ranked_2: "count(*) FILTER (WHERE p.pos = 2)",
    reply_ranked_3: "count(*) FILTER (WHERE p.pos = 3)",
  })}
  FROM ${ballotPositions(shape)}
  JOIN message a ON a.id = p.message_id
  WHERE a.user_id IS NOT NULL AND ${attributed(shape, "a.user_id", "p.day")}
  GROUP BY 1, 2
  UNION ALL
  SELECT m.user_id, stats_utc_day(m.created_date), ${bucketRow({
    n_troll: "count(*)",
    ...Object.fromEntries(TROLL_INT_LABELS.map(([label, column]) => [column, roundedLabel(label)])),
    ...Object.fromEntries(
      TROLL_AVG_LABELS.flatMap((label) => [
        [`${label}_sum`, `coalesce(sum((l.labels->>'${label}')::numeric * ${labelWeightSql("l", `'${label}'`)}), 0)`],
        [`${label}_n`, `coalesce(sum(CASE WHEN l.labels->>'${label}' IS NOT NULL THEN ${labelWeightSql("l", `'${label}'`)} END), 0)`],
      ]),
    ),
  })}
  FROM ${m.from} JOIN text_labels l ON l.message_id = m.id
  WHERE ${m.where} AND NOT m.deleted AND m.user_id IS NOT NULL
  GROUP BY 1, 2
  UNION ALL
  SELECT m.user_id, stats_utc_day(m.created_date), ${bucketRow({ n_troll: "count(*)", spam_prompts: "count(*)" })}
  FROM ${m.from} JOIN message_tree_state s ON s.message_tree_id = m.id
  WHERE ${m.where} AND m.parent_id IS NULL AND s.state = 'aborted_low_grade' AND m.user_id IS NOT NULL
  GROUP BY 1, 2
) AS sources
GROUP BY user_id, day`;
}

const COLUMN_LIST = BUCKET_COLUMNS.join(", ");

/** The run's marks, taken: distinct (user, day), a null day for every day of the user. */
export const TAKE_DAY_MARKS_SQL = `
WITH taken AS (DELETE FROM stats_day_dirty RETURNING user_id, day)
INSERT INTO stats_day_marks (user_id, day) SELECT DISTINCT user_id, day FROM taken`;

/** A user marked for every day needs no marked single days. */
export const DROP_COVERED_MARKS_SQL = `
DELETE FROM stats_day_marks k WHERE k.day IS NOT NULL AND EXISTS (SELECT 1 FROM stats_day_marks w WHERE w.user_id = k.user_id AND w.day IS NULL)`;

/** The marked buckets, recomputed into `stats_day_fresh`. */
export const FRESH_PAIRS_SQL = `INSERT INTO stats_day_fresh (user_id, day, ${COLUMN_LIST}) ${bucketsSql("pairs")}`;
export const FRESH_USERS_SQL = `INSERT INTO stats_day_fresh (user_id, day, ${COLUMN_LIST}) ${bucketsSql("users")}`;

/**
 * The marked buckets' old rows (`d`): the marked days, and every day of the users marked for all. Two joins on
 * the primary key (user_id, day) rather than one with an OR, which only a scan of every bucket could answer.
 */
const OLD_BUCKETS = `(SELECT d.* FROM stats_day_marks k JOIN stats_day d ON d.user_id = k.user_id AND d.day = k.day WHERE k.day IS NOT NULL
    UNION ALL
    SELECT d.* FROM stats_day_marks k JOIN stats_day d ON d.user_id = k.user_id WHERE k.day IS NULL) AS d`;

/** The running sums moved by the difference between the fresh buckets and the ones they replace. */
export const APPLY_DELTA_SQL = `
INSERT INTO stats_total AS t (user_id, ${COLUMN_LIST})
SELECT user_id, ${BUCKET_COLUMNS.map((c) => `sum(${c})`).join(", ")}
FROM (
  SELECT user_id, ${COLUMN_LIST} FROM stats_day_fresh
  UNION ALL
  SELECT d.user_id, ${BUCKET_COLUMNS.map((c) => `-d.${c}`).join(", ")} FROM ${OLD_BUCKETS}
) AS delta
GROUP BY user_id
ON CONFLICT (user_id) DO UPDATE SET ${BUCKET_COLUMNS.map((c) => `${c} = t.${c} + excluded.${c}`).join(", ")}`;

export const REPLACE_BUCKETS_SQL = [
  `DELETE FROM stats_day d USING stats_day_marks k WHERE k.day IS NOT NULL AND d.user_id = k.user_id AND d.day = k.day`,
  `DELETE FROM stats_day d USING stats_day_marks k WHERE k.day IS NULL AND d.user_id = k.user_id`,
  `INSERT INTO stats_day (user_id, day, ${COLUMN_LIST}) SELECT user_id, day, ${COLUMN_LIST} FROM stats_day_fresh`,
  // a user left with no activity at all has no running sum (as no TOTAL row)
  `DELETE FROM stats_total t WHERE t.user_id IN (SELECT user_id FROM stats_day_marks) AND t.n_user = 0 AND t.n_troll = 0`,
];

/** The rebuild: every bucket and running sum from the source rows. */
export const REBUILD_SQL = [
  `TRUNCATE stats_day, stats_total`,
  `INSERT INTO stats_day (user_id, day, ${COLUMN_LIST}) ${bucketsSql("all")}`,
  `INSERT INTO stats_total (user_id, ${COLUMN_LIST}) SELECT user_id, ${BUCKET_COLUMNS.map((c) => `sum(${c})`).join(", ")} FROM stats_day GROUP BY user_id`,
];

/** The users with buckets in [$1, $2) (UTC days): those a WEEK or MONTH window left or entered when its start moved. */
export const ROLLED_DAYS_USERS_SQL = `
SELECT coalesce(array_agg(DISTINCT user_id), '{}') AS ids FROM stats_day WHERE day >= stats_utc_day($1) AND day < stats_utc_day($2)`;

/**
 * The rows of frame $2 for the users of $3 from their buckets since $1 (WEEK, MONTH) or their running sums
 * (TOTAL, $1 null), scored with the formulas of scores.ts, each where its board has source rows in the window.
 */
const frameFromSql = (source: "stats_day" | "stats_total") => `
WITH sums AS (
  SELECT d.user_id, ${INT_COLUMNS.map((c) => `sum(d.${c})::int AS ${c}`).join(", ")},
         ${TROLL_AVG_LABELS.map((c) => `CASE WHEN sum(d.${c}_n) > 0 THEN sum(d.${c}_sum)::double precision / sum(d.${c}_n) END AS ${c}`).join(", ")}
  FROM ${source} d
  WHERE d.user_id = ANY($3::uuid[])${source === "stats_day" ? " AND d.day >= stats_utc_day($1)" : ""}
  GROUP BY d.user_id
),
shown AS (
  SELECT s.*, (u.show_on_leaderboard AND u.enabled AND NOT u.deleted) AS visible FROM sums s JOIN "user" u ON u.id = s.user_id
),
stats AS (
  INSERT INTO user_stats (time_frame, user_id, base_date, modified_date, leader_score, visible, ${COUNTER_COLUMNS.join(", ")})
  SELECT $2, t.user_id, $1::timestamptz, now(), (${leaderScoreSql("t.")})::int, t.visible, ${COUNTER_COLUMNS.map((c) => `t.${c}`).join(", ")}
  FROM shown t WHERE t.n_user > 0
  RETURNING visible
),
troll AS (
  INSERT INTO troll_stats (time_frame, user_id, base_date, modified_date, troll_score, ${[...TROLL_INT_COLUMNS, ...TROLL_AVG_LABELS].join(", ")})
  SELECT $2, t.user_id, $1::timestamptz, now(), (${trollScoreSql("t.")})::int, ${[...TROLL_INT_COLUMNS, ...TROLL_AVG_LABELS].map((c) => `t.${c}`).join(", ")}
  FROM shown t WHERE t.n_troll > 0
  RETURNING 1
)
SELECT (SELECT count(*) FROM stats)::int AS users, (SELECT count(*) FROM stats WHERE visible)::int AS ranked, (SELECT count(*) FROM troll)::int AS troll`;

/** WEEK, MONTH: $1 the window's start (a UTC midnight), $2 the frame, $3 the users. */
export const FRAME_FROM_DAYS_SQL = frameFromSql("stats_day");
/** TOTAL: $1 null, $2 the frame, $3 the users. */
export const FRAME_FROM_TOTALS_SQL = frameFromSql("stats_total");
