import type { MigrationInterface, QueryRunner } from "typeorm";

/** The message update trigger's function as TaskPools created it: every changed tree's pools recomputed. */
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
 * A message update that changes only review and ranking counts (a review before its message is decided, a
 * ranking: most task submissions) no longer recomputes its tree's pools: it sets the count the pool rows keep.
 * What else such a change could move, and why it does not:
 * - `task_pool_review` keeps each message's `review_count` (draws filter on it); its rows do not depend on it.
 * - `task_pool_ranking` keeps each parent's `min_ranking_count` over its accepted live children of a role; which
 *   parents it holds does not depend on ranking counts.
 * - `task_pool_reply` and `task_pool_automod` read a reply's review count only as "below NUM_REVIEWS_REPLY" (and
 *   only for a reply not accepted): a change that crosses that line takes the full recompute, as does any change of
 *   another column the pools read, and any change while the pools' settings row is missing.
 * It first locks the trees' state rows as task_pool_refresh does, so it and a recompute of the same tree in another
 * transaction run one after the other, each seeing what the other wrote.
 */
export class PoolCountsInPlace1796700000003 implements MigrationInterface {
  name = "PoolCountsInPlace1796700000003";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION task_pool_message_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  needed integer;
  counts_only boolean;
BEGIN
  SELECT num_reviews_reply INTO needed FROM task_pool_settings WHERE id = 1;
  SELECT needed IS NOT NULL AND coalesce(bool_and(
           (o.parent_id, o.message_tree_id, o.user_id, o.role, o.lang, o.depth, o.deleted, o.review_result, o.emojis->'red_flag', o.emojis->'_skip_reply')
             IS NOT DISTINCT FROM
           (n.parent_id, n.message_tree_id, n.user_id, n.role, n.lang, n.depth, n.deleted, n.review_result, n.emojis->'red_flag', n.emojis->'_skip_reply')
           AND (n.parent_id IS NULL OR n.review_result IS TRUE OR (o.review_count < needed) = (n.review_count < needed))), false)
    INTO counts_only
  FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE (o.review_count, o.ranking_count) IS DISTINCT FROM (n.review_count, n.ranking_count)
     OR (o.parent_id, o.message_tree_id, o.user_id, o.role, o.lang, o.depth, o.deleted, o.review_result, o.emojis->'red_flag', o.emojis->'_skip_reply')
        IS DISTINCT FROM
        (n.parent_id, n.message_tree_id, n.user_id, n.role, n.lang, n.depth, n.deleted, n.review_result, n.emojis->'red_flag', n.emojis->'_skip_reply');
  IF counts_only THEN
    PERFORM 1 FROM message_tree_state WHERE message_tree_id IN (SELECT n.message_tree_id FROM new_rows n) ORDER BY message_tree_id FOR NO KEY UPDATE;
    UPDATE task_pool_review p SET review_count = n.review_count
      FROM new_rows n WHERE p.message_id = n.id AND p.review_count IS DISTINCT FROM n.review_count;
    UPDATE task_pool_ranking r SET min_ranking_count = x.m
      FROM (SELECT c.parent_id, c.role, min(c.ranking_count)::int AS m FROM message c
            WHERE c.parent_id IN (SELECT n.parent_id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.ranking_count IS DISTINCT FROM n.ranking_count)
              AND c.review_result AND NOT c.deleted
            GROUP BY c.parent_id, c.role) x
      WHERE r.parent_id = x.parent_id AND r.role = x.role AND r.min_ranking_count IS DISTINCT FROM x.m;
    RETURN NULL;
  END IF;${RECOMPUTE_CHANGED_TREES}
END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION task_pool_message_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN${RECOMPUTE_CHANGED_TREES}
END $$`);
  }
}
