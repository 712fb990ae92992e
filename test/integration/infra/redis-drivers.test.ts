import { expect } from "chai";
import { Redis } from "ioredis";
import { RedisEventStreamStore, RedisUnavailableError, StreamLostError } from "../../../src/infra/streams/index.js";
import { RedisGenerationQueue } from "../../../src/infra/queue/index.js";
import { startPrivateRedis, privateServicesAvailable, type PrivateRedis } from "../../helpers/private-services.js";
import { describeNeeding } from "../../helpers/prerequisites.js";
import { deleteKeysWithPrefix, eventually, randomKeyPrefix, RedisOutageProxy, settle, sleep, testRedisUrl, within } from "./support.js";

interface Event {
  n: number;
}

/** Lines of CLIENT LIST for connections named `name`. */
async function clientsNamed(redis: Redis, name: string): Promise<string[]> {
  const list = (await redis.client("LIST")) as string;
  return list.split("\n").filter((line) => line.includes(` name=${name} `));
}

/** Whether a CLIENT LIST line shows a client parked in a blocking command. */
function isBlocked(line: string): boolean {
  return /flags=\w*b/.test(line);
}

describe("Redis event streams, beyond the contract", function () {
  const redisUrl = testRedisUrl();
  let keyPrefix: string;
  let admin: Redis;
  let closeables: { close(): Promise<void> }[];

  beforeEach(function () {
    keyPrefix = randomKeyPrefix();
    admin = new Redis(redisUrl);
    closeables = [];
  });

  afterEach(async function () {
    await Promise.all(closeables.map((c) => c.close()));
    await deleteKeysWithPrefix(redisUrl, keyPrefix);
    admin.disconnect();
  });

  function makeStore(options: Partial<ConstructorParameters<typeof RedisEventStreamStore>[0]> = {}) {
    const store = new RedisEventStreamStore<Event>({ redisUrl, keyPrefix, livenessCheckIntervalMs: 100, ...options });
    closeables.push(store);
    return store;
  }

  it("opens its first reader connection when it is made, before any stream is followed, and reads nothing on it", async function () {
    const connectionName = `chorus-test-${keyPrefix.split(":")[1]}`;
    makeStore({ connectionName });
    await eventually(2_000, async () => {
      const readers = await clientsNamed(admin, `${connectionName}-reader`);
      expect(readers).to.have.length(1);
      expect(readers.filter(isBlocked), "no XREAD without a stream to follow").to.deep.equal([]);
    });
  });

  it("follows 1,000 streams over a few reader connections and parks no blocking read once they are done", async function () {
    const connectionName = `chorus-test-${keyPrefix.split(":")[1]}`;
    const store = makeStore({ connectionName, livenessCheckIntervalMs: 5_000 });
    const subscriptions = Array.from({ length: 1_000 }, (_, i) => store.subscribe(`gen-${i}`, 0));
    const firstEvents = subscriptions.map((s) => s.next());
    await eventually(2_000, async () => {
      const readers = await clientsNamed(admin, `${connectionName}-reader`);
      expect(readers).to.have.length(4); // 1,000 streams at 256 per reader
      expect(readers.every(isBlocked), "each reader waits in one XREAD").to.equal(true);
    });

    const writer = makeStore();
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => writer.append(`gen-${i}`, { n: i })));
    const received = await within(5_000, "first events", Promise.all(firstEvents));
    expect(received.map((r) => r.value?.event.n)).to.deep.equal(Array.from({ length: 1_000 }, (_, i) => i));

    await Promise.all(subscriptions.map((s) => s.return!()));
    expect(store.activeSubscriptions()).to.equal(0);
    await eventually(1_000, async () => {
      const readers = await clientsNamed(admin, `${connectionName}-reader`);
      expect(readers.filter(isBlocked), "readers parked after every subscriber left").to.deep.equal([]);
    });
  });

  it("reads what its streams appended while it waited after a read in one XREAD (readGatherMs)", async function () {
    const connectionName = `chorus-test-${keyPrefix.split(":")[1]}`;
    const store = makeStore({ connectionName, livenessCheckIntervalMs: 5_000, readGatherMs: 5_000 });
    const [a, b, c] = ["a", "b", "c"].map((key) => store.subscribe(key, 0));
    await eventually(2_000, async () => expect((await clientsNamed(admin, `${connectionName}-reader`)).filter(isBlocked)).to.have.length(1));
    const writer = makeStore();
    await writer.append("a", { n: 1 });
    expect((await within(5_000, "a's event", a.next())).value?.event).to.deep.equal({ n: 1 });

    // The reader now waits before its next read; two appends made apart come back from one XREAD (without the wait,
    // the first append would end a parked XREAD and the second need another one).
    const monitor = await admin.monitor();
    const reads: string[][] = [];
    // MONITOR's feed reaches its connection on its own schedule, possibly after the reader's reply: a marker sent once
    // b's and c's events are in is seen after every command Redis ran before it, so the feed is complete up to it.
    const marker = `marker-${keyPrefix}`;
    let markerSeen: () => void = () => {};
    const markerInFeed = new Promise<void>((resolve) => (markerSeen = resolve));
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args[0]?.toUpperCase() === "XREAD" && args.some((arg) => arg.startsWith(keyPrefix))) reads.push(args);
      if (args[0]?.toUpperCase() === "ECHO" && args[1] === marker) markerSeen();
    });
    let gotB: IteratorResult<unknown>;
    let gotC: IteratorResult<unknown>;
    try {
      await writer.append("b", { n: 2 });
      await sleep(300);
      await writer.append("c", { n: 3 });
      [gotB, gotC] = await within(10_000, "b's and c's events", Promise.all([b.next(), c.next()]));
      await admin.echo(marker);
      await within(5_000, "the marker in MONITOR's feed", markerInFeed);
    } finally {
      monitor.disconnect();
    }
    expect([(gotB.value as { event?: unknown })?.event, (gotC.value as { event?: unknown })?.event]).to.deep.equal([{ n: 2 }, { n: 3 }]);
    expect(reads, "XREADs that brought b's and c's events").to.have.length(1);
  });

  it("wakes no reader for a stream subscribed between its reads, and follows that stream from its next read", async function () {
    const connectionName = `chorus-test-${keyPrefix.split(":")[1]}`;
    const store = makeStore({ connectionName, livenessCheckIntervalMs: 5_000, readGatherMs: 2_000 });
    const a = store.subscribe("a", 0);
    await eventually(2_000, async () => expect((await clientsNamed(admin, `${connectionName}-reader`)).filter(isBlocked)).to.have.length(1));
    const writer = makeStore();
    await writer.append("a", { n: 1 });
    expect((await within(5_000, "a's event", a.next())).value?.event).to.deep.equal({ n: 1 });

    // The reader now waits before its next read (readGatherMs): a stream subscribed meanwhile is in that read's
    // snapshot, so nothing needs to end a parked XREAD (a wake-up was a MULTI/EXEC and a wasted XREAD of every stream).
    const monitor = await admin.monitor();
    const wakes: string[][] = [];
    const reads: string[][] = [];
    const marker = `marker-${keyPrefix}`;
    let markerSeen: () => void = () => {};
    const markerInFeed = new Promise<void>((resolve) => (markerSeen = resolve));
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args[0]?.toUpperCase() === "XADD" && args[1]?.startsWith(`${keyPrefix}stream-reader-wake:`)) wakes.push(args);
      if (args[0]?.toUpperCase() === "XREAD" && args.some((arg) => arg.startsWith(keyPrefix))) reads.push(args);
      if (args[0]?.toUpperCase() === "ECHO" && args[1] === marker) markerSeen();
    });
    let got: IteratorResult<unknown>;
    try {
      const d = store.subscribe("d", 0);
      await writer.append("d", { n: 4 });
      got = await within(10_000, "d's event", d.next());
      await admin.echo(marker);
      await within(5_000, "the marker in MONITOR's feed", markerInFeed);
    } finally {
      monitor.disconnect();
    }
    expect((got.value as { event?: unknown })?.event).to.deep.equal({ n: 4 });
    expect(wakes, "wake-ups sent").to.deep.equal([]);
    expect(reads[0], "the next XREAD names d's stream").to.include(`${keyPrefix}stream:{d}`);
  });

  it("reads an append of its own made with readAtOnce without waiting out its gathering wait; others wait for it", async function () {
    const connectionName = `chorus-test-${keyPrefix.split(":")[1]}`;
    // A gathering wait far longer than the test, so an event that arrives did not wait it out.
    const store = makeStore({ connectionName, livenessCheckIntervalMs: 60_000, readGatherMs: 60_000 });
    const [a, b, c] = ["a", "b", "c"].map((key) => store.subscribe(key, 0));
    await eventually(2_000, async () => expect((await clientsNamed(admin, `${connectionName}-reader`)).filter(isBlocked)).to.have.length(1));
    await store.append("a", { n: 1 });
    expect((await within(5_000, "a's event", a.next())).value?.event).to.deep.equal({ n: 1 });

    // The reader now waits before its next read. An ordinary append waits with it...
    const nextOfB = b.next();
    let bArrived = false;
    void nextOfB.then(() => (bArrived = true));
    await store.append("b", { n: 2 });
    await sleep(500);
    expect(bArrived, "an ordinary append is read only after the gathering wait").to.equal(false);
    // ...an append with readAtOnce ends the wait: its next read brings it, and what others appended meanwhile.
    await store.append("c", { n: 3 }, { readAtOnce: true });
    const [gotB, gotC] = await within(5_000, "b's and c's events", Promise.all([nextOfB, c.next()]));
    expect([gotB.value?.event, gotC.value?.event]).to.deep.equal([{ n: 2 }, { n: 3 }]);
  });

  it("replays a subscription's page with one command of its own, read atomically by a script", async function () {
    const store = makeStore({ livenessCheckIntervalMs: 5_000 });
    const writer = makeStore();
    for (const key of ["warm", "a", "b"]) {
      await writer.append(key, { n: 1 });
      await writer.append(key, { n: 2 }, { terminal: true });
    }
    const replay = async (key: string) => {
      const seen: number[] = [];
      for await (const e of store.subscribe(key, 0)) seen.push(e.event.n);
      return seen;
    };
    // The script is loaded by the first replay (its EVALSHA is answered NOSCRIPT once).
    expect(await replay("warm")).to.deep.equal([1, 2]);
    const monitor = await admin.monitor();
    const commands: string[][] = [];
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      // The commands sent for these streams, not those a script ran (MONITOR shows both).
      if (source !== "lua" && args.some((arg) => arg.startsWith(keyPrefix))) commands.push(args);
    });
    let seen: number[][];
    try {
      seen = await within(5_000, "the replays", Promise.all([replay("a"), replay("b")]));
      await sleep(100);
    } finally {
      monitor.disconnect();
    }
    expect(seen).to.deep.equal([
      [1, 2],
      [1, 2],
    ]);
    expect(
      commands.map((c) => c[0].toUpperCase()),
      JSON.stringify(commands),
    ).to.deep.equal(["EVALSHA", "EVALSHA"]);
  });

  it("sends the appends of one turn to several streams as one command, each with its own outcome and in order", async function () {
    const store = makeStore();
    // The script is loaded when the store is made (SCRIPT LOAD), and "closed" ends.
    await store.append("closed", { n: 1 }, { terminal: true });
    await store.append("moved", { n: 1 });
    const monitor = await admin.monitor();
    const commands: string[][] = [];
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      if (source !== "lua" && args.some((arg) => arg.startsWith(keyPrefix))) commands.push(args);
    });
    let outcomes: unknown[];
    try {
      outcomes = await Promise.all(
        [
          store.append("a", { n: 1 }),
          store.append("b", { n: 1 }),
          store.append("a", { n: 2 }),
          store.append("closed", { n: 2 }),
          store.append("moved", { n: 2 }, { ifLastSeq: 0 }),
          store.append("a", { n: 3 }, { terminal: true }),
        ].map((p) => p.catch((err: Error) => err.name)),
      );
      await sleep(100);
    } finally {
      monitor.disconnect();
    }
    expect(outcomes).to.deep.equal([1, 1, 2, "StreamClosedError", "StreamMovedError", 3]);
    expect(commands.map((c) => c[0].toUpperCase())).to.deep.equal(["EVALSHA"]);
    expect((await store.read("a")).map((e) => [e.seq, e.event.n, e.terminal])).to.deep.equal([
      [1, 1, false],
      [2, 2, false],
      [3, 3, true],
    ]);
    expect((await store.read("moved")).map((e) => e.event.n)).to.deep.equal([1]);
  });

  it("keeps each entry's seq as its Redis stream id, so the stream can be inspected by hand", async function () {
    const store = makeStore();
    await store.append("gen", { n: 1 });
    await store.append("gen", { n: 2 }, { terminal: true });
    const entries = await admin.xrange(`${keyPrefix}stream:{gen}`, "-", "+");
    expect(entries.map(([id]) => id)).to.deep.equal(["1-0", "2-0"]);
    const ttl = await admin.pttl(`${keyPrefix}stream:{gen}`);
    expect(ttl, "finished streams expire").to.be.within(1, 300_000);
  });

  describe("when Redis restarts", function () {
    let proxy: RedisOutageProxy;

    beforeEach(async function () {
      proxy = RedisOutageProxy.forUrl(redisUrl);
      await proxy.start();
    });

    afterEach(async function () {
      await proxy.stop();
    });

    function storeBehindProxy(options: Partial<ConstructorParameters<typeof RedisEventStreamStore>[0]> = {}) {
      return makeStore({ redisUrl: proxy.urlFor(redisUrl), reconnectMaxDelayMs: 100, ...options });
    }

    /** What clients see of a restart that kept nothing: connections cut, then an empty Redis. */
    async function restartLosingEverything(downMs = 200): Promise<void> {
      await proxy.stop();
      await deleteKeysWithPrefix(redisUrl, keyPrefix);
      await sleep(downMs);
      await proxy.start();
    }

    it("fails operations with RedisUnavailableError while Redis is down and works again after", async function () {
      const store = storeBehindProxy();
      expect(await store.append("gen", { n: 1 })).to.equal(1);
      await proxy.stop();
      for (const operation of [store.append("gen", { n: 2 }), store.lastSeq("gen"), store.read("gen")]) {
        const { error } = await within(2_000, "the failure", settle<unknown>(operation));
        expect(error).to.be.instanceOf(RedisUnavailableError);
        expect((error as Error).message).to.match(/^Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unavailable/);
      }
      await deleteKeysWithPrefix(redisUrl, keyPrefix);
      await proxy.start();
      const seq = await eventually(3_000, () => store.append("gen", { n: 3 }));
      expect(seq, "the lost stream starts again").to.equal(1);
    });

    it("fails a subscription made while Redis is down", async function () {
      const store = storeBehindProxy();
      await store.lastSeq("gen"); // connected once
      await proxy.stop();
      const { error } = await within(2_000, "the failure", settle(store.subscribe("gen", 0).next()));
      expect(error).to.be.instanceOf(RedisUnavailableError);
    });

    it("tells a live subscriber that its stream was lost, once Redis is back", async function () {
      const store = storeBehindProxy();
      const subscription = store.subscribe("gen", 0);
      await store.append("gen", { n: 1 });
      expect((await within(1_000, "first event", subscription.next())).value?.seq).to.equal(1);
      const parked = settle(subscription.next());
      await restartLosingEverything();
      const { error } = await within(3_000, "StreamLostError", parked);
      expect(error).to.be.instanceOf(StreamLostError);
      expect((error as StreamLostError).reason).to.equal("vanished");
    });

    it("tells a live subscriber when a writer restarted its stream from seq 1 during the outage", async function () {
      const store = storeBehindProxy();
      const subscription = store.subscribe("gen", 0);
      for (let n = 1; n <= 3; n += 1) await store.append("gen", { n });
      for (let n = 1; n <= 3; n += 1) await within(1_000, "events", subscription.next());
      const parked = settle(subscription.next());
      await proxy.stop();
      await deleteKeysWithPrefix(redisUrl, keyPrefix);
      // A writer that reached Redis directly started the generation over, past the subscriber's seq.
      const writer = makeStore();
      for (let n = 1; n <= 5; n += 1) await writer.append("gen", { n: 100 + n });
      await proxy.start();
      const { error } = await within(3_000, "StreamLostError", parked);
      expect(error).to.be.instanceOf(StreamLostError);
      expect((error as StreamLostError).reason).to.equal("replaced");
    });

    it("carries a live subscriber through an outage that lost nothing", async function () {
      const store = storeBehindProxy();
      const subscription = store.subscribe("gen", 0);
      await store.append("gen", { n: 1 });
      await within(1_000, "first event", subscription.next());
      const next = subscription.next();
      await proxy.stop();
      await sleep(200);
      await proxy.start();
      await makeStore().append("gen", { n: 2 }, { terminal: true });
      expect((await within(3_000, "second event", next)).value).to.deep.include({ seq: 2, terminal: true });
    });

    it("ends subscriptions with StreamLostError('unavailable') when Redis stays away too long", async function () {
      const store = storeBehindProxy({ outageToleranceMs: 300 });
      const subscription = store.subscribe("gen", 0);
      await store.append("gen", { n: 1 });
      await within(1_000, "first event", subscription.next());
      const parked = settle(subscription.next());
      await proxy.stop();
      const { error } = await within(3_000, "StreamLostError", parked);
      expect(error).to.be.instanceOf(StreamLostError);
      expect((error as StreamLostError).reason).to.equal("unavailable");
      expect((error as StreamLostError).cause).to.be.instanceOf(RedisUnavailableError);
    });
  });
});

describe("Redis generation queue, beyond the contract", function () {
  const redisUrl = testRedisUrl();
  let keyPrefix: string;
  let proxy: RedisOutageProxy;
  let queue: RedisGenerationQueue;

  beforeEach(async function () {
    keyPrefix = randomKeyPrefix();
    proxy = RedisOutageProxy.forUrl(redisUrl);
    await proxy.start();
    queue = new RedisGenerationQueue({ redisUrl: proxy.urlFor(redisUrl), keyPrefix, reconnectMaxDelayMs: 100 });
  });

  afterEach(async function () {
    await queue.close();
    await proxy.stop();
    await deleteKeysWithPrefix(redisUrl, keyPrefix);
  });

  it("fails with RedisUnavailableError while Redis is down and starts empty after a restart that lost everything", async function () {
    const job = (messageId: string) => ({ messageId, userId: "alice", payload: {} });
    await queue.enqueue("tiny", job("m1"));
    await proxy.stop();
    for (const operation of [queue.enqueue("tiny", job("m2")), queue.take("tiny", "gpu"), queue.size("tiny")]) {
      const { error } = await within(2_000, "the failure", settle<unknown>(operation));
      expect(error).to.be.instanceOf(RedisUnavailableError);
    }
    await deleteKeysWithPrefix(redisUrl, keyPrefix);
    await proxy.start();
    // PostgreSQL is the record: the reconciler enqueues again what the restart lost.
    expect(await eventually(3_000, () => queue.size("tiny"))).to.equal(0);
    expect(await queue.enqueue("tiny", job("m1"))).to.deep.equal({ created: true, position: 1, queueSize: 1 });
  });
});

/** How often `command` ran on the server since it started, from INFO commandstats (0 when never). */
async function commandCalls(redis: Redis, command: string): Promise<number> {
  const stats = (await redis.info("commandstats")) as string;
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, "m").exec(stats)?.[1] ?? 0);
}

// A private Redis: its script cache starts empty, as a fresh server's does (the shared one knows every script already).
describeNeeding(privateServicesAvailable().redis ? [] : ["redis-server"], "Redis drivers' Lua scripts", function () {
  let redis: PrivateRedis;
  let admin: Redis;
  let closeables: { close(): Promise<void> }[];

  beforeEach(async function () {
    redis = await startPrivateRedis();
    admin = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    admin.on("error", () => undefined);
    closeables = [];
  });

  afterEach(async function () {
    await Promise.all(closeables.map((c) => c.close()));
    admin.disconnect();
    await redis.stop();
  });

  /** A first burst of appends and queue calls, all issued at once. */
  async function burst(store: RedisEventStreamStore<Event>, queue: RedisGenerationQueue, round: string): Promise<void> {
    await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => store.append(`${round}-${i}`, { n: i })),
      ...Array.from({ length: 50 }, (_, i) => queue.enqueue("tiny", { messageId: `${round}-${i}`, userId: `u${i % 5}`, payload: {} })),
      ...Array.from({ length: 10 }, () => queue.size("tiny")),
    ]);
  }

  it("are loaded before their first use, and again after Redis restarts: no call falls back to EVAL", async function () {
    const store = new RedisEventStreamStore<Event>({ redisUrl: redis.url, keyPrefix: "wfast:", reconnectMaxDelayMs: 100 });
    const queue = new RedisGenerationQueue({ redisUrl: redis.url, keyPrefix: "wfast:", reconnectMaxDelayMs: 100 });
    closeables.push(store, queue);
    await burst(store, queue, "first");
    expect(await commandCalls(admin, "evalsha"), "50 enqueues, 10 sizes and the appends").to.be.greaterThan(60);
    expect(await commandCalls(admin, "eval"), "NOSCRIPT fallbacks").to.equal(0);

    // A restart forgets every script (and resets the counters): the drivers load them again before using them.
    await redis.restart();
    await eventually(5_000, () => queue.size("tiny"));
    await eventually(5_000, () => store.append("after-restart", { n: 0 }));
    await burst(store, queue, "second");
    expect(await commandCalls(admin, "evalsha")).to.be.greaterThan(60);
    expect(await commandCalls(admin, "eval"), "NOSCRIPT fallbacks after the restart").to.equal(0);
  });

  it("still answer when the scripts were flushed under them (SCRIPT FLUSH), by EVAL", async function () {
    const queue = new RedisGenerationQueue({ redisUrl: redis.url, keyPrefix: "wfast:", reconnectMaxDelayMs: 100 });
    closeables.push(queue);
    expect(await queue.size("tiny")).to.equal(0);
    await admin.script("FLUSH");
    expect(await queue.size("tiny")).to.equal(0);
    expect(await commandCalls(admin, "eval")).to.equal(1);
  });
});
