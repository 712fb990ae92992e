import { LocalGenerationQueue, RedisGenerationQueue, type GenerationQueue } from "../../../src/infra/queue/index.js";
import { describeGenerationQueueContract, type TestPayload } from "./generation-queue-contract.js";
import { deleteKeysWithPrefix, randomKeyPrefix, testRedisUrl } from "./support.js";

describeGenerationQueueContract("local", () => {
  let queue: LocalGenerationQueue<TestPayload> | undefined;
  return {
    create: (options) => (queue ??= new LocalGenerationQueue<TestPayload>(options)),
    cleanUp: async () => {
      await queue?.close();
    },
  };
});

describeGenerationQueueContract("redis", () => {
  const redisUrl = testRedisUrl();
  const keyPrefix = randomKeyPrefix();
  const queues: GenerationQueue<TestPayload>[] = [];
  return {
    create: (options) => {
      const queue = new RedisGenerationQueue<TestPayload>({ ...options, redisUrl, keyPrefix });
      queues.push(queue);
      return queue;
    },
    cleanUp: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
      await deleteKeysWithPrefix(redisUrl, keyPrefix);
    },
  };
});
