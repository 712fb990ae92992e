import type { MigrationInterface, QueryRunner } from "typeorm";
import { TASK_POOL_REFRESH_V2 } from "./1796610000000-TaskPoolSlots.js";

/** The pools' refresh as this migration creates it: V2's, its pool queries driven from the ids when there are several. */
export const TASK_POOL_REFRESH_V3 = `CREATE OR REPLACE FUNCTION task_pool_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s task_pool_settings%ROWTYPE;
  rk task_pool_ranking[];
  rv task_pool_review[];
  rp task_pool_reply[];
  placed integer;
  got integer;
  tries integer;
  tids uuid[];
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  tids := ARRAY(SELECT DISTINCT u FROM unnest(ids) AS u);
  -- One refresh of a tree at a time: a second waits here for the first to commit, then (each statement below
  -- taking a new snapshot) recomputes from what that one wrote. Sorted, so two refreshes never lock in a cycle.
  PERFORM 1 FROM message_tree_state WHERE message_tree_id = ANY(ids) ORDER BY message_tree_id FOR NO KEY UPDATE;
  SELECT * INTO s FROM task_pool_settings WHERE id = 1;

  -- Each pool: the tree's rows are computed, then placed on free slots (see the migration's comment); ON
  -- CONFLICT skips the rows whose slot was taken (their key cannot be: the tree's old rows are gone and a key
  -- belongs to one tree), and the next round places those on a wider range.
  DELETE FROM task_pool_ranking WHERE message_tree_id = ANY(ids);
  IF cardinality(tids) > 1 THEN
    rk := ARRAY(
      SELECT ROW(c.parent_id, c.role, c.message_tree_id, p.lang, min(c.ranking_count), 0)::task_pool_ranking
      FROM unnest(tids) AS i(id)
      JOIN message_tree_state t ON t.message_tree_id = i.id
      JOIN message c ON c.message_tree_id = i.id
      JOIN message p ON p.id = c.parent_id
      WHERE t.active AND t.state = 'ranking' AND c.review_result AND NOT c.deleted
      GROUP BY c.parent_id, c.role, c.message_tree_id, p.lang
      HAVING count(*) > 1);
  ELSE
    rk := ARRAY(
      SELECT ROW(c.parent_id, c.role, c.message_tree_id, p.lang, min(c.ranking_count), 0)::task_pool_ranking
      FROM message c
      JOIN message p ON p.id = c.parent_id
      JOIN message_tree_state t ON t.message_tree_id = c.message_tree_id
      WHERE c.message_tree_id = ANY(ids) AND t.active AND t.state = 'ranking' AND c.review_result AND NOT c.deleted
      GROUP BY c.parent_id, c.role, c.message_tree_id, p.lang
      HAVING count(*) > 1);
  END IF;
  placed := 0; tries := 0;
  WHILE placed < cardinality(rk) LOOP
    IF tries > 24 THEN RAISE EXCEPTION 'task_pool_ranking: no free slot after % rounds', tries; END IF;
    INSERT INTO task_pool_ranking (parent_id, role, message_tree_id, lang, min_ranking_count, slot)
    SELECT r.parent_id, r.role, r.message_tree_id, r.lang, r.min_ranking_count,
      floor(random() * least(1073741824, greatest(64, (SELECT coalesce(max(y.slot), -1) + 1 FROM task_pool_ranking y WHERE y.lang = r.lang) + 2 * r.k * 2 ^ tries)))::int
    FROM (SELECT r.*, count(*) OVER (PARTITION BY r.lang) AS k FROM unnest(rk) r
          WHERE NOT EXISTS (SELECT 1 FROM task_pool_ranking x WHERE x.parent_id = r.parent_id AND x.role = r.role)) r
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS got = ROW_COUNT;
    placed := placed + got; tries := tries + 1;
  END LOOP;

  DELETE FROM task_pool_review WHERE message_tree_id = ANY(ids);
  IF cardinality(tids) > 1 THEN
    rv := ARRAY(
      SELECT ROW(m.id, m.message_tree_id, m.lang, m.role, m.parent_id IS NULL, m.user_id, m.review_count, 0)::task_pool_review
      FROM unnest(tids) AS i(id)
      JOIN message_tree_state t ON t.message_tree_id = i.id
      JOIN message m ON m.message_tree_id = i.id
      WHERE t.active AND NOT m.deleted AND m.review_result IS NOT TRUE
        AND ((m.parent_id IS NULL AND t.state = 'initial_prompt_review') OR (m.parent_id IS NOT NULL AND t.state = 'growing')));
  ELSE
    rv := ARRAY(
      SELECT ROW(m.id, m.message_tree_id, m.lang, m.role, m.parent_id IS NULL, m.user_id, m.review_count, 0)::task_pool_review
      FROM message m
      JOIN message_tree_state t ON t.message_tree_id = m.message_tree_id
      WHERE m.message_tree_id = ANY(ids) AND t.active AND NOT m.deleted AND m.review_result IS NOT TRUE
        AND ((m.parent_id IS NULL AND t.state = 'initial_prompt_review') OR (m.parent_id IS NOT NULL AND t.state = 'growing')));
  END IF;
  placed := 0; tries := 0;
  WHILE placed < cardinality(rv) LOOP
    IF tries > 24 THEN RAISE EXCEPTION 'task_pool_review: no free slot after % rounds', tries; END IF;
    INSERT INTO task_pool_review (message_id, message_tree_id, lang, role, is_root, user_id, review_count, slot)
    SELECT r.message_id, r.message_tree_id, r.lang, r.role, r.is_root, r.user_id, r.review_count,
      floor(random() * least(1073741824, greatest(64, (SELECT coalesce(max(y.slot), -1) + 1 FROM task_pool_review y
                                                               WHERE y.lang = r.lang AND y.is_root = r.is_root) + 2 * r.k * 2 ^ tries)))::int
    FROM (SELECT r.*, count(*) OVER (PARTITION BY r.lang, r.is_root) AS k FROM unnest(rv) r
          WHERE NOT EXISTS (SELECT 1 FROM task_pool_review x WHERE x.message_id = r.message_id)) r
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS got = ROW_COUNT;
    placed := placed + got; tries := tries + 1;
  END LOOP;

  DELETE FROM task_pool_reply WHERE message_tree_id = ANY(ids);
  DELETE FROM task_pool_automod WHERE message_tree_id = ANY(ids);
  IF s.id IS NULL THEN RETURN; END IF;
  IF cardinality(tids) > 1 THEN
    INSERT INTO task_pool_automod (message_id, message_tree_id, lang, parent_id, red, skips)
    SELECT m.id, m.message_tree_id, m.lang, m.parent_id, x.red, x.skips
    FROM unnest(tids) AS i(id)
    JOIN message_tree_state t ON t.message_tree_id = i.id
    JOIN message m ON m.message_tree_id = i.id
    CROSS JOIN LATERAL (SELECT coalesce((m.emojis->>'red_flag')::int, 0) AS red, coalesce((m.emojis->>'_skip_reply')::int, 0) AS skips) x
    WHERE t.active AND t.state IN ('initial_prompt_review', 'growing') AND NOT m.deleted
      AND (m.parent_id IS NULL OR m.review_result OR (m.parent_id IS NOT NULL AND m.review_count < s.num_reviews_reply))
      AND (x.red >= s.auto_mod_red_flags OR x.skips >= s.auto_mod_max_skip_reply);
  ELSE
    INSERT INTO task_pool_automod (message_id, message_tree_id, lang, parent_id, red, skips)
    SELECT m.id, m.message_tree_id, m.lang, m.parent_id, x.red, x.skips
    FROM message m
    JOIN message_tree_state t ON t.message_tree_id = m.message_tree_id
    CROSS JOIN LATERAL (SELECT coalesce((m.emojis->>'red_flag')::int, 0) AS red, coalesce((m.emojis->>'_skip_reply')::int, 0) AS skips) x
    WHERE m.message_tree_id = ANY(ids) AND t.active AND t.state IN ('initial_prompt_review', 'growing') AND NOT m.deleted
      AND (m.parent_id IS NULL OR m.review_result OR (m.parent_id IS NOT NULL AND m.review_count < s.num_reviews_reply))
      AND (x.red >= s.auto_mod_red_flags OR x.skips >= s.auto_mod_max_skip_reply);
  END IF;

  IF cardinality(tids) > 1 THEN
    rp := ARRAY(
      WITH trees AS (
        SELECT t.message_tree_id, t.goal_tree_size, t.max_depth, t.max_children_count, t.lang
        FROM unnest(tids) AS i(id) JOIN message_tree_state t ON t.message_tree_id = i.id
        WHERE t.active AND t.state = 'growing'
      ), sizes AS (
        SELECT m.message_tree_id, count(*) AS n FROM message m JOIN trees USING (message_tree_id)
        WHERE NOT m.deleted AND ((m.parent_id IS NOT NULL AND (m.review_result OR m.review_count < s.num_reviews_reply))
                                 OR (m.parent_id IS NULL AND m.review_result))
        GROUP BY m.message_tree_id
      ), kids AS (
        SELECT c.parent_id, count(*) FILTER (WHERE NOT c.deleted AND (c.review_result OR c.review_count < s.num_reviews_reply)) AS k,
               count(*) AS any_children
        FROM message c JOIN trees USING (message_tree_id) WHERE c.parent_id IS NOT NULL GROUP BY c.parent_id
      )
      SELECT ROW(m.id, m.message_tree_id, m.lang, m.role, coalesce(k.k, 0), 0)::task_pool_reply
      FROM message m
      JOIN trees t USING (message_tree_id)
      JOIN sizes z USING (message_tree_id)
      LEFT JOIN kids k ON k.parent_id = m.id
      WHERE z.n < t.goal_tree_size AND NOT m.deleted AND m.depth < t.max_depth AND m.review_result AND m.lang = t.lang
        AND coalesce(k.k, 0) < t.max_children_count
        AND (coalesce(k.k, 0) < s.num_prompter_replies OR m.role = 'prompter')
        AND NOT (s.skip_parents_with_only_discarded_children AND coalesce(k.any_children, 0) > 0 AND coalesce(k.k, 0) = 0));
  ELSE
    rp := ARRAY(
      WITH trees AS (
        SELECT t.message_tree_id, t.goal_tree_size, t.max_depth, t.max_children_count, t.lang FROM message_tree_state t
        WHERE t.message_tree_id = ANY(ids) AND t.active AND t.state = 'growing'
      ), sizes AS (
        SELECT m.message_tree_id, count(*) AS n FROM message m JOIN trees USING (message_tree_id)
        WHERE NOT m.deleted AND ((m.parent_id IS NOT NULL AND (m.review_result OR m.review_count < s.num_reviews_reply))
                                 OR (m.parent_id IS NULL AND m.review_result))
        GROUP BY m.message_tree_id
      ), kids AS (
        SELECT c.parent_id, count(*) FILTER (WHERE NOT c.deleted AND (c.review_result OR c.review_count < s.num_reviews_reply)) AS k,
               count(*) AS any_children
        FROM message c JOIN trees USING (message_tree_id) WHERE c.parent_id IS NOT NULL GROUP BY c.parent_id
      )
      SELECT ROW(m.id, m.message_tree_id, m.lang, m.role, coalesce(k.k, 0), 0)::task_pool_reply
      FROM message m
      JOIN trees t USING (message_tree_id)
      JOIN sizes z USING (message_tree_id)
      LEFT JOIN kids k ON k.parent_id = m.id
      WHERE z.n < t.goal_tree_size AND NOT m.deleted AND m.depth < t.max_depth AND m.review_result AND m.lang = t.lang
        AND coalesce(k.k, 0) < t.max_children_count
        AND (coalesce(k.k, 0) < s.num_prompter_replies OR m.role = 'prompter')
        AND NOT (s.skip_parents_with_only_discarded_children AND coalesce(k.any_children, 0) > 0 AND coalesce(k.k, 0) = 0));
  END IF;
  placed := 0; tries := 0;
  WHILE placed < cardinality(rp) LOOP
    IF tries > 24 THEN RAISE EXCEPTION 'task_pool_reply: no free slot after % rounds', tries; END IF;
    INSERT INTO task_pool_reply (parent_id, message_tree_id, lang, role, k, slot)
    SELECT r.parent_id, r.message_tree_id, r.lang, r.role, r.k,
      floor(random() * least(1073741824, greatest(64, (SELECT coalesce(max(y.slot), -1) + 1 FROM task_pool_reply y WHERE y.lang = r.lang) + 2 * r.n * 2 ^ tries)))::int
    FROM (SELECT r.*, count(*) OVER (PARTITION BY r.lang) AS n FROM unnest(rp) r
          WHERE NOT EXISTS (SELECT 1 FROM task_pool_reply x WHERE x.parent_id = r.parent_id)) r
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS got = ROW_COUNT;
    placed := placed + got; tries := tries + 1;
  END LOOP;
END $$`;

/**
 * A message insert refreshes the pools of the trees that have a state row, not of every tree it touched (issue 14,
 * import). A tree without a state row has no pool rows to remove and none to add: every pool query of
 * `task_pool_refresh` joins `message_tree_state`, and deleting a state row refreshes that tree (TaskPools). Such
 * trees are exactly the import's: a batch COPYs its messages before its tree states, and the states' COPY computes
 * the pools once; the refresh the messages' COPY ran before found nothing, after reading every message of the
 * batch in four pool queries (3 % of the statement time of a 3,000-tree restore into 10,000 trees). A tree's first messages
 * and its state row are written by one transaction (the import's batch, a new initial prompt), so the check
 * cannot miss a state row that a refresh would have found.
 *
 * And the refresh's pool queries start from the refreshed trees (`unnest(ids)`, each joined to its state row and
 * its messages by key) instead of filtering `message.message_tree_id = ANY(ids)`. PL/pgSQL keeps a generic plan
 * of each query for the connection's life; planned while the tables were small (an import into an empty
 * database), it read every tree in the pool's state through the state index and, for each, probed the message
 * index once per refreshed id (the ANY array as index keys): per batch a cost growing with the database, 1,542
 * trees times 250 ids in one 10,000-tree restore's refresh (0.3 s), which is why a restore's PostgreSQL CPU per
 * message grew 4.7 times from 10,000 to 100,000 trees (bench/RESULTS.md; the likely cause). Driven from the ids, every plan the
 * planner can choose visits only the refreshed trees. The ids are made distinct first (a tree given twice would
 * otherwise count its children twice). A refresh of one tree (what a task submission's statement causes) keeps
 * V2's queries: PL/pgSQL plans those afresh for each call's id, and the id-driven form, one more join to plan,
 * cost 14 % more CPU per one-tree refresh (3,000 refreshes of a 10,000-tree database's trees, 3 runs each).
 */
export class PoolRefreshStatedTrees1796620000001 implements MigrationInterface {
  name = "PoolRefreshStatedTrees1796620000001";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION task_pool_message_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM task_pool_refresh(ARRAY(
    SELECT DISTINCT n.message_tree_id FROM new_rows n
    WHERE EXISTS (SELECT 1 FROM message_tree_state t WHERE t.message_tree_id = n.message_tree_id)));
  RETURN NULL;
END $$`);
    await q.query(TASK_POOL_REFRESH_V3);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION task_pool_message_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM task_pool_refresh(ARRAY(SELECT DISTINCT message_tree_id FROM new_rows));
  RETURN NULL;
END $$`);
    await q.query(TASK_POOL_REFRESH_V2);
  }
}
