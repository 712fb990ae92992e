import type { MigrationInterface, QueryRunner } from "typeorm";

/** The task payloads the boards count (only done ones), as stats_dirty_task_row (migration StatsDays) reads them. */
const LABEL_PAYLOADS = `('LabelInitialPromptPayload', 'LabelAssistantReplyPayload', 'LabelPrompterReplyPayload')`;
const TASK_COLUMNS = ["user_id", "payload_type", "payload", "done", "created_date"];

const STATS_MARK_BODY = `
  INSERT INTO stats_dirty (time_frame, user_id)
  SELECT f, d.id FROM (SELECT DISTINCT id FROM unnest(users) AS u(id) WHERE id IS NOT NULL) d
  CROSS JOIN unnest(ARRAY['day', 'week', 'month', 'total']) AS f;
  INSERT INTO stats_day_dirty (user_id, day)
  SELECT DISTINCT u, d FROM unnest(users, days) AS x(u, d) WHERE u IS NOT NULL;`;

const STATS_MARK_DIRTY_BODY = `
  INSERT INTO stats_dirty (time_frame, user_id)
  SELECT f, d.id FROM (SELECT DISTINCT id FROM unnest(ids) AS u(id) WHERE id IS NOT NULL) d
  CROSS JOIN unnest(ARRAY['day', 'week', 'month', 'total']) AS f;
  INSERT INTO stats_day_dirty (user_id, day)
  SELECT DISTINCT id, NULL::date FROM unnest(ids) AS u(id) WHERE id = '00000000-0000-0000-0000-000000000000';`;

const COUNT_TREES_BODY = `
  INSERT INTO task_pool_tree_count AS c (lang, state, active, n)
  SELECT d->>'lang', d->>'state', (d->>'active')::boolean, sum((d->>'d')::int)
  FROM jsonb_array_elements(delta_rows) d
  GROUP BY 1, 2, 3 HAVING sum((d->>'d')::int) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (lang, state, active) DO UPDATE SET n = c.n + EXCLUDED.n;`;

/**
 * The triggers' helper functions without a plan per call (issue 14: a W1 cycle's submissions). `stats_mark`,
 * `stats_mark_dirty` and `task_pool_count_trees` were SQL functions of several statements: PostgreSQL parses and
 * plans such a function's statements on every call (its plans live only as long as the calling query), and the
 * triggers call them on every submission (the task's end, a ranking's ballot, a review's label row, a reply, a
 * review's result, a tree's state), 2–3 times per W1 cycle at 0.05–0.5 ms each. As PL/pgSQL functions with the same
 * statements, each connection plans them once. `stats_try_uuid` (a ballot's ranked ids, three per ranking) was
 * STRICT around a CASE, which keeps PostgreSQL from inlining it, so it too was planned per call; called on null
 * input it returns null all the same (the CASE's tests are null, so no branch is taken) and is now inlined into the
 * statements that use it. And the task update trigger of the boards (migration StatsDirty) fires only when a done
 * label task is on either side of the change, the only rows its function marks (as TaskStatsMarkOnInsert did for
 * inserts): a finished ranking or reply task no longer calls it for an empty mark. What every function marks or
 * counts is unchanged.
 */
export class TriggerPlansCached1796700000023 implements MigrationInterface {
  name = "TriggerPlansCached1796700000023";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION stats_mark(users uuid[], days date[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN${STATS_MARK_BODY}
END $$`);
    await q.query(`CREATE OR REPLACE FUNCTION stats_mark_dirty(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN${STATS_MARK_DIRTY_BODY}
END $$`);
    await q.query(`CREATE OR REPLACE FUNCTION task_pool_count_trees(delta_rows jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN${COUNT_TREES_BODY}
END $$`);
    await q.query(`ALTER FUNCTION stats_try_uuid(text) CALLED ON NULL INPUT`);
    await q.query(`DROP TRIGGER stats_dirty_task_upd ON task`);
    await q.query(`CREATE TRIGGER stats_dirty_task_upd AFTER UPDATE OF ${TASK_COLUMNS.join(", ")} ON task FOR EACH ROW
      WHEN ((${TASK_COLUMNS.map((c) => `OLD.${c}`).join(", ")}) IS DISTINCT FROM (${TASK_COLUMNS.map((c) => `NEW.${c}`).join(", ")})
            AND ((OLD.done AND OLD.payload_type IN ${LABEL_PAYLOADS}) OR (NEW.done AND NEW.payload_type IN ${LABEL_PAYLOADS})))
      EXECUTE FUNCTION stats_dirty_task_row()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER stats_dirty_task_upd ON task`);
    await q.query(`CREATE TRIGGER stats_dirty_task_upd AFTER UPDATE OF ${TASK_COLUMNS.join(", ")} ON task FOR EACH ROW
      WHEN ((${TASK_COLUMNS.map((c) => `OLD.${c}`).join(", ")}) IS DISTINCT FROM (${TASK_COLUMNS.map((c) => `NEW.${c}`).join(", ")}))
      EXECUTE FUNCTION stats_dirty_task_row()`);
    await q.query(`ALTER FUNCTION stats_try_uuid(text) STRICT`);
    await q.query(`CREATE OR REPLACE FUNCTION task_pool_count_trees(delta_rows jsonb) RETURNS void LANGUAGE sql AS $$${COUNT_TREES_BODY}
$$`);
    await q.query(`CREATE OR REPLACE FUNCTION stats_mark_dirty(ids uuid[]) RETURNS void LANGUAGE sql AS $$${STATS_MARK_DIRTY_BODY}
$$`);
    await q.query(`CREATE OR REPLACE FUNCTION stats_mark(users uuid[], days date[]) RETURNS void LANGUAGE sql AS $$${STATS_MARK_BODY}
$$`);
  }
}
