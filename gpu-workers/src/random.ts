import { randomBytes } from "node:crypto";

/**
 * A small seeded PRNG (xoshiro128**, seeded through splitmix64).
 *
 * Each generation gets its own instance, so a seeded request gives the same tokens whatever else runs
 * concurrently; transformers.js only offers one process-wide generator, which interleaved requests would share.
 */
export class SeededRandom {
  private readonly state = new Uint32Array(4);
  private spareGaussian: number | null = null;

  /** @param seed any safe non-negative integer (OA draws seeds in [0, 2^64-2]; callers pass them modulo 2^53). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    }
    // splitmix64 spreads any seed, including 0 and small neighbours, over the whole 128-bit state.
    let x = BigInt(seed);
    for (let i = 0; i < 2; i++) {
      x = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
      let z = x;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      z ^= z >> 31n;
      this.state[i * 2] = Number(z & 0xffffffffn);
      this.state[i * 2 + 1] = Number(z >> 32n);
    }
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A normally distributed float (Box-Muller, caching the second value). */
  gaussian(mean = 0, standardDeviation = 1): number {
    let z = this.spareGaussian;
    this.spareGaussian = null;
    if (z === null) {
      const angle = 2 * Math.PI * this.next();
      const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
      z = Math.cos(angle) * radius;
      this.spareGaussian = Math.sin(angle) * radius;
    }
    return mean + z * standardDeviation;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A seed for requests that did not ask for one: fresh entropy, so unseeded sampling differs between calls. */
export function randomSeed(): number {
  const bytes = randomBytes(8);
  return (bytes.readUInt32LE(0) & 0x1fffff) * 4294967296 + bytes.readUInt32LE(4);
}
