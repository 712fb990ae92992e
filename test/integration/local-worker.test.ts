import { readdirSync } from "node:fs";
import { Writable } from "node:stream";
import { expect } from "chai";
import pino from "pino";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, gql, wsClient } from "../helpers/graphql.js";
import { buildGpuWorkers } from "../helpers/gpu-worker-process.js";
import { LocalWorker } from "../../src/modules/workers/local/local-worker.js";
import { tinyModelRunner } from "../../src/modules/workers/local/local-models.js";
import {
  ChatMessageDocument,
  CreateChatDocument,
  GenerationDocument,
  ModelsDocument,
  SendChatMessageDocument,
  WorkerPoolsDocument,
  WorkersDocument,
} from "../../client/generated/graphql.js";

/** A logger whose lines the test reads back. */
function capturedLog(): { lines: string[]; log: pino.Logger } {
  const lines: string[] = [];
  const log = pino(
    { level: "info" },
    new Writable({
      write: (chunk, _enc, done) => {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { lines, log };
}

describe("local mode: the in-process worker runs the tiny model through gpu-workers", function () {
  this.timeout(90_000);
  let server: TestServer;
  before(async () => {
    buildGpuWorkers();
    server = await startTestServer({ CHAT_TOKEN_BATCH_MS: "10", CHAT_RATE_LIMIT_GENERATIONS: "0" });
  });
  after(async () => {
    await server?.stop();
  });

  it("streams a chorus-tiny answer from the in-process transformers.js backend; stored text = streamed text", async () => {
    const key = (await server.createClient({ name: "newcomer" })).key;
    const as = { key, user: "local:tiny-fan" };
    const workersOf = async (model: string) => (await gql(server.url, ModelsDocument, {}, as)).data!.models.find((m) => m.id === model)!.connectedWorkers;
    for (let i = 0; i < 400 && (await workersOf("chorus-tiny")) === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await workersOf("chorus-tiny")).to.equal(1);
    expect(await workersOf("synthetic")).to.equal(1);
    const chat = await gql(server.url, CreateChatDocument, { input: {} }, as);
    const sent = await gql(
      server.url,
      SendChatMessageDocument,
      { input: { chatId: chat.data!.createChat.id, text: "Hello", model: "chorus-tiny", sampling: { temperature: 0, maxNewTokens: 48 } } },
      as,
    );
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    const messageId = sent.data!.sendChatMessage.assistantMessage.id;
    const ws = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: as.user });
    const r = await collect(ws, GenerationDocument, { messageId }, Number.POSITIVE_INFINITY, 60_000);
    await ws.dispose();
    const events = r.results.map((x) => x.data!.generation);
    expect(events[events.length - 1].__typename).to.equal("GenerationFinished");
    const streamed = events.map((e) => (e.__typename === "GenerationTokens" ? e.text : "")).join("");
    const m = (await gql(server.url, ChatMessageDocument, { id: messageId }, as)).data!.chatMessage;
    expect(m).to.include({ state: "COMPLETE", workerName: "local-tiny" });
    expect(m.text.length).to.be.greaterThan(0);
    expect(m.text).to.equal(streamed);

    // Admins see both in-process sessions, with the device each runs on, and the tiny model's throughput. The tiny
    // model takes 32 answers at once (its thread steps them in turn), so 20 chats started together never wait for a
    // whole answer before their first token.
    const workers = (await gql(server.url, WorkersDocument, {}, { key: server.adminKey })).data!.workers;
    expect(workers.map((w) => [w.name, w.device, w.models.join(), w.canContinue, w.capacity])).to.have.deep.members([
      ["local-synthetic", "synthetic", "synthetic", false, 8],
      ["local-tiny", "cpu", "chorus-tiny", true, 32],
    ]);
    const pools = (await gql(server.url, WorkerPoolsDocument, {}, { key: server.adminKey })).data!.workerPools;
    const tiny = pools.find((p) => p.model === "chorus-tiny")!;
    expect(tiny).to.include({ workers: 1, inFlightJobs: 0, queueDepth: 0 });
    expect(tiny.tokensPerSecond).to.be.greaterThan(0);
  });

  it("preloaded (LOCAL_WORKER_PRELOAD, as `npm start` does), serves the tiny model only once it is loaded, in its own thread", async () => {
    const { lines, log } = capturedLog();
    const threadsBefore = readdirSync("/proc/self/task").length;
    const before = server.chorus.app.workers.connectedWorkers("chorus-tiny");
    const local = new LocalWorker(server.chorus.app.workers, 100, log, 1, () => tinyModelRunner(log, undefined, { preload: true }));
    await local.start();
    try {
      expect(server.chorus.app.workers.connectedWorkers("chorus-tiny")).to.equal(before + 1);
      expect(
        lines.some((l) => /transformers\.js: loaded/.test(l)),
        lines.join(""),
      ).to.equal(true);
      expect(readdirSync("/proc/self/task").length, "the model thread (and ONNX Runtime's)").to.be.greaterThan(threadsBefore);
    } finally {
      await local.stop();
    }
    expect(server.chorus.app.workers.connectedWorkers("chorus-tiny")).to.equal(before);
  });

  it("falls back to the synthetic model, saying so in the log, when gpu-workers is not there", async () => {
    const { lines, log } = capturedLog();
    const before = server.chorus.app.workers.connectedWorkers("synthetic");
    const local = new LocalWorker(server.chorus.app.workers, 100, log, 1, () => tinyModelRunner(log, "/nowhere/gpu-workers/dist/src/index.js"));
    await local.start();
    try {
      expect(server.chorus.app.workers.connectedWorkers("synthetic")).to.equal(before + 1);
      const line = lines.map((l) => JSON.parse(l) as { msg: string; reason?: string }).find((l) => /serves only the synthetic model/.test(l.msg));
      expect(line, lines.join("")).to.not.equal(undefined);
      expect(line!.reason).to.match(/gpu-workers is not built/);
    } finally {
      await local.stop();
    }
    expect(server.chorus.app.workers.connectedWorkers("synthetic")).to.equal(before);
  });

  it("skips a model the API does not declare, saying so", async () => {
    const { lines, log } = capturedLog();
    let closed = false;
    const local = new LocalWorker(server.chorus.app.workers, 100, log, 1, async () => ({
      runner: {
        model: "not-declared",
        name: "local-x",
        device: "cpu",
        description: "x",
        canContinue: false,
        // biome-ignore lint/correctness/useYield: a model that ends before its first token
        async *generate() {
          return "stop" as const;
        },
        close: async () => void (closed = true),
      },
    }));
    await local.start();
    await local.stop();
    expect(
      lines.some((l) => /skips a model the API does not declare/.test(l) && /not-declared/.test(l)),
      lines.join(""),
    ).to.equal(true);
    expect(server.chorus.app.workers.connectedWorkers("not-declared")).to.equal(0);
    expect(closed).to.equal(true);
  });
  it("stopped while the tiny model still loads (Ctrl-C soon after start), closes the model before stop() resolves", async () => {
    let finishLoading!: () => void;
    const loading = new Promise<void>((r) => (finishLoading = r));
    let closed = false;
    const local = new LocalWorker(server.chorus.app.workers, 100, pino({ level: "silent" }), 1, async () => {
      await loading;
      return {
        runner: {
          model: "chorus-tiny",
          name: "local-slow-load",
          device: "cpu",
          description: "a model whose load outlasts the server",
          canContinue: false,
          // biome-ignore lint/correctness/useYield: never asked for an answer here
          async *generate() {
            return "stop" as const;
          },
          close: async () => void (closed = true),
        },
      };
    });
    const before = server.chorus.app.workers.connectedWorkers("chorus-tiny");
    void local.start();
    let stopped = false;
    const stopping = local.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped, "stop() waits for the load under way").to.equal(false);
    finishLoading();
    await stopping;
    expect(closed, "the model loaded after stop() began is closed before stop() resolves").to.equal(true);
    expect(server.chorus.app.workers.connectedWorkers("chorus-tiny"), "and it never joins").to.equal(before);
  });
});
