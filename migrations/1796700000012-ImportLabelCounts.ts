import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A restore's label averages in one row per message (issue 14). The export format carries each label's average
 * and review count, not the reviews; a restore wrote `count` placeholder rows per message, each holding the
 * average, which was a third of the restore's PostgreSQL CPU (about 3 rows and 12 index entries per labelled
 * message). Now it writes one row whose `label_counts` says how many reviews each label of it stands for; every
 * reader that averages or counts labels weighs a label by `coalesce((label_counts->>name)::int, 1)`, so a live
 * review (no counts: each label once) and rows restored before this change (one row per review) read as before.
 *
 * Three indexes no longer take rows no query looks up there: the labels' creation date is read only for reviews
 * (label agreement, which joins the review's task), and a message's task only for messages written for a task
 * (a restored or imported message has none): both become partial on `task_id IS NOT NULL`. The search index held
 * an entry for every message without a search vector (every imported one, until the search-vectors job builds
 * it); a search finds those through `ix_message_search_pending`, and `search_vector @@ q` implies a vector, so the
 * index becomes partial on `search_vector IS NOT NULL` (the same plans: a bitmap OR of the two indexes).
 */
export class ImportLabelCounts1796700000012 implements MigrationInterface {
  name = "ImportLabelCounts1796700000012";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE text_labels ADD COLUMN label_counts jsonb`);
    await q.query(`DROP INDEX ix_text_labels_created`);
    await q.query(`CREATE INDEX ix_text_labels_created ON text_labels (created_date) WHERE task_id IS NOT NULL`);
    await q.query(`DROP INDEX ix_message_task`);
    await q.query(`CREATE INDEX ix_message_task ON message (task_id) WHERE task_id IS NOT NULL`);
    await q.query(`DROP INDEX ix_message_search_vector`);
    await q.query(`CREATE INDEX ix_message_search_vector ON message USING gin (search_vector) WHERE search_vector IS NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_message_search_vector`);
    await q.query(`CREATE INDEX ix_message_search_vector ON message USING gin (search_vector)`);
    await q.query(`DROP INDEX ix_message_task`);
    await q.query(`CREATE INDEX ix_message_task ON message (task_id)`);
    await q.query(`DROP INDEX ix_text_labels_created`);
    await q.query(`CREATE INDEX ix_text_labels_created ON text_labels (created_date)`);
    await q.query(`ALTER TABLE text_labels DROP COLUMN label_counts`);
  }
}
