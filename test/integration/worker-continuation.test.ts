import { expect } from "chai";
import type { Client } from "graphql-ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, gql, wsClient } from "../helpers/graphql.js";
import { TestWorker } from "../helpers/test-worker.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { ChatMessageDocument, CreateChatDocument, GenerationDocument, SendChatMessageDocument } from "../../client/generated/graphql.js";

/** The server side of continuation: what the next worker is handed after one left a partial answer. */
describe("continuing a partial answer on another worker", function () {
  this.timeout(60_000);
  let server: TestServer;
  let workerKey: string;
  let ws: Client;
  const as = { key: "", user: "local:continuer" };

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false", CHAT_TOKEN_BATCH_MS: "0" });
    as.key = (await server.createClient({ name: "chat app", trusted: true })).key;
    workerKey = (await server.createClient({ name: "gpu", kind: ApiClientKind.WORKER })).key;
    ws = wsClient(server.wsUrl, { authorization: `Bearer ${as.key}`, user: as.user });
  });
  after(async () => {
    await ws?.dispose();
    await server?.stop();
  });

  async function send(maxNewTokens: number): Promise<string> {
    const chat = await gql(server.url, CreateChatDocument, { input: {} }, as);
    const sent = await gql(
      server.url,
      SendChatMessageDocument,
      { input: { chatId: chat.data!.createChat.id, text: "Go", model: "synthetic", sampling: { maxNewTokens } } },
      as,
    );
    return sent.data!.sendChatMessage.assistantMessage.id;
  }

  async function waitFor(check: () => boolean): Promise<void> {
    for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(check()).to.equal(true);
  }

  it("hands the streamed text as continueFrom and only the rest of the token budget; no restart for subscribers", async () => {
    const messageId = await send(10);
    const first = new TestWorker(server.wsUrl, workerKey, { name: "first", capacity: 1, batches: 10, hangAfter: 4, canContinue: true });
    await first.start();
    await waitFor(() => first.sent.get(first.jobs[0]?.jobId ?? "") === " w0 w1 w2 w3");
    await first.kill();
    const second = new TestWorker(server.wsUrl, workerKey, { name: "second", batches: 3, canContinue: true });
    await second.start();
    await waitFor(() => second.jobs.length === 1);
    const job = second.jobs[0];
    expect(job.continueFrom).to.equal(" w0 w1 w2 w3");
    expect(job.sampling.maxNewTokens).to.equal(6);
    expect(job.attempt).to.equal(2);
    const events = (await collect(ws, GenerationDocument, { messageId }, Number.POSITIVE_INFINITY, 15_000)).results.map((r) => r.data!.generation);
    await second.stop();
    expect(events.map((e) => e.__typename)).to.not.include("GenerationRestarted");
    const m = (await gql(server.url, ChatMessageDocument, { id: messageId }, as)).data!.chatMessage;
    expect(m).to.include({ state: "COMPLETE", workerName: "second", text: " w0 w1 w2 w3 w0 w1 w2", tokenCount: 7 });
  });

  it("ends the answer as LENGTH without a new hand-out when the partial answer already used the whole budget", async () => {
    const messageId = await send(3);
    const first = new TestWorker(server.wsUrl, workerKey, { name: "spent", capacity: 1, batches: 10, hangAfter: 3, canContinue: true });
    await first.start();
    await waitFor(() => first.sent.get(first.jobs[0]?.jobId ?? "") === " w0 w1 w2");
    await first.kill();
    const second = new TestWorker(server.wsUrl, workerKey, { name: "idle", canContinue: true });
    await second.start();
    const events = (await collect(ws, GenerationDocument, { messageId }, Number.POSITIVE_INFINITY, 15_000)).results.map((r) => r.data!.generation);
    await second.stop();
    expect(events[events.length - 1].__typename).to.equal("GenerationFinished");
    expect(second.jobs).to.have.length(0);
    const m = (await gql(server.url, ChatMessageDocument, { id: messageId }, as)).data!.chatMessage;
    expect(m).to.include({ state: "COMPLETE", text: " w0 w1 w2", tokenCount: 3, finishReason: "length" });
  });
});
