/**
 * Review acceptance (spec §4.1): whether a message's peer reviews accept it into the dataset.
 *
 * Only `spam` and `lang_mismatch` count; quality and the other labels describe a message but do not decide
 * whether it is kept. The decision is deliberately one-way: once accepted, a message stays accepted (later
 * reviews cannot pull a reply out from under the replies built on it), while a rejection can still be
 * overturned by late reviews from tasks handed out before the decision.
 */
import type { TreeManagerConfig } from "../../config/tree-manager.js";

/** One review's labels as stored (`text_labels.labels`). */
export type ReviewLabels = Readonly<Record<string, number | null | undefined>>;

/** Thrown for a review without `spam`; label validation makes it mandatory, so this means corrupt data. */
export class ReviewWithoutSpamLabelError extends Error {
  constructor() {
    super("A review has no spam label; the acceptance score needs it from every review.");
    this.name = "ReviewWithoutSpamLabelError";
  }
}

function mean(values: readonly number[]): number {
  // An empty list gives NaN, like the reference's numpy mean; NaN is never above a threshold, so a message
  // whose counter reached the quorum without any stored task review is rejected, as there.
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * `1 − (mean spam + mean lang_mismatch)`, a missing or null lang_mismatch counting as 0.
 * Ranges over [-1, 1]; NaN when there are no reviews.
 */
export function acceptanceScore(reviews: readonly ReviewLabels[]): number {
  const spam = reviews.map((labels) => {
    const value = labels.spam;
    if (typeof value !== "number") throw new ReviewWithoutSpamLabelError();
    return value;
  });
  const langMismatch = reviews.map((labels) => labels.lang_mismatch ?? 0);
  return 1 - (mean(spam) + mean(langMismatch));
}

/** Strictly above: a score equal to the threshold (e.g. 0.6 from 2 spam votes in 5) does not accept. */
export function isAboveAcceptanceThreshold(score: number, threshold: number): boolean {
  return score > threshold;
}

export interface ReviewState {
  /** null = undecided, true = accepted, false = rejected. */
  reviewResult: boolean | null;
  /** `message.review_count` after the submission just stored. */
  reviewCount: number;
}

export interface AcceptanceRule {
  /** Reviews needed before deciding. */
  requiredReviews: number;
  /** Acceptance needs a score strictly above this. */
  threshold: number;
}

export function replyAcceptanceRule(config: Pick<TreeManagerConfig, "numReviewsReply" | "acceptanceThresholdReply">): AcceptanceRule {
  return { requiredReviews: config.numReviewsReply, threshold: config.acceptanceThresholdReply };
}

export function rootAcceptanceRule(config: Pick<TreeManagerConfig, "numReviewsInitialPrompt" | "acceptanceThresholdInitialPrompt">): AcceptanceRule {
  return { requiredReviews: config.numReviewsInitialPrompt, threshold: config.acceptanceThresholdInitialPrompt };
}

export interface ReviewDecision {
  /** The message's review_result after this submission. */
  reviewResult: boolean | null;
  /** Whether reviewResult differs from before (the row needs writing). */
  changed: boolean;
  /** The score the decision used; null when the quorum was not reached or the message was already accepted. */
  score: number | null;
}

export interface RootReviewDecision extends ReviewDecision {
  /**
   * Move the tree to `aborted_low_grade` (T3). True whenever the quorum is reached, the prompt is not accepted
   * and the score does not pass, whatever the tree's state and even if the prompt was already rejected: the
   * reference does so (a late review can move a halted tree), and the tree service applies it as it finds it.
   */
  abortTree: boolean;
}

/**
 * Decision for a reply after one of its label submissions: at quorum, an unaccepted reply whose score passes
 * becomes accepted; an undecided one that does not pass becomes rejected; accepted stays accepted and an
 * already rejected reply that still does not pass stays rejected.
 */
export function decideReplyReview(state: ReviewState, reviews: readonly ReviewLabels[], rule: AcceptanceRule): ReviewDecision {
  const unchanged: ReviewDecision = { reviewResult: state.reviewResult, changed: false, score: null };
  if (state.reviewCount < rule.requiredReviews || state.reviewResult === true) return unchanged;
  const score = acceptanceScore(reviews);
  if (isAboveAcceptanceThreshold(score, rule.threshold)) return { reviewResult: true, changed: true, score };
  if (state.reviewResult === null) return { reviewResult: false, changed: true, score };
  return { ...unchanged, score };
}

/**
 * Decision for an initial prompt after one of its label submissions. Same acceptance as replies, but a failing
 * score also aborts the tree; the prompt is marked rejected only if it was undecided.
 */
export function decideRootReview(state: ReviewState, reviews: readonly ReviewLabels[], rule: AcceptanceRule): RootReviewDecision {
  if (state.reviewCount < rule.requiredReviews || state.reviewResult === true) {
    return { reviewResult: state.reviewResult, changed: false, score: null, abortTree: false };
  }
  const score = acceptanceScore(reviews);
  if (isAboveAcceptanceThreshold(score, rule.threshold)) return { reviewResult: true, changed: true, score, abortTree: false };
  if (state.reviewResult === null) return { reviewResult: false, changed: true, score, abortTree: true };
  return { reviewResult: false, changed: false, score, abortTree: true };
}
