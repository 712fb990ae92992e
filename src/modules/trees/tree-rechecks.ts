/**
 * The trees' start-up check (spec §9.7): missing state rows (T1b), halted prompts of disabled users (T8b), and the
 * T2/T4/T5 re-check of the active trees due for a transition. Part of TreeManager.
 */
import type { DataSource, EntityManager } from "typeorm";
import { TreeState } from "./message-tree-state.entity.js";
import { sourcesOf } from "./tree-transitions.js";
import type { TreeManagerConfig } from "../../config/tree-manager.js";
import { inTransaction } from "../../db/transaction.js";
import { rowsOf } from "../../db/rows.js";
import type { TreeSteps } from "./tree-steps.js";

/** States whose trees the start-up check re-checks (when active). */
const RECHECKED_STATES: ReadonlySet<TreeState> = new Set([TreeState.INITIAL_PROMPT_REVIEW, TreeState.GROWING, TreeState.RANKING, TreeState.READY_FOR_SCORING]);

export class TreeRechecks {
  constructor(
    private readonly ds: DataSource,
    private readonly cfg: TreeManagerConfig,
    private readonly trees: TreeSteps,
  ) {}

  /**
   * Start-up check (§9.7): missing state rows (T1b), halted prompts of disabled users (T8b), and the T2/T4/T5
   * re-check of every active tree. The re-check is the same per-tree transaction as ever, but only for the trees a
   * set-based query finds due for a transition (`treesDueForRecheck`): on a large deployment few trees are, and
   * one transaction per active tree took 41 s at 100,000 trees. The server runs it after ready (app.ts); `signal`
   * stops it between trees. Returns how many trees were due.
   */
  async ensureTreeStates(signal?: AbortSignal): Promise<number> {
    await this.ds.query(
      `INSERT INTO message_tree_state (message_tree_id, goal_tree_size, max_depth, max_children_count, state, active, lang)
       SELECT r.id, $1, $2, $3,
              CASE WHEN (SELECT count(*) FROM message c WHERE c.message_tree_id = r.id) > 1 THEN 'growing' ELSE 'initial_prompt_review' END,
              true, r.lang
       FROM message r LEFT JOIN message_tree_state t ON t.message_tree_id = r.id
       WHERE r.parent_id IS NULL AND t.message_tree_id IS NULL`,
      [this.cfg.goalTreeSize, this.cfg.maxTreeDepth, this.cfg.maxChildrenCount],
    );
    await this.haltPromptsOfDisabledUsers();
    const due = await this.treesDueForRecheck();
    for (const treeId of due) {
      if (signal?.aborted) break;
      await inTransaction(this.ds, (em) => this.recheckTree(em, treeId));
    }
    return due.length;
  }

  /**
   * The active trees whose start-up re-check would change something, in one statement per condition, each the
   * set-based form of the per-tree check it stands for (and exactly as strict, so the result is the same as
   * re-checking every active tree; test/integration/startup-recheck.test.ts holds the two side by side):
   * - T2: in review with an accepted root (`checkPromptAccepted`);
   * - T4/T4b: growing with no accepted live message, or with enough and none awaiting review (`checkConditionForRanking`);
   * - T5: in ranking or ready for scoring with no rankable parent short of rankings (`checkConditionForScoring`).
   */
  async treesDueForRecheck(): Promise<string[]> {
    const rows: { id: string }[] = await this.ds.query(
      `SELECT t.message_tree_id AS id FROM message_tree_state t JOIN message r ON r.id = t.message_tree_id
       WHERE t.active AND t.state = 'initial_prompt_review' AND r.review_result
       UNION
       SELECT t.message_tree_id FROM message_tree_state t
       LEFT JOIN message m ON m.message_tree_id = t.message_tree_id AND NOT m.deleted
       WHERE t.active AND t.state = 'growing'
       GROUP BY t.message_tree_id, t.goal_tree_size
       HAVING count(m.id) FILTER (WHERE m.review_result) = 0
           OR (count(m.id) FILTER (WHERE m.review_result) >= t.goal_tree_size
               AND count(m.id) FILTER (WHERE m.review_result IS NOT TRUE AND m.review_count < $1) = 0)
       UNION
       (WITH trees AS (
          SELECT message_tree_id FROM message_tree_state WHERE active AND state IN ('ranking', 'ready_for_scoring')),
        parents AS (
          SELECT c.message_tree_id, c.parent_id FROM message c JOIN trees USING (message_tree_id)
          WHERE c.review_result AND NOT c.deleted AND c.parent_id IS NOT NULL AND ($2::boolean OR c.role = 'assistant')
          GROUP BY c.message_tree_id, c.parent_id HAVING count(*) >= 2),
        rankings AS (
          SELECT k.parent_message_id, count(*) AS n FROM message_reaction r JOIN task k ON k.id = r.task_id
          WHERE k.done AND r.payload_type = 'RankingReactionPayload' AND k.parent_message_id IN (SELECT parent_id FROM parents)
          GROUP BY k.parent_message_id)
        SELECT t.message_tree_id FROM trees t
        WHERE NOT EXISTS (
          SELECT 1 FROM parents p LEFT JOIN rankings k ON k.parent_message_id = p.parent_id
          WHERE p.message_tree_id = t.message_tree_id AND coalesce(k.n, 0) < $3))
       ORDER BY id`,
      [this.cfg.numReviewsReply, this.cfg.rankPrompterReplies, this.cfg.numRequiredRankings],
    );
    return rows.map((r) => r.id);
  }

  /** The start-up re-check of one tree (T2, T4/T4b, T5), under its lock; returns the state it ends in. */
  async recheckTree(em: EntityManager, treeId: string): Promise<TreeState | null> {
    const tree = await this.trees.lockTree(em, treeId);
    if (!tree) return null;
    if (!tree.active || !RECHECKED_STATES.has(tree.state)) return tree.state;
    await this.trees.checkPromptAccepted(em, tree);
    await this.trees.checkConditionForRanking(em, tree);
    await this.trees.checkConditionForScoring(em, tree);
    return tree.state;
  }

  /** T8b: waiting prompts whose author was disabled or deleted are halted. */
  async haltPromptsOfDisabledUsers(): Promise<number> {
    const rows = rowsOf(
      await this.ds.query(
        `UPDATE message_tree_state t SET state = $2, active = false
       FROM message r JOIN "user" u ON u.id = r.user_id
       WHERE r.id = t.message_tree_id AND t.state = ANY($1) AND (NOT u.enabled OR u.deleted)
       RETURNING t.message_tree_id`,
        [sourcesOf("T8b", TreeState.HALTED_BY_MODERATOR), TreeState.HALTED_BY_MODERATOR],
      ),
    );
    return rows.length;
  }
}
