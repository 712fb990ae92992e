/**
 * End to end with real worker processes: the gpu-workers program (`chorus-worker`), spawned against a test server
 * with Redis, on the generated tiny model (transformers.js) or the synthetic backend where a test needs a slow,
 * steady stream to act in the middle of.
 */
import crypto from "node:crypto";
import { expect } from "chai";
import { print } from "graphql";
import type { Client } from "graphql-ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, errorCode, gql, wsClient } from "../helpers/graphql.js";
import { buildGpuWorkers, startWorkerProcess, type WorkerProcess } from "../helpers/gpu-worker-process.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { Role } from "../../src/modules/users/role.js";
import {
  ChatMessageDocument,
  ContinueGenerationDocument,
  CreateChatDocument,
  DrainWorkerDocument,
  GenerationDocument,
  SendChatMessageDocument,
  WorkerPoolsDocument,
  WorkersDocument,
  type GenerationSubscription,
} from "../../client/generated/graphql.js";
import { testRedisPrefix } from "../helpers/redis-keys.js";

type Event = GenerationSubscription["generation"];

function tokensText(events: Event[]): string {
  let text = "";
  for (const e of events) {
    if (e.__typename === "GenerationRestarted") text = "";
    if (e.__typename === "GenerationTokens") text += e.text;
  }
  return text;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("GPU worker processes end to end (tiny model, Redis)", function () {
  this.timeout(120_000);
  let server: TestServer;
  let clientKey: string;
  let workerKey: string;
  let ws: Client;
  const user = "local:worker-e2e";
  const as = () => ({ key: clientKey, user });
  const admin = () => ({ key: server.adminKey });
  const processes: WorkerProcess[] = [];

  before(async () => {
    buildGpuWorkers();
    server = await startTestServer(
      { LOCAL_WORKER: "false", WORKER_LEASE_MS: "3000", CHAT_TOKEN_BATCH_MS: "10", CHAT_RATE_LIMIT_GENERATIONS: "0", REDIS_KEY_PREFIX: testRedisPrefix() },
      { redis: true },
    );
    clientKey = (await server.createClient({ name: "chat app", trusted: true })).key;
    workerKey = (await server.createClient({ name: "gpu workers", kind: ApiClientKind.WORKER })).key;
    ws = wsClient(server.wsUrl, { authorization: `Bearer ${clientKey}`, user });
  });

  afterEach(async () => {
    for (const p of processes.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill("SIGTERM");
        await p.exited;
      }
    }
    await until("no worker is connected", async () => (await gql(server.url, WorkersDocument, {}, admin())).data!.workers.length === 0, 10_000);
  });

  after(async () => {
    await ws?.dispose();
    await server?.stop();
  });

  function worker(env: Record<string, string>): WorkerProcess {
    const p = startWorkerProcess({ CHORUS_API_URL: server.wsUrl, CHORUS_WORKER_KEY: workerKey, ...env });
    processes.push(p);
    return p;
  }

  async function send(model: string, text: string, sampling: Record<string, unknown> = {}): Promise<string> {
    const chat = await gql(server.url, CreateChatDocument, { input: {} }, as());
    const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text, model, sampling } }, as());
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    return sent.data!.sendChatMessage.assistantMessage.id;
  }

  function follow(messageId: string): Promise<Event[]> {
    return collect(ws, GenerationDocument, { messageId }, Number.POSITIVE_INFINITY, 90_000).then((r) => {
      if (r.error) throw r.error instanceof Error ? r.error : new Error(JSON.stringify(r.error));
      expect(r.completed, "the subscription completes").to.equal(true);
      return r.results.map((x) => x.data!.generation);
    });
  }

  async function stored(id: string) {
    return (await gql(server.url, ChatMessageDocument, { id }, as())).data!.chatMessage;
  }

  async function connectedWorkers() {
    return (await gql(server.url, WorkersDocument, {}, admin())).data!.workers;
  }

  it("continues an answer cut at the length limit (continueGeneration) on the tiny model: the stored text grows by exactly what streamed", async () => {
    const w = worker({ CHORUS_WORKER_BACKEND: "transformers", CHORUS_WORKER_MODELS: "chorus-tiny", CHORUS_WORKER_NAME: "tiny-c" });
    await w.waitFor(/"msg":"connected"/);
    const messageId = await send("chorus-tiny", "Tell me a long story", { temperature: 0, maxNewTokens: 6 });
    const first = await follow(messageId);
    const cut = await stored(messageId);
    expect(cut.state).to.equal("COMPLETE");
    expect(cut.finishReason).to.equal("length");
    expect(cut.text).to.equal(tokensText(first));

    const cont = await gql(server.url, ContinueGenerationDocument, { messageId }, as());
    expect(cont.errors, JSON.stringify(cont.errors)).to.equal(undefined);
    const resumeAfter = cont.data!.continueGeneration.resumeAfter;
    expect(resumeAfter).to.equal(first.length);
    const r = await collect(ws, GenerationDocument, { messageId, after: resumeAfter }, Number.POSITIVE_INFINITY, 90_000);
    expect(r.completed).to.equal(true);
    const more = r.results.map((x) => x.data!.generation);
    expect(more.map((e) => e.seq)).to.deep.equal(more.map((_, i) => resumeAfter + i + 1));
    expect(more.map((e) => e.__typename)).to.not.include("GenerationRestarted");
    const added = more
      .filter((e) => e.__typename === "GenerationTokens")
      .map((e) => (e as { text: string }).text)
      .join("");
    expect(added.length, "the worker generated new text after the answer so far").to.be.greaterThan(0);
    const whole = await stored(messageId);
    expect(whole.state).to.equal("COMPLETE");
    // The worker continued the stored answer (not a fresh one, not the stored text repeated).
    expect(whole.text).to.equal(cut.text + added);
    // Greedy decoding continued from the answer so far gives what one longer generation gives: the backend was
    // handed the stored text as the start of its answer, not as a finished turn to answer anew.
    const longer = await send("chorus-tiny", "Tell me a long story", { temperature: 0, maxNewTokens: whole.tokenCount });
    await follow(longer);
    expect((await stored(longer)).text).to.equal(whole.text);
  });

  it("streams an answer of the tiny model from a worker process: queued → started → tokens → finished, stored text = streamed text", async () => {
    const w = worker({ CHORUS_WORKER_BACKEND: "transformers", CHORUS_WORKER_MODELS: "chorus-tiny", CHORUS_WORKER_NAME: "tiny-1", CHORUS_WORKER_CAPACITY: "2" });
    await w.waitFor(/"msg":"connected"/);
    await until("the worker is listed", async () => (await connectedWorkers()).length === 1);
    const [listed] = await connectedWorkers();
    expect(listed).to.include({ name: "tiny-1", device: "cpu", capacity: 2, protocolVersion: 1, canContinue: true, draining: false });
    expect(listed.models).to.deep.equal(["chorus-tiny"]);

    const messageId = await send("chorus-tiny", "Hello, tiny model", { temperature: 0, maxNewTokens: 64 });
    const events = await follow(messageId);
    const types = events.map((e) => e.__typename);
    expect(types.slice(0, 2)).to.deep.equal(["GenerationQueued", "GenerationStarted"]);
    expect(types).to.include("GenerationTokens");
    expect(types).to.not.include("GenerationRestarted");
    expect(types[types.length - 1]).to.equal("GenerationFinished");
    expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => i + 1));
    const m = await stored(messageId);
    expect(m.state).to.equal("COMPLETE");
    expect(m.workerName).to.equal("tiny-1");
    expect(m.text.length).to.be.greaterThan(0);
    expect(m.text).to.equal(tokensText(events));
    expect(m.tokenCount).to.be.within(1, 64);

    // Greedy decoding of the tiny model is deterministic: the same prompt gives the same text.
    const again = await send("chorus-tiny", "Hello, tiny model", { temperature: 0, maxNewTokens: 64 });
    await follow(again);
    expect((await stored(again)).text).to.equal(m.text);

    const pools = (await gql(server.url, WorkerPoolsDocument, {}, admin())).data!.workerPools;
    const tiny = pools.find((p) => p.model === "chorus-tiny")!;
    expect(tiny).to.include({ workers: 1, capacity: 2, inFlightJobs: 0, queueDepth: 0 });
    expect(tiny.tokensPerSecond).to.be.greaterThan(0);
    expect(pools.find((p) => p.model === "synthetic")).to.include({ workers: 0, capacity: 0 });
  });

  it("fails only the job whose backend failed: the worker stays connected and its other job completes", async () => {
    const w = worker({ CHORUS_WORKER_BACKEND: "transformers", CHORUS_WORKER_MODELS: "chorus-tiny", CHORUS_WORKER_NAME: "tiny-2", CHORUS_WORKER_CAPACITY: "2" });
    await w.waitFor(/"msg":"connected"/);
    // About 8,000 characters are several thousand byte-level tokens: more than the tiny model's 1,024 positions.
    const tooLong = await send(
      "chorus-tiny",
      Array.from({ length: 1000 }, (_, i) => `w${i * 7919}`)
        .join(" ")
        .slice(0, 7900),
    );
    const fine = await send("chorus-tiny", "Just a short question", { temperature: 0, maxNewTokens: 32 });
    const [failedEvents, fineEvents] = await Promise.all([follow(tooLong), follow(fine)]);
    const last = failedEvents[failedEvents.length - 1] as Extract<Event, { __typename: "GenerationFailed" }>;
    expect(last.__typename).to.equal("GenerationFailed");
    expect(last.code).to.equal("CONTEXT_LENGTH_EXCEEDED");
    expect(failedEvents.filter((e) => e.__typename === "GenerationStarted")).to.have.length(1); // not retryable
    expect((await stored(tooLong)).state).to.equal("FAILED");
    expect(fineEvents[fineEvents.length - 1].__typename).to.equal("GenerationFinished");
    expect((await stored(fine)).state).to.equal("COMPLETE");
    expect(w.child.exitCode).to.equal(null);
    expect((await connectedWorkers()).map((x) => x.name)).to.deep.equal(["tiny-2"]);
    const after = await send("chorus-tiny", "Still there?", { temperature: 0, maxNewTokens: 16 });
    await follow(after);
    expect((await stored(after)).state).to.equal("COMPLETE");
  });

  it("continues a stream on a second worker after the first is killed with SIGKILL: nothing lost, nothing doubled", async () => {
    const synthetic = { CHORUS_WORKER_BACKEND: "synthetic", CHORUS_WORKER_MODELS: "synthetic", CHORUS_WORKER_SYNTHETIC_TOKENS_PER_SECOND: "25" };
    const first = worker({ ...synthetic, CHORUS_WORKER_NAME: "doomed" });
    await first.waitFor(/"msg":"connected"/);
    const messageId = await send("synthetic", "Tell me a long story", { maxNewTokens: 40 });
    const events: Event[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const sub = ws.subscribe<GenerationSubscription>(
        { query: print(GenerationDocument), variables: { messageId } },
        { next: (r) => void (r.data && events.push(r.data.generation)), error: reject, complete: resolve },
      );
      void sub;
    });
    await until("a few batches are streamed", () => tokensText(events).split(" ").filter(Boolean).length >= 8);
    first.child.kill("SIGKILL");
    await first.exited;
    const partial = tokensText(events);
    const second = worker({ ...synthetic, CHORUS_WORKER_NAME: "rescuer" });
    await done;
    expect(second.child.exitCode).to.equal(null);
    const types = events.map((e) => e.__typename);
    expect(types.filter((t) => t === "GenerationStarted")).to.have.length(2);
    expect(types).to.not.include("GenerationRestarted");
    expect(types[types.length - 1]).to.equal("GenerationFinished");
    expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => i + 1));
    const m = await stored(messageId);
    expect(m.state).to.equal("COMPLETE");
    expect(m.workerName).to.equal("rescuer");
    expect(m.text).to.equal(tokensText(events));
    expect(m.text.startsWith(partial)).to.equal(true);
    expect(m.text.length).to.be.greaterThan(partial.length);
    // One word per token: the two workers together produced exactly the budget.
    expect(m.tokenCount).to.equal(40);
    expect(m.text.trim().split(" ")).to.have.length(40);
    expect(m.finishReason).to.equal("length");
  });

  it("drops a worker that stops answering for the lease time (SIGSTOP); a second worker continues its stream; the frozen one reconnects", async () => {
    const synthetic = { CHORUS_WORKER_BACKEND: "synthetic", CHORUS_WORKER_MODELS: "synthetic", CHORUS_WORKER_SYNTHETIC_TOKENS_PER_SECOND: "25" };
    const frozen = worker({ ...synthetic, CHORUS_WORKER_NAME: "frozen" });
    await frozen.waitFor(/"msg":"connected"/);
    const messageId = await send("synthetic", "Keep going", { maxNewTokens: 40 });
    const events: Event[] = [];
    const done = new Promise<void>((resolve, reject) => {
      ws.subscribe<GenerationSubscription>(
        { query: print(GenerationDocument), variables: { messageId } },
        { next: (r) => void (r.data && events.push(r.data.generation)), error: reject, complete: resolve },
      );
    });
    await until("a few batches are streamed", () => tokensText(events).split(" ").filter(Boolean).length >= 8);
    frozen.child.kill("SIGSTOP");
    const rescuer = worker({ ...synthetic, CHORUS_WORKER_NAME: "rescuer" });
    await done;
    frozen.child.kill("SIGCONT");
    const types = events.map((e) => e.__typename);
    expect(types.filter((t) => t === "GenerationStarted")).to.have.length(2);
    expect(types).to.not.include("GenerationRestarted");
    const m = await stored(messageId);
    expect(m.state).to.equal("COMPLETE");
    expect(m.workerName).to.equal("rescuer");
    expect(m.text).to.equal(tokensText(events));
    expect(m.tokenCount).to.equal(40);
    expect(m.text.trim().split(" ")).to.have.length(40);
    // Thawed, the frozen worker learns it was dropped (its late batches are refused) and comes back as a new session.
    await frozen.waitFor(/connection lost; reconnecting/);
    await until("both workers are connected", async () => (await connectedWorkers()).length === 2);
    expect(rescuer.child.exitCode).to.equal(null);
    expect((await stored(messageId)).text).to.equal(m.text);
  });

  it("drains a worker: it finishes its running job, takes no new one, and exits; another worker takes the queue", async () => {
    const synthetic = { CHORUS_WORKER_BACKEND: "synthetic", CHORUS_WORKER_MODELS: "synthetic", CHORUS_WORKER_SYNTHETIC_TOKENS_PER_SECOND: "25" };
    const old = worker({ ...synthetic, CHORUS_WORKER_NAME: "old-release", CHORUS_WORKER_CAPACITY: "2" });
    await old.waitFor(/"msg":"connected"/);
    await until("the worker is listed", async () => (await connectedWorkers()).length === 1);
    const running = await send("synthetic", "Finish this one", { maxNewTokens: 30 });
    await until("the job runs", async () => (await stored(running)).state === "IN_PROGRESS");
    const [info] = await connectedWorkers();
    const drained = await gql(server.url, DrainWorkerDocument, { input: { workerId: info.id } }, admin());
    expect(drained.errors, JSON.stringify(drained.errors)).to.equal(undefined);
    expect(drained.data!.drainWorker).to.include({ id: info.id, name: "old-release", draining: true, inFlightJobs: 1 });
    const waiting = await send("synthetic", "Wait for the new release", { maxNewTokens: 5 });
    const code = await old.exited;
    expect(code).to.equal(0);
    expect(old.output().stdout).to.match(/drained/);
    const first = await stored(running);
    expect(first.state).to.equal("COMPLETE");
    expect(first.tokenCount).to.equal(30);
    expect((await stored(waiting)).state).to.equal("PENDING");
    const fresh = worker({ ...synthetic, CHORUS_WORKER_NAME: "new-release" });
    await follow(waiting);
    const second = await stored(waiting);
    expect(second.state).to.equal("COMPLETE");
    expect(second.workerName).to.equal("new-release");
    expect(fresh.child.exitCode).to.equal(null);

    const unknown = await gql(server.url, DrainWorkerDocument, { input: { workerId: crypto.randomUUID() } }, admin());
    expect(errorCode(unknown)).to.equal("NOT_FOUND");
    const moderatorKey = (await server.createClient({ name: "mods", role: Role.MODERATOR })).key;
    expect(errorCode(await gql(server.url, DrainWorkerDocument, { input: { workerId: info.id } }, { key: moderatorKey }))).to.equal("FORBIDDEN");
    expect(errorCode(await gql(server.url, WorkersDocument, {}, { key: moderatorKey }))).to.equal("FORBIDDEN");
    expect(errorCode(await gql(server.url, WorkerPoolsDocument, {}, { key: workerKey }))).to.equal("FORBIDDEN");
  });

  it("refuses a worker that speaks another protocol version, with a message naming the API's; the worker exits with status 2", async () => {
    const w = worker({ CHORUS_WORKER_BACKEND: "synthetic", CHORUS_WORKER_MODELS: "synthetic", CHORUS_WORKER_PROTOCOL_VERSION: "2" });
    const code = await w.exited;
    expect(code).to.equal(2);
    expect(w.output().stdout).to.match(/protocol version 2 is not supported: this API speaks version 1/);
  });

  it("keeps keys to their kind: a client key cannot act as a worker (exit 3), a worker key cannot call client operations", async () => {
    const w = startWorkerProcess({
      CHORUS_API_URL: server.wsUrl,
      CHORUS_WORKER_KEY: clientKey,
      CHORUS_WORKER_BACKEND: "synthetic",
      CHORUS_WORKER_MODELS: "synthetic",
    });
    processes.push(w);
    expect(await w.exited).to.equal(3);
    expect(w.output().stdout).to.match(/refused the key/);
    const asWorker = await gql(server.url, CreateChatDocument, { input: {} }, { key: workerKey, user });
    expect(errorCode(asWorker)).to.equal("FORBIDDEN");
    expect(
      errorCode(
        await gql(server.url, SendChatMessageDocument, { input: { chatId: crypto.randomUUID(), text: "x", model: "synthetic" } }, { key: workerKey, user }),
      ),
    ).to.equal("FORBIDDEN");
  });
});
