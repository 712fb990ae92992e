/**
 * Auto-moderation (spec §4.6): messages over the red-flag or skip thresholds abort, delete or halt what they belong
 * to. Part of TreeManager.
 */
import type { DataSource, EntityManager } from "typeorm";
import type { Logger } from "pino";
import { TreeState } from "./message-tree-state.entity.js";
import type { TreeManagerConfig } from "../../config/tree-manager.js";
import { inTransaction } from "../../db/transaction.js";
import { rowsOf } from "../../db/rows.js";
import type { TreeSteps } from "./tree-steps.js";

export interface AutoModCandidate {
  id: string;
  parent_id: string | null;
  message_tree_id: string;
  red: number;
  skips: number;
}

/** Messages over auto-moderation's thresholds (§4.6), kept per tree by the database: usually none ($1: lang). */
export const AUTOMOD_CANDIDATES_SQL = `SELECT message_id AS id, parent_id, message_tree_id, red, skips FROM task_pool_automod WHERE lang = $1 ORDER BY message_id`;

export class AutoModeration {
  constructor(
    private readonly ds: DataSource,
    private readonly cfg: TreeManagerConfig,
    private readonly log: Logger,
    private readonly trees: TreeSteps,
  ) {}

  /**
   * Auto-moderation (§4.6) for one language: red-flagged roots abort their tree, red-flagged replies are deleted
   * with their subtree, and trees whose messages were skipped too often are halted.
   */
  /** Returns whether it changed anything (then counts read before it are stale). */
  async autoModerate(lang: string, candidates?: AutoModCandidate[]): Promise<boolean> {
    if (!this.cfg.autoModEnabled) return false;
    const rows: AutoModCandidate[] = candidates ?? (await this.ds.query(AUTOMOD_CANDIDATES_SQL, [lang]));
    for (const m of rows) {
      await inTransaction(this.ds, async (em) => {
        const tree = await this.trees.lockTree(em, m.message_tree_id);
        if (!tree?.active) return;
        if (m.red >= this.cfg.autoModRedFlags) {
          if (m.parent_id === null) {
            this.log.info({ tree: tree.message_tree_id }, "auto-moderation: red-flagged prompt, tree aborted");
            await this.trees.enterState(em, tree, TreeState.ABORTED_LOW_GRADE, "T3b");
          } else {
            this.log.info({ message: m.id }, "auto-moderation: red-flagged reply deleted with its subtree");
            await deleteSubtree(em, m.id);
          }
        } else if (m.skips >= this.cfg.autoModMaxSkipReply) {
          this.log.info({ tree: tree.message_tree_id, message: m.id }, "auto-moderation: skipped too often, tree halted");
          await this.trees.enterState(em, tree, TreeState.HALTED_BY_MODERATOR, "T8");
        }
      });
    }
    return rows.length > 0;
  }
}

/** Soft-deletes a message and all its descendants (§4.5). */
export async function deleteSubtree(em: EntityManager, messageId: string): Promise<number> {
  const rows = rowsOf(
    await em.query(
      `WITH RECURSIVE sub AS (SELECT id FROM message WHERE id = $1 UNION ALL SELECT m.id FROM message m JOIN sub ON m.parent_id = sub.id)
     UPDATE message SET deleted = true WHERE id IN (SELECT id FROM sub) RETURNING id`,
      [messageId],
    ),
  );
  return rows.length;
}
