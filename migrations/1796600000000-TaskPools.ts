import type { MigrationInterface, QueryRunner } from "typeorm";

/** The pools' refresh as this migration creates it (TaskPoolSlots replaces it; its undo restores this one). */
export const TASK_POOL_REFRESH_V1 = `CREATE OR REPLACE FUNCTION task_pool_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s task_pool_settings%ROWTYPE;
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  -- One refresh of a tree at a time: a second waits here for the first to commit, then (each statement below
  -- taking a new snapshot) recomputes from what that one wrote. Sorted, so two refreshes never lock in a cycle.
  PERFORM 1 FROM message_tree_state WHERE message_tree_id = ANY(ids) ORDER BY message_tree_id FOR NO KEY UPDATE;
  SELECT * INTO s FROM task_pool_settings WHERE id = 1;

  DELETE FROM task_pool_ranking WHERE message_tree_id = ANY(ids);
  INSERT INTO task_pool_ranking (parent_id, role, message_tree_id, lang, min_ranking_count)
  SELECT c.parent_id, c.role, c.message_tree_id, p.lang, min(c.ranking_count)
  FROM message c
  JOIN message p ON p.id = c.parent_id
  JOIN message_tree_state t ON t.message_tree_id = c.message_tree_id
  WHERE c.message_tree_id = ANY(ids) AND t.active AND t.state = 'ranking' AND c.review_result AND NOT c.deleted
  GROUP BY c.parent_id, c.role, c.message_tree_id, p.lang
  HAVING count(*) > 1;

  DELETE FROM task_pool_review WHERE message_tree_id = ANY(ids);
  INSERT INTO task_pool_review (message_id, message_tree_id, lang, role, is_root, user_id, review_count)
  SELECT m.id, m.message_tree_id, m.lang, m.role, m.parent_id IS NULL, m.user_id, m.review_count
  FROM message m
  JOIN message_tree_state t ON t.message_tree_id = m.message_tree_id
  WHERE m.message_tree_id = ANY(ids) AND t.active AND NOT m.deleted AND m.review_result IS NOT TRUE
    AND ((m.parent_id IS NULL AND t.state = 'initial_prompt_review') OR (m.parent_id IS NOT NULL AND t.state = 'growing'));

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

  INSERT INTO task_pool_reply (parent_id, message_tree_id, lang, role, k)
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
  SELECT m.id, m.message_tree_id, m.lang, m.role, coalesce(k.k, 0)
  FROM message m
  JOIN trees t USING (message_tree_id)
  JOIN sizes z USING (message_tree_id)
  LEFT JOIN kids k ON k.parent_id = m.id
  WHERE z.n < t.goal_tree_size AND NOT m.deleted AND m.depth < t.max_depth AND m.review_result AND m.lang = t.lang
    AND coalesce(k.k, 0) < t.max_children_count
    AND (coalesce(k.k, 0) < s.num_prompter_replies OR m.role = 'prompter')
    AND NOT (s.skip_parents_with_only_discarded_children AND coalesce(k.any_children, 0) > 0 AND coalesce(k.k, 0) = 0);
END $$`;

/**
 * Candidate pools of the task lottery (spec §2.4–§2.7), kept by the database itself: the user-independent part
 * of each candidate set, one row per candidate (with a random key for an index draw; TaskPoolSlots replaced it by
 * a slot). Statement-level triggers on `message` and `message_tree_state` recompute the pools of every tree a
 * statement touched, in that statement's transaction, so every writer (task submissions, moderation, purges, the
 * import's COPY, tests' direct SQL) keeps them right without knowing about them. A tree has at most a few hundred
 * messages: recomputing its pools costs about what one of its rows costs to write. The user-dependent rules (own
 * messages, skip markers, earlier reviews and rankings, open reply tasks) are applied at draw time
 * (src/modules/tasks/task-pools.ts).
 */
export class TaskPools1796600000000 implements MigrationInterface {
  name = "TaskPools1796600000000";

  public async up(q: QueryRunner): Promise<void> {
    // The tree-manager settings the reply pool depends on; written by the server at start (a change rebuilds).
    await q.query(`CREATE TABLE task_pool_settings (
      id integer PRIMARY KEY CHECK (id = 1),
      num_reviews_reply integer NOT NULL,
      num_prompter_replies integer NOT NULL,
      skip_parents_with_only_discarded_children boolean NOT NULL,
      auto_mod_red_flags integer NOT NULL,
      auto_mod_max_skip_reply integer NOT NULL)`);
    // RANKING: (parent, children's role) in active ranking trees with more than one accepted live child.
    await q.query(`CREATE TABLE task_pool_ranking (
      parent_id uuid NOT NULL, role varchar(16) NOT NULL, message_tree_id uuid NOT NULL, lang varchar(32) NOT NULL,
      min_ranking_count integer NOT NULL, rnd double precision NOT NULL DEFAULT random(), PRIMARY KEY (parent_id, role))`);
    await q.query(`CREATE INDEX ix_task_pool_ranking_tree ON task_pool_ranking (message_tree_id)`);
    await q.query(`CREATE INDEX ix_task_pool_ranking_draw ON task_pool_ranking (lang, rnd)`);
    // LABEL_PROMPT / LABEL_REPLY: live, not accepted messages of active trees in review (roots) or growing (replies).
    await q.query(`CREATE TABLE task_pool_review (
      message_id uuid PRIMARY KEY, message_tree_id uuid NOT NULL, lang varchar(32) NOT NULL, role varchar(16) NOT NULL,
      is_root boolean NOT NULL, user_id uuid, review_count integer NOT NULL, rnd double precision NOT NULL DEFAULT random())`);
    await q.query(`CREATE INDEX ix_task_pool_review_tree ON task_pool_review (message_tree_id)`);
    await q.query(`CREATE INDEX ix_task_pool_review_draw ON task_pool_review (lang, is_root, rnd)`);
    // REPLY: parents that may take another reply, in growing trees below their goal size.
    await q.query(`CREATE TABLE task_pool_reply (
      parent_id uuid PRIMARY KEY, message_tree_id uuid NOT NULL, lang varchar(32) NOT NULL, role varchar(16) NOT NULL,
      k integer NOT NULL, rnd double precision NOT NULL DEFAULT random())`);
    await q.query(`CREATE INDEX ix_task_pool_reply_tree ON task_pool_reply (message_tree_id)`);
    await q.query(`CREATE INDEX ix_task_pool_reply_draw ON task_pool_reply (lang, rnd)`);
    // Auto-moderation (§4.6): messages of active trees in review or growing with enough red flags or skips.
    await q.query(`CREATE TABLE task_pool_automod (
      message_id uuid PRIMARY KEY, message_tree_id uuid NOT NULL, lang varchar(32) NOT NULL, parent_id uuid,
      red integer NOT NULL, skips integer NOT NULL)`);
    await q.query(`CREATE INDEX ix_task_pool_automod_tree ON task_pool_automod (message_tree_id)`);
    await q.query(`CREATE INDEX ix_task_pool_automod_lang ON task_pool_automod (lang)`);
    // Trees per language, state and activity, for the prompt lottery (§3.4), kept by the tree triggers.
    await q.query(`CREATE TABLE task_pool_tree_count (
      lang varchar(32) NOT NULL, state varchar(128) NOT NULL, active boolean NOT NULL, n integer NOT NULL,
      PRIMARY KEY (lang, state, active))`);
    await q.query(`INSERT INTO task_pool_tree_count (lang, state, active, n)
      SELECT lang, state, active, count(*) FROM message_tree_state GROUP BY lang, state, active`);

    await q.query(TASK_POOL_REFRESH_V1);

    // What a message change can move: its tree, its place in it, and every column a pool reads.
    await q.query(`CREATE FUNCTION task_pool_message_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM task_pool_refresh(ARRAY(SELECT DISTINCT message_tree_id FROM new_rows));
  RETURN NULL;
END $$`);
    await q.query(`CREATE FUNCTION task_pool_message_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM task_pool_refresh(ARRAY(SELECT DISTINCT message_tree_id FROM old_rows));
  RETURN NULL;
END $$`);
    await q.query(`CREATE FUNCTION task_pool_message_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM task_pool_refresh(ARRAY(
    SELECT DISTINCT v.id FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES (o.message_tree_id), (n.message_tree_id)) v(id)
    WHERE (o.parent_id, o.message_tree_id, o.user_id, o.role, o.lang, o.depth, o.deleted, o.review_count, o.review_result, o.ranking_count,
           o.emojis->'red_flag', o.emojis->'_skip_reply')
      IS DISTINCT FROM (n.parent_id, n.message_tree_id, n.user_id, n.role, n.lang, n.depth, n.deleted, n.review_count, n.review_result, n.ranking_count,
           n.emojis->'red_flag', n.emojis->'_skip_reply')));
  RETURN NULL;
END $$`);
    // Tree counts move by the difference of the rows a statement removed and added, in key order (two
    // statements never lock two counters in opposite orders).
    await q.query(`CREATE FUNCTION task_pool_count_trees(delta_rows jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO task_pool_tree_count AS c (lang, state, active, n)
  SELECT d->>'lang', d->>'state', (d->>'active')::boolean, sum((d->>'d')::int)
  FROM jsonb_array_elements(delta_rows) d
  GROUP BY 1, 2, 3 HAVING sum((d->>'d')::int) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (lang, state, active) DO UPDATE SET n = c.n + EXCLUDED.n
$$`);
    await q.query(`CREATE FUNCTION task_pool_tree_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM task_pool_count_trees((SELECT jsonb_agg(jsonb_build_object('lang', lang, 'state', state, 'active', active, 'd', 1)) FROM new_rows));
  PERFORM task_pool_refresh(ARRAY(SELECT message_tree_id FROM new_rows));
  RETURN NULL;
END $$`);
    await q.query(`CREATE FUNCTION task_pool_tree_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM task_pool_count_trees((SELECT jsonb_agg(jsonb_build_object('lang', lang, 'state', state, 'active', active, 'd', -1)) FROM old_rows));
  PERFORM task_pool_refresh(ARRAY(SELECT message_tree_id FROM old_rows));
  RETURN NULL;
END $$`);
    await q.query(`CREATE FUNCTION task_pool_tree_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM task_pool_count_trees((SELECT jsonb_agg(x) FROM (
    SELECT jsonb_build_object('lang', o.lang, 'state', o.state, 'active', o.active, 'd', -1) AS x
      FROM old_rows o JOIN new_rows n ON n.message_tree_id = o.message_tree_id WHERE (o.lang, o.state, o.active) IS DISTINCT FROM (n.lang, n.state, n.active)
    UNION ALL
    SELECT jsonb_build_object('lang', n.lang, 'state', n.state, 'active', n.active, 'd', 1)
      FROM old_rows o JOIN new_rows n ON n.message_tree_id = o.message_tree_id WHERE (o.lang, o.state, o.active) IS DISTINCT FROM (n.lang, n.state, n.active)) y));
  PERFORM task_pool_refresh(ARRAY(
    SELECT DISTINCT v.id FROM old_rows o JOIN new_rows n ON n.message_tree_id = o.message_tree_id
    CROSS JOIN LATERAL (VALUES (o.message_tree_id), (n.message_tree_id)) v(id)
    WHERE (o.state, o.active, o.goal_tree_size, o.max_depth, o.max_children_count, o.lang)
      IS DISTINCT FROM (n.state, n.active, n.goal_tree_size, n.max_depth, n.max_children_count, n.lang)));
  RETURN NULL;
END $$`);
    await q.query(`CREATE FUNCTION task_pool_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM task_pool_ranking;
  DELETE FROM task_pool_review;
  DELETE FROM task_pool_reply;
  DELETE FROM task_pool_automod;
  IF TG_TABLE_NAME = 'message_tree_state' THEN DELETE FROM task_pool_tree_count; END IF;
  RETURN NULL;
END $$`);
    for (const [table, prefix] of [
      ["message", "message"],
      ["message_tree_state", "tree"],
    ] as const) {
      await q.query(`CREATE TRIGGER task_pool_${prefix}_ins AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION task_pool_${prefix}_inserted()`);
      await q.query(`CREATE TRIGGER task_pool_${prefix}_del AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION task_pool_${prefix}_deleted()`);
      await q.query(`CREATE TRIGGER task_pool_${prefix}_upd AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION task_pool_${prefix}_updated()`);
      await q.query(`CREATE TRIGGER task_pool_${prefix}_trunc AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION task_pool_truncated()`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const [table, prefix] of [
      ["message", "message"],
      ["message_tree_state", "tree"],
    ] as const) {
      for (const op of ["ins", "del", "upd", "trunc"]) await q.query(`DROP TRIGGER task_pool_${prefix}_${op} ON ${table}`);
    }
    for (const fn of ["truncated", "tree_updated", "tree_deleted", "tree_inserted", "message_updated", "message_deleted", "message_inserted"]) {
      await q.query(`DROP FUNCTION task_pool_${fn}()`);
    }
    await q.query(`DROP FUNCTION task_pool_count_trees(jsonb)`);
    await q.query(`DROP FUNCTION task_pool_refresh(uuid[])`);
    await q.query(`DROP TABLE task_pool_tree_count`);
    await q.query(`DROP TABLE task_pool_automod`);
    await q.query(`DROP TABLE task_pool_reply`);
    await q.query(`DROP TABLE task_pool_review`);
    await q.query(`DROP TABLE task_pool_ranking`);
    await q.query(`DROP TABLE task_pool_settings`);
  }
}
