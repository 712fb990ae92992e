import type { EventStreamStore, EventStreamStoreTtlOptions } from "./event-stream-store.js";
import { LocalEventStreamStore } from "./local-event-stream-store.js";
import { RedisEventStreamStore, type RedisEventStreamStoreOptions } from "./redis-event-stream-store.js";

export * from "./event-stream-store.js";
export * from "./errors.js";
export { LocalEventStreamStore } from "./local-event-stream-store.js";
export { RedisEventStreamStore, type RedisEventStreamStoreOptions } from "./redis-event-stream-store.js";
export { RedisUnavailableError } from "./redis-connection.js";
export { isPushable, type EventSink, type PushableEvents } from "./stream-subscription.js";

export type CreateEventStreamStoreOptions = EventStreamStoreTtlOptions &
  Omit<RedisEventStreamStoreOptions, "redisUrl"> & {
    /** Redis shares the streams between replicas; without it they live in this process only. */
    redisUrl?: string;
  };

/** The Redis driver when `redisUrl` is set, the in-process one otherwise (options for Redis are then ignored). */
export function createEventStreamStore<E extends object = Record<string, unknown>>(options: CreateEventStreamStoreOptions = {}): EventStreamStore<E> {
  const { redisUrl, ...rest } = options;
  if (redisUrl) return new RedisEventStreamStore<E>({ ...rest, redisUrl });
  return new LocalEventStreamStore<E>({
    idleTtlSeconds: options.idleTtlSeconds,
    finishedTtlSeconds: options.finishedTtlSeconds,
  });
}
