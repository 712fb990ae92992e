import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A tree's done tasks by tree (issue 14). When a tree's last ranking lands, scoring (tree-manager.ts, updateRanks)
 * reads the rankings of the tree's done tasks; with no index on the task's tree PostgreSQL scanned the whole task
 * table for them (a parallel scan, 110-300 ms at 100,000 restored trees and 595,000 tasks, about one ranking cycle
 * in sixty), the largest cost of a W1 cycle that grew with the data. Partial on `done`, as every reader by tree
 * asks for done tasks only; the update that marks a task done already rewrites its index entries (the done tasks'
 * index by creation date).
 */
export class ScaleTreeRankings1796700000007 implements MigrationInterface {
  name = "ScaleTreeRankings1796700000007";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS ix_task_tree_done ON task (message_tree_id) WHERE done`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_task_tree_done`);
  }
}
