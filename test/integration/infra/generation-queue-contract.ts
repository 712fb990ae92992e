import { expect } from "chai";
import { JobLeaseLostError, QueueFullError, type GenerationQueue, type GenerationQueueOptions, type TakenJob } from "../../../src/infra/queue/index.js";
import { seededRandom, settle, sleep } from "./support.js";

export interface TestPayload extends Record<string, unknown> {
  prompt: string;
}

export interface GenerationQueueFactory {
  /**
   * A queue over the test's key space. With Redis every call makes a new queue with its own connection, as a
   * replica would have; the in-process driver is one per process, so later calls return the first queue.
   */
  create(options?: GenerationQueueOptions): GenerationQueue<TestPayload>;
  /** Closes every queue made and deletes what they stored. */
  cleanUp(): Promise<void>;
}

const model = "tiny-model";

function job(messageId: string, userId: string) {
  return { messageId, userId, payload: { prompt: `prompt of ${messageId}` } };
}

/** Takes jobs until the queue is empty, returning their message ids in hand-out order. */
async function takeAll(queue: GenerationQueue<TestPayload>, workerId = "worker"): Promise<string[]> {
  const taken: string[] = [];
  for (let job = await queue.take(model, workerId); job; job = await queue.take(model, workerId)) {
    taken.push(job.messageId);
  }
  return taken;
}

/** Deterministic job ids, so a failure names the same ids on every run. */
function counterIds(): () => string {
  let next = 0;
  return () => `job-${++next}`;
}

/** The behaviour every GenerationQueue driver must have; run once per driver. */
export function describeGenerationQueueContract(driverName: string, makeFactory: () => GenerationQueueFactory): void {
  describe(`GenerationQueue contract (${driverName})`, function () {
    let factory: GenerationQueueFactory;

    beforeEach(function () {
      factory = makeFactory();
    });

    afterEach(async function () {
      await factory.cleanUp();
    });

    describe("order and positions", function () {
      it("hands out one user's jobs first in, first out, then reports an empty queue", async function () {
        const queue = factory.create({ newJobId: counterIds() });
        for (const id of ["m1", "m2", "m3"]) await queue.enqueue(model, job(id, "alice"));
        expect(await queue.size(model)).to.equal(3);

        const first = (await queue.take(model, "gpu-1")) as TakenJob<TestPayload>;
        expect(first).to.deep.include({
          jobId: "job-1",
          model,
          messageId: "m1",
          userId: "alice",
          payload: { prompt: "prompt of m1" },
          attempt: 1,
          workerId: "gpu-1",
        });
        expect(first.leaseExpiresAt).to.be.greaterThan(first.enqueuedAt);
        expect(await takeAll(queue)).to.deep.equal(["m2", "m3"]);
        expect(await queue.take(model, "gpu-1")).to.equal(null);
        expect(await queue.size(model)).to.equal(0);
      });

      it("lets users take turns, so one user's burst of 50 cannot starve another user's single job", async function () {
        const queue = factory.create();
        for (let i = 1; i <= 50; i += 1) await queue.enqueue(model, job(`burst-${i}`, "alice"));
        const bob = await queue.enqueue(model, job("single", "bob"));
        expect(bob).to.deep.equal({ created: true, position: 2, queueSize: 51 });
        expect(await queue.position(model, "burst-1")).to.equal(1);
        expect(await queue.position(model, "burst-2")).to.equal(3);
        expect(await queue.position(model, "burst-50")).to.equal(51);

        const order = await takeAll(queue);
        expect(order.slice(0, 3)).to.deep.equal(["burst-1", "single", "burst-2"]);
        expect(order).to.have.length(51);
      });

      it("returns the model's queue size with each enqueue, as size() would say just after it", async function () {
        const queue = factory.create();
        expect(await queue.enqueue(model, job("s1", "alice"))).to.deep.equal({ created: true, position: 1, queueSize: 1 });
        expect(await queue.enqueue(model, job("s2", "bob"))).to.deep.equal({ created: true, position: 2, queueSize: 2 });
        expect(await queue.enqueue("other-model", job("o1", "alice"))).to.deep.equal({ created: true, position: 1, queueSize: 1 });
        // a running job is not waiting: the size leaves it out
        await queue.take(model, "gpu-1");
        expect(await queue.enqueue(model, job("s3", "carol"))).to.deep.equal({ created: true, position: 2, queueSize: 2 });
        expect(await queue.size(model)).to.equal(2);
      });

      it("takes several jobs in one step, exactly those that as many single takes would, users in turn", async function () {
        const queue = factory.create({ newJobId: counterIds() });
        for (const id of ["a1", "a2", "a3"]) await queue.enqueue(model, job(id, "alice"));
        await queue.enqueue(model, job("b1", "bob"));
        const first = await queue.takeMany(model, "gpu-1", 3, { leaseMs: 5_000 });
        expect(first.map((j) => j.messageId)).to.deep.equal(["a1", "b1", "a2"]);
        expect(first.map((j) => j.jobId)).to.deep.equal(["job-1", "job-2", "job-3"]);
        expect(first.every((j) => j.workerId === "gpu-1" && j.attempt === 1 && j.leaseExpiresAt - Date.now() <= 5_000)).to.equal(true);
        expect(first[0].payload).to.deep.equal({ prompt: "prompt of a1" });
        expect(await queue.size(model)).to.equal(1);
        // fewer than asked: the queue ran dry
        expect((await queue.takeMany(model, "gpu-2", 5)).map((j) => j.messageId)).to.deep.equal(["a3"]);
        expect(await queue.takeMany(model, "gpu-2", 5)).to.deep.equal([]);
        expect((await queue.activeJobs()).map((j) => j.messageId).sort()).to.deep.equal(["a1", "a2", "a3", "b1"]);
        // each job is held by its own lease
        await queue.complete(first[1].jobId);
        expect((await queue.activeJobs()).map((j) => j.messageId).sort()).to.deep.equal(["a1", "a2", "a3"]);
      });

      it("reports each waiting job's real place in line, whatever the mix of users", async function () {
        const queue = factory.create();
        const random = seededRandom(20_240_601);
        const users = ["ana", "ben", "chen", "dara"];
        let next = 0;
        for (let round = 0; round < 3; round += 1) {
          for (let i = 0; i < 12; i += 1) {
            const user = users[Math.floor(random() * users.length)];
            await queue.enqueue(model, job(`m${++next}`, user));
          }
          // Taking some jobs between bursts moves users around the ring.
          for (let i = 0; i < 4; i += 1) await queue.take(model, "worker");
        }
        const waiting = Array.from({ length: next }, (_, i) => `m${i + 1}`);
        const positions = new Map<string, number>();
        for (const id of waiting) {
          const position = await queue.position(model, id);
          if (position !== null) positions.set(id, position);
        }
        expect(positions.size).to.equal(await queue.size(model));
        expect([...positions.values()].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: positions.size }, (_, i) => i + 1));

        const order = await takeAll(queue);
        order.forEach((id, index) => expect(positions.get(id), `place of ${id}`).to.equal(index + 1));
      });

      it("gives no position to unknown jobs, running jobs, or jobs of another model", async function () {
        const queue = factory.create();
        await queue.enqueue(model, job("m1", "alice"));
        await queue.enqueue(model, job("m2", "alice"));
        await queue.take(model, "worker");
        expect(await queue.position(model, "m1"), "running").to.equal(null);
        expect(await queue.position(model, "m2")).to.equal(1);
        expect(await queue.position("other-model", "m2")).to.equal(null);
        expect(await queue.position(model, "unknown")).to.equal(null);
      });

      it("keeps models apart", async function () {
        const queue = factory.create();
        await queue.enqueue(model, job("m1", "alice"));
        await queue.enqueue("big-model", job("m2", "alice"));
        expect(await queue.size(model)).to.equal(1);
        expect(await queue.size("big-model")).to.equal(1);
        expect((await queue.take("big-model", "worker"))?.messageId).to.equal("m2");
        expect(await queue.take("big-model", "worker")).to.equal(null);
        expect(await queue.size(model)).to.equal(1);
      });

      it("enqueues each message once: a second enqueue changes nothing", async function () {
        const queue = factory.create();
        await queue.enqueue(model, job("m1", "alice"));
        await queue.enqueue(model, job("m2", "bob"));
        expect(await queue.enqueue(model, job("m2", "bob"))).to.deep.equal({ created: false, position: 2, queueSize: 2 });
        expect(await queue.size(model)).to.equal(2);
        await queue.take(model, "worker");
        expect(await queue.enqueue(model, job("m1", "alice")), "while running").to.deep.equal({
          created: false,
          position: 0,
          queueSize: 1,
        });
        expect(await takeAll(queue)).to.deep.equal(["m2"]);
      });
    });

    describe("size limit", function () {
      it("refuses a job beyond the limit with QueueFullError and enqueues nothing", async function () {
        const queue = factory.create({ maxQueueSize: 2 });
        await queue.enqueue(model, job("m1", "alice"));
        await queue.enqueue(model, job("m2", "bob"));
        const { error } = await settle(queue.enqueue(model, job("m3", "carol")));
        expect(error).to.be.instanceOf(QueueFullError);
        expect(error).to.deep.include({ model, maxQueueSize: 2 });
        expect(await queue.size(model)).to.equal(2);
        expect(await queue.position(model, "m3")).to.equal(null);
        expect(await queue.cancel("m3")).to.equal("not_found");

        // The limit is per model, and counts waiting jobs only.
        await queue.enqueue("other-model", job("m4", "carol"));
        await queue.take(model, "worker");
        await queue.enqueue(model, job("m3", "carol"));
        expect(await queue.size(model)).to.equal(2);
      });

      it("lets re-enqueued work past the limit", async function () {
        const queue = factory.create({ maxQueueSize: 1 });
        await queue.enqueue(model, job("m1", "alice"));
        const result = await queue.enqueue(model, job("m2", "bob"), { bypassSizeLimit: true });
        expect(result).to.deep.equal({ created: true, position: 2, queueSize: 2 });
        expect(await queue.size(model)).to.equal(2);
      });
    });

    describe("leases", function () {
      it("hands a job whose worker stopped heartbeating to another worker", async function () {
        const queue = factory.create({ leaseMs: 200, newJobId: counterIds() });
        await queue.enqueue(model, job("m1", "alice"));
        const first = (await queue.take(model, "gpu-a"))!;
        expect(await queue.take(model, "gpu-b"), "leased").to.equal(null);

        await sleep(260);
        const second = (await queue.take(model, "gpu-b"))!;
        expect(second).to.deep.include({ messageId: "m1", workerId: "gpu-b", attempt: 2 });
        expect(second.jobId).to.not.equal(first.jobId);

        for (const staleCall of [queue.complete(first.jobId), queue.heartbeat(first.jobId), queue.fail(first.jobId, true)]) {
          const { error } = await settle<unknown>(staleCall);
          expect(error).to.be.instanceOf(JobLeaseLostError);
        }
        expect((await queue.activeJobs()).map((j) => [j.messageId, j.workerId])).to.deep.equal([["m1", "gpu-b"]]);
        await queue.complete(second.jobId);
        expect(await queue.activeJobs()).to.deep.equal([]);
      });

      it("keeps a job with its worker while it heartbeats", async function () {
        const queue = factory.create({ leaseMs: 200 });
        await queue.enqueue(model, job("m1", "alice"));
        const taken = (await queue.take(model, "gpu-a"))!;
        let expiry = taken.leaseExpiresAt;
        for (let i = 0; i < 4; i += 1) {
          await sleep(100);
          const renewed = await queue.heartbeat(taken.jobId);
          expect(renewed).to.be.at.least(expiry);
          expiry = renewed;
        }
        expect(await queue.take(model, "gpu-b")).to.equal(null);
        const [active] = await queue.activeJobs();
        expect(active).to.deep.include({ jobId: taken.jobId, workerId: "gpu-a", leaseExpiresAt: expiry });
      });

      it("honours a lease time given to take", async function () {
        const queue = factory.create({ leaseMs: 60_000 });
        await queue.enqueue(model, job("m1", "alice"));
        await queue.take(model, "gpu-a", { leaseMs: 100 });
        await sleep(160);
        expect((await queue.take(model, "gpu-b"))?.messageId).to.equal("m1");
      });

      it("lists the jobs workers hold, across models", async function () {
        const queue = factory.create();
        await queue.enqueue(model, job("m1", "alice"));
        await queue.enqueue("big-model", job("m2", "bob"));
        await queue.enqueue(model, job("m3", "carol"));
        await queue.take(model, "gpu-a");
        await queue.take("big-model", "gpu-b");
        const active = await queue.activeJobs();
        expect(active.map((j) => `${j.model}/${j.messageId}@${j.workerId}`).sort()).to.deep.equal(["big-model/m2@gpu-b", "tiny-model/m1@gpu-a"]);
      });
    });

    describe("failures and retries", function () {
      it("puts a retryable failure back at the front of its user's line", async function () {
        const queue = factory.create();
        await queue.enqueue(model, job("m1", "alice"));
        await queue.enqueue(model, job("m2", "alice"));
        await queue.enqueue(model, job("m3", "bob"));
        const taken = (await queue.take(model, "gpu-a"))!;
        expect(await queue.fail(taken.jobId, true)).to.equal("requeued");
        expect(await queue.position(model, "m1")).to.equal(2);
        expect(await takeAll(queue)).to.deep.equal(["m3", "m1", "m2"]);
      });

      it("retries until the attempt limit, then reports the job dead", async function () {
        const queue = factory.create({ maxAttempts: 2 });
        await queue.enqueue(model, job("m1", "alice"));
        const first = (await queue.take(model, "gpu-a"))!;
        expect(first).to.deep.include({ attempt: 1, maxAttempts: 2 });
        expect(await queue.fail(first.jobId, true)).to.equal("requeued");
        const second = (await queue.take(model, "gpu-a"))!;
        expect(second.attempt).to.equal(2);
        expect(await queue.fail(second.jobId, true)).to.equal("dead");
        expect(await queue.size(model)).to.equal(0);
        expect(await queue.take(model, "gpu-a")).to.equal(null);
        expect(await queue.cancel("m1")).to.equal("not_found");
        // Its message may be queued afresh later.
        expect((await queue.enqueue(model, job("m1", "alice"))).created).to.equal(true);
      });

      it("drops a job that failed without hope of retry at once", async function () {
        const queue = factory.create({ maxAttempts: 5 });
        await queue.enqueue(model, job("m1", "alice"));
        const taken = (await queue.take(model, "gpu-a"))!;
        expect(await queue.fail(taken.jobId, false)).to.equal("dead");
        expect(await queue.take(model, "gpu-a")).to.equal(null);
        const { error } = await settle(queue.complete(taken.jobId));
        expect(error).to.be.instanceOf(JobLeaseLostError);
      });

      it("turns a lapsed lease with no attempts left into a dead letter", async function () {
        const queue = factory.create({ maxAttempts: 1, leaseMs: 100 });
        await queue.enqueue(model, job("m1", "alice"));
        await queue.take(model, "gpu-a");
        await sleep(160);
        expect(await queue.take(model, "gpu-b")).to.equal(null);
        const letters = await queue.drainDeadLetters();
        expect(letters).to.have.length(1);
        expect(letters[0]).to.deep.include({ model, messageId: "m1", userId: "alice", attempts: 1, reason: "lease_expired" });
        expect(await queue.drainDeadLetters()).to.deep.equal([]);
        expect(await queue.activeJobs()).to.deep.equal([]);
      });
    });

    describe("cancel", function () {
      it("removes a waiting job, moving the others up", async function () {
        const queue = factory.create();
        await queue.enqueue(model, job("a1", "alice"));
        await queue.enqueue(model, job("a2", "alice"));
        await queue.enqueue(model, job("b1", "bob"));
        expect(await queue.position(model, "a2")).to.equal(3);
        expect(await queue.cancel("b1")).to.equal("cancelled");
        expect(await queue.position(model, "a2")).to.equal(2);
        expect(await queue.size(model)).to.equal(2);
        expect(await queue.cancel("b1")).to.equal("not_found");
        expect(await takeAll(queue)).to.deep.equal(["a1", "a2"]);
      });

      it("reports a running job instead of removing it", async function () {
        const queue = factory.create();
        await queue.enqueue(model, job("m1", "alice"));
        const taken = (await queue.take(model, "gpu-a"))!;
        expect(await queue.cancel("m1")).to.equal("active");
        await queue.complete(taken.jobId);
        expect(await queue.cancel("m1")).to.equal("not_found");
      });
    });

    describe("replicas", function () {
      it("hands each job to exactly one worker when replicas take at the same time", async function () {
        const replicas = [factory.create(), factory.create()];
        const messageIds = Array.from({ length: 60 }, (_, i) => `m${i + 1}`);
        await Promise.all(messageIds.map((id, i) => replicas[i % 2].enqueue(model, job(id, `user-${i % 6}`))));
        expect(await replicas[0].size(model)).to.equal(60);

        const workers = Array.from({ length: 12 }, (_, w) => takeAll(replicas[w % 2], `gpu-${w}`));
        const taken = (await Promise.all(workers)).flat();
        expect([...taken].sort()).to.deep.equal([...messageIds].sort());
        expect((await replicas[1].activeJobs()).length).to.equal(60);
      });
    });
  });
}
