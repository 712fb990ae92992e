/**
 * Every random choice that decides which work is handed out (spec §2.4, §2.5, §3.1, §3.3, §3.4), as pure
 * functions of counts, configuration and an injected `rng`. The draws follow the reference's order and
 * comparisons (a draw is only taken where the reference takes one), so that with a given sequence of random
 * numbers the task mix is the original's, and so tests can pin each branch.
 */
import { labelDisposition, type LabelDisposition, type LabelMode, type LabelTarget } from "./labels.js";
import type { TreeManagerConfig } from "../../config/tree-manager.js";

/** Uniform in [0, 1), like Math.random. */
export type Rng = () => number;

/** Below this total the reference considers every weight zero (no task available). */
const NEGLIGIBLE_WEIGHT_SUM = 1e-8;

export function totalWeight(weights: readonly number[]): number {
  return weights.reduce((sum, weight) => sum + weight, 0);
}

/** Whether the weights leave anything to draw; the reference treats a sum at or below 1e-8 as "nothing". */
export function hasDrawableWeight(weights: readonly number[]): boolean {
  return totalWeight(weights) > NEGLIGIBLE_WEIGHT_SUM;
}

/**
 * Index drawn with probability weight/Σweights: the first index whose cumulative weight exceeds `rng()·Σ`
 * (numpy's `choice(p=…)` and Python's `random.choices` both do this), so zero weights are never drawn.
 * Throws a RangeError when the weights sum to (about) zero; check `hasDrawableWeight` where that can happen.
 */
export function drawWeightedIndex(weights: readonly number[], rng: Rng): number {
  if (!hasDrawableWeight(weights)) throw new RangeError("drawWeightedIndex: the weights sum to zero");
  const target = rng() * totalWeight(weights);
  let cumulative = 0;
  let lastPositive = 0;
  for (let index = 0; index < weights.length; index++) {
    if (weights[index] <= 0) continue;
    cumulative += weights[index];
    lastPositive = index;
    if (cumulative > target) return index;
  }
  // Only reachable when rng() returns 1 or rounding leaves the sum a hair below target.
  return lastPositive;
}

/** One item drawn uniformly; null from an empty list. */
export function pickUniform<T>(items: readonly T[], rng: Rng): T | null {
  if (items.length === 0) return null;
  return items[Math.min(items.length - 1, Math.floor(rng() * items.length))];
}

/** A shuffled copy (Fisher–Yates from the end, as Python's `random.shuffle`); ranking tasks show replies so. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(rng() * (i + 1)));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

// ---- §2.4 random task kind ------------------------------------------------------------------------------

export type TaskKind = "RANKING" | "LABEL_REPLY" | "REPLY" | "LABEL_PROMPT" | "PROMPT";

/**
 * The reference's kinds in its enum order, which is the order the cumulative draw walks; with the weight of
 * each when work of that kind exists. Ranking first and heaviest: finishing trees is worth more than growing
 * them, and new prompts are nearly never asked for while anything else is possible.
 */
export const RANDOM_TASK_KIND_WEIGHTS: readonly (readonly [TaskKind, number])[] = [
  ["RANKING", 10],
  ["LABEL_REPLY", 5],
  ["REPLY", 2],
  ["LABEL_PROMPT", 5],
  ["PROMPT", 0.01],
];

/** How much work of each kind is available to this user in this language. */
export interface AvailableWork {
  /** Incomplete ranking parents (R). */
  rankings: number;
  /** Replies needing review (LR). */
  repliesNeedingReview: number;
  /** Prompts needing review (LP). */
  promptsNeedingReview: number;
  /** The prompt lottery's `num_missing_prompts` (P). */
  missingPrompts: number;
  /** Replies still missing in extendible trees (M). */
  missingReplies: number;
}

function countFor(kind: TaskKind, work: AvailableWork): number {
  switch (kind) {
    case "RANKING":
      return work.rankings;
    case "LABEL_REPLY":
      return work.repliesNeedingReview;
    case "REPLY":
      return work.missingReplies;
    case "LABEL_PROMPT":
      return work.promptsNeedingReview;
    case "PROMPT":
      return work.missingPrompts;
  }
}

/** Each kind's weight for this request: its fixed weight when work of that kind exists, else 0. */
export function randomTaskKindWeights(work: AvailableWork): [TaskKind, number][] {
  return RANDOM_TASK_KIND_WEIGHTS.map(([kind, weight]) => [kind, countFor(kind, work) > 0 ? weight : 0]);
}

/** The kind a `random` task request gets; null when nothing is available (the service answers 1006). */
export function drawRandomTaskKind(work: AvailableWork, rng: Rng): TaskKind | null {
  const kinds = randomTaskKindWeights(work);
  const weights = kinds.map(([, weight]) => weight);
  if (!hasDrawableWeight(weights)) return null;
  return kinds[drawWeightedIndex(weights, rng)][0];
}

// ---- §2.5 candidate choices -----------------------------------------------------------------------------

export interface ReplyParentCandidate {
  parentRole: "prompter" | "assistant";
  /** Counted children (`k` in §2.5). */
  activeChildrenCount: number;
}

/**
 * A prompter message with some but fewer than `lonelyChildrenCount` counted answers: preferring these gives
 * every prompt at least two answers, which ranking needs.
 */
export function isLonelyParent(parent: ReplyParentCandidate, config: Pick<TreeManagerConfig, "lonelyChildrenCount">): boolean {
  return parent.parentRole === "prompter" && parent.activeChildrenCount > 0 && parent.activeChildrenCount < config.lonelyChildrenCount;
}

/**
 * The parent a reply task extends: with probability `pLonelyChildExtension` one of the lonely parents (when
 * there are any; the draw is only taken then), otherwise any qualifying parent, uniformly.
 */
export function chooseReplyParent<T extends ReplyParentCandidate>(
  parents: readonly T[],
  config: Pick<TreeManagerConfig, "lonelyChildrenCount" | "pLonelyChildExtension">,
  rng: Rng,
): T | null {
  if (parents.length === 0) return null;
  if (config.pLonelyChildExtension > 0 && config.lonelyChildrenCount > 1) {
    const lonely = parents.filter((parent) => isLonelyParent(parent, config));
    if (lonely.length > 0 && rng() < config.pLonelyChildExtension) return pickUniform(lonely, rng);
  }
  return pickUniform(parents, rng);
}

export interface LabelModeChoice {
  mode: LabelMode;
  disposition: LabelDisposition;
}

/**
 * Full or simple labeling for a label task. Prompts draw on every request; replies only on `random` requests
 * (an explicit request always gets full labeling). A draw above P(full) gives simple. For prompter replies
 * P(full) is 0.1 while the kept quirk is on (see `quirkPrompterReplyFullLabelingOverride`).
 */
export function chooseLabelMode(
  target: LabelTarget,
  requestIsRandom: boolean,
  config: Pick<
    TreeManagerConfig,
    "pFullLabelingReviewPrompt" | "pFullLabelingReviewReplyAssistant" | "pFullLabelingReviewReplyPrompter" | "quirkPrompterReplyFullLabelingOverride"
  >,
  rng: Rng,
): LabelModeChoice {
  let simple: boolean;
  switch (target) {
    case "initial_prompt":
      simple = rng() > config.pFullLabelingReviewPrompt;
      break;
    case "assistant_reply":
      simple = requestIsRandom && rng() > config.pFullLabelingReviewReplyAssistant;
      break;
    case "prompter_reply":
      simple = requestIsRandom && rng() > effectivePrompterReplyFullLabelingP(config);
      break;
  }
  const mode: LabelMode = simple ? "simple" : "full";
  return { mode, disposition: labelDisposition(mode) };
}

// ---- §3.1 backlog activation, §3.3 goal size -------------------------------------------------------------

/** On an active tree's entry into a terminal state: whether to bring one backlog tree into ranking. */
export function shouldActivateBacklogTree(config: Pick<TreeManagerConfig, "pActivateBacklogTree">, rng: Rng): boolean {
  return rng() < config.pActivateBacklogTree;
}

/**
 * A new tree's goal size: uniform over [minGoalTreeSize, goalTreeSize] (both inclusive) when randomised and the
 * range is not empty, else goalTreeSize (no draw taken).
 */
export function drawGoalTreeSize(config: Pick<TreeManagerConfig, "randomGoalTreeSize" | "minGoalTreeSize" | "goalTreeSize">, rng: Rng): number {
  if (!config.randomGoalTreeSize || config.minGoalTreeSize >= config.goalTreeSize) return config.goalTreeSize;
  const span = config.goalTreeSize - config.minGoalTreeSize + 1;
  return config.minGoalTreeSize + Math.min(span - 1, Math.floor(rng() * span));
}

// ---- §3.4 prompt lottery ---------------------------------------------------------------------------------

/** Trees activated per task request, and per availability request (each activation commits on its own). */
export const PROMPT_LOTTERY_MAX_ACTIVATE_ON_TASK_REQUEST = 2;
export const PROMPT_LOTTERY_MAX_ACTIVATE_ON_AVAILABILITY = 1;
/** Waiting prompts of the drawn author the winner is chosen from. */
export const PROMPT_LOTTERY_PROMPTS_PER_AUTHOR = 100;

export interface PromptLotteryCounts {
  /** Active `growing` trees whose root is in the language. */
  growing: number;
  /** Active `initial_prompt_review` trees whose root is in the language. */
  inReview: number;
  /** Trees waiting in the lottery in the language. */
  waiting: number;
}

export interface PromptLotteryBudget {
  missingGrowing: number;
  remainingReview: number;
  remainingLottery: number;
  /** `num_missing_prompts`: how many initial prompts are still wanted (P of §2.4). */
  missingPrompts: number;
}

/**
 * How far the language is from its targets. New prompts are wanted while there is room both in review and in
 * the lottery queue, counting the growing slots that the lottery will fill.
 */
export function promptLotteryBudget(
  counts: PromptLotteryCounts,
  config: Pick<TreeManagerConfig, "maxActiveTrees" | "maxInitialPromptReview" | "maxPromptLotteryWaiting">,
): PromptLotteryBudget {
  const remainingLottery = Math.max(0, config.maxPromptLotteryWaiting - counts.waiting);
  const remainingReview = Math.max(0, config.maxInitialPromptReview - counts.inReview);
  const missingGrowing = Math.max(0, config.maxActiveTrees - counts.growing);
  return {
    missingGrowing,
    remainingReview,
    remainingLottery,
    missingPrompts: Math.min(missingGrowing + remainingReview, remainingLottery),
  };
}

/** Whether the lottery loop activates another tree (else it returns `missingPrompts`). */
export function shouldActivateAnotherPrompt(budget: PromptLotteryBudget, activated: number, maxActivate: number): boolean {
  return budget.missingGrowing > 0 && activated < maxActivate;
}

export interface PromptAuthorCandidate {
  authorId: string;
  /** The author's `reply_ranked_1` in the stats window; null when they have no stats row. */
  replyRanked1: number | null;
}

/** One plus the author's first places, so authors of well-ranked answers win more often and nobody never does. */
export function promptAuthorWeight(candidate: PromptAuthorCandidate): number {
  return 1 + (candidate.replyRanked1 ?? 0);
}

/**
 * The author whose waiting prompt is activated next (drawn by author, not by prompt, so a prolific author does
 * not crowd the others out); the service then draws one of their prompts with `pickUniform`.
 */
export function drawPromptAuthor(candidates: readonly PromptAuthorCandidate[], rng: Rng): string | null {
  if (candidates.length === 0) return null;
  return candidates[drawWeightedIndex(candidates.map(promptAuthorWeight), rng)].authorId;
}

/** The probability the reference forced for full labeling of prompter replies. */
export const LEGACY_PROMPTER_REPLY_FULL_LABELING_P = 0.1;

/** The P(full labeling) actually used for prompter replies, after the kept quirk. */
export function effectivePrompterReplyFullLabelingP(
  config: Pick<TreeManagerConfig, "quirkPrompterReplyFullLabelingOverride" | "pFullLabelingReviewReplyPrompter">,
): number {
  return config.quirkPrompterReplyFullLabelingOverride ? LEGACY_PROMPTER_REPLY_FULL_LABELING_P : config.pFullLabelingReviewReplyPrompter;
}
