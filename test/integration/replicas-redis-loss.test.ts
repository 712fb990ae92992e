/**
 * A replica whose Redis goes away: new generations are refused with a clear error and nothing is stored, reads
 * from PostgreSQL go on, /readyz names Redis, and once Redis is back everything works again without a restart.
 * The test runs its own redis-server on a free port; the machine's shared Redis is never touched.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { expect } from "chai";
import { startCluster, eventually, freePort, type Cluster, type Replica } from "../helpers/replicas.js";
import { errorCode, gql } from "../helpers/graphql.js";
import { TestWorker } from "../helpers/test-worker.js";
import { Annotator } from "../helpers/annotator.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { ChatDocument, ChatMessageDocument, CreateChatDocument, SendChatMessageDocument } from "../../client/generated/graphql.js";

/** A throw-away redis-server keeping nothing on disk, as the machine's Redis is configured. */
class PrivateRedis {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.child = child;
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    await eventually(async () => (/Ready to accept connections/.test(out) ? true : child.exitCode !== null ? Promise.reject(new Error(out)) : undefined), 50);
  }
  /** Kills this test's own redis-server, by its pid. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    this.child = null;
  }
}

describe("a replica that loses Redis", function () {
  this.timeout(120_000);
  let redis: PrivateRedis;
  let cluster: Cluster;
  let A: Replica;
  let key: string;
  let workerKey: string;
  const user = "local:outage";
  const as = () => ({ key, user });
  const workers: TestWorker[] = [];

  before(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    cluster = await startCluster(1, { REDIS_URL: redis.url, WORKER_LEASE_MS: "2000", CHAT_RECONCILE_INTERVAL_SECONDS: "1" });
    [A] = cluster.replicas;
    key = await cluster.createClient({ name: "frontend", trusted: true });
    workerKey = await cluster.createClient({ name: "gpu", kind: ApiClientKind.WORKER });
  });
  after(async () => {
    for (const w of workers) await w.kill();
    await cluster?.stop();
    await redis?.kill();
  });

  async function readyz() {
    const res = await fetch(`${A.origin}/readyz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function generate(chatId: string, parentId?: string): Promise<{ id: string; text: string }> {
    const sent = await gql(A.url, SendChatMessageDocument, { input: { chatId, parentId, text: "Hello again", model: "synthetic" } }, as());
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    const id = sent.data!.sendChatMessage.assistantMessage.id;
    const m = await eventually(async () => {
      const r = await gql(A.url, ChatMessageDocument, { id }, as());
      return r.data?.chatMessage.state === "COMPLETE" ? r.data.chatMessage : undefined;
    }, 100);
    return { id, text: m.text };
  }

  it("refuses new generations with SERVICE_UNAVAILABLE, serves reads, says Redis is down, and recovers by itself", async () => {
    const worker = new TestWorker(A.wsUrl, workerKey, { name: "steady", capacity: 2, batches: 3 });
    workers.push(worker);
    await worker.start();
    const chatId = (await gql(A.url, CreateChatDocument, { input: {} }, as())).data!.createChat.id;
    const first = await generate(chatId);
    expect(first.text).to.equal(" w0 w1 w2");
    expect(await readyz()).to.deep.equal({ status: 200, body: { ready: true, database: "ok", redis: "ok" } });

    await redis.kill();
    const down = await eventually(async () => {
      const r = await readyz();
      return r.status === 503 ? r : undefined;
    });
    expect(down.body).to.deep.equal({ ready: false, database: "ok", redis: "down" });

    // A new generation is refused with a clear, typed error, and nothing of it is stored.
    const refused = await gql(A.url, SendChatMessageDocument, { input: { chatId, parentId: first.id, text: "during the outage", model: "synthetic" } }, as());
    expect(errorCode(refused)).to.equal("SERVICE_UNAVAILABLE");
    expect(refused.errors![0].message).to.match(/queue is unreachable/);
    const [{ count }] = await cluster.ds.query(`SELECT count(*)::int AS count FROM chat_message WHERE chat_id = $1`, [chatId]);
    expect(count).to.equal(2);

    // Reads come from PostgreSQL and go on.
    const chat = await gql(A.url, ChatDocument, { id: chatId }, as());
    expect(chat.errors, JSON.stringify(chat.errors)).to.equal(undefined);
    expect(chat.data!.chat.messages.map((m) => m.text)).to.deep.equal(["Hello again", " w0 w1 w2"]);
    const newChat = await gql(A.url, CreateChatDocument, { input: { title: "written to PostgreSQL only" } }, as());
    expect(newChat.errors, JSON.stringify(newChat.errors)).to.equal(undefined);
    expect((await fetch(`${A.origin}/healthz`)).status).to.equal(200);
    // Task requests need only PostgreSQL: the rate limiter lets them pass while its counters are unreachable.
    const task = await new Annotator(A.url, key, "outage-annotator").request("INITIAL_PROMPT", "en");
    expect(task.errors, JSON.stringify(task.errors)).to.equal(undefined);
    expect(task.data!.requestTask.__typename).to.equal("InitialPromptTask");

    // Redis comes back (empty: it keeps nothing on disk); the replica reconnects without a restart.
    await redis.start();
    await eventually(async () => ((await readyz()).status === 200 ? true : undefined));
    expect((await readyz()).body).to.deep.equal({ ready: true, database: "ok", redis: "ok" });
    // The worker that stayed connected through the outage takes new jobs again.
    const after = await generate(chatId, first.id);
    expect(after.text).to.equal(" w0 w1 w2");
    expect(worker.jobs.length).to.equal(2);
  });
});
