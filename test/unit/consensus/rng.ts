/**
 * Deterministic random sources for the consensus unit tests.
 */
import type { Rng } from "../../../src/modules/consensus/lottery.js";

/**
 * Returns the given numbers in order and fails the test if the code under test draws more often than
 * expected, so each test pins both the outcome and how many draws a rule takes.
 */
export function sequenceRng(values: readonly number[]): Rng & { remaining: () => number } {
  let next = 0;
  const rng = () => {
    if (next >= values.length) throw new Error(`rng drawn ${next + 1} times, only ${values.length} value(s) scripted`);
    return values[next++];
  };
  return Object.assign(rng, { remaining: () => values.length - next });
}

/** mulberry32: a small seeded generator for randomized comparisons. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
