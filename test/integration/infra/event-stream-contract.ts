import { expect } from "chai";
import { StreamClosedError, StreamLostError, StreamMovedError, type EventStreamStore, type StoredEvent } from "../../../src/infra/streams/index.js";
import { settle, sleep, within } from "./support.js";

export interface TestEvent {
  kind: string;
  n?: number;
  writer?: string;
}

/** Knobs of the Redis driver that tests turn down to keep waits short; the local driver has none. */
export interface StreamStoreTuning {
  livenessCheckIntervalMs?: number;
  replayPageSize?: number;
}

export interface EventStreamStoreFactory {
  /**
   * A store over the test's key space. With Redis every call makes a new store with its own connections, as a
   * replica would have; the in-process driver is one per process, so every call returns the same store.
   */
  create(tuning?: StreamStoreTuning): EventStreamStore<TestEvent>;
  /** Closes every store made and deletes what they stored. */
  cleanUp(): Promise<void>;
}

const short = { livenessCheckIntervalMs: 100, replayPageSize: 7 } satisfies StreamStoreTuning;

/** Takes events until the iteration ends (or `limit` are taken), failing the test if that takes over `ms`. */
async function drain(
  iterator: AsyncIterableIterator<StoredEvent<TestEvent>>,
  { limit = Infinity, ms = 5_000 }: { limit?: number; ms?: number } = {},
): Promise<StoredEvent<TestEvent>[]> {
  const taken: StoredEvent<TestEvent>[] = [];
  await within(
    ms,
    `taking events (got ${taken.length})`,
    (async () => {
      while (taken.length < limit) {
        const result = await iterator.next();
        if (result.done) return;
        taken.push(result.value);
      }
    })(),
  );
  return taken;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** The behaviour every EventStreamStore driver must have; run once per driver. */
export function describeEventStreamContract(driverName: string, makeFactory: () => EventStreamStoreFactory): void {
  describe(`EventStreamStore contract (${driverName})`, function () {
    let factory: EventStreamStoreFactory;
    let store: EventStreamStore<TestEvent>;

    beforeEach(function () {
      factory = makeFactory();
      store = factory.create(short);
    });

    afterEach(async function () {
      await factory.cleanUp();
    });

    describe("append and read", function () {
      it("numbers events from 1 without gaps when two replicas append to one stream at once", async function () {
        const other = factory.create(short);
        const appends = range(1, 100).flatMap((n) => [
          store.append("gen", { kind: "token", n, writer: "a" }),
          other.append("gen", { kind: "token", n, writer: "b" }),
        ]);
        const seqs = await Promise.all(appends);
        expect([...seqs].sort((x, y) => x - y)).to.deep.equal(range(1, 200));

        const events = await store.read("gen");
        expect(events.map((e) => e.seq)).to.deep.equal(range(1, 200));
        for (const writer of ["a", "b"]) {
          const ownOrder = events.filter((e) => e.event.writer === writer).map((e) => e.event.n);
          expect(ownOrder, `events of writer ${writer} keep its order`).to.deep.equal(range(1, 100));
        }
        expect(await other.lastSeq("gen")).to.equal(200);
      });

      it("reads the events after a seq, up to a limit, as they were appended", async function () {
        for (const n of range(1, 5)) await store.append("gen", { kind: "token", n });
        await store.append("gen", { kind: "finished" }, { terminal: true });

        expect((await store.read("gen", 2, 2)).map((e) => e.event.n)).to.deep.equal([3, 4]);
        const tail = await store.read("gen", 4);
        expect(tail).to.deep.equal([
          { seq: 5, event: { kind: "token", n: 5 }, terminal: false },
          { seq: 6, event: { kind: "finished" }, terminal: true },
        ]);
        expect(await store.read("gen", 6)).to.deep.equal([]);
        expect(await store.read("nothing-here")).to.deep.equal([]);
        expect(await store.lastSeq("gen")).to.equal(6);
        expect(await store.lastSeq("nothing-here")).to.equal(0);
      });

      it("keeps streams apart", async function () {
        await store.append("first", { kind: "token", n: 1 });
        expect(await store.append("second", { kind: "token", n: 1 })).to.equal(1);
        expect(await store.lastSeq("first")).to.equal(1);
      });

      it("refuses appends after the terminal event", async function () {
        await store.append("gen", { kind: "finished" }, { terminal: true });
        const { error } = await settle(store.append("gen", { kind: "token" }));
        expect(error).to.be.instanceOf(StreamClosedError);
        expect((error as StreamClosedError).streamKey).to.equal("gen");
        expect(await store.lastSeq("gen")).to.equal(1);
      });
    });

    describe("subscribe", function () {
      it("replays everything to a late subscriber, then follows the live tail to the terminal event", async function () {
        for (const n of range(1, 3)) await store.append("gen", { kind: "token", n });
        const subscription = store.subscribe("gen", 0);
        const replayed = await drain(subscription, { limit: 3 });
        expect(replayed.map((e) => e.seq)).to.deep.equal([1, 2, 3]);

        await store.append("gen", { kind: "token", n: 4 });
        await store.append("gen", { kind: "finished" }, { terminal: true });
        const live = await drain(subscription);
        expect(live.map((e) => [e.seq, e.event.kind, e.terminal])).to.deep.equal([
          [4, "token", false],
          [5, "finished", true],
        ]);
        expect(await subscription.next()).to.deep.equal({ value: undefined, done: true });
      });

      it("resumes after the seq a reconnecting subscriber saw", async function () {
        for (const n of range(1, 6)) await store.append("gen", { kind: "token", n });
        await store.append("gen", { kind: "finished" }, { terminal: true });
        const events = await drain(store.subscribe("gen", 4));
        expect(events.map((e) => e.seq)).to.deep.equal([5, 6, 7]);
      });

      it("ends at once for a subscriber that already saw the terminal event", async function () {
        await store.append("gen", { kind: "finished" }, { terminal: true });
        const events = await drain(store.subscribe("gen", 0));
        expect(events.map((e) => e.seq)).to.deep.equal([1]);
      });

      it("completes at once, with no events, for a subscriber resuming after the terminal event", async function () {
        await store.append("gen", { kind: "token", n: 1 });
        await store.append("gen", { kind: "finished" }, { terminal: true });
        // A hang here (waiting for events an ended stream never gets) fails on the test's timeout.
        expect(await drain(store.subscribe("gen", 2))).to.deep.equal([]);
        expect(store.activeSubscriptions()).to.equal(0);
      });

      it("appends with ifLastSeq only while the stream is at that seq, and appends nothing otherwise", async function () {
        expect(await store.append("gen", { kind: "queued", n: 1 }, { ifLastSeq: 0 })).to.equal(1);
        await store.append("gen", { kind: "started" });
        let moved: unknown;
        await store.append("gen", { kind: "queued", n: 2 }, { ifLastSeq: 1 }).catch((e: unknown) => (moved = e));
        expect(moved).to.be.instanceOf(StreamMovedError);
        expect((moved as StreamMovedError).lastSeq).to.equal(2);
        expect(await store.append("gen", { kind: "token", n: 3 }, { ifLastSeq: 2 })).to.equal(3);
        expect((await store.read("gen")).map((e) => e.event.kind)).to.deep.equal(["queued", "started", "token"]);
        let none: unknown;
        await store.append("other", { kind: "queued", n: 1 }, { ifLastSeq: 4 }).catch((e: unknown) => (none = e));
        expect(none).to.be.instanceOf(StreamMovedError);
        expect(await store.lastSeq("other")).to.equal(0);
      });

      it("waits for the first event of a stream that has not started", async function () {
        const subscription = store.subscribe("gen", 0);
        const first = subscription.next();
        await sleep(50);
        await factory.create(short).append("gen", { kind: "queued", n: 1 });
        expect((await within(2_000, "first event", first)).value).to.deep.include({ seq: 1 });
        await subscription.return!();
      });

      it("gives every subscriber every event", async function () {
        const early = store.subscribe("gen", 0);
        await store.append("gen", { kind: "token", n: 1 });
        const late = factory.create(short).subscribe("gen", 0);
        await store.append("gen", { kind: "token", n: 2 });
        await store.append("gen", { kind: "finished" }, { terminal: true });
        const [a, b] = await Promise.all([drain(early), drain(late)]);
        expect(a.map((e) => e.seq)).to.deep.equal([1, 2, 3]);
        expect(b.map((e) => e.seq)).to.deep.equal([1, 2, 3]);
        expect(a[0].event).to.deep.equal({ kind: "token", n: 1 });
      });

      it("neither loses nor repeats events across the replay/live boundary while a writer appends", async function () {
        const writer = factory.create(short);
        const total = 300;
        const subscriptions: { afterSeq: number; events: Promise<StoredEvent<TestEvent>[]> }[] = [];
        for (let n = 1; n <= total; n += 1) {
          await writer.append("gen", { kind: "token", n });
          // Subscribers join at many points, some on another replica, some resuming mid-stream.
          if (n % 37 === 0) {
            const afterSeq = n % 2 === 0 ? 0 : n - 5;
            const subscriber = n % 3 === 0 ? factory.create(short) : store;
            subscriptions.push({ afterSeq, events: drain(subscriber.subscribe("gen", afterSeq), { ms: 10_000 }) });
          }
        }
        await writer.append("gen", { kind: "finished" }, { terminal: true });
        for (const { afterSeq, events } of subscriptions) {
          expect((await events).map((e) => e.seq)).to.deep.equal(range(afterSeq + 1, total + 1));
        }
      });

      it("answers several next() calls waiting at once, in order", async function () {
        const subscription = store.subscribe("gen", 0);
        const calls = [subscription.next(), subscription.next(), subscription.next()];
        await store.append("gen", { kind: "token", n: 1 });
        await store.append("gen", { kind: "finished" }, { terminal: true });
        const results = await within(2_000, "three next() calls", Promise.all(calls));
        expect(results.map((r) => (r.done ? "done" : r.value.seq))).to.deep.equal([1, 2, "done"]);
      });

      it("stops a subscriber parked on next() as soon as it returns, and forgets it", async function () {
        const subscription = store.subscribe("gen", 0);
        const parked = subscription.next();
        await sleep(30);
        expect(store.activeSubscriptions()).to.equal(1);
        await subscription.return!();
        expect(await within(100, "the parked next() to end", parked)).to.deep.equal({ value: undefined, done: true });
        expect(store.activeSubscriptions()).to.equal(0);
        // Appending afterwards reaches nobody and breaks nothing.
        expect(await store.append("gen", { kind: "token" })).to.equal(1);
        expect(await subscription.next()).to.deep.equal({ value: undefined, done: true });
      });

      it("stops a subscriber when its abort signal fires", async function () {
        const controller = new AbortController();
        const subscription = store.subscribe("gen", 0, { signal: controller.signal });
        const parked = subscription.next();
        await sleep(30);
        controller.abort();
        expect(await within(100, "the parked next() to end", parked)).to.deep.equal({ value: undefined, done: true });
        expect(store.activeSubscriptions()).to.equal(0);
      });

      it("ends every subscription when the store closes", async function () {
        const own = factory.create(short);
        const subscription = own.subscribe("gen", 0);
        const parked = subscription.next();
        await sleep(30);
        await own.close();
        expect(await within(500, "the parked next() to end", parked)).to.deep.equal({ value: undefined, done: true });
      });

      it("serves 1,000 subscribers in one process", async function () {
        const streams = range(1, 250).map((n) => `gen-${n}`);
        const subscriptions = streams.flatMap((key) => range(1, 4).map(() => drain(store.subscribe(key, 0), { ms: 15_000 })));
        await sleep(50);
        const writer = factory.create(short);
        await Promise.all(
          streams.map(async (key) => {
            await writer.append(key, { kind: "token", n: 1 });
            await writer.append(key, { kind: "token", n: 2 });
            await writer.append(key, { kind: "finished" }, { terminal: true });
          }),
        );
        const results = await Promise.all(subscriptions);
        expect(results).to.have.length(1_000);
        for (const events of results) expect(events.map((e) => e.seq)).to.deep.equal([1, 2, 3]);
        expect(store.activeSubscriptions()).to.equal(0);
      });
    });

    describe("lost streams", function () {
      it("refuses to resume past the end of a stream, which means it is not the stream the subscriber saw", async function () {
        await store.append("gen", { kind: "token", n: 1 });
        const { error } = await settle(drain(store.subscribe("gen", 5)));
        expect(error).to.be.instanceOf(StreamLostError);
        expect((error as StreamLostError).reason).to.equal("replaced");
      });

      it("refuses to resume a stream that no longer exists", async function () {
        const { error } = await settle(drain(store.subscribe("gen", 3)));
        expect(error).to.be.instanceOf(StreamLostError);
        expect((error as StreamLostError).reason).to.equal("vanished");
      });

      it("tells live subscribers when their stream is deleted, even by another replica", async function () {
        await store.append("gen", { kind: "token", n: 1 });
        const subscription = store.subscribe("gen", 0);
        await drain(subscription, { limit: 1 });
        const parked = settle(subscription.next());
        await factory.create(short).delete("gen");
        const { error } = await within(2_000, "StreamLostError", parked);
        expect(error).to.be.instanceOf(StreamLostError);
        expect((error as StreamLostError).reason).to.equal("vanished");
        expect(store.activeSubscriptions()).to.equal(0);
      });

      it("tells live subscribers when a new stream replaces theirs under the same key", async function () {
        await store.append("gen", { kind: "token", n: 1 });
        await store.append("gen", { kind: "token", n: 2 });
        const subscription = store.subscribe("gen", 0);
        await drain(subscription, { limit: 2 });
        const parked = settle(subscription.next());
        const other = factory.create(short);
        await other.delete("gen");
        for (const n of range(1, 4)) await other.append("gen", { kind: "restarted", n });
        const { error } = await within(2_000, "StreamLostError", parked);
        expect(error).to.be.instanceOf(StreamLostError);
        expect((error as StreamLostError).reason).to.be.oneOf(["vanished", "replaced"]);
      });

      it("hands out the events a subscriber already received before the loss", async function () {
        const subscription = store.subscribe("gen", 0);
        await store.append("gen", { kind: "token", n: 1 });
        await store.append("gen", { kind: "token", n: 2 });
        await sleep(50);
        await store.delete("gen");
        const received: number[] = [];
        const { error } = await settle(
          within(
            2_000,
            "the subscription to end",
            (async () => {
              for await (const event of subscription) received.push(event.seq);
            })(),
          ),
        );
        expect(received).to.deep.equal([1, 2]);
        expect(error).to.be.instanceOf(StreamLostError);
      });
    });

    describe("expiry", function () {
      it("removes a stream when its expiry passes", async function () {
        await store.append("gen", { kind: "finished" }, { terminal: true });
        await store.expire("gen", 0.15);
        expect(await store.lastSeq("gen")).to.equal(1);
        await sleep(300);
        expect(await store.lastSeq("gen")).to.equal(0);
        expect(await store.read("gen")).to.deep.equal([]);
        // The key is free for a new stream.
        expect(await store.append("gen", { kind: "queued" })).to.equal(1);
      });

      it("applies the time to live given with an append, renewed by each append", async function () {
        await store.append("gen", { kind: "token", n: 1 }, { ttlSeconds: 0.2 });
        await sleep(120);
        await store.append("gen", { kind: "token", n: 2 }, { ttlSeconds: 0.2 });
        await sleep(120);
        expect(await store.lastSeq("gen"), "renewed by the second append").to.equal(2);
        await sleep(200);
        expect(await store.lastSeq("gen")).to.equal(0);
      });

      it("tells a live subscriber when its unfinished stream expires", async function () {
        const subscription = store.subscribe("gen", 0);
        await store.append("gen", { kind: "token", n: 1 }, { ttlSeconds: 0.1 });
        await drain(subscription, { limit: 1 });
        const { error } = await within(2_000, "StreamLostError", settle(subscription.next()));
        expect(error).to.be.instanceOf(StreamLostError);
      });
    });
  });
}
