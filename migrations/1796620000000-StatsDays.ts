import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Leaderboards at 100,000 users within their intervals (issue 14). Two changes to the incremental boards of
 * migration StatsDirty:
 *
 * 1. Per user and UTC day buckets (`stats_day`) of every counter the boards sum, and their running sum per user
 *    (`stats_total`). WEEK and MONTH start at a UTC midnight (scores.ts statsWindowStart), so their rows are sums
 *    of buckets and TOTAL's are the running sums: a run re-sums a changed user's few buckets instead of reading the
 *    user's whole history. The triggers now also append (user, day) marks to `stats_day_dirty`, dated as the
 *    boards date each source (a message and its labels, emojis and tree state by the message, a task by itself, a
 *    ballot's voter and credited authors by the ballot); a null day means every day of that user (a message
 *    deleted or given to another author moves ballot credit dated by ballots elsewhere). A ballot credits
 *    replies that exist when it is written (a ranking task ranks the replies of its parent), and a reply written
 *    after ballots of its parent that name it is marked for their days; a ballot naming a message elsewhere that
 *    is only written later is credited at the next rebuild (the bulk import's nil mark, a TRUNCATE). A run takes the marks,
 *    recomputes those buckets from the source rows and adds the difference to `stats_total`. DAY (the last 24
 *    hours, not whole days) keeps recomputing its marked users from the source rows.
 * 2. Ranks are no longer stored: a score change rewrote nearly every stored rank below it (96,000 of 99,000 TOTAL
 *    rows for a burst of 600 users). Reads number the rows in board order from an index on (window, score, user),
 *    visible users only for the leaderboard; `visible` is the row's visibility as of its last recompute, the
 *    rule the stored rank followed (a hidden, disabled or deleted user had a row and no rank).
 *
 * Bucket counters carry `n_user` / `n_troll`, the number of source rows behind them: a board row exists when its
 * window has any (a user with one reply that counts nothing still has a row, as in the full recompute). Averaged
 * labels are kept as an exact sum (numeric, from the JSON text) and a count of the values present.
 */
const COUNTERS = [
  "prompts",
  "replies_assistant",
  "replies_prompter",
  "labels_simple",
  "labels_full",
  "rankings_total",
  "rankings_good",
  "accepted_prompts",
  "accepted_replies_assistant",
  "accepted_replies_prompter",
  "reply_ranked_1",
  "reply_ranked_2",
  "reply_ranked_3",
];
const TROLL_INTS = [
  "red_flags",
  "upvotes",
  "downvotes",
  "spam_prompts",
  "spam",
  "lang_mismach",
  "not_appropriate",
  "pii",
  "hate_speech",
  "sexual_content",
  "political_content",
];
const TROLL_AVGS = ["quality", "humor", "toxicity", "violence", "helpfulness"];
const BUCKET_COLUMNS = [
  "n_user int NOT NULL DEFAULT 0",
  ...COUNTERS.map((c) => `${c} int NOT NULL DEFAULT 0`),
  "n_troll int NOT NULL DEFAULT 0",
  ...TROLL_INTS.map((c) => `${c} int NOT NULL DEFAULT 0`),
  ...TROLL_AVGS.flatMap((c) => [`${c}_sum numeric NOT NULL DEFAULT 0`, `${c}_n int NOT NULL DEFAULT 0`]),
].join(",\n  ");

const LABEL_TASKS = `('LabelInitialPromptPayload', 'LabelAssistantReplyPayload', 'LabelPrompterReplyPayload')`;

/** (user, day) pairs per table from a row set, as the boards date each source (see above). */
type Op = "insert" | "update" | "delete";
const rowSetPairs: Record<string, (rows: string, op: Op) => string> = {
  // counters, acceptance, emojis, spam prompts, labels: dated by the message; a deleted row also loses the ballot
  // credit it had (dated by the ballots): every day of its author. A new reply that ballots of its parent already
  // name (rows written out of order) gains their credit, dated by those ballots.
  message: (rows, op) =>
    op === "delete"
      ? `SELECT r.user_id, NULL::date FROM ${rows} r`
      : `SELECT r.user_id, stats_utc_day(r.created_date) FROM ${rows} r${
          op === "insert"
            ? `
        UNION ALL
        SELECT r.user_id, stats_utc_day(b.created_date) FROM ${rows} r JOIN message_reaction b ON b.message_id = r.parent_id
        CROSS JOIN generate_series(0, 2) AS p(pos)
        WHERE b.payload_type = 'RankingReactionPayload' AND stats_try_uuid(b.payload->'ranked_message_ids'->>p.pos) = r.id`
            : ""
        }`,
  task: (rows) => `SELECT r.user_id, stats_utc_day(r.created_date) FROM ${rows} r WHERE r.done AND r.payload_type IN ${LABEL_TASKS}`,
  message_reaction: (rows) => `SELECT r.user_id, stats_utc_day(r.created_date) FROM ${rows} r WHERE r.payload_type = 'RankingReactionPayload'
        UNION ALL
        SELECT m.user_id, stats_utc_day(r.created_date) FROM ${rows} r CROSS JOIN generate_series(0, 2) AS p(pos)
        JOIN message m ON m.id = stats_try_uuid(r.payload->'ranked_message_ids'->>p.pos)
        WHERE r.payload_type = 'RankingReactionPayload'`,
  text_labels: (rows) => `SELECT m.user_id, stats_utc_day(m.created_date) FROM ${rows} r JOIN message m ON m.id = r.message_id`,
  message_tree_state: (rows) => `SELECT m.user_id, stats_utc_day(m.created_date) FROM ${rows} r JOIN message m ON m.id = r.message_tree_id`,
};

export class StatsDays1796620000000 implements MigrationInterface {
  name = "StatsDays1796620000000";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE stats_day_dirty (user_id uuid NOT NULL, day date)`);
    await q.query(`CREATE TABLE stats_day (\n  user_id uuid NOT NULL,\n  day date NOT NULL,\n  ${BUCKET_COLUMNS},\n  PRIMARY KEY (user_id, day))`);
    await q.query(`CREATE INDEX ix_stats_day_day ON stats_day (day, user_id)`);
    await q.query(`CREATE TABLE stats_total (\n  user_id uuid PRIMARY KEY,\n  ${BUCKET_COLUMNS})`);

    await q.query(`CREATE FUNCTION stats_utc_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT (t AT TIME ZONE 'UTC')::date
$$`);
    // Frames for the users, buckets for the (user, day) pairs (null day: all of the user's days).
    await q.query(`CREATE FUNCTION stats_mark(users uuid[], days date[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO stats_dirty (time_frame, user_id)
  SELECT f, d.id FROM (SELECT DISTINCT id FROM unnest(users) AS u(id) WHERE id IS NOT NULL) d
  CROSS JOIN unnest(ARRAY['day', 'week', 'month', 'total']) AS f;
  INSERT INTO stats_day_dirty (user_id, day)
  SELECT DISTINCT u, d FROM unnest(users, days) AS x(u, d) WHERE u IS NOT NULL;
$$`);
    // Still the user table's marks (visibility: the frames only). The bulk writer's mark, the nil uuid, reaches
    // the buckets too: every bucket is rebuilt.
    await q.query(`CREATE OR REPLACE FUNCTION stats_mark_dirty(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO stats_dirty (time_frame, user_id)
  SELECT f, d.id FROM (SELECT DISTINCT id FROM unnest(ids) AS u(id) WHERE id IS NOT NULL) d
  CROSS JOIN unnest(ARRAY['day', 'week', 'month', 'total']) AS f;
  INSERT INTO stats_day_dirty (user_id, day)
  SELECT DISTINCT id, NULL::date FROM unnest(ids) AS u(id) WHERE id = '00000000-0000-0000-0000-000000000000';
$$`);

    for (const [table, pairs] of Object.entries(rowSetPairs)) {
      const mark = (rows: string, op: Op) => `PERFORM stats_mark(array_agg(p.u), array_agg(p.d)) FROM (${pairs(rows, op)}) AS p(u, d)`;
      await q.query(`CREATE OR REPLACE FUNCTION stats_dirty_${table}_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('chorus.stats_marks', true) = 'bulk' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    ${mark("new_rows", "insert")};
  ELSE
    ${mark("old_rows", "delete")};
  END IF;
  RETURN NULL;
END $$`);
      // an update: both versions; a message given to another author moves its ballot credit (every day of both)
      const moved =
        table === "message"
          ? `IF OLD.user_id IS DISTINCT FROM NEW.user_id THEN
    PERFORM stats_mark(ARRAY[OLD.user_id, NEW.user_id], ARRAY[NULL, NULL]::date[]);
    RETURN NULL;
  END IF;
  `
          : "";
      await q.query(`CREATE OR REPLACE FUNCTION stats_dirty_${table}_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('chorus.stats_marks', true) = 'bulk' THEN
    RETURN NULL;
  END IF;
  ${moved}${mark("(SELECT OLD.* UNION ALL SELECT NEW.*)", "update")};
  RETURN NULL;
END $$`);
    }

    await q.query(`ALTER TABLE user_stats ADD visible boolean NOT NULL DEFAULT false`);
    // as of the last recompute: exactly the rows it ranked
    await q.query(`UPDATE user_stats SET visible = true WHERE rank IS NOT NULL`);
    await q.query(`DROP INDEX ux_user_stats_frame_rank_user`);
    await q.query(`ALTER TABLE user_stats DROP COLUMN rank`);
    await q.query(`CREATE INDEX ix_user_stats_board ON user_stats (time_frame, leader_score DESC, user_id) WHERE visible`);
    await q.query(`DROP INDEX ix_troll_stats_frame_rank`);
    await q.query(`ALTER TABLE troll_stats DROP COLUMN rank`);
    await q.query(`CREATE INDEX ix_troll_stats_board ON troll_stats (time_frame, troll_score DESC, user_id)`);
    // A rank is a count of the index entries before the row: an index-only scan while the visibility map is
    // current. The runs rewrite a few thousand of the boards' rows each, far below autovacuum's default 20 %.
    for (const t of ["user_stats", "troll_stats"]) {
      await q.query(`ALTER TABLE ${t} SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01)`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of ["user_stats", "troll_stats"]) {
      await q.query(`ALTER TABLE ${t} RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor)`);
    }
    await q.query(`DROP INDEX ix_troll_stats_board`);
    await q.query(`ALTER TABLE troll_stats ADD rank int`);
    await q.query(`CREATE INDEX ix_troll_stats_frame_rank ON troll_stats (time_frame, rank)`);
    await q.query(`DROP INDEX ix_user_stats_board`);
    await q.query(`ALTER TABLE user_stats ADD rank int`);
    await q.query(`CREATE UNIQUE INDEX ux_user_stats_frame_rank_user ON user_stats (time_frame, rank, user_id)`);
    await q.query(`ALTER TABLE user_stats DROP COLUMN visible`);
    // the next run of every frame recomputes in full (and ranks again)
    await q.query(`DELETE FROM stats_frame`);
    for (const [table, users] of Object.entries(OLD_ROW_SET_USERS)) {
      await q.query(`CREATE OR REPLACE FUNCTION stats_dirty_${table}_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('chorus.stats_marks', true) = 'bulk' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM stats_mark_dirty(${users("new_rows")});
  ELSE
    PERFORM stats_mark_dirty(${users("old_rows")});
  END IF;
  RETURN NULL;
END $$`);
      await q.query(`CREATE OR REPLACE FUNCTION stats_dirty_${table}_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('chorus.stats_marks', true) = 'bulk' THEN
    RETURN NULL;
  END IF;
  PERFORM stats_mark_dirty(${users("(SELECT OLD.* UNION ALL SELECT NEW.*)")});
  RETURN NULL;
END $$`);
    }
    await q.query(`CREATE OR REPLACE FUNCTION stats_mark_dirty(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO stats_dirty (time_frame, user_id)
  SELECT f, d.id FROM (SELECT DISTINCT id FROM unnest(ids) AS u(id) WHERE id IS NOT NULL) d
  CROSS JOIN unnest(ARRAY['day', 'week', 'month', 'total']) AS f
$$`);
    await q.query(`DROP FUNCTION stats_mark(uuid[], date[])`);
    await q.query(`DROP FUNCTION stats_utc_day(timestamptz)`);
    await q.query(`DROP TABLE stats_total`);
    await q.query(`DROP TABLE stats_day`);
    await q.query(`DROP TABLE stats_day_dirty`);
  }
}

/** The trigger functions' user sets of migration StatsDirty, restored by `down`. */
const OLD_ROW_SET_USERS: Record<string, (rows: string) => string> = {
  message: (rows) => `ARRAY(SELECT r.user_id FROM ${rows} r)`,
  task: (rows) => `ARRAY(SELECT r.user_id FROM ${rows} r WHERE r.done AND r.payload_type IN ${LABEL_TASKS})`,
  message_reaction: (rows) => `ARRAY(
        SELECT r.user_id FROM ${rows} r WHERE r.payload_type = 'RankingReactionPayload'
        UNION ALL
        SELECT m.user_id FROM ${rows} r CROSS JOIN generate_series(0, 2) AS p(pos)
        JOIN message m ON m.id = stats_try_uuid(r.payload->'ranked_message_ids'->>p.pos)
        WHERE r.payload_type = 'RankingReactionPayload')`,
  text_labels: (rows) => `ARRAY(SELECT m.user_id FROM ${rows} r JOIN message m ON m.id = r.message_id)`,
  message_tree_state: (rows) => `ARRAY(SELECT m.user_id FROM ${rows} r JOIN message m ON m.id = r.message_tree_id)`,
};
