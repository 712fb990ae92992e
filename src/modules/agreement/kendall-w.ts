/**
 * Kendall's coefficient of concordance W: how far m raters who each rank the same n items agree on the order.
 * Pure functions, no I/O.
 *
 * With r_ij the rank rater j gives item i (1 = first; ties share the average of the ranks they span),
 *   R_i = Σ_j r_ij                      rank sum of item i
 *   S   = Σ_i (R_i − m (n + 1) / 2)²    squared deviation of the rank sums from their mean
 *   T_j = Σ over rater j's tie groups of (t³ − t), t = size of the group
 *   W   = 12 S / (m² (n³ − n) − m Σ_j T_j)
 * which is Kendall's tie-corrected W (Kendall & Babington Smith 1939; Siegel & Castellan 1988). Without ties
 * Σ T_j = 0 and it reduces to 12 S / (m² (n³ − n)). The large-sample test statistic is the Friedman chi-square
 * χ² = m (n − 1) W with n − 1 degrees of freedom (tie-corrected as well, since it is computed from this W).
 *
 * W is 1 when every rater gives the same ranking (ties included, thanks to the correction) and 0 when the rank sums
 * are all equal, e.g. two raters in exactly reverse order. It cannot be negative: with m > 2 raters "complete
 * disagreement" is not defined. Reversing every rater's direction (best-first vs worst-first) leaves W unchanged.
 *
 * Degenerate cases give `w: null` (and `chiSquare: null`):
 * - fewer than 2 raters: concordance between raters is undefined (the formula would give 1 trivially for one);
 * - fewer than 2 items: there is no order to agree on (n³ − n = 0);
 * - every rater ties all items: the corrected denominator is 0 (no rater expressed any order).
 * Malformed input (rows of different lengths, a row that is not a valid ranking of 1..n with average ranks for
 * ties, unknown or missing items in a best-first list) throws instead: those are bugs, not degenerate data.
 */

/** One row per rater, one column per item: the rank that rater gave the item (1 = first, ties as average ranks). */
export type RankMatrix = readonly (readonly number[])[];

/**
 * A ranking written best-first: each entry is an item id, or a group of item ids tied at that position.
 * `["a", ["b", "c"], "d"]` means a first, b and c tied for second and third, d last (ranks 1, 2.5, 2.5, 4).
 */
export type BestFirstOrdering = readonly (string | readonly string[])[];

export interface KendallWResult {
  /** Tie-corrected W in [0, 1]; `null` when undefined (fewer than 2 raters or items, or everything tied). */
  readonly w: number | null;
  /** m: number of raters (rows). */
  readonly raters: number;
  /** n: number of items (columns). */
  readonly items: number;
  /** m (n − 1) W, the Friedman statistic; `null` when W is. */
  readonly chiSquare: number | null;
  /** n − 1 (0 when there are no items). */
  readonly degreesOfFreedom: number;
  /** S = Σ_i (R_i − m (n + 1) / 2)². */
  readonly rankSumSquaredDeviation: number;
  /** Σ_j T_j = Σ over all raters' tie groups of (t³ − t); 0 without ties. */
  readonly tieCorrection: number;
}

/**
 * Kendall's W with the tie correction, from a matrix of ranks (rows = raters, columns = items).
 * Each row must be a fractional ranking of 1..n: sorted, a tie group occupying positions p+1..p+t has the value
 * p + (t + 1) / 2. Use `ranksFromBestFirst` to build rows from ordered lists.
 */
export function kendallW(rankings: RankMatrix): KendallWResult {
  const raters = rankings.length;
  const items = raters === 0 ? 0 : rankings[0].length;
  let tieCorrection = 0;
  const rankSums = new Array<number>(items).fill(0);
  rankings.forEach((ranks, raterIndex) => {
    if (ranks.length !== items) {
      throw new RangeError(`Rater ${raterIndex} ranked ${ranks.length} items, expected ${items} like rater 0`);
    }
    tieCorrection += tieGroupSizes(ranks, raterIndex).reduce((sum, size) => sum + size ** 3 - size, 0);
    ranks.forEach((rank, itemIndex) => {
      rankSums[itemIndex] += rank;
    });
  });

  const meanRankSum = (raters * (items + 1)) / 2;
  const rankSumSquaredDeviation = rankSums.reduce((sum, rankSum) => sum + (rankSum - meanRankSum) ** 2, 0);
  const degreesOfFreedom = Math.max(items - 1, 0);
  const denominator = raters ** 2 * (items ** 3 - items) - raters * tieCorrection;
  const summary = { raters, items, degreesOfFreedom, rankSumSquaredDeviation, tieCorrection };
  if (raters < 2 || items < 2 || denominator <= 0) {
    return { w: null, chiSquare: null, ...summary };
  }
  const w = (12 * rankSumSquaredDeviation) / denominator;
  return { w, chiSquare: raters * (items - 1) * w, ...summary };
}

/**
 * The ranks (aligned with `items`) that a best-first ordering assigns: the first entry gets rank 1, a tie group
 * spanning positions p+1..p+t gets p + (t + 1) / 2 for each member. The ordering must place every item of `items`
 * exactly once and nothing else.
 */
export function ranksFromBestFirst(ordering: BestFirstOrdering, items: readonly string[]): number[] {
  const indexOfItem = new Map<string, number>();
  items.forEach((item, index) => {
    if (indexOfItem.has(item)) throw new RangeError(`Item "${item}" is listed twice in the item set`);
    indexOfItem.set(item, index);
  });

  const ranks = new Array<number | undefined>(items.length).fill(undefined);
  let placed = 0;
  for (const entry of ordering) {
    const tieGroup = typeof entry === "string" ? [entry] : entry;
    if (tieGroup.length === 0) throw new RangeError("A best-first ordering contains an empty tie group");
    const averageRank = placed + (tieGroup.length + 1) / 2;
    for (const item of tieGroup) {
      const index = indexOfItem.get(item);
      if (index === undefined) throw new RangeError(`Item "${item}" is not in the common item set`);
      if (ranks[index] !== undefined) throw new RangeError(`Item "${item}" appears more than once in one ordering`);
      ranks[index] = averageRank;
    }
    placed += tieGroup.length;
  }
  const missing = items.filter((_, index) => ranks[index] === undefined);
  if (missing.length > 0) throw new RangeError(`The ordering does not rank item(s) ${missing.map((id) => `"${id}"`).join(", ")}`);
  return ranks as number[];
}

/**
 * A rank matrix from several raters' best-first orderings over one common item set. Without `items`, the set (and
 * the column order) is taken from the first ordering; every ordering must rank exactly that set.
 */
export function rankMatrixFromBestFirst(orderings: readonly BestFirstOrdering[], items?: readonly string[]): { items: string[]; rankings: number[][] } {
  const itemSet = items ? [...items] : (orderings[0] ?? []).flatMap((entry) => (typeof entry === "string" ? [entry] : [...entry]));
  return { items: itemSet, rankings: orderings.map((ordering) => ranksFromBestFirst(ordering, itemSet)) };
}

/** Kendall's W for raters who each gave a best-first ordering of the same items (see `rankMatrixFromBestFirst`). */
export function kendallWFromBestFirst(orderings: readonly BestFirstOrdering[], items?: readonly string[]): KendallWResult {
  return kendallW(rankMatrixFromBestFirst(orderings, items).rankings);
}

export interface AverageKendallWResult {
  /** Unweighted mean of W over the groups where it is defined; `null` when no group has a defined W. */
  readonly meanW: number | null;
  /** Groups whose W is defined and went into the mean. */
  readonly groupsUsed: number;
  /** Degenerate groups (fewer than 2 raters or items, or everything tied) left out of the mean. */
  readonly groupsSkipped: number;
  /** The per-group results, in input order. */
  readonly results: readonly KendallWResult[];
}

/**
 * Averages W over independent groups, e.g. the sibling replies of several parent messages, each ranked by its own
 * raters. Each group counts once whatever its size, so a parent with many rankers does not dominate. Degenerate
 * groups are skipped and counted; malformed groups throw.
 */
export function averageKendallW(groups: readonly RankMatrix[]): AverageKendallWResult {
  const results = groups.map((rankings) => kendallW(rankings));
  const defined = results.map((result) => result.w).filter((w): w is number => w !== null);
  const meanW = defined.length === 0 ? null : defined.reduce((sum, w) => sum + w, 0) / defined.length;
  return { meanW, groupsUsed: defined.length, groupsSkipped: results.length - defined.length, results };
}

/**
 * The sizes of the tie groups (size ≥ 2) in one rater's ranks, after checking the ranks form a fractional ranking
 * of 1..n; a wrong tie value would silently bias both S and the correction, so it is rejected.
 */
function tieGroupSizes(ranks: readonly number[], raterIndex: number): number[] {
  for (const rank of ranks) {
    if (!Number.isFinite(rank)) throw new RangeError(`Rater ${raterIndex} gave a non-finite rank ${rank}`);
  }
  const sorted = [...ranks].sort((a, b) => a - b);
  const sizes: number[] = [];
  let start = 0;
  while (start < sorted.length) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[start]) end += 1;
    const size = end - start + 1;
    // Positions start+1..end+1 (1-based) share the average rank start + (size + 1) / 2.
    const expected = start + (size + 1) / 2;
    if (sorted[start] !== expected) {
      throw new RangeError(
        `Rater ${raterIndex}'s ranks are not a ranking of 1..${ranks.length} with average ranks for ties: ` +
          `${size} item(s) at rank ${sorted[start]} where ${expected} was expected`,
      );
    }
    if (size > 1) sizes.push(size);
    start = end + 1;
  }
  return sizes;
}
