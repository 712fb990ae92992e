import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Reads that grew with the data (issue 14).
 *
 * 1. The lonely parents' draw (task-pools.ts, kind lonelyReply): a prompter message with fewer than
 *    LONELY_CHILDREN_COUNT counted replies is sparse in the reply pool at scale (464 of 16,469 rows on 41,181 slots
 *    at 100,000 restored trees), so half the random requests' slot tries all missed and the exact draw read every
 *    row of the pool (20-40 ms); an index on the prompter rows by reply count lets it read the lonely rows only.
 * 2. A user's leaderboard rank read in a few index probes again. Since migration StatsDays ranks are not
 * stored (a score change rewrote every stored rank below it), so a rank was a count of the visible rows ahead of
 * the user: 25,000 index entries for a user ranked 25,000 (34-60 ms per `userStats`). Now each window keeps how
 * many visible rows it has at each score (`stats_score_count`), kept by statement triggers on `user_stats` in the
 * writer's own transaction, whoever writes (the runs, moderation's deletes), so a rank is the sum of the counts
 * of the higher scores (one row per distinct score, far fewer than the users) plus the ties ahead by id. A score
 * change moves two counts, not the ranks of everyone below.
 */
export class ScaleReads1796700000005 implements MigrationInterface {
  name = "ScaleReads1796700000005";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS ix_task_pool_reply_lonely ON task_pool_reply (lang, k) WHERE role = 'prompter'`);
    await q.query(`CREATE TABLE stats_score_count (
  time_frame character varying(16) NOT NULL,
  leader_score integer NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (time_frame, leader_score))`);
    // The visible rows of the statement's row sets added (+1 per new row, -1 per old one) to their scores' counts.
    // Upserted in key order, so two writers (a run and a moderator's delete) lock the counts in one order and
    // never deadlock; counts that reach zero are removed (the board's distinct scores stay all there is).
    const apply = (delta: string) => `INSERT INTO stats_score_count AS c (time_frame, leader_score, n)
    SELECT time_frame, leader_score, sum(n)::int FROM (${delta}) AS d GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2
    ON CONFLICT (time_frame, leader_score) DO UPDATE SET n = c.n + excluded.n;
    DELETE FROM stats_score_count c USING (SELECT DISTINCT time_frame, leader_score FROM (${delta}) AS d) AS d
    WHERE c.n = 0 AND c.time_frame = d.time_frame AND c.leader_score = d.leader_score`;
    const rows = (table: string, sign: number) => `SELECT time_frame, leader_score, ${sign} AS n FROM ${table} WHERE visible`;
    await q.query(`CREATE FUNCTION stats_score_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${apply(rows("new_rows", 1))};
  ELSIF TG_OP = 'DELETE' THEN
    ${apply(rows("old_rows", -1))};
  ELSE
    ${apply(`${rows("new_rows", 1)} UNION ALL ${rows("old_rows", -1)}`)};
  END IF;
  RETURN NULL;
END $$`);
    // A trigger with transition tables takes one event each.
    await q.query(`CREATE TRIGGER stats_score_count_insert AFTER INSERT ON user_stats REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_score_count_rows()`);
    await q.query(`CREATE TRIGGER stats_score_count_delete AFTER DELETE ON user_stats REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_score_count_rows()`);
    await q.query(`CREATE TRIGGER stats_score_count_update AFTER UPDATE ON user_stats REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_score_count_rows()`);
    await q.query(`CREATE FUNCTION stats_score_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM stats_score_count;
  RETURN NULL;
END $$`);
    await q.query(`CREATE TRIGGER stats_score_count_truncate AFTER TRUNCATE ON user_stats FOR EACH STATEMENT EXECUTE FUNCTION stats_score_count_truncate()`);
    await q.query(`INSERT INTO stats_score_count (time_frame, leader_score, n)
  SELECT time_frame, leader_score, count(*) FROM user_stats WHERE visible GROUP BY 1, 2`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of ["insert", "delete", "update", "truncate"]) await q.query(`DROP TRIGGER stats_score_count_${t} ON user_stats`);
    await q.query(`DROP FUNCTION stats_score_count_truncate()`);
    await q.query(`DROP FUNCTION stats_score_count_rows()`);
    await q.query(`DROP TABLE stats_score_count`);
    await q.query(`DROP INDEX ix_task_pool_reply_lonely`);
  }
}
