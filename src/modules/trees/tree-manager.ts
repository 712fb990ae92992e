/**
 * The tree state machine of spec §3: creation, every transition (T1–T11), the prompt lottery, backlog activation,
 * auto-moderation and the consensus step. Every method runs inside the caller's transaction (`em`) unless it says
 * otherwise; state changes lock the tree's state row first, so concurrent submissions to one tree serialise there.
 */
import { preparedQuery } from "../../db/prepared.js";
import type { DataSource, EntityManager } from "typeorm";
import type { Logger } from "pino";
import { TERMINAL_STATES, TreeState } from "./message-tree-state.entity.js";
import { sourcesOf, transitionFor, type TreeRule } from "./tree-transitions.js";
import type { TreeManagerConfig } from "../../config/tree-manager.js";
import { rankAssignment } from "../consensus/ranked-pairs.js";
import {
  PROMPT_LOTTERY_PROMPTS_PER_AUTHOR,
  drawGoalTreeSize,
  drawPromptAuthor,
  promptLotteryBudget,
  shouldActivateAnotherPrompt,
  shouldActivateBacklogTree,
} from "../consensus/lottery.js";
import { inTransaction } from "../../db/transaction.js";
import { rowsOf } from "../../db/rows.js";
import type { Rng } from "../../db/random.js";

export type { Rng } from "../../db/random.js";

/** What T4/T4b decide on: a growing tree's accepted live messages, and those still awaiting a review. */
export interface RankingConditionCounts {
  accepted: number;
  awaiting: number;
}

/**
 * The select list of those counts over a tree's live messages (`FROM message WHERE message_tree_id = … AND NOT
 * deleted`); `reviewsNeeded` is the SQL of the reviews a reply needs (NUM_REVIEWS_REPLY).
 */
export function rankingConditionCounts(reviewsNeeded: string): string {
  return `count(*) FILTER (WHERE review_result)::int AS accepted,
       count(*) FILTER (WHERE review_result IS NOT TRUE AND review_count < ${reviewsNeeded})::int AS awaiting`;
}

/** States whose trees the start-up check re-checks (when active). */
const RECHECKED_STATES: ReadonlySet<TreeState> = new Set([TreeState.INITIAL_PROMPT_REVIEW, TreeState.GROWING, TreeState.RANKING, TreeState.READY_FOR_SCORING]);

interface TreeRow {
  message_tree_id: string;
  goal_tree_size: number;
  max_depth: number;
  max_children_count: number;
  state: TreeState;
  active: boolean;
  won_prompt_lottery_date: Date | null;
  lang: string;
}

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

export interface AutoModCandidate {
  id: string;
  parent_id: string | null;
  message_tree_id: string;
  red: number;
  skips: number;
}

/** Messages over auto-moderation's thresholds (§4.6), kept per tree by the database: usually none ($1: lang). */
export const AUTOMOD_CANDIDATES_SQL = `SELECT message_id AS id, parent_id, message_tree_id, red, skips FROM task_pool_automod WHERE lang = $1 ORDER BY message_id`;

export class TreeManager {
  constructor(
    private readonly ds: DataSource,
    private readonly cfg: TreeManagerConfig,
    private readonly rng: Rng,
    private readonly log: Logger,
  ) {}

  /** T1: a new root gets its state row, goal size drawn as §3.3 says. */
  async createTree(em: EntityManager, rootId: string, lang: string): Promise<void> {
    const goal = drawGoalTreeSize(this.cfg, this.rng);
    await em.query(
      `INSERT INTO message_tree_state (message_tree_id, goal_tree_size, max_depth, max_children_count, state, active, lang)
       VALUES ($1, $2, $3, $4, $5, true, $6)`,
      [rootId, goal, this.cfg.maxTreeDepth, this.cfg.maxChildrenCount, TreeState.INITIAL_PROMPT_REVIEW, lang],
    );
  }

  /** Reads and locks a tree's state row for the rest of the transaction. */
  async lockTree(em: EntityManager, treeId: string): Promise<TreeRow | null> {
    const rows = await preparedQuery<TreeRow>(em, `SELECT * FROM message_tree_state WHERE message_tree_id = $1 FOR UPDATE`, [treeId]);
    return rows[0] ?? null;
  }

  /**
   * enter_state (§3.1): sets state and `active`; on leaving the active set, may activate a backlog tree; on
   * entering `growing` the first time, records when the tree won the prompt lottery. `rule` names the row of the
   * transition table (tree-transitions.ts) that allows the change; a change it does not allow throws.
   */
  async enterState(em: EntityManager, tree: TreeRow, state: TreeState, rule: TreeRule): Promise<void> {
    transitionFor(rule, tree.state, state);
    const wasActive = tree.active;
    const active = !TERMINAL_STATES.has(state);
    const setWon = state === TreeState.GROWING && !tree.won_prompt_lottery_date;
    await em.query(
      `UPDATE message_tree_state SET state = $2, active = $3,
         won_prompt_lottery_date = CASE WHEN $4::boolean THEN now() ELSE won_prompt_lottery_date END
       WHERE message_tree_id = $1`,
      [tree.message_tree_id, state, active, setWon],
    );
    this.log.debug({ tree: tree.message_tree_id, from: tree.state, to: state, rule }, "tree state");
    tree.state = state;
    tree.active = active;
    if (setWon) tree.won_prompt_lottery_date = new Date();
    if (!active && wasActive) {
      if (shouldActivateBacklogTree(this.cfg, this.rng)) {
        await this.activateBacklogTree(em, tree.lang);
      }
      if (this.cfg.minActiveRankingsPerLang > 0) {
        const incomplete = await this.countIncompleteRankings(em, tree.lang, this.cfg.minActiveRankingsPerLang);
        if (incomplete < this.cfg.minActiveRankingsPerLang) await this.activateBacklogTree(em, tree.lang);
      }
    }
  }

  /** T10 / T3c: activate one backlog tree of `lang` that has something to rank; abort those that do not. */
  async activateBacklogTree(em: EntityManager, lang: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const rows: TreeRow[] = await em.query(
        `SELECT t.* FROM message_tree_state t JOIN message r ON r.id = t.message_tree_id
         WHERE t.state = $1 AND r.lang = $2 LIMIT 1 FOR UPDATE OF t SKIP LOCKED`,
        [TreeState.BACKLOG_RANKING, lang],
      );
      const tree = rows[0];
      if (!tree) return;
      const rankable: { n: number }[] = await em.query(
        `SELECT count(*)::int AS n FROM (
           SELECT c.parent_id FROM message c
           WHERE c.message_tree_id = $1 AND c.role = 'assistant' AND c.review_result AND NOT c.deleted
           GROUP BY c.parent_id HAVING count(*) >= 2) p`,
        [tree.message_tree_id],
      );
      // Written directly rather than through enterState: neither change may activate a further backlog tree.
      if (rankable[0].n === 0) {
        transitionFor("T3c", tree.state, TreeState.ABORTED_LOW_GRADE);
        await em.query(`UPDATE message_tree_state SET state = $2, active = false WHERE message_tree_id = $1`, [
          tree.message_tree_id,
          TreeState.ABORTED_LOW_GRADE,
        ]);
        continue;
      }
      transitionFor("T10", tree.state, TreeState.RANKING);
      await em.query(`UPDATE message_tree_state SET state = $2, active = true WHERE message_tree_id = $1`, [tree.message_tree_id, TreeState.RANKING]);
      return;
    }
  }

  /** T2: an accepted root in review goes to the prompt lottery. */
  async checkPromptAccepted(em: EntityManager, tree: TreeRow): Promise<void> {
    if (!tree.active || tree.state !== TreeState.INITIAL_PROMPT_REVIEW) return;
    const rows: { review_result: boolean | null }[] = await em.query(`SELECT review_result FROM message WHERE id = $1`, [tree.message_tree_id]);
    if (rows[0]?.review_result === true) await this.enterState(em, tree, TreeState.PROMPT_LOTTERY_WAITING, "T2");
  }

  /**
   * T4 / T4b: a growing tree with enough accepted live messages and nothing awaiting review goes to ranking;
   * one whose messages were all deleted is halted. Entering ranking runs the T5 check at once (fixing the
   * reference's quirk that left trees without rankable parents in `ranking` until a restart).
   */
  async checkConditionForRanking(em: EntityManager, tree: TreeRow): Promise<void> {
    if (!tree.active || tree.state !== TreeState.GROWING) return;
    const rows = await preparedQuery<RankingConditionCounts>(
      em,
      `SELECT ${rankingConditionCounts("$2")} FROM message WHERE message_tree_id = $1 AND NOT deleted`,
      [tree.message_tree_id, this.cfg.numReviewsReply],
    );
    await this.checkConditionForRankingWith(em, tree, rows[0]);
  }

  /**
   * The same check on counts the caller read with the tree locked (`rankingConditionCounts` over the tree's live
   * messages, as they are now): a review reads them in its own statement.
   */
  async checkConditionForRankingWith(em: EntityManager, tree: TreeRow, counts: RankingConditionCounts): Promise<void> {
    if (!tree.active || tree.state !== TreeState.GROWING) return;
    const { accepted, awaiting } = counts;
    if (accepted === 0) {
      await this.enterState(em, tree, TreeState.HALTED_BY_MODERATOR, "T4b");
    } else if (accepted >= tree.goal_tree_size && awaiting === 0) {
      await this.enterState(em, tree, TreeState.RANKING, "T4");
      await this.checkConditionForScoring(em, tree);
    }
  }

  /** Parents whose children must be ranked: ≥2 accepted live children of the ranked role(s). */
  private async rankableParents(em: EntityManager, treeId: string): Promise<string[]> {
    const rows: { parent_id: string }[] = await em.query(
      `SELECT c.parent_id FROM message c
       WHERE c.message_tree_id = $1 AND c.review_result AND NOT c.deleted AND c.parent_id IS NOT NULL
         AND ($2::boolean OR c.role = 'assistant')
       GROUP BY c.parent_id HAVING count(*) >= 2`,
      [treeId, this.cfg.rankPrompterReplies],
    );
    return rows.map((r) => r.parent_id);
  }

  /**
   * T5 → T6 (or T6b): when every rankable parent has enough rankings from done rank tasks, compute the consensus
   * for each parent with at least one ranking and mark the tree ready for export.
   */
  async checkConditionForScoring(em: EntityManager, tree: TreeRow): Promise<boolean> {
    if (![TreeState.RANKING, TreeState.READY_FOR_SCORING, TreeState.SCORING_FAILED].includes(tree.state)) return false;
    if (!tree.active && tree.state !== TreeState.SCORING_FAILED) return false;
    const parents = await this.rankableParents(em, tree.message_tree_id);
    if (parents.length > 0) {
      const counts: { parent_message_id: string; n: number }[] = await em.query(
        `SELECT t.parent_message_id, count(*)::int AS n FROM message_reaction r JOIN task t ON t.id = r.task_id
         WHERE t.done AND t.parent_message_id = ANY($1) AND r.payload_type = 'RankingReactionPayload'
         GROUP BY t.parent_message_id`,
        [parents],
      );
      const byParent = new Map(counts.map((c) => [c.parent_message_id, c.n]));
      if (parents.some((p) => (byParent.get(p) ?? 0) < this.cfg.numRequiredRankings)) {
        if (tree.state === TreeState.SCORING_FAILED) await this.enterState(em, tree, TreeState.RANKING, "T7");
        return false;
      }
    }
    await this.enterState(em, tree, TreeState.READY_FOR_SCORING, "T5");
    try {
      await em.query("SAVEPOINT scoring");
      await this.updateRanks(em, tree.message_tree_id);
      await em.query("RELEASE SAVEPOINT scoring");
      await this.enterState(em, tree, TreeState.READY_FOR_EXPORT, "T6");
    } catch (err) {
      await em.query("ROLLBACK TO SAVEPOINT scoring");
      this.log.error({ err, tree: tree.message_tree_id }, "scoring failed");
      await this.enterState(em, tree, TreeState.SCORING_FAILED, "T6b");
    }
    return true;
  }

  /** §4.3 step 8 for every parent of the tree with at least one ranking. */
  async updateRanks(em: EntityManager, treeId: string): Promise<void> {
    const reactions: { parent: string; ids: string[] }[] = await em.query(
      `SELECT r.message_id AS parent, r.payload->'ranked_message_ids' AS ids
       FROM message_reaction r JOIN task t ON t.id = r.task_id
       WHERE t.done AND t.message_tree_id = $1 AND r.payload_type = 'RankingReactionPayload'
       ORDER BY r.created_date, r.task_id`,
      [treeId],
    );
    const ballotsByParent = new Map<string, string[][]>();
    for (const r of reactions) {
      const list = ballotsByParent.get(r.parent) ?? [];
      list.push(r.ids);
      ballotsByParent.set(r.parent, list);
    }
    for (const [parent, ballots] of ballotsByParent) {
      const siblings: { id: string }[] = await em.query(`SELECT id FROM message WHERE parent_id = $1`, [parent]);
      const assignment = rankAssignment(
        siblings.map((s) => s.id),
        ballots,
      );
      if (!assignment.applies) continue;
      const ids = [...assignment.ranks.keys()];
      const ranks = ids.map((id) => assignment.ranks.get(id) ?? null);
      await em.query(
        `UPDATE message m SET rank = c.rank FROM unnest($1::uuid[], $2::int[]) AS c(id, rank)
         WHERE m.id = c.id AND m.rank IS DISTINCT FROM c.rank`,
        [ids, ranks],
      );
    }
  }

  /** Incomplete ranking parents of a language, for any user (backlog top-up, §3.1). */
  /**
   * Incomplete ranking parents of `lang` (any user), counted up to `upTo`: from the ranking pool the database
   * keeps (migration TaskPools), so a tree's end reads at most `upTo` index entries however many trees rank.
   */
  async countIncompleteRankings(em: EntityManager, lang: string, upTo: number): Promise<number> {
    const rows: { n: number }[] = await em.query(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM task_pool_ranking x
         WHERE x.lang = $1 AND x.min_ranking_count < $2 AND ($3::boolean OR x.role = 'assistant') LIMIT $4) y`,
      [lang, this.cfg.numRequiredRankings, this.cfg.rankPrompterReplies, upTo],
    );
    return rows[0].n;
  }

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
    await this.enterState(em, tree, TreeState.GROWING, "LOTTERY");
    return true;
  }

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
        const tree = await this.lockTree(em, m.message_tree_id);
        if (!tree?.active) return;
        if (m.red >= this.cfg.autoModRedFlags) {
          if (m.parent_id === null) {
            this.log.info({ tree: tree.message_tree_id }, "auto-moderation: red-flagged prompt, tree aborted");
            await this.enterState(em, tree, TreeState.ABORTED_LOW_GRADE, "T3b");
          } else {
            this.log.info({ message: m.id }, "auto-moderation: red-flagged reply deleted with its subtree");
            await deleteSubtree(em, m.id);
          }
        } else if (m.skips >= this.cfg.autoModMaxSkipReply) {
          this.log.info({ tree: tree.message_tree_id, message: m.id }, "auto-moderation: skipped too often, tree halted");
          await this.enterState(em, tree, TreeState.HALTED_BY_MODERATOR, "T8");
        }
      });
    }
    return rows.length > 0;
  }

  /**
   * T9: re-activates a halted (or otherwise stopped) tree where it belongs: waiting prompts stay waiting; trees
   * that won the lottery go back to growing and are re-checked; others go back to review.
   */
  async reactivate(em: EntityManager, tree: TreeRow): Promise<void> {
    if (tree.state === TreeState.PROMPT_LOTTERY_WAITING) return;
    if (tree.won_prompt_lottery_date) {
      await this.enterState(em, tree, TreeState.GROWING, "T9");
      await this.checkConditionForRanking(em, tree);
      if (tree.state === TreeState.RANKING) await this.checkConditionForScoring(em, tree);
    } else {
      await this.enterState(em, tree, TreeState.INITIAL_PROMPT_REVIEW, "T9");
      await this.checkPromptAccepted(em, tree);
    }
  }

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
    const tree = await this.lockTree(em, treeId);
    if (!tree) return null;
    if (!tree.active || !RECHECKED_STATES.has(tree.state)) return tree.state;
    await this.checkPromptAccepted(em, tree);
    await this.checkConditionForRanking(em, tree);
    await this.checkConditionForScoring(em, tree);
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

export type { TreeRow };
