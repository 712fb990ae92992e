/**
 * Bradley–Terry strengths by maximum likelihood, as Chatbot Arena fits its leaderboard: P(i beats j) =
 * σ(s_i − s_j), a tie counts as half a win for each side, strengths are natural-log odds centred on mean 0.
 * Pure functions on aggregated pair counts (a battle only matters through its pair and outcome), so 100,000
 * battles cost one pass to count and the fit costs O(models²) per Newton step.
 */
import type { Rng } from "../../db/random.js";

/** One pair's record: `scoreI` is i's wins plus half its ties against j, `games` the battles between them. */
export interface PairRecord {
  i: number;
  j: number;
  scoreI: number;
  games: number;
}

export interface FitOptions {
  /** Gaussian prior weight λ (penalty λ/2·Σs²); 0 is the plain maximum-likelihood estimate. */
  ridge: number;
  /** Newton steps at most. */
  maxIterations: number;
  /** Stop once no strength moves by more than this. */
  tolerance: number;
}

export const DEFAULT_FIT: FitOptions = { ridge: 0, maxIterations: 100, tolerance: 1e-12 };

/** Largest move of one strength per Newton step: keeps a model that never lost from jumping to infinity at once. */
const MAX_STEP = 1;

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Solves A x = b in place (A row-major K×K) by Gaussian elimination with partial pivoting. */
function solve(a: Float64Array, b: Float64Array, k: number): Float64Array {
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r * k + col]) > Math.abs(a[pivot * k + col])) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c < k; c++) [a[col * k + c], a[pivot * k + c]] = [a[pivot * k + c], a[col * k + c]];
      [b[col], b[pivot]] = [b[pivot], b[col]];
    }
    // A singular direction (a model whose component is cut off) stays where it is.
    if (Math.abs(a[col * k + col]) < 1e-12) a[col * k + col] = 1e-12;
    const d = a[col * k + col];
    for (let r = col + 1; r < k; r++) {
      const f = a[r * k + col] / d;
      if (f === 0) continue;
      for (let c = col; c < k; c++) a[r * k + c] -= f * a[col * k + c];
      b[r] -= f * b[col];
    }
  }
  const x = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    let s = b[r];
    for (let c = r + 1; c < k; c++) s -= a[r * k + c] * x[c];
    x[r] = s / a[r * k + r];
  }
  return x;
}

/**
 * Strengths of `k` models from pair records: Newton's method on the (penalised) log-likelihood. The likelihood
 * does not change when every strength shifts alike, so the step solves (H + 11ᵀ)δ = g: exact Newton within the
 * mean-zero plane (g sums to zero there), and the answer is centred on mean 0.
 */
export function fitBradleyTerry(k: number, pairs: readonly PairRecord[], opts: FitOptions = DEFAULT_FIT): Float64Array {
  const s = new Float64Array(k);
  if (k === 0) return s;
  const h = new Float64Array(k * k);
  const g = new Float64Array(k);
  for (let iter = 0; iter < opts.maxIterations; iter++) {
    h.fill(1);
    g.fill(0);
    for (let i = 0; i < k; i++) {
      h[i * k + i] += opts.ridge;
      g[i] = -opts.ridge * s[i];
    }
    for (const p of pairs) {
      if (p.games === 0) continue;
      const prob = sigmoid(s[p.i] - s[p.j]);
      const residual = p.scoreI - p.games * prob;
      g[p.i] += residual;
      g[p.j] -= residual;
      const w = p.games * prob * (1 - prob);
      h[p.i * k + p.i] += w;
      h[p.j * k + p.j] += w;
      h[p.i * k + p.j] -= w;
      h[p.j * k + p.i] -= w;
    }
    const step = solve(h, g, k);
    let largest = 0;
    for (let i = 0; i < k; i++) largest = Math.max(largest, Math.abs(step[i]));
    const scale = largest > MAX_STEP ? MAX_STEP / largest : 1;
    for (let i = 0; i < k; i++) s[i] += scale * step[i];
    if (largest < opts.tolerance) break;
  }
  let mean = 0;
  for (let i = 0; i < k; i++) mean += s[i];
  mean /= k;
  for (let i = 0; i < k; i++) s[i] -= mean;
  return s;
}

/** One counted battle: model indices and the outcome for `a` (1 win, 0 loss, 0.5 tie or both bad). */
export interface BattleRecord {
  a: number;
  b: number;
  scoreA: number;
}

/**
 * Battles grouped into cells (unordered pair × outcome), so counting and resampling are array work. A cell's
 * `i < j`, and its score is i's.
 */
export interface CellTable {
  k: number;
  cells: { i: number; j: number; scoreI: number }[];
  /** Each battle's cell. */
  cellOf: Int32Array;
}

export function cellTable(k: number, battles: readonly BattleRecord[]): CellTable {
  const index = new Map<number, number>();
  const cells: CellTable["cells"] = [];
  const cellOf = new Int32Array(battles.length);
  battles.forEach((bt, n) => {
    const swap = bt.a > bt.b;
    const i = swap ? bt.b : bt.a;
    const j = swap ? bt.a : bt.b;
    const scoreI = swap ? 1 - bt.scoreA : bt.scoreA;
    const key = (i * k + j) * 3 + scoreI * 2; // scoreI ∈ {0, 0.5, 1} → 0, 1, 2
    let c = index.get(key);
    if (c === undefined) {
      c = cells.length;
      index.set(key, c);
      cells.push({ i, j, scoreI });
    }
    cellOf[n] = c;
  });
  return { k, cells, cellOf };
}

/** Pair records from cell counts. */
export function pairsFromCounts(table: CellTable, counts: ArrayLike<number>): PairRecord[] {
  const byPair = new Map<number, PairRecord>();
  table.cells.forEach((c, n) => {
    const count = counts[n];
    if (count === 0) return;
    const key = c.i * table.k + c.j;
    let p = byPair.get(key);
    if (!p) byPair.set(key, (p = { i: c.i, j: c.j, scoreI: 0, games: 0 }));
    p.scoreI += count * c.scoreI;
    p.games += count;
  });
  return [...byPair.values()];
}

export function cellCounts(table: CellTable): Float64Array {
  const counts = new Float64Array(table.cells.length);
  for (let n = 0; n < table.cellOf.length; n++) counts[table.cellOf[n]]++;
  return counts;
}

/** Linear-interpolation quantile of sorted values (numpy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface BootstrapResult {
  /** Each model's interval bounds, in strength units. */
  lower: Float64Array;
  upper: Float64Array;
}

/**
 * Percentile bootstrap: `samples` times, draw as many battles as there are with replacement (`rng` injected, so
 * a seed reproduces the intervals), fit, and take each model's (1−level)/2 and (1+level)/2 quantiles.
 */
export function bootstrapIntervals(table: CellTable, samples: number, level: number, rng: Rng, opts: FitOptions = DEFAULT_FIT): BootstrapResult {
  const k = table.k;
  const n = table.cellOf.length;
  const draws = Array.from({ length: k }, () => new Float64Array(samples));
  const counts = new Float64Array(table.cells.length);
  for (let b = 0; b < samples; b++) {
    counts.fill(0);
    for (let d = 0; d < n; d++) counts[table.cellOf[Math.floor(rng() * n)]]++;
    const s = fitBradleyTerry(k, pairsFromCounts(table, counts), opts);
    for (let i = 0; i < k; i++) draws[i][b] = s[i];
  }
  const lower = new Float64Array(k);
  const upper = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    draws[i].sort();
    lower[i] = samples > 0 ? quantile(draws[i], (1 - level) / 2) : Number.NEGATIVE_INFINITY;
    upper[i] = samples > 0 ? quantile(draws[i], (1 + level) / 2) : Number.POSITIVE_INFINITY;
  }
  return { lower, upper };
}

/**
 * Ranks the intervals allow: best = 1 + models certainly better (their lower bound above this one's upper
 * bound; the Arena's "rank (UB)"); worst = models count − models certainly worse.
 */
export function rankRanges(lower: ArrayLike<number>, upper: ArrayLike<number>): { best: number[]; worst: number[] } {
  const k = lower.length;
  const best: number[] = [];
  const worst: number[] = [];
  for (let i = 0; i < k; i++) {
    let better = 0;
    let worse = 0;
    for (let j = 0; j < k; j++) {
      if (j === i) continue;
      if (lower[j] > upper[i]) better++;
      if (upper[j] < lower[i]) worse++;
    }
    best.push(1 + better);
    worst.push(k - worse);
  }
  return { best, worst };
}

/** Elo-like rating from a strength, on the Arena's scale (400 points per factor 10 in odds, 1000 at mean 0). */
export function ratingOf(strength: number): number {
  return 1000 + (400 / Math.LN10) * strength;
}
