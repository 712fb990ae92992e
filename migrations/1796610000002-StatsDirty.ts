import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Incremental leaderboards (spec §6.1–§6.5, issue 14): instead of recomputing every user of a board each interval,
 * the stats job recomputes only the users whose inputs changed since its last run, then re-ranks. Triggers on
 * every table the boards read append the affected users to `stats_dirty`, one row per time frame, in the
 * transaction of the change, so every writer (task submissions, reviews, moderation, purges, the import's COPY,
 * tests' direct SQL) is covered without knowing about it. A frame's run takes its marks with
 * `DELETE ... RETURNING`: marks of transactions still in flight are not visible to it and stay for the next run.
 *
 * `stats_dirty` has no unique key on purpose: with one, two transactions marking the same users in different
 * orders would wait on each other's uncommitted rows (a deadlock in a submission); duplicates are cheap and the
 * run takes distinct ids.
 *
 * A bulk writer (the dataset import) sets `chorus.stats_marks` to `bulk` for its transaction: the triggers then
 * mark nobody, and the writer marks the nil uuid instead, which makes every frame's next run a full recompute (a
 * restore of a million messages by 5,000 authors appended 10 million marks before, one per author, frame and batch
 * statement).
 *
 * `stats_frame` remembers, per frame, the window start and time of its last run: the users whose activity left
 * (or entered) the window since then are recomputed too, and the boards' base date and refresh time are read
 * from it. No row for a frame means "rebuild in full" (first run, or after a TRUNCATE of a source table).
 */
export class StatsDirty1796610000002 implements MigrationInterface {
  name = "StatsDirty1796610000002";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE stats_dirty (time_frame varchar(16) NOT NULL, user_id uuid NOT NULL)`);
    await q.query(`CREATE TABLE stats_frame (
      time_frame varchar(16) PRIMARY KEY,
      base_date timestamptz,
      refreshed_at timestamptz NOT NULL)`);

    // The frames of scores.ts STATS_TIME_FRAMES.
    await q.query(`CREATE FUNCTION stats_mark_dirty(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO stats_dirty (time_frame, user_id)
  SELECT f, d.id FROM (SELECT DISTINCT id FROM unnest(ids) AS u(id) WHERE id IS NOT NULL) d
  CROSS JOIN unnest(ARRAY['day', 'week', 'month', 'total']) AS f
$$`);

    // A ballot's ranked ids as the recompute reads them (cast to uuid), null where a value is not in one of the
    // forms PostgreSQL's uuid input accepts (hex digits, any case, a hyphen allowed after each group of four, the
    // whole optionally in braces): a trigger must not fail a write over a value the boards never credit. An SQL
    // expression, not an exception handler: no subtransaction per call (the import writes ballots by the thousand).
    await q.query(`CREATE FUNCTION stats_try_uuid(t text) RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN t ~ '^([0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}$' OR t ~ '^[{]([0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}[}]$' THEN t::uuid END
$$`);
    // A TRUNCATE names no rows: every frame is rebuilt in full on its next run.
    await q.query(`CREATE FUNCTION stats_frames_invalidate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM stats_frame;
  RETURN NULL;
END $$`);

    // Row sets of a statement (transition tables), per table: whose board values they can move.
    const rowSetUsers: Record<string, (rows: string) => string> = {
      // counters, acceptance, emojis, spam prompts (tree state joins its root), labels (by message author), and
      // ballot credit (which counts deleted replies too)
      message: (rows) => `ARRAY(SELECT r.user_id FROM ${rows} r)`,
      // only done label tasks count: a task that is not done counts nothing either side of a change
      task: (rows) =>
        `ARRAY(SELECT r.user_id FROM ${rows} r WHERE r.done AND r.payload_type IN ('LabelInitialPromptPayload', 'LabelAssistantReplyPayload', 'LabelPrompterReplyPayload'))`,
      // a ballot counts for its voter (rankings) and the authors of its first three replies
      message_reaction: (rows) => `ARRAY(
        SELECT r.user_id FROM ${rows} r WHERE r.payload_type = 'RankingReactionPayload'
        UNION ALL
        SELECT m.user_id FROM ${rows} r CROSS JOIN generate_series(0, 2) AS p(pos)
        JOIN message m ON m.id = stats_try_uuid(r.payload->'ranked_message_ids'->>p.pos)
        WHERE r.payload_type = 'RankingReactionPayload')`,
      // the troll board sums labels per author of the labelled message
      text_labels: (rows) => `ARRAY(SELECT m.user_id FROM ${rows} r JOIN message m ON m.id = r.message_id)`,
      // spam prompts: the author of an aborted_low_grade tree's prompt
      message_tree_state: (rows) => `ARRAY(SELECT m.user_id FROM ${rows} r JOIN message m ON m.id = r.message_tree_id)`,
      // visibility (rank), and a user row's existence (the boards join it)
      user: (rows) => `ARRAY(SELECT r.id FROM ${rows} r)`,
    };
    // Updates: only of the columns the boards read, and only when one of them changed (row triggers with a
    // column list and a WHEN, so the many other updates of these tables, e.g. search vectors, cost nothing).
    const updatedColumns: Record<string, string[]> = {
      message: ["user_id", "parent_id", "role", "review_result", "deleted", "created_date", "emojis"],
      task: ["user_id", "payload_type", "payload", "done", "created_date"],
      message_reaction: ["user_id", "payload_type", "payload", "created_date"],
      text_labels: ["message_id", "labels"],
      message_tree_state: ["message_tree_id", "state"],
      user: ["id", "show_on_leaderboard", "enabled", "deleted"],
    };
    for (const [table, users] of Object.entries(rowSetUsers)) {
      const t = table === "user" ? `"user"` : table;
      await q.query(`CREATE FUNCTION stats_dirty_${table}_rows() RETURNS trigger LANGUAGE plpgsql AS $$
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
      await q.query(`CREATE FUNCTION stats_dirty_${table}_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('chorus.stats_marks', true) = 'bulk' THEN
    RETURN NULL;
  END IF;
  PERFORM stats_mark_dirty(${users("(SELECT OLD.* UNION ALL SELECT NEW.*)")});
  RETURN NULL;
END $$`);
      await q.query(`CREATE TRIGGER stats_dirty_${table}_ins AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_${table}_rows()`);
      await q.query(`CREATE TRIGGER stats_dirty_${table}_del AFTER DELETE ON ${t} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_${table}_rows()`);
      const cols = updatedColumns[table];
      await q.query(`CREATE TRIGGER stats_dirty_${table}_upd AFTER UPDATE OF ${cols.join(", ")} ON ${t} FOR EACH ROW
        WHEN ((${cols.map((c) => `OLD.${c}`).join(", ")}) IS DISTINCT FROM (${cols.map((c) => `NEW.${c}`).join(", ")}))
        EXECUTE FUNCTION stats_dirty_${table}_row()`);
      await q.query(`CREATE TRIGGER stats_dirty_${table}_trunc AFTER TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION stats_frames_invalidate()`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ["message", "task", "message_reaction", "text_labels", "message_tree_state", "user"]) {
      const t = table === "user" ? `"user"` : table;
      for (const suffix of ["ins", "del", "upd", "trunc"]) await q.query(`DROP TRIGGER stats_dirty_${table}_${suffix} ON ${t}`);
      await q.query(`DROP FUNCTION stats_dirty_${table}_rows()`);
      await q.query(`DROP FUNCTION stats_dirty_${table}_row()`);
    }
    await q.query(`DROP FUNCTION stats_frames_invalidate()`);
    await q.query(`DROP FUNCTION stats_try_uuid(text)`);
    await q.query(`DROP FUNCTION stats_mark_dirty(uuid[])`);
    await q.query(`DROP TABLE stats_frame`);
    await q.query(`DROP TABLE stats_dirty`);
  }
}
