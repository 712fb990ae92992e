import { expect } from "chai";
import {
  JobLeaseLostError,
  LocalGenerationQueue,
  QueueFullError,
  RedisGenerationQueue,
  type GenerationQueue,
  type GenerationQueueOptions,
} from "../../../src/infra/queue/index.js";
import { deleteKeysWithPrefix, randomKeyPrefix, seededRandom, testRedisUrl } from "./support.js";

/**
 * The contract suite checks chosen cases; this plays one long seeded random mix of operations on both drivers
 * and requires the same answer from each at every step, which covers orderings nobody thought to write down.
 */
describe("GenerationQueue drivers agree", function () {
  const redisUrl = testRedisUrl();
  const keyPrefix = randomKeyPrefix();
  let queues: GenerationQueue[] = [];

  afterEach(async function () {
    await Promise.all(queues.map((q) => q.close()));
    queues = [];
    await deleteKeysWithPrefix(redisUrl, keyPrefix);
  });

  function counterIds(): () => string {
    let next = 0;
    return () => `job-${++next}`;
  }

  it("answer a seeded random mix of 600 operations identically", async function () {
    const options: GenerationQueueOptions = { maxQueueSize: 12, maxAttempts: 2, leaseMs: 600_000 };
    const local = new LocalGenerationQueue({ ...options, newJobId: counterIds() });
    const redis = new RedisGenerationQueue({ ...options, newJobId: counterIds(), redisUrl, keyPrefix });
    queues = [local, redis];

    const random = seededRandom(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const models = ["small", "large"];
    const users = ["u1", "u2", "u3", "u4", "u5"];
    const held: string[] = [];
    let nextMessage = 0;

    /** The same call on both drivers; errors are compared by class. */
    async function both(step: number, call: (q: GenerationQueue) => Promise<unknown>): Promise<unknown> {
      const outcome = async (q: GenerationQueue) => {
        try {
          const value = await call(q);
          return stripClocks(value);
        } catch (error) {
          if (error instanceof QueueFullError || error instanceof JobLeaseLostError) return { threw: error.name };
          throw error;
        }
      };
      const [fromLocal, fromRedis] = await Promise.all([outcome(local), outcome(redis)]);
      expect(fromRedis, `step ${step}`).to.deep.equal(fromLocal);
      return fromLocal;
    }

    for (let step = 0; step < 600; step += 1) {
      const dice = random();
      const model = pick(models);
      if (dice < 0.35) {
        const messageId = random() < 0.1 && nextMessage > 0 ? `m${1 + Math.floor(random() * nextMessage)}` : `m${++nextMessage}`;
        const userId = pick(users);
        // Drawn outside the call, which runs once per driver.
        const bypassSizeLimit = random() < 0.1;
        await both(step, (q) => q.enqueue(model, { messageId, userId, payload: { step } }, { bypassSizeLimit }));
      } else if (dice < 0.6) {
        if (step % 2 === 0) {
          const taken = (await both(step, (q) => q.take(model, `gpu-${step % 3}`))) as { jobId: string } | null;
          if (taken) held.push(taken.jobId);
        } else {
          // Drawn outside the call, which runs once per driver.
          const max = 1 + Math.floor(random() * 3);
          const taken = (await both(step, (q) => q.takeMany(model, `gpu-${step % 3}`, max))) as { jobId: string }[];
          held.push(...taken.map((j) => j.jobId));
        }
      } else if (dice < 0.75 && held.length > 0) {
        const jobId = held.splice(Math.floor(random() * held.length), 1)[0];
        const action = random();
        if (action < 0.5) await both(step, (q) => q.complete(jobId));
        else {
          const retryable = action < 0.85;
          await both(step, (q) => q.fail(jobId, retryable));
        }
      } else if (dice < 0.82) {
        const messageId = `m${1 + Math.floor(random() * Math.max(1, nextMessage))}`;
        await both(step, (q) => q.cancel(messageId));
      } else if (dice < 0.95) {
        const messageId = `m${1 + Math.floor(random() * Math.max(1, nextMessage))}`;
        await both(step, (q) => q.position(model, messageId));
      } else {
        await both(step, (q) => q.size(model));
        await both(step, async (q) => (await q.activeJobs()).map((j) => j.jobId).sort());
      }
    }
    for (const model of models) {
      await both(600, async (q) => {
        const order: string[] = [];
        for (let job = await q.take(model, "drain"); job; job = await q.take(model, "drain")) order.push(job.messageId);
        return order;
      });
    }
  });
});

/** Drops timestamps, which come from different clocks (Redis TIME versus Date.now). */
function stripClocks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripClocks);
  if (value && typeof value === "object" && "leaseExpiresAt" in value) {
    const { enqueuedAt: _enqueuedAt, leaseExpiresAt: _leaseExpiresAt, ...rest } = value as Record<string, unknown>;
    return rest;
  }
  if (typeof value === "number" && value > 1e12) return "a timestamp";
  return value;
}
