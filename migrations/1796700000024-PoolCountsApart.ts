import type { MigrationInterface, QueryRunner } from "typeorm";

/** task_pool_message_updated's first part (PoolCountsInPlace): which rows changed, and whether only counts did. */
const CHANGED_ROWS = `
  FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE (o.review_count, o.ranking_count) IS DISTINCT FROM (n.review_count, n.ranking_count)
     OR (o.parent_id, o.message_tree_id, o.user_id, o.role, o.lang, o.depth, o.deleted, o.review_result, o.emojis->'red_flag', o.emojis->'_skip_reply')
        IS DISTINCT FROM
        (n.parent_id, n.message_tree_id, n.user_id, n.role, n.lang, n.depth, n.deleted, n.review_result, n.emojis->'red_flag', n.emojis->'_skip_reply');`;
const COUNTS_ONLY = `needed IS NOT NULL AND coalesce(bool_and(
           (o.parent_id, o.message_tree_id, o.user_id, o.role, o.lang, o.depth, o.deleted, o.review_result, o.emojis->'red_flag', o.emojis->'_skip_reply')
             IS NOT DISTINCT FROM
           (n.parent_id, n.message_tree_id, n.user_id, n.role, n.lang, n.depth, n.deleted, n.review_result, n.emojis->'red_flag', n.emojis->'_skip_reply')
           AND (n.parent_id IS NULL OR n.review_result IS TRUE OR (o.review_count < needed) = (n.review_count < needed))), false)`;
const LOCK = `
    PERFORM 1 FROM message_tree_state WHERE message_tree_id IN (SELECT n.message_tree_id FROM new_rows n) ORDER BY message_tree_id FOR NO KEY UPDATE;`;
const REVIEW_COUNTS = `
    UPDATE task_pool_review p SET review_count = n.review_count
      FROM new_rows n WHERE p.message_id = n.id AND p.review_count IS DISTINCT FROM n.review_count;`;
const RANKING_COUNTS = `
    UPDATE task_pool_ranking r SET min_ranking_count = x.m
      FROM (SELECT c.parent_id, c.role, min(c.ranking_count)::int AS m FROM message c
            WHERE c.parent_id IN (SELECT n.parent_id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.ranking_count IS DISTINCT FROM n.ranking_count)
              AND c.review_result AND NOT c.deleted
            GROUP BY c.parent_id, c.role) x
      WHERE r.parent_id = x.parent_id AND r.role = x.role AND r.min_ranking_count IS DISTINCT FROM x.m;`;
const RECOMPUTE_CHANGED_TREES = `
  PERFORM task_pool_refresh(ARRAY(
    SELECT DISTINCT v.id FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES (o.message_tree_id), (n.message_tree_id)) v(id)
    WHERE (o.parent_id, o.message_tree_id, o.user_id, o.role, o.lang, o.depth, o.deleted, o.review_count, o.review_result, o.ranking_count,
           o.emojis->'red_flag', o.emojis->'_skip_reply')
      IS DISTINCT FROM (n.parent_id, n.message_tree_id, n.user_id, n.role, n.lang, n.depth, n.deleted, n.review_count, n.review_result, n.ranking_count,
           n.emojis->'red_flag', n.emojis->'_skip_reply')));
  RETURN NULL;`;

/**
 * Issue 14, a W1 cycle's review and ranking submissions (see also task-submissions.ts, REVIEW_SQL):
 * - The message update trigger's in-place path (a change of review or ranking counts only, PoolCountsInPlace) ran
 *   both of its pool updates whatever changed: a ranking's ballot (ranking counts) also joined its messages against
 *   the review pool, and a review (a review count) also ran the ranking pool's aggregate (over no parents). Each now
 *   runs only when its count changed in the statement; the rows either writes are the same.
 * - `ix_task_expiry` (the expiry sweep: `DELETE FROM task WHERE expiry_date < now() AND NOT done`, task.service.ts)
 *   holds only the tasks not done, the only ones that sweep reads: a task's end (`done` set: a non-HOT update, as
 *   `done` is in two partial indexes' predicates) writes one index entry less, and the index stays as small as the
 *   open tasks. The ack's expiry check reads the task by its key, not this index.
 */
export class PoolCountsApart1796700000024 implements MigrationInterface {
  name = "PoolCountsApart1796700000024";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION task_pool_message_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  needed integer;
  counts_only boolean;
  reviews_changed boolean;
  rankings_changed boolean;
BEGIN
  SELECT num_reviews_reply INTO needed FROM task_pool_settings WHERE id = 1;
  SELECT ${COUNTS_ONLY},
         coalesce(bool_or(o.review_count IS DISTINCT FROM n.review_count), false),
         coalesce(bool_or(o.ranking_count IS DISTINCT FROM n.ranking_count), false)
    INTO counts_only, reviews_changed, rankings_changed${CHANGED_ROWS}
  IF counts_only THEN${LOCK}
    IF reviews_changed THEN${REVIEW_COUNTS}
    END IF;
    IF rankings_changed THEN${RANKING_COUNTS}
    END IF;
    RETURN NULL;
  END IF;${RECOMPUTE_CHANGED_TREES}
END $$`);
    await q.query(`DROP INDEX ix_task_expiry`);
    await q.query(`CREATE INDEX ix_task_expiry ON task (expiry_date) WHERE NOT done`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_task_expiry`);
    await q.query(`CREATE INDEX ix_task_expiry ON task (expiry_date)`);
    await q.query(`CREATE OR REPLACE FUNCTION task_pool_message_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  needed integer;
  counts_only boolean;
BEGIN
  SELECT num_reviews_reply INTO needed FROM task_pool_settings WHERE id = 1;
  SELECT ${COUNTS_ONLY}
    INTO counts_only${CHANGED_ROWS}
  IF counts_only THEN${LOCK}${REVIEW_COUNTS}${RANKING_COUNTS}
    RETURN NULL;
  END IF;${RECOMPUTE_CHANGED_TREES}
END $$`);
  }
}
