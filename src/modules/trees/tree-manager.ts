/**
 * The tree state machine of spec §3: creation, every transition (T1–T11), backlog activation and the consensus
 * step; the prompt lottery (prompt-lottery.ts), auto-moderation (auto-moderation.ts) and the start-up check
 * (tree-rechecks.ts) are its parts, reached through it. Every method runs inside the caller's transaction (`em`)
 * unless it says otherwise; state changes lock the tree's state row first, so concurrent submissions to one tree
 * serialise there.
 */
import { preparedQuery } from "../../db/prepared.js";
import type { DataSource, EntityManager } from "typeorm";
import type { Logger } from "pino";
import { TERMINAL_STATES, TreeState } from "./message-tree-state.entity.js";
import { transitionFor, type TreeRule } from "./tree-transitions.js";
import type { TreeManagerConfig } from "../../config/tree-manager.js";
import { rankAssignment } from "../consensus/ranked-pairs.js";
import { drawGoalTreeSize, shouldActivateBacklogTree } from "../consensus/lottery.js";
import type { Rng } from "../../db/random.js";
import { PromptLottery, type LotteryCounts } from "./prompt-lottery.js";
import { AutoModeration, type AutoModCandidate } from "./auto-moderation.js";
import { TreeRechecks } from "./tree-rechecks.js";
import type { TreeRow, TreeSteps } from "./tree-steps.js";

export type { Rng } from "../../db/random.js";
export { LOTTERY_COUNTS_SQL, type LotteryCounts } from "./prompt-lottery.js";
export { AUTOMOD_CANDIDATES_SQL, deleteSubtree, type AutoModCandidate } from "./auto-moderation.js";

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

/** A tree's rankable parents, each with its number of rankings (rankingsPerParentSql). */
export type RankingsPerParent = { parent_id: string; n: number }[];

/**
 * The query of a tree's rankable parents (≥2 accepted live children of the ranked role(s)), each with its number of
 * rankings from done rank tasks (T5); `tree` and `rankPrompterReplies` are the SQL of the tree id and of
 * RANK_PROMPTER_REPLIES. A statement of its own, or a CTE's body.
 */
export function rankingsPerParentSql(tree: string, rankPrompterReplies: string): string {
  return `WITH parents AS (SELECT c.parent_id FROM message c
                        WHERE c.message_tree_id = ${tree} AND c.review_result AND NOT c.deleted AND c.parent_id IS NOT NULL
                          AND (${rankPrompterReplies}::boolean OR c.role = 'assistant')
                        GROUP BY c.parent_id HAVING count(*) >= 2),
         rankings AS (SELECT t.parent_message_id, count(*)::int AS n FROM message_reaction r JOIN task t ON t.id = r.task_id
                      WHERE t.done AND t.parent_message_id IN (SELECT parent_id FROM parents) AND r.payload_type = 'RankingReactionPayload'
                      GROUP BY t.parent_message_id)
       SELECT p.parent_id, coalesce(r.n, 0)::int AS n FROM parents p LEFT JOIN rankings r ON r.parent_message_id = p.parent_id`;
}

export class TreeManager implements TreeSteps {
  private readonly lottery: PromptLottery;
  private readonly autoModeration: AutoModeration;
  private readonly rechecks: TreeRechecks;

  constructor(
    ds: DataSource,
    private readonly cfg: TreeManagerConfig,
    private readonly rng: Rng,
    private readonly log: Logger,
  ) {
    this.lottery = new PromptLottery(ds, cfg, rng, this);
    this.autoModeration = new AutoModeration(ds, cfg, log, this);
    this.rechecks = new TreeRechecks(ds, cfg, this);
  }

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
    await this.checkPromptAcceptedWith(em, tree, rows[0]?.review_result ?? null);
  }

  /**
   * The same check on the prompt's review result as the caller knows it (a review of the prompt, in the tree's
   * locked transaction, has just decided or read it): one round trip less than reading it back.
   */
  async checkPromptAcceptedWith(em: EntityManager, tree: TreeRow, promptReviewResult: boolean | null): Promise<void> {
    if (!tree.active || tree.state !== TreeState.INITIAL_PROMPT_REVIEW) return;
    if (promptReviewResult === true) await this.enterState(em, tree, TreeState.PROMPT_LOTTERY_WAITING, "T2");
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

  /**
   * Parents whose children must be ranked (≥2 accepted live children of the ranked role(s)), each with its number of
   * rankings from done rank tasks: one statement.
   */
  private async rankingsPerParent(em: EntityManager, treeId: string): Promise<RankingsPerParent> {
    return preparedQuery(em, rankingsPerParentSql("$1", "$2"), [treeId, this.cfg.rankPrompterReplies]);
  }

  /** Whether checkConditionForScoring would read the tree's rankings per parent (a caller may read them itself). */
  scoringCheckReads(tree: TreeRow): boolean {
    if (![TreeState.RANKING, TreeState.READY_FOR_SCORING, TreeState.SCORING_FAILED].includes(tree.state)) return false;
    return tree.active || tree.state === TreeState.SCORING_FAILED;
  }

  /**
   * T5 → T6 (or T6b): when every rankable parent has enough rankings from done rank tasks, compute the consensus
   * for each parent with at least one ranking and mark the tree ready for export.
   */
  async checkConditionForScoring(em: EntityManager, tree: TreeRow): Promise<boolean> {
    if (!this.scoringCheckReads(tree)) return false;
    return this.checkConditionForScoringWith(em, tree, await this.rankingsPerParent(em, tree.message_tree_id));
  }

  /**
   * The same check on the tree's rankings per parent as the caller read them with the tree locked
   * (`rankingsPerParentSql`, as they are now): a ranking reads them in its own statement.
   */
  async checkConditionForScoringWith(em: EntityManager, tree: TreeRow, parents: RankingsPerParent): Promise<boolean> {
    if (!this.scoringCheckReads(tree)) return false;
    if (parents.some((p) => p.n < this.cfg.numRequiredRankings)) {
      if (tree.state === TreeState.SCORING_FAILED) await this.enterState(em, tree, TreeState.RANKING, "T7");
      return false;
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

  /** The prompt lottery (§3.4, prompt-lottery.ts); returns `num_missing_prompts`. */
  promptLottery(lang: string, maxActivate: number, counted?: LotteryCounts): Promise<number> {
    return this.lottery.promptLottery(lang, maxActivate, counted);
  }

  /** Auto-moderation (§4.6, auto-moderation.ts); returns whether it changed anything. */
  autoModerate(lang: string, candidates?: AutoModCandidate[]): Promise<boolean> {
    return this.autoModeration.autoModerate(lang, candidates);
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

  // --- the start-up check (tree-rechecks.ts) ---------------------------------------------------

  ensureTreeStates(signal?: AbortSignal): Promise<number> {
    return this.rechecks.ensureTreeStates(signal);
  }

  treesDueForRecheck(): Promise<string[]> {
    return this.rechecks.treesDueForRecheck();
  }

  recheckTree(em: EntityManager, treeId: string): Promise<TreeState | null> {
    return this.rechecks.recheckTree(em, treeId);
  }

  haltPromptsOfDisabledUsers(): Promise<number> {
    return this.rechecks.haltPromptsOfDisabledUsers();
  }
}

export type { TreeRow } from "./tree-steps.js";
