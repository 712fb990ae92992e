import { expect } from "chai";
import type { Client } from "graphql-ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, gql, wsClient } from "../helpers/graphql.js";
import { TestWorker } from "../helpers/test-worker.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import {
  CancelGenerationDocument,
  ChatMessageDocument,
  CreateChatDocument,
  GenerationDocument,
  ModelsDocument,
  SendChatMessageDocument,
  type GenerationSubscription,
} from "../../client/generated/graphql.js";
import { testRedisPrefix } from "../helpers/redis-keys.js";

type Event = GenerationSubscription["generation"];

async function follow(client: Client, messageId: string, after?: number, timeoutMs = 15_000): Promise<Event[]> {
  const r = await collect(client, GenerationDocument, { messageId, after }, Number.POSITIVE_INFINITY, timeoutMs);
  for (const x of r.results) if (x.errors) throw new Error(JSON.stringify(x.errors));
  if (r.error) throw r.error instanceof Error ? r.error : new Error(JSON.stringify(r.error));
  expect(r.completed, "the subscription completes").to.equal(true);
  return r.results.map((x) => x.data!.generation);
}

function tokensText(events: Event[]): string {
  let text = "";
  for (const e of events) {
    if (e.__typename === "GenerationRestarted") text = "";
    if (e.__typename === "GenerationTokens") text += e.text;
  }
  return text;
}

for (const driver of ["local", "redis"] as const) {
  describe(`chat recovery: leases, failures, timeouts and the reconciler (${driver} drivers)`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let key: string;
    let workerKey: string;
    let ws: Client;
    const user = "local:carol";
    const as = { key: "", user };

    before(async () => {
      server = await startTestServer(
        { LOCAL_WORKER: "false", WORKER_LEASE_MS: "600", CHAT_PENDING_TIMEOUT_SECONDS: "60", REDIS_KEY_PREFIX: testRedisPrefix() },
        { redis: driver === "redis" },
      );
      key = (await server.createClient({ name: "chat app", trusted: true })).key;
      as.key = key;
      workerKey = (await server.createClient({ name: "gpu worker", kind: ApiClientKind.WORKER })).key;
      ws = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user });
    });
    after(async () => {
      await ws?.dispose();
      await server?.stop();
    });

    async function sendNew(model: string, text = "Hi"): Promise<string> {
      const chat = await gql(server.url, CreateChatDocument, { input: {} }, as);
      const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text, model } }, as);
      expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
      return sent.data!.sendChatMessage.assistantMessage.id;
    }

    async function stored(id: string) {
      return (await gql(server.url, ChatMessageDocument, { id }, as)).data!.chatMessage;
    }

    it("gives the job of a worker that hangs to another worker once its lease lapses", async () => {
      const messageId = await sendNew("synthetic");
      const following = follow(ws, messageId, 0, 20_000);
      const hung = new TestWorker(server.wsUrl, workerKey, { name: "hung", capacity: 1, batches: 10, hangAfter: 2 });
      await hung.start();
      for (let i = 0; i < 50 && hung.jobs.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const rescuer = new TestWorker(server.wsUrl, workerKey, { name: "rescuer", batches: 3 });
      await rescuer.start();
      const events = await following;
      await rescuer.stop();
      await hung.kill();
      const types = events.map((e) => e.__typename);
      expect(types.slice(0, 2)).to.deep.equal(["GenerationQueued", "GenerationStarted"]);
      expect(types).to.include("GenerationRestarted");
      expect(types[types.length - 1]).to.equal("GenerationFinished");
      expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => i + 1));
      const m = await stored(messageId);
      expect(m.state).to.equal("COMPLETE");
      expect(m.workerName).to.equal("rescuer");
      expect(m.text).to.equal(" w0 w1 w2");
      expect(m.text).to.equal(tokensText(events));
    });

    it("retries a retryable failure up to the attempt limit, then ends FAILED; a fatal one fails at once", async () => {
      const retried = await sendNew("synthetic");
      const failing = new TestWorker(server.wsUrl, workerKey, { name: "flaky", failWith: { code: "OUT_OF_MEMORY", retryable: true } });
      const following = follow(ws, retried);
      await failing.start();
      const events = await following;
      await failing.stop();
      expect(events.filter((e) => e.__typename === "GenerationStarted")).to.have.length(3);
      const last = events[events.length - 1] as Extract<Event, { __typename: "GenerationFailed" }>;
      expect(last.__typename).to.equal("GenerationFailed");
      expect(last.code).to.equal("OUT_OF_MEMORY");
      const m = await stored(retried);
      expect(m.state).to.equal("FAILED");
      expect(m.error).to.equal("test failure");

      const fatal = await sendNew("synthetic");
      const broken = new TestWorker(server.wsUrl, workerKey, { name: "broken", failWith: { code: "BAD_PROMPT", retryable: false } });
      const f2 = follow(ws, fatal);
      await broken.start();
      const e2 = await f2;
      await broken.stop();
      expect(e2.map((e) => e.__typename)).to.deep.equal(["GenerationQueued", "GenerationStarted", "GenerationFailed"]);
      expect((await stored(fatal)).state).to.equal("FAILED");
    });

    it("times out a generation no worker started, on the scheduler rather than at dequeue", async () => {
      const messageId = await sendNew("chorus-tiny");
      await server.chorus.app.ds.query(`UPDATE chat_message SET created_at = now() - interval '2 minutes' WHERE id = $1`, [messageId]);
      await server.chorus.runJob("chat-reconcile");
      const m = await stored(messageId);
      expect(m.state).to.equal("TIMEOUT");
      const events = await follow(ws, messageId);
      const last = events[events.length - 1] as Extract<Event, { __typename: "GenerationFailed" }>;
      expect(last.__typename).to.equal("GenerationFailed");
      expect(last.code).to.equal("TIMEOUT");
      expect(await server.chorus.app.generations.queue.size("chorus-tiny")).to.equal(0);
    });

    it("re-queues unfinished messages whose jobs were lost (Redis keeps nothing on disk)", async () => {
      const pending = await sendNew("chorus-tiny", "lost while waiting");
      const running = await sendNew("chorus-tiny", "lost while running");
      const queue = server.chorus.app.generations.queue;
      // Both jobs vanish from the queue, as after a Redis restart; one message had been started by a worker.
      await queue.cancel(pending);
      await queue.cancel(running);
      await server.chorus.app.ds.query(`UPDATE chat_message SET state = 'IN_PROGRESS', worker_name = 'gone' WHERE id = $1`, [running]);
      await server.chorus.app.ds.query(`UPDATE chat_message SET created_at = now() - interval '10 seconds' WHERE id = ANY($1::uuid[])`, [[pending, running]]);
      expect(await queue.size("chorus-tiny")).to.equal(0);
      await server.chorus.runJob("chat-reconcile");
      expect(await queue.size("chorus-tiny")).to.equal(2);
      expect((await stored(running)).state).to.equal("PENDING");
      // The partial text stays until a worker takes the job: one that can continue goes on after it, another
      // restarts (GenerationRestarted then).
      const tail = await collect(ws, GenerationDocument, { messageId: running, after: 1 }, 1, 5_000);
      expect(tail.results.map((r) => r.data!.generation.__typename)).to.deep.equal(["GenerationQueued"]);
      // running it again changes nothing
      await server.chorus.runJob("chat-reconcile");
      expect(await queue.size("chorus-tiny")).to.equal(2);
      for (const id of [pending, running]) await gql(server.url, CancelGenerationDocument, { messageId: id }, as);
      expect(await queue.size("chorus-tiny")).to.equal(0);
    });
  });
}

describe("chat in local mode: the in-process worker", function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ LOCAL_WORKER_TOKENS_PER_SECOND: "400", CHAT_TOKEN_BATCH_MS: "10", CHAT_RATE_LIMIT_GENERATIONS: "2" });
  });
  after(async () => {
    await server?.stop();
  });

  it("streams tokens from the synthetic model with nothing else started", async () => {
    const key = (await server.createClient({ name: "newcomer" })).key;
    const as = { key, user: "local:newcomer" };
    const models = await gql(server.url, ModelsDocument, {}, as);
    expect(models.data!.models.find((m) => m.id === "synthetic")!.connectedWorkers).to.equal(1);
    const chat = await gql(server.url, CreateChatDocument, { input: { systemPrompt: "Be brief." } }, as);
    const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text: "Tell me", model: "synthetic" } }, as);
    const messageId = sent.data!.sendChatMessage.assistantMessage.id;
    const ws = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: "local:newcomer" });
    const events = await follow(ws, messageId);
    await ws.dispose();
    const finished = events[events.length - 1] as Extract<Event, { __typename: "GenerationFinished" }>;
    expect(finished.__typename).to.equal("GenerationFinished");
    expect(finished.chatMessage.workerName).to.equal("local-synthetic");
    expect(finished.chatMessage.text.length).to.be.greaterThan(0);
    expect(finished.chatMessage.text).to.equal(tokensText(events));
    expect(finished.chatMessage.tokenCount).to.equal(finished.chatMessage.text.trim().split(" ").length);
  });

  it("limits generations per user and window with RATE_LIMITED, storing nothing for the refused one", async () => {
    const key = (await server.createClient({ name: "hasty app" })).key;
    const as = { key, user: "local:hasty" };
    const send = async () => {
      const chat = await gql(server.url, CreateChatDocument, { input: {} }, as);
      return gql(server.url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text: "again", model: "synthetic" } }, as);
    };
    expect((await send()).errors).to.equal(undefined);
    expect((await send()).errors).to.equal(undefined);
    const [{ n: before }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM chat_message`);
    const refused = await send();
    expect(refused.errors?.[0]?.extensions?.code).to.equal("RATE_LIMITED");
    expect(refused.errors![0].extensions!.retryAfterSeconds).to.be.within(1, 600);
    const [{ n: after }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM chat_message`);
    expect(after).to.equal(before);
    const other = await gql(server.url, CreateChatDocument, { input: {} }, { key, user: "local:patient" });
    const fine = await gql(
      server.url,
      SendChatMessageDocument,
      { input: { chatId: other.data!.createChat.id, text: "hi", model: "synthetic" } },
      { key, user: "local:patient" },
    );
    expect(fine.errors).to.equal(undefined);
  });
});
