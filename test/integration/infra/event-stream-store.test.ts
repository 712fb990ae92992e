import { LocalEventStreamStore, RedisEventStreamStore, type EventStreamStore } from "../../../src/infra/streams/index.js";
import { describeEventStreamContract, type TestEvent } from "./event-stream-contract.js";
import { deleteKeysWithPrefix, randomKeyPrefix, testRedisUrl } from "./support.js";

describeEventStreamContract("local", () => {
  let store: LocalEventStreamStore<TestEvent> | undefined;
  return {
    create: () => (store ??= new LocalEventStreamStore<TestEvent>()),
    cleanUp: async () => {
      await store?.close();
    },
  };
});

describeEventStreamContract("redis", () => {
  const redisUrl = testRedisUrl();
  const keyPrefix = randomKeyPrefix();
  const stores: EventStreamStore<TestEvent>[] = [];
  return {
    create: (tuning) => {
      const store = new RedisEventStreamStore<TestEvent>({ redisUrl, keyPrefix, ...tuning });
      stores.push(store);
      return store;
    },
    cleanUp: async () => {
      await Promise.all(stores.map((store) => store.close()));
      await deleteKeysWithPrefix(redisUrl, keyPrefix);
    },
  };
});
