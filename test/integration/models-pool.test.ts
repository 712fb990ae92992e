import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { gql } from "../helpers/graphql.js";
import { TestWorker } from "../helpers/test-worker.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { CreateChatDocument, ModelsDocument, SendChatMessageDocument, WorkerPoolsDocument } from "../../client/generated/graphql.js";
import { testRedisPrefix } from "../helpers/redis-keys.js";

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("models: live pool status of every replica (shared worker registry, Redis)", function () {
  this.timeout(60_000);
  /** Two replicas of one deployment: one database, one Redis key prefix. */
  let a: TestServer;
  let b: TestServer;
  let clientKey: string;
  let workerKey: string;
  const workers: TestWorker[] = [];
  const user = "local:pool-watcher";

  before(async () => {
    const env = { LOCAL_WORKER: "false", CHAT_RATE_LIMIT_GENERATIONS: "0", REDIS_KEY_PREFIX: testRedisPrefix() };
    a = await startTestServer(env, { redis: true });
    b = await startTestServer({ ...env, DATABASE_URL: a.db.url }, { redis: true });
    clientKey = (await a.createClient({ name: "chat app", trusted: true })).key;
    workerKey = (await a.createClient({ name: "gpu workers", kind: ApiClientKind.WORKER })).key;
  });
  after(async () => {
    for (const w of workers) await w.kill();
    await b?.stop(); // b runs on a's database: stop it first
    await a?.stop();
  });

  const model = async (server: TestServer, id: string) => {
    const res = await gql(server.url, ModelsDocument, {}, { key: clientKey, user });
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    return res.data!.models.find((m) => m.id === id)!;
  };
  const counts = async () => [(await model(a, "synthetic")).connectedWorkers, (await model(b, "synthetic")).connectedWorkers];
  const connect = async (server: TestServer, name: string) => {
    // a worker that never finishes a job, so a queued job stays queued only while no worker serves the model
    const w = new TestWorker(server.wsUrl, workerKey, { name, models: ["synthetic"], batches: 1 });
    workers.push(w);
    await w.start();
    return w;
  };

  it("counts workers connected to any replica, from every replica, as workerPools does", async () => {
    expect(await counts()).to.deep.equal([0, 0]);
    const onB = await connect(b, "on-b");
    await until("both replicas count the worker of b", async () => (await counts()).join() === "1,1");
    await connect(a, "on-a");
    await until("both replicas count both workers", async () => (await counts()).join() === "2,2");
    const pools = await gql(a.url, WorkerPoolsDocument, {}, { key: a.adminKey });
    expect(pools.data!.workerPools.find((p) => p.model === "synthetic")!.workers).to.equal(2);
    await onB.kill();
    await until("both replicas count the one left", async () => (await counts()).join() === "1,1");
  });

  it("shows the same queue size on every replica", async () => {
    for (const w of workers.splice(0)) await w.kill();
    await until("no worker is left", async () => (await counts()).join() === "0,0");
    const chat = await gql(a.url, CreateChatDocument, { input: {} }, { key: clientKey, user });
    const sent = await gql(
      a.url,
      SendChatMessageDocument,
      { input: { chatId: chat.data!.createChat.id, text: "hi", model: "synthetic" } },
      { key: clientKey, user },
    );
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    expect((await model(a, "synthetic")).queueSize).to.equal(1);
    expect((await model(b, "synthetic")).queueSize).to.equal(1);
  });
});
