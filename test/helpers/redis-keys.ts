/**
 * Redis key prefixes of this test run. Every test that touches the shared Redis takes its prefix from here, so the
 * run's keys are recognisable (`chorus-test-<run>-…`) beside other runs on the same Redis, deletes its keys when it
 * ends, and the root hook (root-hooks.ts) fails the run if anything it made is left without an expiry.
 */
import crypto from "node:crypto";
import { Redis } from "ioredis";
import { testRedisUrl } from "./database.js";

/** One id per mocha process; child processes get their prefix through REDIS_KEY_PREFIX. */
export const TEST_RUN_ID = crypto.randomBytes(4).toString("hex");
export const TEST_RUN_PATTERN = `chorus-test-${TEST_RUN_ID}-*`;
let handedOut = 0;

/** A fresh prefix in this run's key space. */
export function testRedisPrefix(label = "t"): string {
  handedOut++;
  return `chorus-test-${TEST_RUN_ID}-${label}-${crypto.randomBytes(4).toString("hex")}:`;
}

export function prefixesHandedOut(): number {
  return handedOut;
}

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

/** Deletes every key under `prefix` (the test's own key space) on the test Redis. */
export async function deleteRedisPrefix(prefix: string, redisUrl = testRedisUrl()): Promise<void> {
  if (!prefix.startsWith("chorus-test-")) throw new Error(`refusing to delete keys outside the tests' key space: ${prefix}`);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const keys = await scanKeys(redis, `${prefix}*`);
    for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
  } finally {
    redis.disconnect();
  }
}

/** Keys of this run that carry no expiry (TTL -1), then deletes every key of the run. */
export async function sweepRun(redisUrl = testRedisUrl()): Promise<{ persistent: string[]; total: number }> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const keys = await scanKeys(redis, TEST_RUN_PATTERN);
    const persistent: string[] = [];
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const pipeline = redis.pipeline();
      for (const k of batch) pipeline.ttl(k);
      const ttls = (await pipeline.exec()) ?? [];
      batch.forEach((k, j) => {
        if (ttls[j]?.[1] === -1) persistent.push(k);
      });
    }
    for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
    return { persistent, total: keys.length };
  } finally {
    redis.disconnect();
  }
}
