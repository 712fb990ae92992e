/**
 * Fixed-window rate limits (spec §6.7): a window opens at a key's first hit and lasts `windowSeconds`; within
 * it at most `limit` hits pass. With Redis the count is shared by every replica (INCR, then EXPIRE on the first
 * hit, atomically in one script); without, it lives in this process.
 *
 * While Redis is unreachable the Redis limiter lets hits pass (fails open) instead of refusing every request:
 * task requests need only PostgreSQL, and an outage (which /readyz reports) should not stop annotation. Chat
 * generations are refused anyway, by the queue, with SERVICE_UNAVAILABLE.
 */
import type { Redis } from "ioredis";
import { newRedis } from "./redis-modules.js";
import { isConnectionFailure } from "./streams/redis-connection.js";
import { ChorusError, ErrorCode } from "../common/errors.js";

export interface RateLimitRule {
  name: string;
  limit: number;
  windowSeconds: number;
}

/** Limits of one rule at a time, keyed per user, client, ...: `limit` 0 means no limit. */
export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  hit(rule: RateLimitRule, key: string): Promise<RateDecision>;
  close(): Promise<void>;
}

export function createRateLimiter(redisUrl: string | undefined, keyPrefix = "chorus:rl:", now: () => number = Date.now): RateLimiter {
  return redisUrl ? new RedisRateLimiter(redisUrl, keyPrefix) : new LocalRateLimiter(now);
}

class LocalRateLimiter implements RateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>();
  private sweeps = 0;
  constructor(private readonly now: () => number) {}

  async hit(rule: RateLimitRule, key: string): Promise<RateDecision> {
    const t = this.now();
    const k = `${rule.name}:${key}`;
    let w = this.windows.get(k);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + rule.windowSeconds * 1000 };
      this.windows.set(k, w);
    }
    w.count += 1;
    if (++this.sweeps % 1000 === 0) this.sweep(t);
    if (w.count > rule.limit) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - t) / 1000)) };
    return { allowed: true, remaining: rule.limit - w.count };
  }

  /** Drops expired windows so the map does not grow with every key ever seen. */
  private sweep(t: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= t) this.windows.delete(k);
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}

const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.redis = newRedis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
    this.redis.on("error", () => undefined); // surfaced by the failing command instead
    this.redis.defineCommand("chorusRateHit", { numberOfKeys: 1, lua: HIT_SCRIPT });
  }

  async hit(rule: RateLimitRule, key: string): Promise<RateDecision> {
    // Connection lost: answer at once rather than wait for a reconnection attempt on every request. (While the
    // first connection is being made, commands wait for it.)
    if (["reconnecting", "close", "end"].includes(this.redis.status)) return { allowed: true, remaining: rule.limit };
    let count: number;
    let ttl: number;
    try {
      [count, ttl] = (await (this.redis as unknown as { chorusRateHit(k: string, ms: number): Promise<[number, number]> }).chorusRateHit(
        `${this.prefix}${rule.name}:${key}`,
        rule.windowSeconds * 1000,
      )) as [number, number];
    } catch (err) {
      if (isConnectionFailure(err)) return { allowed: true, remaining: rule.limit };
      throw err;
    }
    if (count > rule.limit) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(ttl, 0) / 1000)) };
    return { allowed: true, remaining: rule.limit - count };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/**
 * Counts one hit of `rule` for `key` and throws RATE_LIMITED (HTTP 429 hint, `retryAfterSeconds`, the rule's name
 * as `limit`) when it is over; a rule with limit 0 is off.
 */
export async function enforceRate(limiter: RateLimiter, rule: RateLimitRule, key: string, what: string): Promise<void> {
  if (rule.limit === 0) return;
  const decision = await limiter.hit(rule, key);
  if (decision.allowed) return;
  throw new ChorusError(ErrorCode.RATE_LIMITED, `At most ${rule.limit} ${what} per ${rule.windowSeconds} s; retry in ${decision.retryAfterSeconds} s`, {
    retryAfterSeconds: decision.retryAfterSeconds,
    limit: rule.name,
    http: { status: 429 },
  });
}
