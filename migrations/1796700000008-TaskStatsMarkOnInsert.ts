import type { MigrationInterface, QueryRunner } from "typeorm";

/** The task payloads the boards count (only done ones), as stats_dirty_task_rows (migration StatsDays) reads them. */
const LABEL_PAYLOADS = `('LabelInitialPromptPayload', 'LabelAssistantReplyPayload', 'LabelPrompterReplyPayload')`;

/**
 * A task insert marks its user for the leaderboards only when the task is a done label task (migrations StatsDirty
 * and StatsDays): every task request inserts a task that is not done, and the statement trigger ran for each one
 * all the same (its transition table, the PL/pgSQL call and an empty mark: about 0.1 ms of PostgreSQL's CPU per
 * task request, issue 14). A row trigger whose WHEN names the counted tasks is not even called for the others,
 * and leaves no transition table behind. What it marks is unchanged: the task's user, dated by the task, for a
 * done label task, nobody during a bulk write (`chorus.stats_marks`). The dataset import's tasks are done ranking
 * tasks: its inserts no longer keep a transition table either. Deletions, updates and truncations keep their
 * triggers.
 */
export class TaskStatsMarkOnInsert1796700000008 implements MigrationInterface {
  name = "TaskStatsMarkOnInsert1796700000008";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION stats_dirty_task_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('chorus.stats_marks', true) = 'bulk' THEN
    RETURN NULL;
  END IF;
  PERFORM stats_mark(ARRAY[NEW.user_id], ARRAY[stats_utc_day(NEW.created_date)]);
  RETURN NULL;
END $$`);
    await q.query(`DROP TRIGGER stats_dirty_task_ins ON task`);
    await q.query(`CREATE TRIGGER stats_dirty_task_ins AFTER INSERT ON task FOR EACH ROW
      WHEN (NEW.done AND NEW.payload_type IN ${LABEL_PAYLOADS})
      EXECUTE FUNCTION stats_dirty_task_inserted()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER stats_dirty_task_ins ON task`);
    await q.query(`CREATE TRIGGER stats_dirty_task_ins AFTER INSERT ON task REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION stats_dirty_task_rows()`);
    await q.query(`DROP FUNCTION stats_dirty_task_inserted()`);
  }
}
