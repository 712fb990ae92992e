/**
 * Fault injection on a private cluster: two API replica processes on a private PostgreSQL and a private Redis
 * (free ports, started and killed by this test; never the machine's shared services), GPU workers and clients.
 * For each fault: what the client sees, and proof from the database that no accepted submission is lost or
 * doubled and no chat message stays PENDING or IN_PROGRESS. The guarantees are listed in docs/reliability.md.
 */
import crypto from "node:crypto";
import { expect } from "chai";
import { Client as PgClient } from "pg";
import { print } from "graphql";
import type { Client as WsClient } from "graphql-ws";
import { CLI, MAIN, runNode, startNode } from "../helpers/process.js";
import {
  freePort,
  privateServicesAvailable,
  startPrivatePostgres,
  startPrivateRedis,
  type PrivatePostgres,
  type PrivateRedis,
} from "../helpers/private-services.js";
import { gql, rawGql, wsClient, type GqlResponse } from "../helpers/graphql.js";
import { TestWorker } from "../helpers/test-worker.js";
import { describeNeeding } from "../helpers/prerequisites.js";
import { checkInvariants } from "../helpers/invariants.js";
import {
  AckTaskDocument,
  ChatMessageDocument,
  CreateChatDocument,
  GenerationDocument,
  RequestTaskDocument,
  SendChatMessageDocument,
  SubmitLabelsDocument,
  SubmitRankingDocument,
  SubmitReplyDocument,
  type GenerationSubscription,
  type RequestTaskMutation,
} from "../../client/generated/graphql.js";

type Event = GenerationSubscription["generation"];
type Replica = ReturnType<typeof startNode> & { url: string; wsUrl: string; port: number };

const TERMINAL = ["COMPLETE", "FAILED", "CANCELLED", "TIMEOUT"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Codes a client may see while a dependency restarts: the request did nothing durable, retry it. */
const TRANSIENT = new Set(["SERVICE_UNAVAILABLE", "INTERNAL_SERVER_ERROR"]);

const available = privateServicesAvailable();
const missing = [...(available.postgres ? [] : ["initdb/pg_ctl (/usr/lib/postgresql/*/bin)"]), ...(available.redis ? [] : ["redis-server"])];
describeNeeding(missing, "fault injection on a private PostgreSQL and Redis, two API replicas", function () {
  this.timeout(240_000);
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let db: PgClient;
  let env: Record<string, string>;
  let key: string;
  let workerKey: string;
  const replicas: Replica[] = [];
  const workers: TestWorker[] = [];
  const sockets: WsClient[] = [];
  /** What every client saw that was not a success, by code (or "dropped" for a lost connection). */
  const seen: Record<string, number> = {};

  async function startReplica(): Promise<Replica> {
    const port = await freePort();
    const p = startNode(MAIN, [], { ...env, PORT: String(port) });
    await p.waitFor(/Chorus is running/, 60_000);
    const r = { ...p, port, url: `http://127.0.0.1:${port}/graphql`, wsUrl: `ws://127.0.0.1:${port}/graphql` };
    replicas.push(r);
    return r;
  }

  async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    for (let i = 0; ; i++) {
      try {
        return (await db.query(sql, params)).rows as T[];
      } catch (err) {
        if (i > 50) throw err;
        // the private server may be restarting: reconnect
        await db.end().catch(() => undefined);
        await sleep(200);
        db = connectDb();
        await db.connect().catch(() => undefined);
      }
    }
  }

  before(async () => {
    [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    env = {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      HOST: "127.0.0.1",
      LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? "fatal",
      NODE_ENV: "production",
      LOCAL_WORKER: "false",
      RATE_LIMIT: "false",
      DATABASE_POOL_SIZE: "5",
      DB_RETRY_MAX_DELAY_MS: "300",
      WORKER_LEASE_MS: "1500",
      CHAT_RECONCILE_INTERVAL_SECONDS: "1",
      CHAT_PENDING_TIMEOUT_SECONDS: "60",
      CHAT_TOKEN_BATCH_MS: "0",
      SHUTDOWN_TIMEOUT_MS: "1000",
      TREE_MANAGER__GOAL_TREE_SIZE: "5",
    };
    const migrated = await runNode(CLI, ["migrate"], env);
    expect(migrated.code, migrated.stderr).to.equal(0);
    const made = await runNode(CLI, ["api-client", "create", "--name", "faults app", "--trusted"], env);
    key = made.stdout.trim().split("\n").pop()!;
    const w = await runNode(CLI, ["api-client", "create", "--name", "faults worker", "--kind", "worker"], env);
    workerKey = w.stdout.trim().split("\n").pop()!;
    await startReplica();
    await startReplica();
    db = connectDb();
    await db.connect();
  });

  /** The test's own connection: a restart of the server cuts it, which must not crash the test process. */
  function connectDb(): PgClient {
    const c = new PgClient({ connectionString: pg.url });
    c.on("error", () => undefined);
    return c;
  }

  after(async () => {
    for (const w of workers) await w.kill().catch(() => undefined);
    for (const s of sockets) await Promise.resolve(s.dispose()).catch(() => undefined);
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill("SIGKILL");
    await db?.end().catch(() => undefined);
    await redis?.stop();
    await pg?.stop();
  });

  function note(code: string) {
    seen[code] = (seen[code] ?? 0) + 1;
  }

  /**
   * Sends one request until it gets an answer that is not transient: a dropped connection or a transient code
   * is noted and retried with the same arguments (the same ids, so a retry of a stored submission is a replay).
   */
  async function retrying<T>(send: (url: string) => Promise<GqlResponse<T>>, urls: () => string[]): Promise<GqlResponse<T>> {
    for (let i = 0; ; i++) {
      const live = urls();
      const url = live[i % live.length];
      try {
        const res = await send(url);
        const code = res.errors?.[0]?.extensions?.code as string | undefined;
        if (!code || !TRANSIENT.has(code)) return res;
        note(code);
        expect(res.status, `a transient error is not a crash: ${JSON.stringify(res.errors)}`).to.be.oneOf([200, 400, 503]);
      } catch {
        note("dropped");
      }
      if (i > 300) throw new Error("no answer after 300 tries");
      await sleep(100);
    }
  }

  const liveUrls = () => replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null).map((r) => r.url);

  /** A fault of a dependency is answered, never a crash: every replica started is still running. */
  function expectNoReplicaCrashed() {
    const dead = replicas.filter((r) => r.child.exitCode !== null || r.child.signalCode !== null);
    expect(
      dead.map((r) => `${r.port}: ${r.output().stderr.slice(-2000)}`),
      "replicas that died",
    ).to.deep.equal([]);
  }

  interface Accepted {
    replies: string[];
    rankings: string[];
    labels: string[];
  }

  /** One annotator's task cycles, every step retried with the same ids; returns what the server accepted. */
  async function annotate(user: string, cycles: number, acc: Accepted, urls: () => string[] = liveUrls): Promise<void> {
    const as = { key, user: `local:${user}` };
    for (let c = 0; c < cycles; c++) {
      const req = await retrying((u) => gql(u, RequestTaskDocument, { input: { type: "RANDOM", lang: "en" } }, as), urls);
      if (req.errors) {
        expect(req.errors[0].extensions?.code).to.equal("TASK_REQUESTED_TYPE_NOT_AVAILABLE");
        continue;
      }
      const task = req.data!.requestTask as RequestTaskMutation["requestTask"];
      const frontendMessageId = `fm-${user}-${c}-${crypto.randomBytes(3).toString("hex")}`;
      const ack = await retrying((u) => gql(u, AckTaskDocument, { input: { taskId: task.id, frontendMessageId } }, as), urls);
      expect(ack.errors, JSON.stringify(ack.errors)).to.equal(undefined);
      if (task.__typename === "InitialPromptTask" || task.__typename === "AssistantReplyTask" || task.__typename === "PrompterReplyTask") {
        const userMessageId = `um-${user}-${c}-${crypto.randomBytes(3).toString("hex")}`;
        const text = `${user} cycle ${c} ${crypto.randomBytes(6).toString("hex")}`;
        const res = await retrying(
          (u) => gql(u, SubmitReplyDocument, { input: { taskFrontendMessageId: frontendMessageId, userMessageId, text, lang: "en" } }, as),
          urls,
        );
        expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
        acc.replies.push(userMessageId);
      } else if (task.__typename === "RankAssistantRepliesTask" || task.__typename === "RankPrompterRepliesTask") {
        const ranking = task.replyMessages.map((_, i) => i);
        const res = await retrying(
          (u) => gql(u, SubmitRankingDocument, { input: { taskFrontendMessageId: frontendMessageId, ranking, notRankable: false } }, as),
          urls,
        );
        if (res.errors) {
          // the tree moved on while we ranked (the reference's own outcomes): not accepted, so not counted
          expect(res.errors[0].extensions?.code).to.be.oneOf(["CORRUPT_RANKING_RESULT", "TASK_EXPIRED"]);
          continue;
        }
        acc.rankings.push(task.id);
      } else {
        const labels = task.validLabels.map((name) => ({ name, value: name === "spam" || name === "lang_mismatch" ? 0 : 0.75 }));
        const res = await retrying((u) => gql(u, SubmitLabelsDocument, { input: { taskId: task.id, messageId: task.messageId, labels, text: "" } }, as), urls);
        if (res.errors) {
          expect(res.errors[0].extensions?.code, JSON.stringify(res.errors)).to.be.oneOf(["NO_SELF_LABELING", "MESSAGE_NOT_FOUND"]);
          continue;
        }
        acc.labels.push(task.id);
      }
    }
  }

  /** Every accepted submission is in the database exactly once, and nothing else is. */
  async function expectExactlyAccepted(acc: Accepted) {
    const msgs = await query<{ frontend_message_id: string; n: number }>(`SELECT frontend_message_id, count(*)::int AS n FROM message GROUP BY 1`);
    const stored = new Map(msgs.map((m) => [m.frontend_message_id, m.n]));
    for (const id of acc.replies) expect(stored.get(id), `accepted reply ${id}`).to.equal(1);
    expect(msgs.length, "no message besides the accepted ones").to.equal(acc.replies.length);
    const [{ n: rankings }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM message_reaction WHERE payload_type = 'RankingReactionPayload'`);
    expect(rankings).to.equal(acc.rankings.length);
    const reviews = await query<{ task_id: string }>(`SELECT task_id FROM text_labels WHERE task_id IS NOT NULL`);
    expect(reviews.map((r) => r.task_id).sort()).to.deep.equal([...acc.labels].sort());
    expect(await checkInvariants({ query: (sql: string) => query(sql) })).to.deep.equal([]);
  }

  async function sendChat(url: string, text = "hello"): Promise<string> {
    const as = { key, user: "local:chatter" };
    const chat = await retrying(
      (u) => gql(u, CreateChatDocument, { input: {} }, as),
      () => [url],
    );
    const sent = await retrying(
      (u) => gql(u, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text, model: "synthetic" } }, as),
      () => [url],
    );
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    return sent.data!.sendChatMessage.assistantMessage.id;
  }

  async function stored(id: string) {
    const res = await retrying((u) => gql(u, ChatMessageDocument, { id }, { key, user: "local:chatter" }), liveUrls);
    return res.data!.chatMessage;
  }

  /** Waits until the message is COMPLETE, FAILED, CANCELLED or TIMEOUT (the reconciler and leases see to it). */
  async function settled(id: string, timeoutMs = 60_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = await stored(id);
      if (TERMINAL.includes(m.state)) return m;
      if (Date.now() > until) {
        if (process.env.FAULTS_LOG_LEVEL) {
          for (const r of replicas) console.log(r.port, r.output().stdout.slice(-3000), r.output().stderr.slice(-3000));
          for (const w of workers) console.log(JSON.stringify(w.errors).slice(0, 1000));
        }
        throw new Error(`message ${id} still ${m.state}`);
      }
      await sleep(200);
    }
  }

  function follow(ws: WsClient, messageId: string, after?: number, onEvent?: (e: Event) => void): Promise<{ events: Event[]; error?: unknown }> {
    return new Promise((resolve) => {
      const events: Event[] = [];
      ws.subscribe<GenerationSubscription>(
        { query: print(GenerationDocument), variables: { messageId, after } },
        {
          next: (r) => {
            if (r.errors) return resolve({ events, error: r.errors });
            events.push(r.data!.generation);
            onEvent?.(r.data!.generation);
          },
          error: (error) => resolve({ events, error }),
          complete: () => resolve({ events }),
        },
      );
    });
  }

  function textOf(events: Event[]): string {
    let text = "";
    for (const e of events) {
      if (e.__typename === "GenerationRestarted") text = "";
      if (e.__typename === "GenerationTokens") text += e.text;
    }
    return text;
  }

  async function noUnfinishedChatMessages() {
    // The reconciler ends or re-queues what was left behind; give it its interval, then nothing may be unfinished.
    for (let i = 0; i < 150; i++) {
      const rows = await query<{ n: number }>(`SELECT count(*)::int AS n FROM chat_message WHERE state IN ('PENDING', 'IN_PROGRESS')`);
      if (rows[0].n === 0) return;
      await sleep(200);
    }
    const left = await query(`SELECT id, state, worker_name FROM chat_message WHERE state IN ('PENDING', 'IN_PROGRESS')`);
    expect(left, "chat messages left unfinished").to.deep.equal([]);
  }

  it("a client that disconnects mid-stream comes back with `after:` and gets every event once, in order", async () => {
    const [a, b] = replicas;
    const worker = new TestWorker(a.wsUrl, workerKey, { name: "steady", batches: 12, delayMs: 40 });
    workers.push(worker);
    await worker.start();
    const messageId = await sendChat(b.url);
    const first = wsClient(a.wsUrl, { authorization: `Bearer ${key}`, user: "local:chatter" });
    let lastSeq = 0;
    const part = await new Promise<Event[]>((resolve) => {
      const got: Event[] = [];
      const stop = first.subscribe<GenerationSubscription>(
        { query: print(GenerationDocument), variables: { messageId } },
        {
          next: (r) => {
            got.push(r.data!.generation);
            lastSeq = r.data!.generation.seq;
            if (got.filter((e) => e.__typename === "GenerationTokens").length >= 3) {
              stop();
              resolve(got);
            }
          },
          error: () => resolve(got),
          complete: () => resolve(got),
        },
      );
    });
    await first.dispose(); // the client goes away mid-stream
    const second = wsClient(b.wsUrl, { authorization: `Bearer ${key}`, user: "local:chatter" });
    sockets.push(second);
    const rest = await follow(second, messageId, lastSeq);
    expect(rest.error).to.equal(undefined);
    const all = [...part, ...rest.events];
    expect(
      all.map((e) => e.seq),
      "every event once, in order",
    ).to.deep.equal(all.map((_, i) => i + 1));
    expect(all[all.length - 1].__typename).to.equal("GenerationFinished");
    const m = await stored(messageId);
    expect(m.state).to.equal("COMPLETE");
    expect(textOf(all)).to.equal(m.text);
    await worker.stop();
  });

  it("a worker killed mid-generation: its job goes to another worker, the answer is stored once and the stream restarts", async () => {
    const [a, b] = replicas;
    const doomed = new TestWorker(a.wsUrl, workerKey, { name: "doomed", capacity: 1, batches: 50, delayMs: 30 });
    workers.push(doomed);
    await doomed.start();
    const messageId = await sendChat(b.url);
    const ws = wsClient(b.wsUrl, { authorization: `Bearer ${key}`, user: "local:chatter" });
    sockets.push(ws);
    let tokens = 0;
    let killed: Promise<void> | null = null;
    const following = follow(ws, messageId, 0, (e) => {
      if (e.__typename === "GenerationTokens" && ++tokens === 3) killed = doomed.kill();
    });
    while (!killed) await sleep(20);
    await killed;
    const rescuer = new TestWorker(b.wsUrl, workerKey, { name: "rescuer", batches: 4 });
    workers.push(rescuer);
    await rescuer.start();
    const { events, error } = await following;
    expect(error).to.equal(undefined);
    const types = events.map((e) => e.__typename);
    expect(types).to.include("GenerationRestarted");
    expect(types[types.length - 1]).to.equal("GenerationFinished");
    const m = await stored(messageId);
    expect(m.state).to.equal("COMPLETE");
    expect(m.workerName).to.equal("rescuer");
    expect(m.text).to.equal(" w0 w1 w2 w3");
    expect(textOf(events)).to.equal(m.text);
    const rows = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM chat_message WHERE parent_id = (SELECT parent_id FROM chat_message WHERE id = $1)`,
      [messageId],
    );
    expect(rows[0].n, "one answer, not two").to.equal(1);
    await rescuer.stop();
  });

  it("Redis restarted during streaming: the generation still ends, stored once; a subscriber resumes from the database", async () => {
    const [a, b] = replicas;
    const worker = new TestWorker(a.wsUrl, workerKey, { name: "through-redis", capacity: 2, batches: 30, delayMs: 40 });
    workers.push(worker);
    await worker.start();
    const messageId = await sendChat(b.url);
    const ws = wsClient(b.wsUrl, { authorization: `Bearer ${key}`, user: "local:chatter" });
    sockets.push(ws);
    let tokens = 0;
    let restarting: Promise<void> | null = null;
    const following = follow(ws, messageId, 0, (e) => {
      if (e.__typename === "GenerationTokens" && ++tokens === 3) restarting = redis.restart(300);
    });
    while (!restarting) await sleep(20);
    await restarting;
    const first = await Promise.race([following, sleep(30_000).then(() => ({ events: [] as Event[], error: "no end within 30 s" }))]);
    // What the subscriber sees: either the stream carries on to its end, or an error that tells it to read the
    // message and subscribe again; in both cases the stored answer is final and whole.
    if (first.error) note(`stream: ${JSON.stringify(first.error).slice(0, 80)}`);
    // A worker that lost its job (Redis forgot it) is replaced by the reconciler's re-queue; a fresh worker takes it.
    const fresh = new TestWorker(b.wsUrl, workerKey, { name: "after-redis", batches: 3 });
    workers.push(fresh);
    await fresh.start();
    const m = await settled(messageId);
    expect(m.state, JSON.stringify(m)).to.equal("COMPLETE");
    const replay = wsClient(a.wsUrl, { authorization: `Bearer ${key}`, user: "local:chatter" });
    sockets.push(replay);
    const again = await follow(replay, messageId, 0);
    expect(again.error, JSON.stringify(again.error)).to.equal(undefined);
    const last = again.events[again.events.length - 1] as Extract<Event, { __typename: "GenerationFinished" }>;
    expect(last.__typename).to.equal("GenerationFinished");
    expect(last.chatMessage.text).to.equal(m.text);
    await noUnfinishedChatMessages();
    await worker.kill();
    await fresh.stop();
    expectNoReplicaCrashed();
  });

  it("PostgreSQL restarted during a task-cycle load: clients see SERVICE_UNAVAILABLE and retry; nothing accepted is lost or doubled", async () => {
    const acc: Accepted = { replies: [], rankings: [], labels: [] };
    const before = { ...seen };
    let loadDone = false;
    const load = Promise.all(Array.from({ length: 6 }, (_, i) => annotate(`pg-${i}`, 14, acc))).finally(() => (loadDone = true));
    // restart while the annotators are mid-way
    while (!loadDone && acc.replies.length + acc.labels.length < 12) await sleep(50);
    expect(loadDone, "the load was still running at the restart").to.equal(false);
    await pg.restart(1_000);
    await load;
    const during = Object.fromEntries(
      Object.entries(seen)
        .map(([k, v]) => [k, v - (before[k] ?? 0)])
        .filter(([, v]) => (v as number) > 0),
    );
    expect(Object.keys(during).length, `the restart was noticed: ${JSON.stringify(during)}`).to.be.greaterThan(0);
    expect(during.INTERNAL_SERVER_ERROR ?? 0, `clients are told to retry, not shown an internal error: ${JSON.stringify(during)}`).to.equal(0);
    expect(acc.replies.length).to.be.greaterThan(12);
    await expectExactlyAccepted(acc);
    expectNoReplicaCrashed();
  });

  it("an API replica killed mid-request: retries on the other replica are stored once; its chat work is finished elsewhere", async () => {
    const [a, b] = replicas;
    const acc: Accepted = { replies: [], rankings: [], labels: [] };
    // a generation running through replica A's worker connection when A dies
    const worker = new TestWorker(a.wsUrl, workerKey, { name: "on-a", capacity: 1, batches: 100, delayMs: 30 });
    workers.push(worker);
    await worker.start();
    const messageId = await sendChat(a.url);
    for (let i = 0; i < 200 && worker.jobs.length === 0; i++) await sleep(20);
    // annotators hit A only until it dies, then B
    const urls = () => (a.child.exitCode === null && a.child.signalCode === null ? [a.url] : [b.url]);
    let loadDone = false;
    const load = Promise.all(Array.from({ length: 4 }, (_, i) => annotate(`kill-${i}`, 10, acc, urls))).finally(() => (loadDone = true));
    while (!loadDone && acc.replies.length + acc.labels.length < 6) await sleep(20);
    expect(loadDone, "the load was still running at the kill").to.equal(false);
    a.child.kill("SIGKILL");
    await a.exited;
    await load;
    await worker.kill();
    const rescuer = new TestWorker(b.wsUrl, workerKey, { name: "on-b", batches: 2 });
    workers.push(rescuer);
    await rescuer.start();
    const m = await settled(messageId);
    expect(m.state).to.equal("COMPLETE");
    expect(m.workerName).to.equal("on-b");
    await rescuer.stop();
    await noUnfinishedChatMessages();
    expect(seen.dropped ?? 0, "the kill dropped requests in flight").to.be.greaterThan(0);
    // all accepted work from every fault so far, checked at once against the database
    const replies = await query<{ n: number }>(`SELECT count(*)::int AS n FROM message WHERE frontend_message_id = ANY($1)`, [acc.replies]);
    expect(replies[0].n).to.equal(acc.replies.length);
    const dup = await query(`SELECT frontend_message_id FROM message GROUP BY 1 HAVING count(*) > 1`);
    expect(dup).to.deep.equal([]);
    expect(await checkInvariants({ query: (sql: string) => query(sql) })).to.deep.equal([]);
    void rawGql;
  });
});
