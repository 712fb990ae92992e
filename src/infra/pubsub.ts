import { createPubSub, type PubSub } from "@graphql-yoga/subscription";
import { newRedis, redisEventTarget } from "./redis-modules.js";

/** Topics and their payloads; modules add theirs here. */
export type Topics = Record<string, [unknown] | [string | number, unknown]>;

export interface PubSubHandle {
  pubSub: PubSub<Topics>;
  close(): Promise<void>;
}

/** Redis pub/sub when a URL is given, so every replica sees every event; in-process otherwise. */
export function createPubSubHandle(redisUrl: string | undefined, onError: (err: Error) => void = () => undefined): PubSubHandle {
  if (!redisUrl) return { pubSub: createPubSub<Topics>(), close: async () => undefined };
  const publishClient = newRedis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
  const subscribeClient = newRedis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
  // Without a listener ioredis prints every reconnect failure; readiness reports Redis being down instead.
  publishClient.on("error", onError);
  subscribeClient.on("error", onError);
  const eventTarget = redisEventTarget().createRedisEventTarget({ publishClient, subscribeClient });
  return {
    pubSub: createPubSub<Topics>({ eventTarget }),
    close: async () => {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
