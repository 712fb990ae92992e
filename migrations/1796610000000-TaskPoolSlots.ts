import type { MigrationInterface, QueryRunner } from "typeorm";
import { TASK_POOL_REFRESH_V1 } from "./1796600000000-TaskPools.js";

/** The pools' refresh as this migration creates it (PoolRefreshStatedTrees replaces it; its undo restores this one). */
export const TASK_POOL_REFRESH_V2 = `CREATE OR REPLACE FUNCTION task_pool_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s task_pool_settings%ROWTYPE;
  rk task_pool_ranking[];
  rv task_pool_review[];
  rp task_pool_reply[];
  placed integer;
  got integer;
  tries integer;
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  -- One refresh of a tree at a time: a second waits here for the first to commit, then (each statement below
  -- taking a new snapshot) recomputes from what that one wrote. Sorted, so two refreshes never lock in a cycle.
  PERFORM 1 FROM message_tree_state WHERE message_tree_id = ANY(ids) ORDER BY message_tree_id FOR NO KEY UPDATE;
  SELECT * INTO s FROM task_pool_settings WHERE id = 1;

  -- Each pool: the tree's rows are computed, then placed on free slots (see the migration's comment); ON
  -- CONFLICT skips the rows whose slot was taken (their key cannot be: the tree's old rows are gone and a key
  -- belongs to one tree), and the next round places those on a wider range.
  DELETE FROM task_pool_ranking WHERE message_tree_id = ANY(ids);
  rk := ARRAY(
    SELECT ROW(c.parent_id, c.role, c.message_tree_id, p.lang, min(c.ranking_count), 0)::task_pool_ranking
    FROM message c
    JOIN message p ON p.id = c.parent_id
    JOIN message_tree_state t ON t.message_tree_id = c.message_tree_id
    WHERE c.message_tree_id = ANY(ids) AND t.active AND t.state = 'ranking' AND c.review_result AND NOT c.deleted
    GROUP BY c.parent_id, c.role, c.message_tree_id, p.lang
    HAVING count(*) > 1);
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
  rv := ARRAY(
    SELECT ROW(m.id, m.message_tree_id, m.lang, m.role, m.parent_id IS NULL, m.user_id, m.review_count, 0)::task_pool_review
    FROM message m
    JOIN message_tree_state t ON t.message_tree_id = m.message_tree_id
    WHERE m.message_tree_id = ANY(ids) AND t.active AND NOT m.deleted AND m.review_result IS NOT TRUE
      AND ((m.parent_id IS NULL AND t.state = 'initial_prompt_review') OR (m.parent_id IS NOT NULL AND t.state = 'growing')));
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
  INSERT INTO task_pool_automod (message_id, message_tree_id, lang, parent_id, red, skips)
  SELECT m.id, m.message_tree_id, m.lang, m.parent_id, x.red, x.skips
  FROM message m
  JOIN message_tree_state t ON t.message_tree_id = m.message_tree_id
  CROSS JOIN LATERAL (SELECT coalesce((m.emojis->>'red_flag')::int, 0) AS red, coalesce((m.emojis->>'_skip_reply')::int, 0) AS skips) x
  WHERE m.message_tree_id = ANY(ids) AND t.active AND t.state IN ('initial_prompt_review', 'growing') AND NOT m.deleted
    AND (m.parent_id IS NULL OR m.review_result OR (m.parent_id IS NOT NULL AND m.review_count < s.num_reviews_reply))
    AND (x.red >= s.auto_mod_red_flags OR x.skips >= s.auto_mod_max_skip_reply);

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
 * Candidate pools draw exactly uniformly (src/modules/tasks/task-pools.ts says why a random key and a range scan
 * do not): each pool row gets an integer slot, unique within its draw partition (language; and root or not for
 * reviews), so a draw can pick a slot uniformly and every row is equally likely to be hit. The pools are derived
 * data: the three drawn tables are rebuilt with the new column and refilled from the trees.
 *
 * Placement: a refresh puts the k rows it still has to place in a partition on random slots below the partition's
 * highest slot + 1 + 2k (at least 64); the rows whose slot was taken (by a committed row, or by one another
 * transaction has not committed yet, which it waits for) try again with that 2k doubled, k now the rows left. The
 * range grows by about what is placed, not by a factor (a range doubled from the first retry ran an import's
 * stragglers up to slots 300 times the row count, and draws then missed on almost every try), so the slots stay
 * dense enough for a draw to hit a row on most tries; and since every tree change re-places its rows, a shrinking
 * pool compacts by itself.
 */
export class TaskPoolSlots1796610000000 implements MigrationInterface {
  name = "TaskPoolSlots1796610000000";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_pool_ranking`);
    await q.query(`DROP TABLE task_pool_review`);
    await q.query(`DROP TABLE task_pool_reply`);
    await q.query(`CREATE TABLE task_pool_ranking (
      parent_id uuid NOT NULL, role varchar(16) NOT NULL, message_tree_id uuid NOT NULL, lang varchar(32) NOT NULL,
      min_ranking_count integer NOT NULL, slot integer NOT NULL, PRIMARY KEY (parent_id, role))`);
    await q.query(`CREATE INDEX ix_task_pool_ranking_tree ON task_pool_ranking (message_tree_id)`);
    await q.query(`CREATE UNIQUE INDEX ux_task_pool_ranking_slot ON task_pool_ranking (lang, slot)`);
    await q.query(`CREATE TABLE task_pool_review (
      message_id uuid PRIMARY KEY, message_tree_id uuid NOT NULL, lang varchar(32) NOT NULL, role varchar(16) NOT NULL,
      is_root boolean NOT NULL, user_id uuid, review_count integer NOT NULL, slot integer NOT NULL)`);
    await q.query(`CREATE INDEX ix_task_pool_review_tree ON task_pool_review (message_tree_id)`);
    await q.query(`CREATE UNIQUE INDEX ux_task_pool_review_slot ON task_pool_review (lang, is_root, slot)`);
    await q.query(`CREATE TABLE task_pool_reply (
      parent_id uuid PRIMARY KEY, message_tree_id uuid NOT NULL, lang varchar(32) NOT NULL, role varchar(16) NOT NULL,
      k integer NOT NULL, slot integer NOT NULL)`);
    await q.query(`CREATE INDEX ix_task_pool_reply_tree ON task_pool_reply (message_tree_id)`);
    await q.query(`CREATE UNIQUE INDEX ux_task_pool_reply_slot ON task_pool_reply (lang, slot)`);

    await q.query(TASK_POOL_REFRESH_V2);
    // Refilled from every tree, in key order (what TaskPools.sync does when the settings change).
    await q.query(`SELECT task_pool_refresh(ARRAY(SELECT message_tree_id FROM message_tree_state ORDER BY message_tree_id))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_pool_ranking`);
    await q.query(`DROP TABLE task_pool_review`);
    await q.query(`DROP TABLE task_pool_reply`);
    await q.query(`CREATE TABLE task_pool_ranking (
      parent_id uuid NOT NULL, role varchar(16) NOT NULL, message_tree_id uuid NOT NULL, lang varchar(32) NOT NULL,
      min_ranking_count integer NOT NULL, rnd double precision NOT NULL DEFAULT random(), PRIMARY KEY (parent_id, role))`);
    await q.query(`CREATE INDEX ix_task_pool_ranking_tree ON task_pool_ranking (message_tree_id)`);
    await q.query(`CREATE INDEX ix_task_pool_ranking_draw ON task_pool_ranking (lang, rnd)`);
    await q.query(`CREATE TABLE task_pool_review (
      message_id uuid PRIMARY KEY, message_tree_id uuid NOT NULL, lang varchar(32) NOT NULL, role varchar(16) NOT NULL,
      is_root boolean NOT NULL, user_id uuid, review_count integer NOT NULL, rnd double precision NOT NULL DEFAULT random())`);
    await q.query(`CREATE INDEX ix_task_pool_review_tree ON task_pool_review (message_tree_id)`);
    await q.query(`CREATE INDEX ix_task_pool_review_draw ON task_pool_review (lang, is_root, rnd)`);
    await q.query(`CREATE TABLE task_pool_reply (
      parent_id uuid PRIMARY KEY, message_tree_id uuid NOT NULL, lang varchar(32) NOT NULL, role varchar(16) NOT NULL,
      k integer NOT NULL, rnd double precision NOT NULL DEFAULT random())`);
    await q.query(`CREATE INDEX ix_task_pool_reply_tree ON task_pool_reply (message_tree_id)`);
    await q.query(`CREATE INDEX ix_task_pool_reply_draw ON task_pool_reply (lang, rnd)`);
    await q.query(TASK_POOL_REFRESH_V1);
    await q.query(`SELECT task_pool_refresh(ARRAY(SELECT message_tree_id FROM message_tree_state ORDER BY message_tree_id))`);
  }
}
