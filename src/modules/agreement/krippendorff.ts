/**
 * Krippendorff's alpha: chance-corrected agreement among any number of raters who each give at most one value to
 * each unit, with missing values allowed. Pure functions, no I/O.
 *
 * Method (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability", coincidence-matrix form):
 *
 * - A unit is *pairable* when it holds at least two values. Units with fewer than two values carry no information
 *   about agreement and are dropped, exactly as in Krippendorff's definition.
 * - Each pairable unit u with m_u values adds, for every ordered pair of values (c, k) given by two *different*
 *   raters, 1 / (m_u − 1) to the coincidence o_ck. So every pairable value contributes exactly 1 in total, and
 *   n_c = Σ_k o_ck is the number of pairable values equal to c, n = Σ_c n_c the number of pairable values.
 * - Observed disagreement  D_o = (1 / n)            Σ_c Σ_k o_ck    δ²(c, k)
 * - Expected disagreement  D_e = (1 / (n (n − 1)))  Σ_c Σ_k n_c n_k δ²(c, k)
 * - α = 1 − D_o / D_e.
 *
 * Difference functions δ² (the "metric"):
 * - nominal:  0 when c = k, else 1 (values may be strings or numbers; 1 and "1" are different categories).
 * - ordinal:  (Σ_{g from c to k} n_g − (n_c + n_k) / 2)², ranks of values weighted by how often they occur.
 * - interval: (c − k)².
 * - ratio:    ((c − k) / (c + k))², values must be ≥ 0 (0 vs 0 is no difference).
 *
 * Degenerate cases (exhaustive):
 * - No pairable values (no units, a single rater, or every unit has at most one value): there is nothing to
 *   compare, so `alpha`, `observedDisagreement` and `expectedDisagreement` are all `null`, `pairableValues` is 0.
 * - Pairable values exist but they all take the same single value: D_o = D_e = 0 and `alpha` is `null`. With no
 *   variation in the data, agreement cannot be told apart from chance (α = 0/0; Krippendorff: α is undefined).
 * - D_o = 0 with at least two distinct values (every pairable unit is unanimous and units differ): `alpha` is 1.
 * - Otherwise α is a finite number ≤ 1; it is 0 when agreement is at chance level and negative when raters
 *   disagree systematically (e.g. two raters who always swap the two values of a binary scale).
 * Because every non-nominal δ² is strictly positive for distinct values, D_e is 0 exactly when fewer than two
 * distinct values are pairable, so `alpha === null` iff `pairableValues === 0` or only one distinct value is pairable.
 *
 * Input errors (a rater appearing twice in one unit, a non-numeric value for a numeric metric, a negative value for
 * `ratio`, a non-finite number, a ragged matrix) throw instead of being silently skipped: they are bugs upstream.
 */

export type KrippendorffMetric = "nominal" | "ordinal" | "interval" | "ratio";

export const KRIPPENDORFF_METRICS: readonly KrippendorffMetric[] = ["nominal", "ordinal", "interval", "ratio"];

/** A value a rater gave. Strings are only meaningful for the nominal metric. */
export type RatingValue = string | number;

/** One rater's value for one unit. */
export interface UnitRating {
  readonly raterId: string;
  readonly value: RatingValue;
}

/** All values given to one unit (message, item…), at most one per rater; missing raters are simply absent. */
export type ReliabilityUnit = readonly UnitRating[];

/** How many pairable values equal `value` (the marginal n_c of the coincidence matrix). */
export interface ValueFrequency {
  readonly value: RatingValue;
  readonly frequency: number;
}

export interface KrippendorffAlphaResult {
  /** α = 1 − D_o / D_e; `null` when undefined (see the module comment for exactly when). */
  readonly alpha: number | null;
  readonly metric: KrippendorffMetric;
  /** Pairable units (≥ 2 values) that entered the computation. */
  readonly units: number;
  /** Units with fewer than two values, dropped as unpairable. */
  readonly droppedUnits: number;
  /** Distinct raters with at least one value in a pairable unit. */
  readonly raters: number;
  /** n: number of values in pairable units. */
  readonly pairableValues: number;
  /** D_o; `null` when there are no pairable values. */
  readonly observedDisagreement: number | null;
  /** D_e; `null` when there are no pairable values. */
  readonly expectedDisagreement: number | null;
  /** n_c for every distinct pairable value, numbers ascending first, then strings in code-unit order. */
  readonly valueFrequencies: readonly ValueFrequency[];
}

/**
 * Krippendorff's alpha over units given as lists of (rater, value) pairs.
 *
 * @param units  one entry per unit; each lists the raters who rated it and their value (missing = absent).
 * @param metric the level of measurement, which picks the difference function δ².
 */
export function krippendorffAlpha(units: readonly ReliabilityUnit[], metric: KrippendorffMetric): KrippendorffAlphaResult {
  if (!KRIPPENDORFF_METRICS.includes(metric)) {
    throw new RangeError(`Unknown Krippendorff metric "${String(metric)}"; expected one of ${KRIPPENDORFF_METRICS.join(", ")}`);
  }

  // Per pairable unit: how many times each value occurs in it, and how many values it holds.
  const pairableUnits: { counts: Map<RatingValue, number>; size: number }[] = [];
  const ratersInPairableUnits = new Set<string>();
  const frequencyByValue = new Map<RatingValue, number>();
  let droppedUnits = 0;

  units.forEach((unit, unitIndex) => {
    const ratersInUnit = new Set<string>();
    for (const { raterId, value } of unit) {
      assertValueFitsMetric(value, metric, unitIndex, raterId);
      if (ratersInUnit.has(raterId)) {
        // Pairing a rater with themself would count self-consistency as agreement between raters.
        throw new RangeError(`Rater "${raterId}" gave more than one value to unit ${unitIndex}`);
      }
      ratersInUnit.add(raterId);
    }
    if (unit.length < 2) {
      droppedUnits += 1;
      return;
    }
    const counts = new Map<RatingValue, number>();
    for (const { value } of unit) {
      counts.set(value, (counts.get(value) ?? 0) + 1);
      frequencyByValue.set(value, (frequencyByValue.get(value) ?? 0) + 1);
    }
    for (const raterId of ratersInUnit) ratersInPairableUnits.add(raterId);
    pairableUnits.push({ counts, size: unit.length });
  });

  const values = [...frequencyByValue.keys()].sort(compareRatingValues);
  const valueFrequencies = values.map((value) => ({ value, frequency: frequencyByValue.get(value)! }));
  const pairableValues = valueFrequencies.reduce((sum, { frequency }) => sum + frequency, 0);
  const summary = {
    metric,
    units: pairableUnits.length,
    droppedUnits,
    raters: ratersInPairableUnits.size,
    pairableValues,
    valueFrequencies,
  };
  if (pairableValues === 0) {
    return { alpha: null, observedDisagreement: null, expectedDisagreement: null, ...summary };
  }

  const indexOfValue = new Map(values.map((value, index) => [value, index] as const));
  const coincidences = buildCoincidenceMatrix(pairableUnits, indexOfValue);
  const frequencies = valueFrequencies.map(({ frequency }) => frequency);
  const squaredDifference = differenceFunction(metric, values, frequencies);

  let weightedObserved = 0;
  let weightedExpected = 0;
  for (let c = 0; c < values.length; c++) {
    for (let k = 0; k < values.length; k++) {
      if (c === k) continue; // δ²(c, c) = 0 for every metric
      const difference = squaredDifference(c, k);
      weightedObserved += coincidences[c][k] * difference;
      weightedExpected += frequencies[c] * frequencies[k] * difference;
    }
  }
  const observedDisagreement = weightedObserved / pairableValues;
  const expectedDisagreement = weightedExpected / (pairableValues * (pairableValues - 1));
  const alpha = expectedDisagreement === 0 ? null : 1 - observedDisagreement / expectedDisagreement;
  return { alpha, observedDisagreement, expectedDisagreement, ...summary };
}

/**
 * Krippendorff's alpha over a reliability data matrix: one row per rater, one column per unit, `null` or
 * `undefined` (or an array hole) for a missing value. Every row must have the same length; raters are identified by
 * their row index.
 */
export function krippendorffAlphaFromMatrix(
  matrix: readonly (readonly (RatingValue | null | undefined)[])[],
  metric: KrippendorffMetric,
): KrippendorffAlphaResult {
  return krippendorffAlpha(unitsFromMatrix(matrix), metric);
}

/** Turns a raters × units matrix (null = missing) into the per-unit list form used by `krippendorffAlpha`. */
export function unitsFromMatrix(matrix: readonly (readonly (RatingValue | null | undefined)[])[]): UnitRating[][] {
  const unitCount = matrix.length === 0 ? 0 : matrix[0].length;
  matrix.forEach((row, raterIndex) => {
    if (row.length !== unitCount) {
      throw new RangeError(`Reliability matrix row ${raterIndex} has ${row.length} units, expected ${unitCount}`);
    }
  });
  const units: UnitRating[][] = Array.from({ length: unitCount }, () => []);
  matrix.forEach((row, raterIndex) => {
    row.forEach((value, unitIndex) => {
      if (value !== null && value !== undefined) units[unitIndex].push({ raterId: String(raterIndex), value });
    });
  });
  return units;
}

/** o_ck, summing each pairable unit's pairs of values from different raters, weighted 1 / (m_u − 1). */
function buildCoincidenceMatrix(
  pairableUnits: readonly { counts: Map<RatingValue, number>; size: number }[],
  indexOfValue: ReadonlyMap<RatingValue, number>,
): number[][] {
  const size = indexOfValue.size;
  const coincidences = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (const unit of pairableUnits) {
    const weight = 1 / (unit.size - 1);
    for (const [first, firstCount] of unit.counts) {
      const c = indexOfValue.get(first)!;
      for (const [second, secondCount] of unit.counts) {
        const k = indexOfValue.get(second)!;
        // Same value: ordered pairs of two different raters among the firstCount who gave it.
        const pairs = c === k ? firstCount * (firstCount - 1) : firstCount * secondCount;
        coincidences[c][k] += pairs * weight;
      }
    }
  }
  return coincidences;
}

/** δ²(c, k) by value index; `values` is sorted ascending for the numeric metrics, `frequencies` holds n_c. */
function differenceFunction(metric: KrippendorffMetric, values: readonly RatingValue[], frequencies: readonly number[]): (c: number, k: number) => number {
  switch (metric) {
    case "nominal":
      return (c, k) => (c === k ? 0 : 1);
    case "interval":
      return (c, k) => ((values[c] as number) - (values[k] as number)) ** 2;
    case "ratio":
      return (c, k) => {
        const sum = (values[c] as number) + (values[k] as number);
        // Values are ≥ 0, so a zero sum means both are 0: no difference.
        return sum === 0 ? 0 : (((values[c] as number) - (values[k] as number)) / sum) ** 2;
      };
    case "ordinal": {
      // cumulative[i] = n_0 + … + n_{i−1}, so Σ_{g=low..high} n_g = cumulative[high + 1] − cumulative[low].
      const cumulative = [0];
      for (const frequency of frequencies) cumulative.push(cumulative[cumulative.length - 1] + frequency);
      return (c, k) => {
        const low = Math.min(c, k);
        const high = Math.max(c, k);
        const spanned = cumulative[high + 1] - cumulative[low];
        return (spanned - (frequencies[c] + frequencies[k]) / 2) ** 2;
      };
    }
  }
}

function assertValueFitsMetric(value: RatingValue, metric: KrippendorffMetric, unitIndex: number, raterId: string): void {
  const where = `unit ${unitIndex}, rater "${raterId}"`;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`Value ${value} at ${where} is not a finite number`);
    if (metric === "ratio" && value < 0) throw new RangeError(`Ratio metric needs values ≥ 0; got ${value} at ${where}`);
    return;
  }
  if (typeof value === "string") {
    if (metric !== "nominal") throw new TypeError(`The ${metric} metric needs numeric values; got "${value}" at ${where}`);
    return;
  }
  throw new TypeError(`Value at ${where} must be a string or a number; got ${typeof value}`);
}

/** Numbers ascending, then strings in code-unit order: deterministic, and numeric order matters for `ordinal`. */
function compareRatingValues(a: RatingValue, b: RatingValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
