import crypto from "node:crypto";
import { expect } from "chai";
import type { Client } from "graphql-ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, errorCode, gql, rawGql, wsClient } from "../helpers/graphql.js";
import { TestWorker } from "../helpers/test-worker.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { Role } from "../../src/modules/users/role.js";
import { generationStreamKey } from "../../src/modules/chat/generation/generation-events.js";
import {
  CancelGenerationDocument,
  ChatDocument,
  ChatsDocument,
  CreateChatDocument,
  DeleteChatDocument,
  GenerationDocument,
  ModelsDocument,
  RegenerateDocument,
  SendChatMessageDocument,
  UpdateChatDocument,
  WorkerTokensDocument,
  type GenerationSubscription,
  type SendChatMessageInput,
} from "../../client/generated/graphql.js";
import { testRedisPrefix } from "../helpers/redis-keys.js";

type Event = GenerationSubscription["generation"];

/** Events of a subscription, in order, until it completes. */
async function follow(client: Client, messageId: string, after?: number, timeoutMs = 15_000): Promise<{ events: Event[]; completed: boolean }> {
  const r = await collect(client, GenerationDocument, { messageId, after }, Number.POSITIVE_INFINITY, timeoutMs);
  for (const x of r.results) if (x.errors) throw new Error(JSON.stringify(x.errors));
  if (r.error) throw r.error instanceof Error ? r.error : new Error(JSON.stringify(r.error));
  return { events: r.results.map((x) => x.data!.generation), completed: r.completed };
}

function tokensText(events: Event[]): string {
  let text = "";
  for (const e of events) {
    if (e.__typename === "GenerationRestarted") text = "";
    if (e.__typename === "GenerationTokens") text += e.text;
  }
  return text;
}

function expectGapless(events: Event[], from = 1): void {
  expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => from + i));
}

for (const driver of ["local", "redis"] as const) {
  describe(`chat with models (${driver} drivers)`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let key: string;
    let workerKey: string;
    let ws: Client;
    const alice = "local:alice";

    before(async () => {
      server = await startTestServer(
        {
          LOCAL_WORKER: "false",
          CHAT_MAX_QUEUE_SIZE: "3",
          CHAT_MESSAGE_MAX_LENGTH: "50",
          CHAT_RATE_LIMIT_GENERATIONS: "1000",
          REDIS_KEY_PREFIX: testRedisPrefix(),
        },
        { redis: driver === "redis" },
      );
      key = (await server.createClient({ name: "chat app", trusted: true })).key;
      workerKey = (await server.createClient({ name: "gpu worker", kind: ApiClientKind.WORKER })).key;
      ws = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: alice });
    });
    after(async () => {
      await ws?.dispose();
      await server?.stop();
    });

    const as = (user = alice) => ({ key, user });

    async function newChat(user = alice): Promise<string> {
      const res = await gql(server.url, CreateChatDocument, { input: {} }, as(user));
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      return res.data!.createChat.id;
    }

    async function send(input: SendChatMessageInput, user = alice) {
      return gql(server.url, SendChatMessageDocument, { input }, as(user));
    }

    async function rowCount(): Promise<number> {
      const [{ n }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM chat_message`);
      return n;
    }

    it("streams send → queued → started → tokens → finished, and stores exactly the streamed text", async () => {
      const chatId = await newChat();
      const sent = await send({ chatId, text: "Hello there", model: "synthetic" });
      expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
      const { prompterMessage, assistantMessage, queuePosition } = sent.data!.sendChatMessage;
      expect(prompterMessage.state).to.equal("COMPLETE");
      expect(assistantMessage.state).to.equal("PENDING");
      expect(assistantMessage.parentId).to.equal(prompterMessage.id);
      expect(queuePosition).to.equal(1);

      const following = follow(ws, assistantMessage.id);
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 6, delayMs: 5 });
      await worker.start();
      const { events, completed } = await following;
      await worker.stop();
      expect(worker.errors).to.deep.equal([]);
      expect(completed).to.equal(true);
      expectGapless(events);
      const types = events.map((e) => e.__typename);
      expect(types[0]).to.equal("GenerationQueued");
      expect(types[1]).to.equal("GenerationStarted");
      expect(types.slice(2, -1).every((t) => t === "GenerationTokens")).to.equal(true);
      expect(types[types.length - 1]).to.equal("GenerationFinished");
      const first = events[0] as Extract<Event, { __typename: "GenerationQueued" }>;
      expect(first.position).to.equal(1);
      const started = events[1] as Extract<Event, { __typename: "GenerationStarted" }>;
      expect(started.workerName).to.equal("test-worker");
      const finished = events[events.length - 1] as Extract<Event, { __typename: "GenerationFinished" }>;
      expect(finished.finishReason).to.equal("stop");
      expect(finished.chatMessage.state).to.equal("COMPLETE");
      expect(tokensText(events)).to.equal(" w0 w1 w2 w3 w4 w5");
      expect(finished.chatMessage.text).to.equal(tokensText(events));
      expect(finished.chatMessage.workerName).to.equal("test-worker");
      expect(finished.chatMessage.tokenCount).to.equal(6);

      // the job carried the conversation and the stored sampling
      const job = worker.jobs[0];
      expect(job.messages).to.deep.equal([{ role: "user", content: "Hello there" }]);
      expect(job.sampling.seed).to.equal(assistantMessage.sampling!.seed);

      const chat = await gql(server.url, ChatDocument, { id: chatId }, as());
      expect(chat.data!.chat.title).to.equal("Hello there");
      expect(chat.data!.chat.messages.map((m) => [m.role, m.state, m.text])).to.deep.equal([
        ["PROMPTER", "COMPLETE", "Hello there"],
        ["ASSISTANT", "COMPLETE", " w0 w1 w2 w3 w4 w5"],
      ]);

      // a follow-up prompt answers the complete answer, and its job carries the whole thread
      const next = await send({ chatId, parentId: assistantMessage.id, text: "And then?", model: "synthetic" });
      expect(next.errors, JSON.stringify(next.errors)).to.equal(undefined);
      const w2 = new TestWorker(server.wsUrl, workerKey, { batches: 1 });
      const f2 = follow(ws, next.data!.sendChatMessage.assistantMessage.id);
      await w2.start();
      await f2;
      await w2.stop();
      expect(w2.jobs[0].messages).to.deep.equal([
        { role: "user", content: "Hello there" },
        { role: "assistant", content: " w0 w1 w2 w3 w4 w5" },
        { role: "user", content: "And then?" },
      ]);
    });

    it("regenerates an answer as a sibling generated from the same thread", async () => {
      const chatId = await newChat();
      const sent = (await send({ chatId, text: "Try twice", model: "synthetic" })).data!.sendChatMessage;
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 2 });
      await worker.start();
      await follow(ws, sent.assistantMessage.id);
      const again = await gql(
        server.url,
        RegenerateDocument,
        { input: { parentId: sent.prompterMessage.id, model: "synthetic", sampling: { temperature: 0 } } },
        as(),
      );
      expect(again.errors, JSON.stringify(again.errors)).to.equal(undefined);
      const sibling = again.data!.regenerate.assistantMessage;
      expect(sibling.parentId).to.equal(sent.prompterMessage.id);
      expect(sibling.sampling!.temperature).to.equal(0);
      const { events } = await follow(ws, sibling.id);
      await worker.stop();
      expect(events[events.length - 1].__typename).to.equal("GenerationFinished");
      expect(worker.jobs[1].messages).to.deep.equal([{ role: "user", content: "Try twice" }]);
      const chat = await gql(server.url, ChatDocument, { id: chatId }, as());
      expect(chat.data!.chat.messages.filter((m) => m.parentId === sent.prompterMessage.id).map((m) => m.state)).to.deep.equal(["COMPLETE", "COMPLETE"]);
      const wrongKind = await gql(server.url, RegenerateDocument, { input: { parentId: sibling.id, model: "synthetic" } }, as());
      expect(errorCode(wrongKind)).to.equal("BAD_USER_INPUT");
      const notMine = await gql(server.url, RegenerateDocument, { input: { parentId: sent.prompterMessage.id, model: "synthetic" } }, as("local:mallory"));
      expect(errorCode(notMine)).to.equal("NOT_FOUND");
    });

    it("replays a finished generation to late subscribers, resumes after a seq, and feeds two subscribers alike", async () => {
      const chatId = await newChat();
      const sent = await send({ chatId, text: "Count", model: "synthetic" });
      const messageId = sent.data!.sendChatMessage.assistantMessage.id;
      const ws2 = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: alice });
      const a = follow(ws, messageId);
      const b = follow(ws2, messageId);
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 8, delayMs: 5 });
      await worker.start();
      const [ra, rb] = await Promise.all([a, b]);
      await worker.stop();
      expect(ra.events).to.deep.equal(rb.events);
      expectGapless(ra.events);

      const late = await follow(ws2, messageId);
      expect(late.completed).to.equal(true);
      expect(late.events).to.deep.equal(ra.events);

      const resumed = await follow(ws2, messageId, 4);
      expect(resumed.events).to.deep.equal(ra.events.slice(4));
      expectGapless(resumed.events, 5);
      await ws2.dispose();
    });

    it("completes at once with no events when resuming after the last seq of an ended generation, also once its stream expired", async () => {
      const chatId = await newChat();
      const messageId = (await send({ chatId, text: "Saved cursor", model: "synthetic" })).data!.sendChatMessage.assistantMessage.id;
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 3 });
      const all = follow(ws, messageId);
      await worker.start();
      const { events } = await all;
      await worker.stop();
      const last = events[events.length - 1];
      expect(last.__typename).to.equal("GenerationFinished");
      // A client reloading with its saved cursor: nothing more, and the subscription completes (no wait, no event).
      const resumed = await follow(ws, messageId, last.seq);
      expect(resumed).to.deep.equal({ events: [], completed: true });
      // Once the stream is gone (expired, or lost with Redis) the row stands for it, with the real seq: never a
      // second terminal event, never a seq that did not exist.
      await server.chorus.app.generations.streams.delete(generationStreamKey(messageId));
      expect(await follow(ws, messageId, last.seq)).to.deep.equal({ events: [], completed: true });
      const fromRow = await follow(ws, messageId, last.seq - 1);
      expect(fromRow.completed).to.equal(true);
      expect(fromRow.events.map((e) => [e.__typename, e.seq])).to.deep.equal([["GenerationFinished", last.seq]]);
    });

    it("resumes a live stream after a reconnect with `after`, missing nothing", async () => {
      const chatId = await newChat();
      const messageId = (await send({ chatId, text: "Slowly", model: "synthetic" })).data!.sendChatMessage.assistantMessage.id;
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 10, delayMs: 30 });
      await worker.start();
      const firstPart = await collect(ws, GenerationDocument, { messageId }, 4);
      const seen = firstPart.results.map((r) => r.data!.generation);
      expectGapless(seen);
      const rest = await follow(ws, messageId, seen[seen.length - 1].seq);
      await worker.stop();
      const all = [...seen, ...rest.events];
      expectGapless(all);
      expect(all[all.length - 1].__typename).to.equal("GenerationFinished");
      expect(tokensText(all)).to.equal(Array.from({ length: 10 }, (_, i) => ` w${i}`).join(""));
    });

    it("cancels a queued generation at once and a running one within a batch, keeping the partial text", async () => {
      const chatId = await newChat();
      const queued = (await send({ chatId, text: "Never mind", model: "chorus-tiny" })).data!.sendChatMessage.assistantMessage.id;
      const cancelled = await gql(server.url, CancelGenerationDocument, { messageId: queued }, as());
      expect(cancelled.errors, JSON.stringify(cancelled.errors)).to.equal(undefined);
      expect(cancelled.data!.cancelGeneration.state).to.equal("CANCELLED");
      const replay = await follow(ws, queued);
      expect(replay.events.map((e) => e.__typename)).to.deep.equal(["GenerationQueued", "GenerationCancelled"]);
      expect(await server.chorus.app.generations.queue.size("chorus-tiny")).to.equal(0);

      const chat2 = await newChat();
      const running = (await send({ chatId: chat2, text: "Go on and on", model: "synthetic" })).data!.sendChatMessage.assistantMessage.id;
      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 200, delayMs: 10 });
      const following = collect(ws, GenerationDocument, { messageId: running }, Number.POSITIVE_INFINITY, 15_000);
      await worker.start();
      // wait for some tokens, then stop it
      for (let i = 0; i < 100 && (worker.sent.get(worker.jobs[0]?.jobId ?? "")?.length ?? 0) < 9; i++) await new Promise((r) => setTimeout(r, 20));
      const stop = await gql(server.url, CancelGenerationDocument, { messageId: running }, as());
      expect(stop.errors, JSON.stringify(stop.errors)).to.equal(undefined);
      const { results, completed } = await following;
      await worker.stop();
      expect(completed).to.equal(true);
      const events = results.map((r) => r.data!.generation);
      expect(events[events.length - 1].__typename).to.equal("GenerationCancelled");
      const stored = await gql(server.url, ChatDocument, { id: chat2 }, as());
      const answer = stored.data!.chat.messages.find((m) => m.id === running)!;
      expect(answer.state).to.equal("CANCELLED");
      expect(answer.finishReason).to.equal("cancelled");
      expect(answer.text).to.equal(tokensText(events));
      expect(answer.text.length).to.be.greaterThan(0);
      expect(worker.sent.get(worker.jobs[0].jobId)!.split(" ").length).to.be.lessThan(100);
    });

    it("answers QUEUE_FULL when the model's queue is full and leaves no orphan message", async () => {
      const chatIds: string[] = [];
      const pending: string[] = [];
      for (let i = 0; i < 3; i++) {
        chatIds.push(await newChat());
        const r = await send({ chatId: chatIds[i], text: `fill ${i}`, model: "chorus-tiny" });
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
        expect(r.data!.sendChatMessage.queuePosition).to.equal(i + 1);
        pending.push(r.data!.sendChatMessage.assistantMessage.id);
      }
      const extra = await newChat();
      const before = await rowCount();
      const full = await send({ chatId: extra, text: "one too many", model: "chorus-tiny" });
      expect(errorCode(full)).to.equal("QUEUE_FULL");
      expect(await rowCount()).to.equal(before);
      const chat = await gql(server.url, ChatDocument, { id: extra }, as());
      expect(chat.data!.chat.messages).to.deep.equal([]);
      expect(chat.data!.chat.title).to.equal(null);
      const models = await gql(server.url, ModelsDocument, {}, as());
      expect(models.data!.models.find((m) => m.id === "chorus-tiny")!.queueSize).to.equal(3);
      for (const id of pending) await gql(server.url, CancelGenerationDocument, { messageId: id }, as());
      expect(await server.chorus.app.generations.queue.size("chorus-tiny")).to.equal(0);
    });

    it("refuses bad input with BAD_USER_INPUT and stores or enqueues nothing", async () => {
      const chatId = await newChat();
      const other = await newChat();
      const root = await send({ chatId: other, text: "elsewhere", model: "chorus-tiny" });
      const pendingAnswer = root.data!.sendChatMessage.assistantMessage.id;
      const before = await rowCount();
      const sizeBefore = await server.chorus.app.generations.queue.size("synthetic");
      const cases: SendChatMessageInput[] = [
        { chatId, text: "hi", model: "no-such-model" },
        { chatId, text: "x".repeat(51), model: "synthetic" },
        { chatId, text: "hi", model: "synthetic", sampling: { topP: 0 } },
        { chatId, text: "hi", model: "synthetic", sampling: { topP: 1.5 } },
        { chatId, text: "hi", model: "synthetic", sampling: { temperature: -0.1 } },
        { chatId, text: "hi", model: "synthetic", sampling: { maxNewTokens: 5000 } },
        { chatId, text: "hi", model: "synthetic", sampling: { maxNewTokens: 0 } },
        { chatId, text: "hi", parentId: pendingAnswer, model: "synthetic" }, // parent in another chat
        { chatId: other, text: "hi", parentId: pendingAnswer, model: "synthetic" }, // parent not COMPLETE
        { chatId: other, text: "hi", parentId: root.data!.sendChatMessage.prompterMessage.id, model: "synthetic" }, // parent not an answer
        { chatId: other, text: "a second root", model: "synthetic" },
      ];
      for (const input of cases) {
        const res = await send(input);
        expect(errorCode(res), JSON.stringify(input)).to.equal("BAD_USER_INPUT");
      }
      expect(await rowCount()).to.equal(before);
      expect(await server.chorus.app.generations.queue.size("synthetic")).to.equal(sizeBefore);
      await gql(server.url, CancelGenerationDocument, { messageId: pendingAnswer }, as());
    });

    it("shows a user only their own chats; moderators may read any", async () => {
      const chatId = await newChat();
      const bob = "local:bob";
      const other = await gql(server.url, ChatDocument, { id: chatId }, as(bob));
      expect(errorCode(other)).to.equal("NOT_FOUND");
      const bobsList = await gql(server.url, ChatsDocument, { first: 50 }, as(bob));
      expect(bobsList.data!.chats.edges.map((e) => e.node.id)).to.not.include(chatId);
      expect(errorCode(await gql(server.url, DeleteChatDocument, { id: chatId }, as(bob)))).to.equal("NOT_FOUND");
      expect(errorCode(await gql(server.url, UpdateChatDocument, { input: { id: chatId, title: "mine" } }, as(bob)))).to.equal("NOT_FOUND");
      const modKey = (await server.createClient({ name: "moderation tool", role: Role.MODERATOR, trusted: true })).key;
      const asMod = await gql(server.url, ChatDocument, { id: chatId }, { key: modKey });
      expect(asMod.errors, JSON.stringify(asMod.errors)).to.equal(undefined);
      expect(asMod.data!.chat.id).to.equal(chatId);
    });

    it("lists, hides, updates and deletes chats", async () => {
      const user = `local:lister-${driver}`;
      const ids = [await newChat(user), await newChat(user), await newChat(user)];
      const upd = await gql(server.url, UpdateChatDocument, { input: { id: ids[1], hidden: true, title: "Secret", allowDataUse: false } }, as(user));
      expect(upd.data!.updateChat).to.include({ hidden: true, title: "Secret", allowDataUse: false });
      const visible = await gql(server.url, ChatsDocument, { first: 1 }, as(user));
      expect(visible.data!.chats.edges.map((e) => e.node.id)).to.deep.equal([ids[2]]);
      const page2 = await gql(server.url, ChatsDocument, { first: 5, after: visible.data!.chats.pageInfo.endCursor }, as(user));
      expect(page2.data!.chats.edges.map((e) => e.node.id)).to.deep.equal([ids[0]]);
      const all = await gql(server.url, ChatsDocument, { first: 5, includeHidden: true }, as(user));
      expect(all.data!.chats.edges.map((e) => e.node.id)).to.deep.equal([...ids].reverse());
      const del = await gql(server.url, DeleteChatDocument, { id: ids[0] }, as(user));
      expect(del.data!.deleteChat).to.equal(true);
      expect(errorCode(await gql(server.url, ChatDocument, { id: ids[0] }, as(user)))).to.equal("NOT_FOUND");
    });

    it("keeps worker keys to the worker protocol and client keys out of it", async () => {
      const asWorker = await gql(server.url, CreateChatDocument, { input: {} }, { key: workerKey, user: alice });
      expect(errorCode(asWorker)).to.equal("FORBIDDEN");
      expect(errorCode(await gql(server.url, ModelsDocument, {}, { key: workerKey }))).to.equal("FORBIDDEN");
      const asClient = await gql(server.url, WorkerTokensDocument, { input: { jobId: "a.b", text: "x", tokenCount: 1 } }, as());
      expect(errorCode(asClient)).to.equal("FORBIDDEN");
      const jobs = await rawSubscribe(
        ws,
        `subscription { workerJobs(input: {protocolVersion: 1, models: ["synthetic"], capacity: 1, hardware: {device: "x"}, name: "sneaky"}) { jobId } }`,
      );
      expect(jobs.code).to.equal("FORBIDDEN");
      const wws = wsClient(server.wsUrl, { authorization: `Bearer ${workerKey}` });
      const gen = await rawSubscribe(wws, `subscription { generation(messageId: "${crypto.randomUUID()}") { seq } }`);
      expect(gen.code).to.equal("FORBIDDEN");
      const old = await rawSubscribe(
        wws,
        `subscription { workerJobs(input: {protocolVersion: 0, models: ["synthetic"], capacity: 1, hardware: {device: "x"}, name: "old"}) { jobId } }`,
      );
      expect(old.code).to.equal("BAD_USER_INPUT");
      expect(old.message).to.match(/protocol version 0 is not supported.*version 1/);
      await wws.dispose();
      const anonymous = await rawGql(server.url, `mutation { workerHeartbeat(input: {jobIds: []}) { held } }`);
      expect(errorCode(anonymous)).to.equal("UNAUTHENTICATED");
    });

    it("hands a dead worker's job to another worker, which restarts the stream; stored text equals the streamed text", async () => {
      const chatId = await newChat();
      const messageId = (await send({ chatId, text: "Survive", model: "synthetic" })).data!.sendChatMessage.assistantMessage.id;
      const following = follow(ws, messageId, 0, 20_000);
      const doomed = new TestWorker(server.wsUrl, workerKey, { name: "doomed", batches: 100, delayMs: 20 });
      await doomed.start();
      for (let i = 0; i < 100 && (doomed.sent.get(doomed.jobs[0]?.jobId ?? "")?.length ?? 0) < 9; i++) await new Promise((r) => setTimeout(r, 20));
      await doomed.kill();
      const rescuer = new TestWorker(server.wsUrl, workerKey, { name: "rescuer", batches: 3 });
      await rescuer.start();
      const { events } = await following;
      await rescuer.stop();
      const types = events.map((e) => e.__typename);
      expect(types).to.include("GenerationRestarted");
      expect(types.filter((t) => t === "GenerationStarted")).to.have.length(2);
      expectGapless(events);
      const finished = events[events.length - 1] as Extract<Event, { __typename: "GenerationFinished" }>;
      expect(finished.__typename).to.equal("GenerationFinished");
      expect(finished.chatMessage.text).to.equal(" w0 w1 w2");
      expect(finished.chatMessage.text).to.equal(tokensText(events));
      expect(finished.chatMessage.workerName).to.equal("rescuer");
      expect(rescuer.jobs[0].attempt).to.equal(2);
    });
  });
}

/** Runs a subscription given as text and reports its first error's code and message. */
async function rawSubscribe(client: Client, query: string): Promise<{ code?: string; message?: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({}), 5_000);
    client.subscribe(
      { query },
      {
        next: (r) => {
          if (r.errors?.length) {
            clearTimeout(timer);
            resolve({ code: r.errors[0].extensions?.code as string, message: r.errors[0].message });
          }
        },
        error: (err) => {
          clearTimeout(timer);
          const e = (Array.isArray(err) ? err[0] : err) as { extensions?: { code?: string }; message?: string };
          resolve({ code: e?.extensions?.code, message: e?.message });
        },
        complete: () => {
          clearTimeout(timer);
          resolve({});
        },
      },
    );
  });
}
