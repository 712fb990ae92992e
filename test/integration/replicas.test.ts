/**
 * Several API processes on one PostgreSQL database and one Redis prefix, as `docker compose up --scale api=N`
 * runs them: streams cross replicas, concurrent annotators on different replicas lose and double-count nothing,
 * a crashed replica's clients and jobs carry on elsewhere, periodic jobs run once per interval for the whole
 * deployment, and a pool of workers shares one model's queue.
 */
import crypto from "node:crypto";
import { expect } from "chai";
import type { Client } from "graphql-ws";
import { startCluster, eventually, metricValue, type Cluster, type Replica } from "../helpers/replicas.js";
import { gql, wsClient } from "../helpers/graphql.js";
import { TestWorker } from "../helpers/test-worker.js";
import { Annotator } from "../helpers/annotator.js";
import { World } from "../helpers/world.js";
import type { TestServer } from "../helpers/server.js";
import { GenerationWatch, streamedText } from "../helpers/generation-watch.js";
import { assertCountsMatchRows, stuckGrowingTrees } from "../helpers/consistency.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { ChatMessageDocument, CreateChatDocument, ModelsDocument, SendChatMessageDocument } from "../../client/generated/graphql.js";

const words = (n: number) => Array.from({ length: n }, (_, i) => ` w${i}`).join("");

describe("several API replicas on one database and one Redis", function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let A: Replica;
  let B: Replica;
  let key: string;
  let workerKey: string;
  const clients: Client[] = [];
  const workers: TestWorker[] = [];

  before(async () => {
    cluster = await startCluster(2, {
      WORKER_LEASE_MS: "1500",
      CHAT_RECONCILE_INTERVAL_SECONDS: "1",
      CHAT_RATE_LIMIT_GENERATIONS: "0",
      RANDOM_SEED: "11",
    });
    [A, B] = cluster.replicas;
    key = await cluster.createClient({ name: "frontend", trusted: true });
    workerKey = await cluster.createClient({ name: "gpu pool", kind: ApiClientKind.WORKER });
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
    for (const c of clients.splice(0)) await c.dispose();
  });
  after(async () => {
    await cluster?.stop();
  });

  function ws(replica: Replica, user: string): Client {
    const c = wsClient(replica.wsUrl, { authorization: `Bearer ${key}`, user });
    clients.push(c);
    return c;
  }

  async function worker(replica: Replica, opts: ConstructorParameters<typeof TestWorker>[2]): Promise<TestWorker> {
    const w = new TestWorker(replica.wsUrl, workerKey, opts);
    workers.push(w);
    await w.start();
    return w;
  }

  async function send(replica: Replica, user: string, model = "synthetic"): Promise<string> {
    const as = { key, user };
    const chat = await gql(replica.url, CreateChatDocument, { input: {} }, as);
    expect(chat.errors, JSON.stringify(chat.errors)).to.equal(undefined);
    const sent = await gql(replica.url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text: "Hello", model } }, as);
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    return sent.data!.sendChatMessage.assistantMessage.id;
  }

  async function stored(replica: Replica, user: string, id: string) {
    const res = await gql(replica.url, ChatMessageDocument, { id }, { key, user });
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    return res.data!.chatMessage;
  }

  it("a subscriber on replica A receives every token of a generation whose worker is connected to replica B", async () => {
    const user = "local:stream-a";
    await worker(B, { name: "on-b", capacity: 1, batches: 40, delayMs: 5 });
    const messageId = await send(A, user);
    const watch = new GenerationWatch(ws(A, user), messageId);
    const end = await watch.ended;
    expect(end.error, JSON.stringify(end.error)).to.equal(undefined);
    expect(end.completed).to.equal(true);
    const events = watch.events;
    expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => i + 1));
    expect(events.map((e) => e.__typename).slice(0, 2)).to.deep.equal(["GenerationQueued", "GenerationStarted"]);
    expect(events.filter((e) => e.__typename === "GenerationTokens")).to.have.length(40);
    expect(events[events.length - 1].__typename).to.equal("GenerationFinished");
    expect(streamedText(events)).to.equal(words(40));
    for (const r of [A, B]) {
      const m = await stored(r, user, messageId);
      expect(m.state).to.equal("COMPLETE");
      expect(m.text).to.equal(words(40));
      expect(m.workerName).to.equal("on-b");
    }
  });

  it("annotators spread over both replicas lose and double-count nothing, and the trees end where one replica would leave them", async () => {
    const lang = "r1";
    // World only needs an endpoint; its set-up goes through replica A.
    const w = new World({ url: A.url } as TestServer, key, lang);
    const root = await w.growingTree(w.annotator());

    // The same review sent three times at once, to A, B and A (a client retrying through a load balancer):
    // one effect, three successes.
    const reviewers = Array.from({ length: 6 }, (_, i) => new Annotator(i % 2 ? B.url : A.url, key, `${lang}-rev-${i}`));
    const replyAuthor = new Annotator(A.url, key, `${lang}-author`);
    const t = await w.task(replyAuthor, "ASSISTANT_REPLY");
    const { frontendMessageId } = await replyAuthor.ack(t.id);
    const replyId = (await replyAuthor.reply(frontendMessageId, `reply ${crypto.randomUUID()}`, lang)).data!.submitReply.messageId!;
    for (const a of reviewers.slice(0, 3)) {
      const task = (await w.task(a, "LABEL_ASSISTANT_REPLY")) as { id: string; messageId: string };
      expect(task.messageId).to.equal(replyId);
      await a.ack(task.id);
      const via = [A, B, A].map((r) => new Annotator(r.url, key, a.userId));
      const results = await Promise.all(via.map((x) => x.label(task.id, task.messageId, { spam: 0, lang_mismatch: 0, quality: 0.5 })));
      for (const r of results) expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      expect(results.filter((r) => r.data!.submitLabels.replayed === false)).to.have.length(1);
    }
    const reply = await w.message(replyId);
    expect(reply.reviewCount).to.equal(3);
    expect(reply.reviewResult).to.equal(true);
    expect((await w.message(root)).childrenCount).to.equal(1);
    await w.growingTree(w.annotator());

    // A crowd on random tasks, half of it on each replica.
    const crowd = Array.from({ length: 16 }, (_, i) => new Annotator(i % 2 ? B.url : A.url, key, `${lang}-crowd-${i}`));
    const errors: unknown[] = [];
    let cycles = 0;
    await Promise.all(
      crowd.map(async (a) => {
        for (let i = 0; i < 10; i++) {
          const res = await a.request("RANDOM", lang);
          if (res.errors) {
            if (res.errors[0].extensions?.code !== "TASK_REQUESTED_TYPE_NOT_AVAILABLE") errors.push(res.errors);
            continue;
          }
          const done = await a.complete(res.data!.requestTask, lang);
          if (done.errors) {
            const code = done.errors[0].extensions?.code;
            // a reply parent another annotator filled first is a legitimate refusal, never an internal error
            if (code === "INTERNAL_SERVER_ERROR" || code === "SERVICE_UNAVAILABLE") errors.push(done.errors);
            await a.nack(res.data!.requestTask.id);
          } else cycles++;
        }
      }),
    );
    expect(errors).to.deep.equal([]);
    expect(cycles).to.be.greaterThan(40);
    await assertCountsMatchRows(cluster.ds);
    expect(await stuckGrowingTrees(cluster.ds, lang)).to.deep.equal([]);
    // every tree of the language has exactly one state row, and every message belongs to a tree with one
    const orphans: unknown[] = await cluster.ds.query(
      `SELECT m.message_tree_id FROM message m LEFT JOIN message_tree_state s ON s.message_tree_id = m.message_tree_id
        WHERE m.lang = $1 AND s.message_tree_id IS NULL`,
      [lang],
    );
    expect(orphans).to.deep.equal([]);
    // both replicas read the same tree state
    const [sa, sb] = await Promise.all([A, B].map((r) => new World({ url: r.url } as TestServer, key, lang).state(root)));
    expect(sa).to.deep.equal(sb);
  });

  it("periodic jobs run once per interval for the whole deployment, not once per replica", async () => {
    const C = await cluster.startReplica("C");
    const replicas = [A, B, C];
    const runs = async (job: string) => {
      let sum = 0;
      for (const r of replicas) sum += metricValue(await r.metrics(), "chorus_periodic_job_runs_total", { job });
      return sum;
    };
    // The hourly job made its first run when the first replica created its scheduler; the replicas that joined
    // later found the scheduler and added no run of their own.
    await eventually(async () => ((await runs("expired-tasks")) >= 1 ? true : undefined));
    // chat-reconcile runs every second: count the runs of all three replicas over a few seconds.
    const before = await runs("chat-reconcile");
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 4_000));
    const after = await runs("chat-reconcile");
    const seconds = (Date.now() - t0) / 1000;
    expect(after - before, "at least one run").to.be.at.least(1);
    // Once per replica would be about 3 runs a second; once per deployment is at most one per second (a slow
    // machine only makes it fewer), plus one for a run that straddles the window's edge.
    expect(after - before).to.be.at.most(Math.floor(seconds) + 1);
    expect(await runs("expired-tasks")).to.equal(1);
    // The runs are not all on one replica's schedule: the counts of the replicas add up to the deployment's.
    // Both sums come from one read of each replica's metrics (the job keeps running between two reads).
    const texts = await Promise.all(replicas.map((r) => r.metrics()));
    const all = texts.reduce((sum, t) => sum + metricValue(t, "chorus_periodic_job_runs_total", { job: "chat-reconcile" }), 0);
    const perReplica = texts.map((t) => metricValue(t, "chorus_periodic_job_runs_total", { job: "chat-reconcile", outcome: "ok" }));
    expect(perReplica.reduce((a, b) => a + b, 0)).to.equal(all);

    // A pending generation past its timeout ends TIMEOUT once, whichever replica's run found it.
    const user = "local:timeout";
    const messageId = await send(B, user, "chorus-tiny");
    await cluster.ds.query(`UPDATE chat_message SET created_at = now() - interval '1 hour' WHERE id = $1`, [messageId]);
    await eventually(async () => ((await stored(C, user, messageId)).state === "TIMEOUT" ? true : undefined));
    await new Promise((r) => setTimeout(r, 2_000)); // two more runs that must not end it again
    const watch = new GenerationWatch(ws(A, user), messageId);
    expect((await watch.ended).completed).to.equal(true);
    expect(watch.events.filter((e) => e.__typename === "GenerationFailed")).to.have.length(1);
    await C.kill("SIGTERM");
    cluster.replicas.splice(cluster.replicas.indexOf(C), 1);
  });

  it("a pool of workers for one model takes jobs by free capacity and drains the queue", async () => {
    const users = Array.from({ length: 18 }, (_, i) => `local:pool-${i}`);
    const ids = await Promise.all(users.map((u, i) => send(i % 2 ? B : A, u)));
    const capacities = [3, 2, 1];
    const pool = await Promise.all(
      capacities.map((capacity, i) => {
        // 8 batches 150 ms apart: a job lasts long enough that a worker is handed its whole capacity before its first
        // job ends (at 40 ms a busy machine let pool-0 finish one job before its third arrived: max 2 of 3).
        const w = new TestWorker(i % 2 ? B.wsUrl : A.wsUrl, workerKey, { name: `pool-${i}`, capacity, batches: 8, delayMs: 150 });
        workers.push(w);
        return w.start().then(() => w);
      }),
    );
    const done = await eventually(async () => {
      const states = await Promise.all(ids.map((id, i) => stored(A, users[i], id)));
      return states.every((m) => m.state === "COMPLETE") ? states : undefined;
    }, 200);
    for (const m of done) expect(m.text).to.equal(words(8));
    for (const [i, w] of pool.entries()) {
      expect(w.errors, JSON.stringify(w.errors)).to.deep.equal([]);
      // every worker was filled up to its capacity and never beyond it
      expect(w.maxActive, `pool-${i}`).to.equal(capacities[i]);
    }
    // each job went to exactly one worker
    expect(pool.reduce((n, w) => n + w.jobs.length, 0)).to.equal(ids.length);
    expect(new Set(pool.flatMap((w) => w.jobs.map((j) => j.messageId)))).to.have.length(ids.length);
    for (const r of [A, B]) {
      const models = await gql(r.url, ModelsDocument, {}, { key, user: users[0] });
      expect(models.data!.models.find((m) => m.id === "synthetic")!.queueSize).to.equal(0);
    }
    const byWorker = Object.fromEntries(pool.map((w, i) => [`pool-${i}`, w.jobs.length]));
    expect(
      Object.values(byWorker).every((n) => n > 0),
      JSON.stringify(byWorker),
    ).to.equal(true);
  });

  it("a replica killed mid-stream: its client resumes on another with `after`, its worker's job goes to another worker, stored answers are whole", async () => {
    const K = await cluster.startReplica("K");
    const user = "local:crash";
    // One worker on the replica that will die, one on a survivor; each takes one of the two answers.
    const doomed = await worker(K, { name: "on-k", capacity: 1, batches: 30, delayMs: 40 });
    const survivor = await worker(B, { name: "on-b", capacity: 1, batches: 30, delayMs: 40 });
    const ids = [await send(K, user), await send(K, user)];
    const watches = ids.map((id) => new GenerationWatch(ws(K, user), id));
    await Promise.all(watches.map((w) => w.until((events) => events.filter((e) => e.__typename === "GenerationTokens").length >= 3)));
    const byWorker = new Map([...doomed.jobs, ...survivor.jobs].map((j) => [j.messageId, j]));
    expect(byWorker.size).to.equal(2);

    await K.kill("SIGKILL");
    cluster.replicas.splice(cluster.replicas.indexOf(K), 1);
    for (const w of watches) expect((await w.ended).completed, "the dead replica's subscriptions end without completing").to.equal(false);

    // The client reconnects through the load balancer to a live replica and asks for what it has not seen.
    const resumed = watches.map((w, i) => new GenerationWatch(ws(A, user), ids[i], w.lastSeq));
    for (const [i, r] of resumed.entries()) {
      const end = await r.ended;
      expect(end.error, JSON.stringify(end.error)).to.equal(undefined);
      expect(end.completed).to.equal(true);
      const all = [...watches[i].events, ...r.events];
      expect(
        all.map((e) => e.seq),
        "no event lost, duplicated or reordered",
      ).to.deep.equal(all.map((_, n) => n + 1));
      expect(all[all.length - 1].__typename).to.equal("GenerationFinished");
      const m = await stored(B, user, ids[i]);
      expect(m.state).to.equal("COMPLETE");
      expect(m.text).to.equal(words(30));
      expect(streamedText(all)).to.equal(m.text);
    }
    // The answer whose worker died with the replica was taken over by the survivor once its lease lapsed.
    const rescued = ids.find((id) => doomed.jobs.some((j) => j.messageId === id))!;
    expect((await stored(A, user, rescued)).workerName).to.equal("on-b");
    const i = ids.indexOf(rescued);
    expect([...watches[i].events, ...resumed[i].events].map((e) => e.__typename)).to.include("GenerationRestarted");
  });
});
