/**
 * Randomness is injected everywhere a choice is made. With RANDOM_SEED set, a seeded generator (mulberry32)
 * makes a run reproducible; otherwise Math.random.
 */
export type Rng = () => number;

export function createRng(seed?: number): Rng {
  if (seed === undefined) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
