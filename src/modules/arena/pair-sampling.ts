/**
 * Which two models fight next. Every pair of models with a connected worker may be drawn; a pair weighs more the
 * fewer battles it has had (1/√(1+n)) and the wider its models' intervals are (the votes there teach the most),
 * so new models catch up and settled pairs are not re-fought for ever. Randomness is injected.
 */
import type { Rng } from "../../db/random.js";

export interface PairCandidateStats {
  /** Battles counted between the two models (either side). */
  battles(a: string, b: string): number;
  /** Width of a model's interval in strength units; null when unknown (a new model). */
  width(model: string): number | null;
}

/** Widths are capped so one unknown model does not take every battle; an unknown model counts as the cap. */
export const WIDTH_CAP = 4;
const WIDTH_FLOOR = 0.05;

export function pairWeight(stats: PairCandidateStats, a: string, b: string): number {
  const w = (m: string) => Math.min(WIDTH_CAP, Math.max(WIDTH_FLOOR, stats.width(m) ?? WIDTH_CAP));
  return (w(a) + w(b)) / Math.sqrt(1 + stats.battles(a, b));
}

/**
 * Draws a pair from `models` (at least two, each with a connected worker), then which side each is on (a coin,
 * so position says nothing). Returns [modelA, modelB], or null when fewer than two models are available.
 */
export function drawPair(models: readonly string[], stats: PairCandidateStats, rng: Rng): [string, string] | null {
  const sorted = [...new Set(models)].sort();
  if (sorted.length < 2) return null;
  const pairs: [string, string, number][] = [];
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const weight = pairWeight(stats, sorted[i], sorted[j]);
      total += weight;
      pairs.push([sorted[i], sorted[j], weight]);
    }
  }
  let r = rng() * total;
  let chosen = pairs[pairs.length - 1];
  for (const p of pairs) {
    r -= p[2];
    if (r < 0) {
      chosen = p;
      break;
    }
  }
  return rng() < 0.5 ? [chosen[0], chosen[1]] : [chosen[1], chosen[0]];
}
