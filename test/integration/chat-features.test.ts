import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { Client } from "graphql-ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, errorCode, gql, wsClient } from "../helpers/graphql.js";
import { TestWorker } from "../helpers/test-worker.js";
import { CLI, MAIN, runNode } from "../helpers/process.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { Role } from "../../src/modules/users/role.js";
import { generationStreamKey } from "../../src/modules/chat/generation/generation-events.js";
import {
  CancelGenerationDocument,
  ChatDocument,
  ChatReportsDocument,
  ChatsDocument,
  ChooseDraftDocument,
  ContinueGenerationDocument,
  CreateChatDocument,
  DeleteAllChatsDocument,
  GenerationDocument,
  ModelsDocument,
  RegenerateDocument,
  ReportChatMessageDocument,
  ResolveChatReportDocument,
  SendChatMessageDocument,
  UpdateChatDocument,
  VoteChatMessageDocument,
  type CreateChatInput,
  type GenerationSubscription,
  type SendChatMessageInput,
} from "../../client/generated/graphql.js";
import { testRedisPrefix } from "../helpers/redis-keys.js";

type Event = GenerationSubscription["generation"];

/** Events of a subscription, in order, until it completes. */
async function follow(client: Client, messageId: string, after?: number, timeoutMs = 15_000): Promise<Event[]> {
  const r = await collect(client, GenerationDocument, { messageId, after }, Number.POSITIVE_INFINITY, timeoutMs);
  for (const x of r.results) if (x.errors) throw new Error(JSON.stringify(x.errors));
  if (r.error) throw r.error instanceof Error ? r.error : new Error(JSON.stringify(r.error));
  expect(r.completed, "the stream should end").to.equal(true);
  return r.results.map((x) => x.data!.generation);
}

function expectGapless(events: Event[], from = 1): void {
  expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => from + i));
}

/** A models file: the synthetic model, a model with a 12-token window (1 character = 1 token), and an unserved one. */
function writeModelsFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-chat-models-"));
  const file = path.join(dir, "models.json");
  const sampling = { maxNewTokens: 16, temperature: 0.7, topP: 0.9 };
  fs.writeFileSync(
    file,
    JSON.stringify({
      models: [
        { id: "synthetic", limits: { maxInputTokens: 1024, maxTotalTokens: 2048, maxNewTokens: 1024 }, defaultSampling: sampling },
        {
          id: "small-window",
          description: "a 12-token window",
          limits: { maxInputTokens: 12, maxTotalTokens: 100, maxNewTokens: 50 },
          defaultSampling: sampling,
          presets: [{ name: "precise", description: "nearly greedy", sampling: { temperature: 0.1, topK: 5 } }],
          chatTemplate: "chatml",
          compatibilityKey: "small-window-v1",
          charsPerToken: 1,
        },
        { id: "unserved", limits: { maxInputTokens: 100, maxTotalTokens: 200, maxNewTokens: 50 }, defaultSampling: sampling },
      ],
    }),
  );
  return file;
}

for (const driver of ["local", "redis"] as const) {
  describe(`chat features: drafts, continuation, votes, reports, deletion, download (${driver} drivers)`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let key: string;
    let workerKey: string;
    let modKey: string;
    let ws: Client;
    let modelsFile: string;
    const alice = "local:alice";

    before(async () => {
      modelsFile = writeModelsFile();
      server = await startTestServer(
        {
          LOCAL_WORKER: "false",
          CHAT_MAX_QUEUE_SIZE: "4",
          CHAT_RATE_LIMIT_GENERATIONS: "1000",
          CHORUS_MODELS_FILE: modelsFile,
          REDIS_KEY_PREFIX: testRedisPrefix(),
        },
        { redis: driver === "redis" },
      );
      key = (await server.createClient({ name: "chat app", trusted: true })).key;
      workerKey = (await server.createClient({ name: "gpu worker", kind: ApiClientKind.WORKER })).key;
      modKey = (await server.createClient({ name: "moderation tool", role: Role.MODERATOR, trusted: true })).key;
      ws = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: alice });
    });
    after(async () => {
      await ws?.dispose();
      await server?.stop();
      fs.rmSync(path.dirname(modelsFile), { recursive: true, force: true });
    });

    const as = (user = alice) => ({ key, user });

    async function newChat(user = alice, input: CreateChatInput = {}): Promise<string> {
      const res = await gql(server.url, CreateChatDocument, { input }, as(user));
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      return res.data!.createChat.id;
    }

    async function send(input: SendChatMessageInput, user = alice) {
      const res = await gql(server.url, SendChatMessageDocument, { input }, as(user));
      return res;
    }

    async function sendOk(input: SendChatMessageInput, user = alice) {
      const res = await send(input, user);
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      return res.data!.sendChatMessage;
    }

    /** Sends a prompt and lets a test worker answer it; returns the finished answer's id and its events. */
    async function answered(chatId: string, text: string, opts: { batches?: number; finishReason?: "STOP" | "LENGTH"; user?: string } = {}) {
      const sent = await sendOk({ chatId, text, model: "synthetic" }, opts.user);
      const client = opts.user ? wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: opts.user }) : ws;
      const following = follow(client, sent.assistantMessage.id);
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: opts.batches ?? 2, finishReason: opts.finishReason });
      await worker.start();
      const events = await following;
      await worker.stop();
      if (client !== ws) await client.dispose();
      expect(worker.errors).to.deep.equal([]);
      return { prompt: sent.prompterMessage, answerId: sent.assistantMessage.id, events };
    }

    async function rowCount(): Promise<number> {
      const [{ n }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM chat_message`);
      return n;
    }

    async function chatOf(id: string, user = alice) {
      const res = await gql(server.url, ChatDocument, { id }, as(user));
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      return res.data!.chat;
    }

    it("generates k drafts in parallel as siblings and records the preferred one as a ranking event", async () => {
      const chatId = await newChat();
      const sent = await sendOk({ chatId, text: "Three ways", model: "synthetic", drafts: 3 });
      const drafts = sent.assistantMessages;
      expect(drafts).to.have.length(3);
      expect(sent.assistantMessage.id).to.equal(drafts[0].id);
      for (const d of drafts) expect(d).to.include({ parentId: sent.prompterMessage.id, state: "PENDING", role: "ASSISTANT" });
      expect(new Set(drafts.map((d) => d.sampling!.seed)).size, "each draft samples with its own seed").to.be.greaterThan(1);

      const following = drafts.map((d) => follow(ws, d.id));
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 2, capacity: 3 });
      await worker.start();
      const streams = await Promise.all(following);
      await worker.stop();
      for (const events of streams) expect(events[events.length - 1].__typename).to.equal("GenerationFinished");
      expect(worker.jobs.map((j) => j.messageId).sort()).to.deep.equal(drafts.map((d) => d.id).sort());
      for (const job of worker.jobs) expect(job.messages).to.deep.equal([{ role: "user", content: "Three ways" }]);

      const chosen = await gql(server.url, ChooseDraftDocument, { input: { messageId: drafts[1].id } }, as());
      expect(chosen.errors, JSON.stringify(chosen.errors)).to.equal(undefined);
      expect(chosen.data!.chooseDraft).to.deep.include({
        chatId,
        promptId: sent.prompterMessage.id,
        selectedMessageId: drafts[1].id,
        inferiorMessageIds: [drafts[0].id, drafts[2].id],
      });
      // choosing again replaces the choice: one ranking event per prompt
      const again = await gql(server.url, ChooseDraftDocument, { input: { messageId: drafts[2].id } }, as());
      expect(again.data!.chooseDraft.id).to.equal(chosen.data!.chooseDraft.id);
      const chat = await chatOf(chatId);
      expect(chat.draftChoices).to.have.length(1);
      expect(chat.draftChoices[0]).to.deep.include({ selectedMessageId: drafts[2].id, inferiorMessageIds: [drafts[0].id, drafts[1].id], userId: chat.userId });

      // not a draft choice: the prompt, someone else's answer, an answer without siblings
      expect(errorCode(await gql(server.url, ChooseDraftDocument, { input: { messageId: sent.prompterMessage.id } }, as()))).to.equal("BAD_USER_INPUT");
      expect(errorCode(await gql(server.url, ChooseDraftDocument, { input: { messageId: drafts[0].id } }, as("local:mallory")))).to.equal("NOT_FOUND");
      const single = await answered(await newChat(), "Only one");
      expect(errorCode(await gql(server.url, ChooseDraftDocument, { input: { messageId: single.answerId } }, as()))).to.equal("BAD_USER_INPUT");
    });

    it("refuses bad draft requests with BAD_USER_INPUT and stores or enqueues nothing", async () => {
      const chatId = await newChat();
      const optedOut = await newChat(alice, { allowDataUse: false });
      const before = await rowCount();
      const queued = await server.chorus.app.generations.queue.size("synthetic");
      for (const input of [
        { chatId, text: "none", model: "synthetic", drafts: 0 },
        { chatId, text: "too many", model: "synthetic", drafts: 4 },
        { chatId: optedOut, text: "no data use, no drafts", model: "synthetic", drafts: 2 },
      ]) {
        expect(errorCode(await send(input)), JSON.stringify(input)).to.equal("BAD_USER_INPUT");
      }
      expect(await rowCount()).to.equal(before);
      expect(await server.chorus.app.generations.queue.size("synthetic")).to.equal(queued);
      // a chat that refuses data use still gets one answer, and retries, but records no draft choice
      const one = await answered(optedOut, "one is fine");
      const retry = await gql(server.url, RegenerateDocument, { input: { parentId: one.prompt.id, model: "synthetic" } }, as());
      const retryId = retry.data!.regenerate.assistantMessage.id;
      const following = follow(ws, retryId);
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 1 });
      await worker.start();
      await following;
      await worker.stop();
      expect(errorCode(await gql(server.url, ChooseDraftDocument, { input: { messageId: retryId } }, as()))).to.equal("BAD_USER_INPUT");
      expect((await chatOf(optedOut)).draftChoices).to.deep.equal([]);
    });

    it("continues an answer cut at the token limit on the same stream, numbering on after the earlier events", async () => {
      const chatId = await newChat();
      const first = await answered(chatId, "Tell me everything", { batches: 3, finishReason: "LENGTH" });
      const finished = first.events[first.events.length - 1] as Extract<Event, { __typename: "GenerationFinished" }>;
      expect(finished.finishReason).to.equal("length");
      const lastSeq = finished.seq;

      const cont = await gql(server.url, ContinueGenerationDocument, { messageId: first.answerId }, as());
      expect(cont.errors, JSON.stringify(cont.errors)).to.equal(undefined);
      const payload = cont.data!.continueGeneration;
      expect(payload.resumeAfter).to.equal(lastSeq);
      expect(payload.queuePosition).to.equal(1);
      expect(payload.assistantMessage).to.include({ id: first.answerId, state: "PENDING", text: " w0 w1 w2", finishReason: null });
      expect(payload.assistantMessage.continuedAt).to.be.a("string");

      const following = follow(ws, first.answerId, payload.resumeAfter);
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 2 });
      await worker.start();
      const events = await following;
      await worker.stop();
      expectGapless(events, lastSeq + 1);
      expect(events.map((e) => e.__typename)).to.deep.equal([
        "GenerationContinued",
        "GenerationQueued",
        "GenerationStarted",
        "GenerationTokens",
        "GenerationTokens",
        "GenerationFinished",
      ]);
      expect(events[0]).to.deep.include({ text: " w0 w1 w2", tokenCount: 3 });
      const done = events[events.length - 1] as Extract<Event, { __typename: "GenerationFinished" }>;
      expect(done.finishReason).to.equal("stop");
      expect(done.chatMessage).to.include({ state: "COMPLETE", text: " w0 w1 w2 w0 w1", tokenCount: 5, finishReason: "stop" });
      // the worker extends the answer: the thread ends with the answer's text as the assistant's turn
      expect(worker.jobs[0].messages).to.deep.equal([
        { role: "user", content: "Tell me everything" },
        { role: "assistant", content: " w0 w1 w2" },
      ]);
      // a subscriber from the start gets the continuation, whose first event carries all the earlier text
      const late = await follow(ws, first.answerId);
      expect(late).to.deep.equal(events);

      // only a COMPLETE answer cut at the limit, of one's own chat
      const before = await server.chorus.app.generations.queue.size("synthetic");
      expect(errorCode(await gql(server.url, ContinueGenerationDocument, { messageId: first.answerId }, as()))).to.equal("BAD_USER_INPUT");
      const stopped = await answered(await newChat(), "Short", { batches: 1 });
      expect(errorCode(await gql(server.url, ContinueGenerationDocument, { messageId: stopped.answerId }, as()))).to.equal("BAD_USER_INPUT");
      expect(errorCode(await gql(server.url, ContinueGenerationDocument, { messageId: stopped.prompt.id }, as()))).to.equal("BAD_USER_INPUT");
      const cut = await answered(await newChat(), "Cut", { batches: 1, finishReason: "LENGTH" });
      expect(errorCode(await gql(server.url, ContinueGenerationDocument, { messageId: cut.answerId }, as("local:mallory")))).to.equal("NOT_FOUND");
      expect(await server.chorus.app.generations.queue.size("synthetic")).to.equal(before);
      const untouched = (await chatOf(cut.prompt.chatId)).messages.find((m) => m.id === cut.answerId)!;
      expect(untouched).to.include({ state: "COMPLETE", finishReason: "length", text: " w0" });
    });

    it("leaves a continuation the full queue refused as it was, and its stream ended", async () => {
      const cut = await answered(await newChat(), "Fill", { batches: 2, finishReason: "LENGTH" });
      const fillers: string[] = [];
      for (let i = 0; i < 4; i++) fillers.push((await sendOk({ chatId: await newChat(), text: `filler ${i}`, model: "synthetic" })).assistantMessage.id);
      const refused = await gql(server.url, ContinueGenerationDocument, { messageId: cut.answerId }, as());
      expect(errorCode(refused)).to.equal("QUEUE_FULL");
      const stored = (await chatOf(cut.prompt.chatId)).messages.find((m) => m.id === cut.answerId)!;
      expect(stored).to.include({ state: "COMPLETE", finishReason: "length", text: " w0 w1", tokenCount: 2 });
      const replay = await follow(ws, cut.answerId, cut.events.length);
      expect(replay.map((e) => e.__typename)).to.deep.equal(["GenerationContinued", "GenerationFinished"]);
      for (const id of fillers) await gql(server.url, CancelGenerationDocument, { messageId: id }, as());
      // with room again, the same answer can be continued
      const retried = await gql(server.url, ContinueGenerationDocument, { messageId: cut.answerId }, as());
      expect(retried.errors, JSON.stringify(retried.errors)).to.equal(undefined);
      expect(retried.data!.continueGeneration.resumeAfter).to.equal(cut.events.length + 2);
      await gql(server.url, CancelGenerationDocument, { messageId: cut.answerId }, as());
    });

    it("numbers a continuation after the earlier events even when the earlier stream has expired", async () => {
      const cut = await answered(await newChat(), "Expire", { batches: 2, finishReason: "LENGTH" });
      const lastSeq = cut.events[cut.events.length - 1].seq;
      await server.chorus.app.generations.streams.delete(generationStreamKey(cut.answerId));
      const cont = await gql(server.url, ContinueGenerationDocument, { messageId: cut.answerId }, as());
      expect(cont.errors, JSON.stringify(cont.errors)).to.equal(undefined);
      expect(cont.data!.continueGeneration.resumeAfter).to.equal(lastSeq);
      const following = follow(ws, cut.answerId, lastSeq);
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 1 });
      await worker.start();
      const events = await following;
      await worker.stop();
      expectGapless(events, lastSeq + 1);
      expect(events[0]).to.deep.include({ __typename: "GenerationContinued", text: " w0 w1" });
      const done = events[events.length - 1] as Extract<Event, { __typename: "GenerationFinished" }>;
      expect(done.chatMessage).to.include({ text: " w0 w1 w0", tokenCount: 3 });
    });

    it("takes one vote per user and answer, changeable, and refuses bad votes", async () => {
      const { answerId, prompt } = await answered(await newChat(), "Rate me");
      const vote = (score: number, messageId = answerId, user = alice) => gql(server.url, VoteChatMessageDocument, { input: { messageId, score } }, as(user));
      const scoreOf = async () => (await chatOf(prompt.chatId)).messages.find((m) => m.id === answerId)!.score;
      const rows = async () => (await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM chat_message_vote WHERE message_id = $1`, [answerId]))[0].n;
      expect((await vote(1)).data!.voteChatMessage.score).to.equal(1);
      expect(await scoreOf()).to.equal(1);
      expect((await vote(-1)).data!.voteChatMessage.score).to.equal(-1);
      expect(await rows()).to.equal(1);
      expect(await scoreOf()).to.equal(-1);
      await vote(0);
      expect(await scoreOf()).to.equal(0);
      expect(await rows()).to.equal(0);
      expect(errorCode(await vote(2))).to.equal("BAD_USER_INPUT");
      expect(errorCode(await vote(1, prompt.id))).to.equal("BAD_USER_INPUT");
      expect(errorCode(await vote(1, answerId, "local:mallory"))).to.equal("NOT_FOUND");
      expect(await rows()).to.equal(0);
    });

    it("puts reports in the moderators' queue, paginated, until a moderator resolves them (journaled)", async () => {
      const targets = [
        await answered(await newChat(), "Report me"),
        await answered(await newChat(), "Report me too"),
        await answered(await newChat(), "And me"),
      ];
      const { answerId, prompt } = targets[0];
      const report = (reason: string, messageId = answerId, user = alice) =>
        gql(server.url, ReportChatMessageDocument, { input: { messageId, reportType: "OFFENSIVE", reason } }, as(user));
      const ids: string[] = [];
      for (const [i, reason] of ["rude", "very rude", "still rude"].entries()) {
        const r = await report(reason, targets[i].answerId);
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
        expect(r.data!.reportChatMessage).to.include({
          messageId: targets[i].answerId,
          chatId: targets[i].prompt.chatId,
          reportType: "OFFENSIVE",
          reason,
          resolvedAt: null,
        });
        ids.push(r.data!.reportChatMessage.id);
      }
      // One open report per user and answer: reporting it again returns the open report, unchanged.
      const again = await report("rude, again");
      expect(again.errors, JSON.stringify(again.errors)).to.equal(undefined);
      expect(again.data!.reportChatMessage).to.include({ id: ids[0], reason: "rude" });
      expect(errorCode(await report("   "))).to.equal("BAD_USER_INPUT");
      expect(errorCode(await report("not an answer", prompt.id))).to.equal("BAD_USER_INPUT");
      expect(errorCode(await report("not mine", answerId, "local:mallory"))).to.equal("NOT_FOUND");
      const shown = (await chatOf(prompt.chatId)).messages.find((m) => m.id === answerId)!;
      expect(shown.reports.map((r) => r.reason)).to.deep.equal(["rude"]);

      expect(errorCode(await gql(server.url, ChatReportsDocument, { first: 10 }, as()))).to.equal("FORBIDDEN");
      const page1 = await gql(server.url, ChatReportsDocument, { first: 2 }, { key: modKey });
      expect(page1.errors, JSON.stringify(page1.errors)).to.equal(undefined);
      expect(page1.data!.chatReports.edges.map((e) => e.node.id)).to.deep.equal(ids.slice(0, 2));
      expect(page1.data!.chatReports.edges[0].node.message).to.deep.equal({ id: answerId, text: " w0 w1" });
      expect(page1.data!.chatReports.pageInfo.hasNextPage).to.equal(true);
      const page2 = await gql(server.url, ChatReportsDocument, { first: 2, after: page1.data!.chatReports.pageInfo.endCursor }, { key: modKey });
      expect(page2.data!.chatReports.edges.map((e) => e.node.id)).to.deep.equal(ids.slice(2));
      expect(page2.data!.chatReports.pageInfo.hasNextPage).to.equal(false);

      const resolve = (reportId: string, k = modKey) =>
        gql(server.url, ResolveChatReportDocument, { input: { reportId, resolution: "warned the model" } }, { key: k });
      expect(errorCode(await gql(server.url, ResolveChatReportDocument, { input: { reportId: ids[0], resolution: "mine" } }, as()))).to.equal("FORBIDDEN");
      const resolved = await resolve(ids[0]);
      expect(resolved.errors, JSON.stringify(resolved.errors)).to.equal(undefined);
      expect(resolved.data!.resolveChatReport.resolution).to.equal("warned the model");
      expect(resolved.data!.resolveChatReport.resolvedAt).to.be.a("string");
      expect(errorCode(await resolve(ids[0]))).to.equal("CONFLICT");
      expect(errorCode(await resolve(crypto.randomUUID()))).to.equal("NOT_FOUND");
      const open = await gql(server.url, ChatReportsDocument, { first: 10 }, { key: modKey });
      expect(open.data!.chatReports.edges.map((e) => e.node.id)).to.deep.equal(ids.slice(1));
      const closed = await gql(server.url, ChatReportsDocument, { first: 10, resolved: true }, { key: modKey });
      expect(closed.data!.chatReports.edges.map((e) => e.node.id)).to.deep.equal([ids[0]]);
      const journal = await server.chorus.app.ds.query(`SELECT message_id, event_payload FROM journal WHERE event_type = 'chat_report_resolved'`);
      expect(journal).to.have.length(1);
      // Once resolved, the answer may be reported again: a new open report.
      const fresh = await report("rude once more");
      expect(fresh.errors, JSON.stringify(fresh.errors)).to.equal(undefined);
      expect(fresh.data!.reportChatMessage.id).to.not.be.oneOf(ids);
      expect(journal[0].message_id).to.equal(answerId);
      expect(journal[0].event_payload).to.deep.include({ report_id: ids[0], resolution: "warned the model", report_type: "OFFENSIVE" });
    });

    it("deletes all of a user's chats and nothing of anyone else's; their queued generations leave the queue", async () => {
      const carol = `local:carol-${driver}`;
      const dave = `local:dave-${driver}`;
      const queuedBefore = await server.chorus.app.generations.queue.size("synthetic");
      const c1 = await newChat(carol);
      const c2 = await newChat(carol);
      await answered(c1, "kept until deleted", { user: carol });
      await sendOk({ chatId: c2, text: "still queued", model: "synthetic" }, carol);
      const d1 = await newChat(dave);
      expect(await server.chorus.app.generations.queue.size("synthetic")).to.equal(queuedBefore + 1);
      const res = await gql(server.url, DeleteAllChatsDocument, {}, as(carol));
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      expect(res.data!.deleteAllChats).to.equal(2);
      expect(await server.chorus.app.generations.queue.size("synthetic")).to.equal(queuedBefore);
      const list = await gql(server.url, ChatsDocument, { first: 10, includeHidden: true }, as(carol));
      expect(list.data!.chats.edges).to.deep.equal([]);
      expect(errorCode(await gql(server.url, ChatDocument, { id: c1 }, as(carol)))).to.equal("NOT_FOUND");
      const [{ n }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM chat_message WHERE chat_id = ANY($1::uuid[])`, [[c1, c2]]);
      expect(n).to.equal(0);
      expect((await chatOf(d1, dave)).id).to.equal(d1);
      expect((await gql(server.url, DeleteAllChatsDocument, {}, as(carol))).data!.deleteAllChats).to.equal(0);
    });

    it("lets a user download all of their chat data as JSONL trees at GET /chats/export.jsonl", async () => {
      const erin = `local:erin-${driver}`;
      const hiddenChat = await newChat(erin, { allowDataUse: false, systemPrompt: "be brief" });
      const first = await answered(hiddenChat, "first question", { user: erin });
      await gql(server.url, UpdateChatDocument, { input: { id: hiddenChat, hidden: true } }, as(erin));
      await gql(server.url, VoteChatMessageDocument, { input: { messageId: first.answerId, score: 1 } }, as(erin));
      const draftsChat = await newChat(erin);
      const sent = await sendOk({ chatId: draftsChat, text: "pick one", model: "synthetic", drafts: 2 }, erin);
      const ews = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: erin });
      const following = sent.assistantMessages.map((d) => follow(ews, d.id));
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 1, capacity: 2 });
      await worker.start();
      await Promise.all(following);
      await worker.stop();
      await ews.dispose();
      await gql(server.url, ChooseDraftDocument, { input: { messageId: sent.assistantMessages[0].id } }, as(erin));
      await newChat(`local:frank-${driver}`);

      const res = await fetch(`${server.origin}/chats/export.jsonl`, { headers: { authorization: `Bearer ${key}`, "x-chorus-user": erin } });
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.match(/application\/jsonl/);
      const lines = (await res.text())
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.chat_id)).to.deep.equal([hiddenChat, draftsChat]);
      const [h, d] = lines;
      expect(h).to.deep.include({ allow_data_use: false, hidden: true, system_prompt: "be brief", title: "first question", draft_choices: [] });
      expect(h.messages).to.have.length(1);
      expect(h.messages[0]).to.deep.include({ message_id: first.prompt.id, role: "prompter", text: "first question", parent_id: null });
      expect(h.messages[0].children).to.have.length(1);
      expect(h.messages[0].children[0]).to.deep.include({
        message_id: first.answerId,
        role: "assistant",
        text: " w0 w1",
        score: 1,
        finish_reason: "stop",
        model: "synthetic",
        children: [],
      });
      expect(d.messages[0].children.map((c: { message_id: string }) => c.message_id)).to.deep.equal(sent.assistantMessages.map((m) => m.id));
      expect(d.draft_choices).to.have.length(1);
      expect(d.draft_choices[0]).to.deep.include({
        prompt_id: sent.prompterMessage.id,
        selected_message_id: sent.assistantMessages[0].id,
        inferior_message_ids: [sent.assistantMessages[1].id],
      });

      expect((await fetch(`${server.origin}/chats/export.jsonl`)).status).to.equal(401);
      expect(
        (await fetch(`${server.origin}/chats/export.jsonl`, { headers: { authorization: `Bearer ${workerKey}`, "x-chorus-user": erin } })).status,
      ).to.equal(403);
      const nobody = await fetch(`${server.origin}/chats/export.jsonl`, {
        headers: { authorization: `Bearer ${key}`, "x-chorus-user": `local:nobody-${driver}` },
      });
      expect(nobody.status).to.equal(200);
      expect(await nobody.text()).to.equal("");
    });

    it("cuts long chats to the model's context window from the oldest turns, keeping the system prompt", async () => {
      const models = await gql(server.url, ModelsDocument, {}, as());
      expect(models.data!.models.map((m) => m.id)).to.deep.equal(["synthetic", "small-window", "unserved"]);
      const small = models.data!.models.find((m) => m.id === "small-window")!;
      expect(small).to.deep.include({
        maxInputLength: 12,
        maxTotalLength: 100,
        maxNewTokensLimit: 50,
        chatTemplate: "chatml",
        compatibilityKey: "small-window-v1",
      });
      expect(small.presets).to.deep.equal([
        { name: "precise", description: "nearly greedy", temperature: 0.1, topK: 5, maxNewTokens: null, topP: null, repetitionPenalty: null, typicalP: null },
      ]);
      expect(errorCode(await send({ chatId: await newChat(), text: "hi", model: "small-window", sampling: { maxNewTokens: 51 } }))).to.equal("BAD_USER_INPUT");

      const chatId = await newChat(alice, { systemPrompt: "sys" });
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 1, models: ["small-window"] });
      await worker.start();
      const first = await sendOk({ chatId, text: "aaaa", model: "small-window" });
      await follow(ws, first.assistantMessage.id);
      // sys (3) + aaaa (4) + " w0" (3) + bbbb (4) = 14 > 12: the oldest turn goes, the system prompt stays
      const second = await sendOk({ chatId, parentId: first.assistantMessage.id, text: "bbbb", model: "small-window" });
      await follow(ws, second.assistantMessage.id);
      await worker.stop();
      expect(worker.jobs[0].messages).to.deep.equal([
        { role: "system", content: "sys" },
        { role: "user", content: "aaaa" },
      ]);
      expect(worker.jobs[1].messages).to.deep.equal([
        { role: "system", content: "sys" },
        { role: "assistant", content: " w0" },
        { role: "user", content: "bbbb" },
      ]);
    });
  });
}

describe("chat token quota", function () {
  this.timeout(60_000);
  let server: TestServer;
  let key: string;
  let workerKey: string;

  before(async () => {
    server = await startTestServer({
      LOCAL_WORKER: "false",
      CHAT_TOKEN_QUOTA: "5",
      CHAT_TOKEN_QUOTA_WINDOW_SECONDS: "3600",
      CHAT_RATE_LIMIT_GENERATIONS: "1000",
    });
    key = (await server.createClient({ name: "chat app", trusted: true })).key;
    workerKey = (await server.createClient({ name: "gpu worker", kind: ApiClientKind.WORKER })).key;
  });
  after(async () => {
    await server?.stop();
  });

  it("refuses generations once a user's answers used the quota, naming when it resets, and stores nothing", async () => {
    const user = "local:heavy";
    const as = { key, user };
    const chatId = (await gql(server.url, CreateChatDocument, { input: {} }, as)).data!.createChat.id;
    const sent = (await gql(server.url, SendChatMessageDocument, { input: { chatId, text: "long answer please", model: "synthetic" } }, as)).data!
      .sendChatMessage;
    const ws = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user });
    const following = follow(ws, sent.assistantMessage.id);
    const worker = new TestWorker(server.wsUrl, workerKey, { batches: 6 });
    await worker.start();
    const events = await following;
    await worker.stop();
    await ws.dispose();
    const done = events[events.length - 1] as Extract<Event, { __typename: "GenerationFinished" }>;
    expect(done.chatMessage.tokenCount).to.equal(6);

    const [{ n: before }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM chat_message`);
    const refused = await gql(
      server.url,
      SendChatMessageDocument,
      { input: { chatId, parentId: sent.assistantMessage.id, text: "more", model: "synthetic" } },
      as,
    );
    expect(errorCode(refused)).to.equal("TOKEN_QUOTA_EXCEEDED");
    const ext = refused.errors![0].extensions!;
    expect(ext.resetsAt).to.equal(new Date(new Date(done.chatMessage.workEndAt!).getTime() + 3600_000).toISOString());
    expect(ext.retryAfterSeconds).to.be.within(3500, 3600);
    expect(ext).to.deep.include({ used: 6, limit: 5 });
    expect(refused.errors![0].message).to.include(String(ext.resetsAt));
    const regen = await gql(server.url, RegenerateDocument, { input: { parentId: sent.prompterMessage.id, model: "synthetic" } }, as);
    expect(errorCode(regen)).to.equal("TOKEN_QUOTA_EXCEEDED");
    const [{ n: after }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM chat_message`);
    expect(after).to.equal(before);
    expect(await server.chorus.app.generations.queue.size("synthetic")).to.equal(0);

    // another user's quota is their own
    const other = { key, user: "local:light" };
    const otherChat = (await gql(server.url, CreateChatDocument, { input: {} }, other)).data!.createChat.id;
    const ok = await gql(server.url, SendChatMessageDocument, { input: { chatId: otherChat, text: "hello", model: "synthetic" } }, other);
    expect(ok.errors, JSON.stringify(ok.errors)).to.equal(undefined);
    await gql(server.url, CancelGenerationDocument, { messageId: ok.data!.sendChatMessage.assistantMessage.id }, other);
  });
});

describe("drafts and the generation rate limit", function () {
  this.timeout(60_000);
  let server: TestServer;
  let key: string;

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false", CHAT_RATE_LIMIT_GENERATIONS: "3", CHAT_RATE_LIMIT_WINDOW_SECONDS: "600" });
    key = (await server.createClient({ name: "chat app", trusted: true })).key;
  });
  after(async () => {
    await server?.stop();
  });

  it("counts each draft as one generation", async () => {
    const as = { key, user: "local:drafter" };
    const chatId = (await gql(server.url, CreateChatDocument, { input: {} }, as)).data!.createChat.id;
    const three = await gql(server.url, SendChatMessageDocument, { input: { chatId, text: "three at once", model: "synthetic", drafts: 3 } }, as);
    expect(three.errors, JSON.stringify(three.errors)).to.equal(undefined);
    const [{ n: before }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM chat_message`);
    const other = (await gql(server.url, CreateChatDocument, { input: {} }, as)).data!.createChat.id;
    const refused = await gql(server.url, SendChatMessageDocument, { input: { chatId: other, text: "one more", model: "synthetic" } }, as);
    expect(errorCode(refused)).to.equal("RATE_LIMITED");
    expect(refused.errors![0].extensions!.retryAfterSeconds).to.be.within(1, 600);
    const [{ n: after }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM chat_message`);
    expect(after).to.equal(before);
    for (const m of three.data!.sendChatMessage.assistantMessages) await gql(server.url, CancelGenerationDocument, { messageId: m.id }, as);
  });
});

describe("chorus export-chats", function () {
  this.timeout(60_000);
  let server: TestServer;
  let key: string;
  let workerKey: string;
  let dir: string;

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false" });
    key = (await server.createClient({ name: "chat app", trusted: true })).key;
    workerKey = (await server.createClient({ name: "gpu worker", kind: ApiClientKind.WORKER })).key;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-export-chats-"));
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes the chats whose owners allow data use, as JSONL trees with their draft choices", async () => {
    const ws = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: "local:giver" });
    const giver = { key, user: "local:giver" };
    const allowed = (await gql(server.url, CreateChatDocument, { input: {} }, giver)).data!.createChat.id;
    const refused = (await gql(server.url, CreateChatDocument, { input: { allowDataUse: false } }, giver)).data!.createChat.id;
    const other = { key, user: "local:keeper" };
    const keeperChat = (await gql(server.url, CreateChatDocument, { input: {} }, other)).data!.createChat.id;
    await gql(server.url, CreateChatDocument, { input: { allowDataUse: false } }, other);
    const sent = (await gql(server.url, SendChatMessageDocument, { input: { chatId: allowed, text: "q", model: "synthetic", drafts: 2 } }, giver)).data!
      .sendChatMessage;
    await gql(server.url, SendChatMessageDocument, { input: { chatId: refused, text: "private", model: "synthetic" } }, giver);
    const following = sent.assistantMessages.map((d) => follow(ws, d.id));
    const worker = new TestWorker(server.wsUrl, workerKey, { batches: 1, capacity: 4 });
    await worker.start();
    await Promise.all(following);
    const choice = await gql(server.url, ChooseDraftDocument, { input: { messageId: sent.assistantMessages[1].id } }, giver);
    expect(choice.errors, JSON.stringify(choice.errors)).to.equal(undefined);

    const out = path.join(dir, "chats.jsonl");
    const res = await runNode(CLI, ["export-chats", "--out", out], { DATABASE_URL: server.db.url });
    await worker.stop();
    await ws.dispose();
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stderr).to.match(/exported 2 chats, 3 messages/);
    const lines = fs
      .readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.chat_id)).to.deep.equal([allowed, keeperChat]);
    expect(lines.every((l) => l.allow_data_use === true)).to.equal(true);
    const tree = lines[0];
    expect(tree.messages[0]).to.deep.include({ role: "prompter", text: "q" });
    expect(tree.messages[0].children.map((c: { message_id: string }) => c.message_id)).to.deep.equal(sent.assistantMessages.map((m) => m.id));
    expect(tree.draft_choices).to.deep.equal([
      {
        prompt_id: sent.prompterMessage.id,
        selected_message_id: sent.assistantMessages[1].id,
        inferior_message_ids: [sent.assistantMessages[0].id],
        created_at: tree.draft_choices[0].created_at,
      },
    ]);

    const one = await runNode(CLI, ["export-chats", "--limit", "1"], { DATABASE_URL: server.db.url });
    expect(one.code, one.stderr).to.equal(0);
    expect(
      one.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).chat_id),
    ).to.deep.equal([allowed]);
    const badUser = await runNode(CLI, ["export-chats", "--user", "nope"], { DATABASE_URL: server.db.url });
    expect(badUser.code).to.equal(1);
    expect(badUser.stderr).to.match(/--user must be a user id/);
  });

  it("stops the server and the CLI with exit code 2 on a bad models file, naming CHORUS_MODELS_FILE", async () => {
    const bad = path.join(dir, "bad-models.json");
    fs.writeFileSync(bad, JSON.stringify({ models: [{ id: "x", limits: { maxInputTokens: 10, maxTotalTokens: 5, maxNewTokens: 1 }, defaultSampling: {} }] }));
    const cli = await runNode(CLI, ["export-chats"], { DATABASE_URL: server.db.url, CHORUS_MODELS_FILE: bad });
    expect(cli.code).to.equal(2);
    expect(cli.stderr).to.match(/CHORUS_MODELS_FILE.*model "x": limits.maxInputTokens must be below limits.maxTotalTokens/);
    const main = await runNode(MAIN, [], { DATABASE_URL: server.db.url, CHORUS_MODELS_FILE: path.join(dir, "missing.json") });
    expect(main.code).to.equal(2);
    expect(main.stderr).to.match(/CHORUS_MODELS_FILE cannot be read/);
  });
});
