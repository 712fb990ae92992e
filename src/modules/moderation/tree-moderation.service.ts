/**
 * Moderator control of a tree's life: halt and resume (T8, T9) and re-scoring of failed trees (T7). Every action
 * writes a journal row, in the same transaction, with who did it and the state before and after.
 */
import type { DataSource } from "typeorm";
import { TreeState } from "../trees/message-tree-state.entity.js";
import type { TreeManager } from "../trees/tree-manager.js";
import { inTransaction } from "../../db/transaction.js";
import { ModerationAction, writeJournal } from "./journal.js";
import { messageNotFound } from "../trees/message.service.js";
import type { RequestContext } from "../../common/request-context.js";
import { ChorusError, ErrorCode, forbidden } from "../../common/errors.js";
import { isUuid } from "../../db/rows.js";

export type { Actor } from "./journal.js";

export class TreeModerationService {
  constructor(
    private readonly ds: DataSource,
    private readonly trees: TreeManager,
  ) {}

  /** Halts a tree (any state), or resumes it where it belongs (T9). Returns the tree id. */
  async setHalted(rc: RequestContext, messageId: string, halt: boolean): Promise<string> {
    const { actor, visibility: vis } = rc;
    return inTransaction(this.ds, async (em) => {
      const rows: { message_tree_id: string; api_client_id: string }[] = isUuid(messageId)
        ? await em.query(`SELECT message_tree_id, api_client_id FROM message WHERE id = $1`, [messageId])
        : [];
      if (!rows[0] || (vis.apiClientId && rows[0].api_client_id !== vis.apiClientId)) throw messageNotFound(messageId);
      const tree = await this.trees.lockTree(em, rows[0].message_tree_id);
      if (!tree) throw new ChorusError(ErrorCode.NO_MESSAGE_TREE_FOUND, "The message's tree has no state");
      if (vis.apiClientId) {
        // Halting stops everyone's work on the tree: an untrusted client may halt only a tree of its own messages.
        const [{ foreign }]: { foreign: boolean }[] = await em.query(
          `SELECT EXISTS (SELECT 1 FROM message WHERE message_tree_id = $1 AND NOT deleted AND api_client_id <> $2) AS foreign`,
          [tree.message_tree_id, vis.apiClientId],
        );
        if (foreign) throw forbidden("The tree holds messages of other API clients; an untrusted client halts or resumes only trees of its own messages");
      }
      const before = { state: tree.state, active: tree.active };
      if (halt) {
        if (tree.state !== TreeState.HALTED_BY_MODERATOR) await this.trees.enterState(em, tree, TreeState.HALTED_BY_MODERATOR, "T8");
      } else {
        await this.trees.reactivate(em, tree);
      }
      // Halting a halted tree (or resuming one that runs where it belongs) changes nothing: no journal row.
      if (before.state !== tree.state || before.active !== tree.active) {
        await writeJournal(em, actor, halt ? ModerationAction.TREE_HALTED : ModerationAction.TREE_RESUMED, treeTarget(tree.message_tree_id), {
          before,
          after: { state: tree.state, active: tree.active },
        });
      }
      return tree.message_tree_id;
    });
  }

  /** T7: every tree whose scoring failed is scored again (or goes back to ranking when rankings are missing). */
  async retryScoring(rc: RequestContext): Promise<{ treeId: string; state: TreeState }[]> {
    const { actor } = rc;
    const failed: { message_tree_id: string }[] = await this.ds.query(`SELECT message_tree_id FROM message_tree_state WHERE state = $1`, [
      TreeState.SCORING_FAILED,
    ]);
    const results: { treeId: string; state: TreeState }[] = [];
    for (const { message_tree_id } of failed) {
      const state = await inTransaction(this.ds, async (em) => {
        const tree = await this.trees.lockTree(em, message_tree_id);
        if (!tree || tree.state !== TreeState.SCORING_FAILED) return tree?.state ?? null;
        await this.trees.checkConditionForScoring(em, tree);
        await writeJournal(em, actor, ModerationAction.SCORING_RETRIED, treeTarget(message_tree_id), {
          before: { state: TreeState.SCORING_FAILED },
          after: { state: tree.state },
        });
        return tree.state;
      });
      if (state) results.push({ treeId: message_tree_id, state });
    }
    return results;
  }
}

/** A tree is journaled under its root message. */
function treeTarget(treeId: string) {
  return { targetId: treeId, messageId: treeId };
}
