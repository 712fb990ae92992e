/**
 * The prompt lottery (spec §3.4): while a language has room for more growing trees, waiting prompts are drawn
 * (an author weighted by their ranked replies, then one of their prompts) and start growing. Part of TreeManager.
 */
import type { DataSource, EntityManager } from "typeorm";
import { TreeState } from "./message-tree-state.entity.js";
import type { TreeManagerConfig } from "../../config/tree-manager.js";
import { PROMPT_LOTTERY_PROMPTS_PER_AUTHOR, drawPromptAuthor, promptLotteryBudget, shouldActivateAnotherPrompt } from "../consensus/lottery.js";
import { inTransaction } from "../../db/transaction.js";
import type { Rng } from "../../db/random.js";
import type { TreeRow, TreeSteps } from "./tree-steps.js";

/** The prompt lottery's inputs (§3.4): active trees of a language growing and in review, and waiting prompts. */
export interface LotteryCounts {
  growing: number;
  ipr: number;
  waiting: number;
}

/** Counters the tree triggers keep (migration TaskPools): a few rows, whatever the number of trees ($1: lang). */
export const LOTTERY_COUNTS_SQL = `SELECT
    coalesce(sum(n) FILTER (WHERE active AND state = 'growing'), 0)::int AS growing,
    coalesce(sum(n) FILTER (WHERE active AND state = 'initial_prompt_review'), 0)::int AS ipr,
    coalesce(sum(n) FILTER (WHERE state = 'prompt_lottery_waiting'), 0)::int AS waiting
  FROM task_pool_tree_count WHERE lang = $1 AND state IN ('growing', 'initial_prompt_review', 'prompt_lottery_waiting')`;

export class PromptLottery {
  constructor(
    private readonly ds: DataSource,
    private readonly cfg: TreeManagerConfig,
    private readonly rng: Rng,
    private readonly trees: TreeSteps,
  ) {}

  /**
   * The prompt lottery (§3.4): activates up to `maxActivate` waiting prompts of `lang` (each in its own
   * transaction) and returns `num_missing_prompts`.
   */
  async promptLottery(lang: string, maxActivate: number, counted?: LotteryCounts): Promise<number> {
    let activated = 0;
    for (;;) {
      // Read already by the caller (in a statement it needed anyway), or again after an activation.
      const { growing, ipr, waiting } = activated === 0 && counted ? counted : ((await this.ds.query(LOTTERY_COUNTS_SQL, [lang]))[0] as LotteryCounts);
      const budget = promptLotteryBudget({ growing, inReview: ipr, waiting }, this.cfg);
      const result = budget.missingPrompts;
      if (!shouldActivateAnotherPrompt(budget, activated, maxActivate)) return result;
      // Nothing is waiting: no draw could succeed, so skip the transaction that would look for one.
      if (waiting === 0) return result;
      const won = await inTransaction(this.ds, (em) => this.activateOneWaitingPrompt(em, lang));
      if (!won) return result;
      activated += 1;
    }
  }

  private async activateOneWaitingPrompt(em: EntityManager, lang: string): Promise<boolean> {
    const authors: { user_id: string; weight: number }[] = await em.query(
      `SELECT r.user_id, 1 + coalesce(max(s.reply_ranked_1), 0) AS weight
       FROM message_tree_state t
       JOIN message r ON r.id = t.message_tree_id
       JOIN "user" u ON u.id = r.user_id
       LEFT JOIN user_stats s ON s.user_id = r.user_id AND s.time_frame = 'month'
       WHERE t.state = 'prompt_lottery_waiting' AND t.lang = $1 AND NOT r.deleted AND r.review_result
         AND u.enabled AND NOT u.deleted
       GROUP BY r.user_id ORDER BY r.user_id`,
      [lang],
    );
    if (authors.length === 0) return false;
    const authorId = drawPromptAuthor(
      authors.map((a) => ({ authorId: a.user_id, replyRanked1: Number(a.weight) - 1 })),
      this.rng,
    );
    if (!authorId) return false;
    const author = { user_id: authorId };
    const prompts: TreeRow[] = await em.query(
      `SELECT t.* FROM message_tree_state t JOIN message r ON r.id = t.message_tree_id
       WHERE t.state = 'prompt_lottery_waiting' AND t.lang = $1 AND r.user_id = $2 AND NOT r.deleted AND r.review_result
       ORDER BY t.message_tree_id LIMIT $3 FOR UPDATE OF t SKIP LOCKED`,
      [lang, author.user_id, PROMPT_LOTTERY_PROMPTS_PER_AUTHOR],
    );
    if (prompts.length === 0) return false;
    const tree = prompts[Math.floor(this.rng() * prompts.length)];
    await this.trees.enterState(em, tree, TreeState.GROWING, "LOTTERY");
    return true;
  }
}
