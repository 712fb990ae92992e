/**
 * The dispatcher's hand-out, with the generation record replaced by a fake whose `start` the test resolves by hand,
 * so what the dispatcher does while jobs are being started is seen without timing anything. The queue is the real
 * in-process driver (the same semantics as the Redis one).
 */
import "reflect-metadata";
import { expect } from "chai";
import pino from "pino";
import type { DataSource } from "typeorm";
import { LocalGenerationQueue } from "../../src/infra/queue/index.js";
import { createPubSubHandle } from "../../src/infra/pubsub.js";
import type { ChatConfig } from "../../src/config/index.js";
import type { ModelCatalog } from "../../src/modules/chat/models.js";
import type { GenerationService, StartOutcome } from "../../src/modules/chat/generation/generation.service.js";
import { WorkerService, type WorkerHello, type WorkerSession } from "../../src/modules/workers/worker.service.js";
import { WorkerConnection } from "../../src/modules/workers/sessions/worker-connection.js";
import { LocalWorkerRegistry } from "../../src/modules/workers/sessions/worker-registry.js";
import type { WorkerJob } from "../../src/modules/workers/worker.types.js";

const MODEL = "m";

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A dispatcher over a real queue whose starts wait until the test lets each one through. */
function dispatcher() {
  const queue = new LocalGenerationQueue();
  const starts = new Map<string, (outcome: StartOutcome) => void>();
  const startCalled: (() => void)[] = [];
  const requeued: string[] = [];
  const generations = {
    queue,
    start: (messageId: string) => {
      const d = deferred<StartOutcome>();
      starts.set(messageId, d.resolve);
      startCalled.shift()?.();
      return d.promise;
    },
    unclaim: async () => 0,
    requeued: async (messageId: string) => void requeued.push(messageId),
    end: async () => true,
    failed: async () => true,
  } as unknown as GenerationService;
  const ds = {
    query: async () => [],
    getRepository: () => ({ findOneBy: async ({ id }: { id: string }) => ({ id, model: MODEL, cancelRequestedAt: null }) }),
  } as unknown as DataSource;
  const declaration = { id: MODEL, maxInputLength: 1_000, charsPerToken: 4 };
  const catalog = { get: (id: string) => (id === MODEL ? declaration : undefined), ids: () => [MODEL] } as unknown as ModelCatalog;
  const config = { workerLeaseMs: 60_000, tokenBatchMs: 50 } as ChatConfig;
  const pubSub = createPubSubHandle(undefined);
  /** The topics announced to every replica. */
  const published: string[] = [];
  const publish = pubSub.pubSub.publish.bind(pubSub.pubSub);
  pubSub.pubSub.publish = ((topic: string, ...rest: unknown[]) => {
    published.push(topic);
    return (publish as (topic: string, ...rest: unknown[]) => void)(topic, ...rest);
  }) as typeof pubSub.pubSub.publish;
  const service = new WorkerService(ds, config, catalog, generations, pubSub, pino({ level: "silent" }), new LocalWorkerRegistry());
  const started = (messageId: string) =>
    starts.get(messageId)!({
      started: true,
      message: { id: messageId, model: MODEL, parentId: null, chatId: "chat", text: "", sampling: { maxNewTokens: 16, temperature: 1, topP: 1, seed: 1 } },
      continueFrom: null,
    } as unknown as StartOutcome);
  /** Resolves once `start` has been called `count` more times. */
  const startsCalled = (count: number) => Promise.all(Array.from({ length: count }, () => new Promise<void>((r) => startCalled.push(r))));
  return { queue, service, starts, started, startsCalled, requeued, published };
}

const hello = (capacity: number): WorkerHello => ({ protocolVersion: 1, models: [MODEL], capacity, hardware: { device: "test" }, name: "w" });

describe("worker hand-out", () => {
  it("a worker with free capacity gets several queued jobs started together, each delivered as soon as it is started", async () => {
    const d = dispatcher();
    // two users: fair turns decide which three of the four jobs are taken
    for (const [messageId, userId] of [
      ["a1", "alice"],
      ["a2", "alice"],
      ["a3", "alice"],
      ["b1", "bob"],
    ]) {
      await d.queue.enqueue(MODEL, { messageId, userId, payload: {} });
    }
    const connection = new WorkerConnection<WorkerSession>();
    const session = d.service.connect(hello(3), null, connection);
    const called = d.startsCalled(3);
    const first = session.next();
    // three starts are under way before any of them finished: no job waits for another's preparation
    await called;
    expect([...d.starts.keys()].sort()).to.deep.equal(["a1", "a2", "b1"]);
    expect(await d.queue.size(MODEL)).to.equal(1);
    expect(session.inflight.size).to.equal(3);

    // the last one started goes out first
    d.started("a2");
    const out: WorkerJob[] = [(await first).value as WorkerJob];
    d.started("b1");
    d.started("a1");
    out.push((await session.next()).value as WorkerJob, (await session.next()).value as WorkerJob);
    expect(out.map((j) => j.messageId)).to.deep.equal(["a2", "b1", "a1"]);
    expect(out.every((j) => j.model === MODEL && j.sampling.maxNewTokens === 16 && j.attempt === 1)).to.equal(true);

    // at capacity: the fourth stays queued until a job ends
    expect(d.starts.has("a3")).to.equal(false);
    expect(await d.queue.size(MODEL)).to.equal(1);
    const called4 = d.startsCalled(1);
    const fourth = session.next();
    await d.service.finish(connection, out[0].jobId, "STOP" as never, "done", 1);
    await called4;
    d.started("a3");
    expect(((await fourth).value as WorkerJob).messageId).to.equal("a3");
    await session.return();
  });

  it("starts a wave of up to 64 jobs of one session at once; the next is taken as soon as one is ready", async () => {
    const d = dispatcher();
    const ids = Array.from({ length: 66 }, (_, i) => `c${i}`);
    for (const messageId of ids) await d.queue.enqueue(MODEL, { messageId, userId: "carol", payload: {} });
    const session = d.service.connect(hello(66));
    const called = d.startsCalled(64);
    const first = session.next();
    await called;
    expect([...d.starts.keys()]).to.deep.equal(ids.slice(0, 64));
    expect(await d.queue.size(MODEL)).to.equal(2);
    const called65 = d.startsCalled(1);
    d.started("c2");
    expect(((await first).value as WorkerJob).messageId).to.equal("c2");
    const second = session.next();
    await called65;
    expect(d.starts.has("c64")).to.equal(true);
    expect(await d.queue.size(MODEL)).to.equal(1);
    d.started("c64");
    expect(((await second).value as WorkerJob).messageId).to.equal("c64");
    await session.return();
    // The two delivered jobs go back at once; the 62 still being started go back as each start settles, never before
    // (put back earlier, a job could reach another worker before this start's claim lands, which would then take
    // the answer from that worker: worker-stale-hand-out.test.ts).
    expect(await d.queue.size(MODEL)).to.equal(3);
    for (const id of ids.slice(0, 64)) if (id !== "c2") d.started(id);
    for (let i = 0; i < 100 && (await d.queue.size(MODEL)) < 66; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await d.queue.size(MODEL)).to.equal(66);
    expect(session.inflight.size).to.equal(0);
  });

  it("jobs taken but not yet delivered when the worker disconnects go back to the queue", async () => {
    const d = dispatcher();
    for (const messageId of ["x1", "x2"]) await d.queue.enqueue(MODEL, { messageId, userId: "carol", payload: {} });
    const session = d.service.connect(hello(2));
    const called = d.startsCalled(2);
    const first = session.next();
    await called;
    d.started("x1");
    d.started("x2");
    expect(((await first).value as WorkerJob).messageId).to.equal("x1");
    // x2 was started and waits to be pulled; the worker goes away first
    await session.return();
    expect(d.requeued.sort()).to.deep.equal(["x1", "x2"]);
    expect(await d.queue.size(MODEL)).to.equal(2);
    expect(session.inflight.size).to.equal(0);
  });

  it("tells the other replicas of a new job only when no session here was idle with room for it before its take", async () => {
    const d = dispatcher();
    const enqueue = (messageId: string) => d.queue.enqueue(MODEL, { messageId, userId: "dave", payload: {} });
    const waitsIdle = () => new Promise((resolve) => setTimeout(resolve, 20)); // it took what there was and waits
    // No session here: every replica is told.
    await enqueue("j1");
    d.service.jobAvailable(MODEL);
    expect(d.published).to.deep.equal(["chat:jobs"]);
    d.published.length = 0;
    await d.queue.cancel("j1");

    const session = d.service.connect(hello(2));
    try {
      // A session waiting idle with room takes the job itself: nobody else is told. Jobs announced after it was woken
      // and before its take began are its too while its free slots cover them (capacity 2); a third is announced.
      const first = session.next();
      await waitsIdle();
      const called = d.startsCalled(2);
      for (const id of ["j2", "j3", "j4"]) await enqueue(id);
      d.service.jobAvailable(MODEL);
      expect(d.published, "announced with an idle session here").to.deep.equal([]);
      d.service.jobAvailable(MODEL);
      expect(d.published, "announced before its take began, with room for both").to.deep.equal([]);
      d.service.jobAvailable(MODEL);
      expect(d.published, "announced beyond its room").to.deep.equal(["chat:jobs"]);
      d.published.length = 0;
      await called;
      d.started("j2");
      d.started("j3");
      expect(((await first).value as WorkerJob).messageId).to.equal("j2");
      expect(((await session.next()).value as WorkerJob).messageId).to.equal("j3");

      // Idle but full (capacity 2, two in flight): every replica is told.
      const third = session.next();
      await waitsIdle();
      await enqueue("j5");
      d.service.jobAvailable(MODEL);
      expect(d.published, "announced with the session full").to.deep.equal(["chat:jobs"]);
      void third.catch(() => undefined);
    } finally {
      await session.return();
    }
  });
  it("takes nothing when a job ends soon after a take found the queue dry, until a job is announced", async () => {
    const d = dispatcher();
    const realNow = Date.now;
    const now = realNow();
    // The clock stands still: every step here is within IDLE_POLL_MS of the dry take, however slow the machine.
    Date.now = () => now;
    const takeMany = d.queue.takeMany.bind(d.queue);
    let takes = 0;
    d.queue.takeMany = (...args: Parameters<typeof takeMany>) => {
      takes++;
      return takeMany(...args);
    };
    const connection = new WorkerConnection<WorkerSession>();
    const session = d.service.connect(hello(2), null, connection);
    try {
      await d.queue.enqueue(MODEL, { messageId: "k1", userId: "erin", payload: {} });
      const called = d.startsCalled(1);
      const first = session.next();
      await called;
      d.started("k1");
      const job = (await first).value as WorkerJob;
      // Room for two, one taken: the queue was dry. The job's end frees a slot and wakes the session: no take.
      expect(takes).to.equal(1);
      const second = session.next();
      await d.service.finish(connection, job.jobId, "STOP" as never, "done", 1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(takes).to.equal(1);
      // A job announced since is taken at once.
      const called2 = d.startsCalled(1);
      await d.queue.enqueue(MODEL, { messageId: "k2", userId: "erin", payload: {} });
      d.service.jobAvailable(MODEL);
      await called2;
      expect(takes).to.equal(2);
      d.started("k2");
      expect(((await second).value as WorkerJob).messageId).to.equal("k2");
    } finally {
      Date.now = realNow;
      await session.return();
    }
  });
});
