import type { GenerationQueue, GenerationQueueOptions, JobPayload } from "./generation-queue.js";
import { LocalGenerationQueue, type LocalGenerationQueueOptions } from "./local-generation-queue.js";
import { RedisGenerationQueue, type RedisGenerationQueueOptions } from "./redis-generation-queue.js";

export * from "./generation-queue.js";
export * from "./errors.js";
export { LocalGenerationQueue, type LocalGenerationQueueOptions } from "./local-generation-queue.js";
export { RedisGenerationQueue, type RedisGenerationQueueOptions } from "./redis-generation-queue.js";
export { RedisUnavailableError } from "../streams/redis-connection.js";

export type CreateGenerationQueueOptions = GenerationQueueOptions &
  Omit<RedisGenerationQueueOptions, "redisUrl"> &
  Pick<LocalGenerationQueueOptions, "now"> & {
    /** Redis shares the queues between replicas; without it they live in this process only. */
    redisUrl?: string;
  };

/** The Redis driver when `redisUrl` is set, the in-process one otherwise. `now` applies to the local driver only. */
export function createGenerationQueue<P extends JobPayload = JobPayload>(options: CreateGenerationQueueOptions = {}): GenerationQueue<P> {
  const { redisUrl, now, ...rest } = options;
  if (redisUrl) return new RedisGenerationQueue<P>({ ...rest, redisUrl });
  return new LocalGenerationQueue<P>({
    maxQueueSize: options.maxQueueSize,
    maxAttempts: options.maxAttempts,
    leaseMs: options.leaseMs,
    newJobId: options.newJobId,
    now,
  });
}
