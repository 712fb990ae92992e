/**
 * How much each annotator agrees with the consensus they contributed to (pure functions; the service reads the
 * rows). Rankings: Kendall's τ between the annotator's ballot and the ranked-pairs merge of the *other* ballots of
 * the same replies (leave-one-out, so an annotator is not compared with a consensus of their own making). Labels:
 * 1 − |value − mean of the other reviewers' values| for each label value with at least one other reviewer (values
 * lie in [0, 1]: yes/no and flags as 0/1, likert scales scaled to it).
 */
import { rankedPairs, type Ballot } from "../consensus/ranked-pairs.js";

/** Kendall's τ of two orderings of the same items (best first, no ties); null with fewer than two items. */
export function kendallTau(a: readonly string[], b: readonly string[]): number | null {
  const items = a.filter((x) => b.includes(x));
  if (items.length < 2) return null;
  const pos = new Map(b.map((x, i) => [x, i]));
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      if (pos.get(items[i])! < pos.get(items[j])!) concordant++;
      else discordant++;
    }
  }
  return (concordant - discordant) / (concordant + discordant);
}

export interface RankingBallot {
  userId: string;
  parentId: string;
  ranked: Ballot;
}

/** Each user's leave-one-out τ values, over the parents where others ranked too. */
export function rankingAgreementByUser(ballots: readonly RankingBallot[]): Map<string, number[]> {
  const byParent = new Map<string, RankingBallot[]>();
  for (const b of ballots) byParent.set(b.parentId, [...(byParent.get(b.parentId) ?? []), b]);
  const out = new Map<string, number[]>();
  for (const group of byParent.values()) {
    for (const own of group) {
      const others = group.filter((b) => b !== own).map((b) => b.ranked);
      if (others.length === 0) continue;
      let merged: string[];
      try {
        merged = rankedPairs(others);
      } catch {
        continue; // a malformed ballot among the others: no consensus to compare with
      }
      const tau = kendallTau(own.ranked, merged);
      if (tau !== null) out.set(own.userId, [...(out.get(own.userId) ?? []), tau]);
    }
  }
  return out;
}

export interface LabelValue {
  userId: string;
  messageId: string;
  label: string;
  value: number;
}

/** Each user's agreement values with the other reviewers of the same message and label. */
export function labelAgreementByUser(values: readonly LabelValue[]): Map<string, number[]> {
  const byItem = new Map<string, LabelValue[]>();
  for (const v of values) {
    const key = `${v.messageId}|${v.label}`;
    byItem.set(key, [...(byItem.get(key) ?? []), v]);
  }
  const out = new Map<string, number[]>();
  for (const group of byItem.values()) {
    for (const own of group) {
      const others = group.filter((v) => v.userId !== own.userId);
      if (others.length === 0) continue;
      const mean = others.reduce((s, v) => s + v.value, 0) / others.length;
      const agreement = 1 - Math.min(1, Math.abs(Math.min(1, Math.max(0, own.value)) - Math.min(1, Math.max(0, mean))));
      out.set(own.userId, [...(out.get(own.userId) ?? []), agreement]);
    }
  }
  return out;
}

export const mean = (xs: readonly number[] | undefined): number | null => (xs?.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);

/** Compared label values an annotator needs before they can count as reliable. */
export const RELIABLE_MIN_LABELS = 10;
/** Mean label agreement of a reliable annotator (1 − mean distance from the others; 0.8: within 0.2 on average). */
export const RELIABLE_LABEL_AGREEMENT = 0.8;
/** Compared rankings from which the ranking agreement counts too, and the τ it must reach. */
export const RELIABLE_MIN_RANKINGS = 5;
export const RELIABLE_RANKING_TAU = 0.2;

/**
 * Whether an annotator is reliable enough to give a message its deciding review (ARENA_RELIABLE_LAST_REVIEW): at
 * least RELIABLE_MIN_LABELS label values compared with other reviewers, agreeing at RELIABLE_LABEL_AGREEMENT or
 * better, and, once RELIABLE_MIN_RANKINGS rankings were compared, a ranking τ of RELIABLE_RANKING_TAU or better.
 */
export function isReliable(q: { labelAgreement: number | null; labelsCompared: number; rankingAgreement: number | null; rankingsCompared: number }): boolean {
  if (q.labelsCompared < RELIABLE_MIN_LABELS || q.labelAgreement === null || q.labelAgreement < RELIABLE_LABEL_AGREEMENT) return false;
  return q.rankingsCompared < RELIABLE_MIN_RANKINGS || (q.rankingAgreement ?? -1) >= RELIABLE_RANKING_TAU;
}
