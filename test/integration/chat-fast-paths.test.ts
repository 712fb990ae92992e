/**
 * Issue 13's fast paths change costs, not answers. Subscribers of one stream with different selection sets each
 * get exactly their selection (the events are serialised once per selection and shared); a worker's token batch
 * that skips the general execution path is refused for a job it does not own exactly as the general path refuses
 * it, and a malformed batch gets the general path's typed error.
 */
import { expect } from "chai";
import { parse, print, type ExecutionResult } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, gql, rawGql, wsClient } from "../helpers/graphql.js";
import { TestWorker, type TestJob } from "../helpers/test-worker.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { generationStreamKey } from "../../src/modules/chat/generation/generation-events.js";
import { ChatMessage } from "../../src/modules/chat/chat.entity.js";
import { ChatDraftChoice, ChatMessageVote, ChatReport } from "../../src/modules/chat/feedback/chat-feedback.entity.js";
import { feedbackOfChats } from "../../src/modules/chat/feedback/chat-feedback.service.js";
import { OperationGate, type OperationRequest } from "../../src/server/operation-gate.js";
import * as tokenBatchMessages from "../../src/server/token-batch-messages.js";
import type { Context } from "../../src/server/context.js";
import { ChorusError, ErrorCode } from "../../src/common/errors.js";
import {
  CancelGenerationDocument,
  CreateChatDocument,
  ReportChatMessageDocument,
  RevokeApiClientDocument,
  SendChatMessageDocument,
  VoteChatMessageDocument,
  WorkerFinishDocument,
  WorkerTokensDocument,
} from "../../client/generated/graphql.js";

const TOKENS_QUERY = print(WorkerTokensDocument);

/** Selection sets of the `generation` subscription, and what each makes of a stored event (the expectation). */
const SELECTIONS: { query: string; expect: (e: { seq: number; event: Record<string, unknown> }, messageId: string) => Record<string, unknown> }[] = [
  {
    query: `subscription ($id: ID!) { generation(messageId: $id) { __typename seq ... on GenerationTokens { text } } }`,
    expect: ({ seq, event }) => ({ generation: { __typename: typename(event.type), seq, ...(event.type === "tokens" ? { text: event.text } : {}) } }),
  },
  {
    query: `subscription ($id: ID!) { g: generation(messageId: $id) { kind: __typename ... on GenerationTokens { n: tokenCount text }
      ... on GenerationStarted { workerName } ... on GenerationFinished { finishReason } messageId } }`,
    expect: ({ event }, messageId) => {
      const g: Record<string, unknown> = { kind: typename(event.type) };
      if (event.type === "tokens") Object.assign(g, { n: event.tokenCount, text: event.text });
      if (event.type === "started") g.workerName = event.workerName;
      if (event.type === "finished") g.finishReason = event.finishReason;
      g.messageId = messageId;
      return { g };
    },
  },
];

function typename(type: unknown): string {
  const names: Record<string, string> = {
    queued: "GenerationQueued",
    started: "GenerationStarted",
    tokens: "GenerationTokens",
    finished: "GenerationFinished",
  };
  return names[String(type)];
}

describe("chat fast paths: serialised fan-out and the worker's token batches", function () {
  this.timeout(60_000);
  let server: TestServer;
  let workerKey: string;
  const as = { key: "", user: "local:fan" };
  const clients: Client[] = [];
  /** Token batches that went through the gate (the general path), by their query text. */
  const admitted: string[] = [];
  const admit = OperationGate.prototype.admit;

  before(async () => {
    OperationGate.prototype.admit = function (this: OperationGate, ctx: Context, request: OperationRequest) {
      if (typeof request.query === "string" && request.query.includes("workerTokens")) admitted.push(request.query);
      return admit.call(this, ctx, request);
    };
    server = await startTestServer({ LOCAL_WORKER: "false", CHAT_TOKEN_BATCH_MS: "0" }, { redis: true });
    as.key = (await server.createClient({ name: "chat app", trusted: true })).key;
    workerKey = (await server.createClient({ name: "gpu pool", kind: ApiClientKind.WORKER })).key;
  });
  after(async () => {
    OperationGate.prototype.admit = admit;
    for (const c of clients) await c.dispose();
    await server?.stop();
  });

  function client(): Client {
    const c = wsClient(server.wsUrl, { authorization: `Bearer ${as.key}`, user: as.user });
    clients.push(c);
    return c;
  }

  /**
   * A new chat's first answer. `inBlindBattle`: the chat gets a blind battle before its first message, as the arena
   * makes them, so its answer's model and worker stay hidden.
   */
  async function ask(inBlindBattle = false): Promise<string> {
    const chatId = (await gql(server.url, CreateChatDocument, { input: {} }, as)).data!.createChat.id;
    if (inBlindBattle) {
      await server.chorus.app.ds.query(
        `INSERT INTO arena_battle (id, chat_id, model_a, model_b, source) VALUES (gen_random_uuid(), $1, 'synthetic', 'synthetic', 'BATTLE')`,
        [chatId],
      );
    }
    const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId, text: "Hi", model: "synthetic" } }, as);
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    return sent.data!.sendChatMessage.assistantMessage.id;
  }

  async function jobOf(worker: TestWorker, n = 1): Promise<TestJob> {
    for (let i = 0; i < 500 && worker.jobs.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    expect(worker.jobs.length, "the worker got its job").to.equal(n);
    return worker.jobs[n - 1];
  }

  async function snapshot(messageId: string) {
    const [row] = await server.chorus.app.ds.query(`SELECT state, text, token_count, worker_name, hand_out_id FROM chat_message WHERE id = $1`, [messageId]);
    const events = await server.chorus.app.generations.streams.read(generationStreamKey(messageId));
    return { row, events: events.map((e) => ({ seq: e.seq, event: e.event })) };
  }

  it("gives each subscriber of one stream exactly its own selection set, live and replayed", async () => {
    const worker = new TestWorker(server.wsUrl, workerKey, { name: "fan-worker", capacity: 1, manual: true });
    await worker.start();
    const messageId = await ask();
    // Three live subscribers on two connections (two with the same selection), and one more that joins late.
    const one = client();
    const two = client();
    const subscribe = (c: Client, i: number) =>
      collect(c, parse(SELECTIONS[i].query) as TypedDocumentNode<Record<string, unknown>, { id: string }>, { id: messageId }, Number.POSITIVE_INFINITY, 20_000);
    const live = [subscribe(one, 0), subscribe(one, 1), subscribe(two, 0)];
    const job = await jobOf(worker);
    await new Promise((r) => setTimeout(r, 200));
    for (const piece of [" one", ' "two"', " three\u2028"]) {
      expect((await worker.request(WorkerTokensDocument, { input: { jobId: job.jobId, text: piece, tokenCount: 1 } })).data!.workerTokens.ok).to.equal(true);
    }
    expect(
      (await worker.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 3 } })).data!.workerFinish
        .ok,
    ).to.equal(true);
    const late = subscribe(two, 1);
    const results = await Promise.all([...live, late]);
    const stored = (await snapshot(messageId)).events;
    expect(stored.map((e) => e.event.type)).to.include.members(["started", "tokens", "finished"]);
    for (const [i, r] of results.entries()) {
      const selection = SELECTIONS[[0, 1, 0, 1][i]];
      expect(r.completed, `subscriber ${i} completed`).to.equal(true);
      // The live subscribers joined after the queue notice may have been sent: compare from their first event on.
      const firstSeq = (r.results[0].data as Record<string, { seq?: number }>).generation?.seq ?? stored[stored.length - r.results.length].seq;
      const expected = stored.filter((e) => e.seq >= firstSeq).map((e) => ({ data: selection.expect(e as never, messageId) }));
      expect(r.results as ExecutionResult[], `subscriber ${i}`).to.deep.equal(expected);
    }
    expect((await snapshot(messageId)).row).to.include({ state: "COMPLETE", text: ' one "two" three\u2028' });
    await worker.stop();
  });

  /**
   * A subscriber speaking graphql-ws's protocol on a socket of its own, keeping every frame as it came: the bytes, not
   * a client's reading of them.
   */
  function rawSubscriber(id: string, query: string, variables: Record<string, unknown>): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(server.wsUrl, "graphql-transport-ws");
      const frames: string[] = [];
      const timer = setTimeout(() => reject(new Error(`no complete within 20 s: ${frames.join("\n")}`)), 20_000);
      socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${as.key}`, user: as.user } })));
      socket.on("message", (data: Buffer) => {
        const text = data.toString();
        const message = JSON.parse(text) as { type: string };
        if (message.type === "connection_ack") return void socket.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
        frames.push(text);
        if (message.type === "complete" || message.type === "error") {
          clearTimeout(timer);
          socket.close();
          resolve(frames);
        }
      });
      socket.on("error", reject);
    });
  }

  it("sends every subscriber of one selection the same bytes, those graphql-ws writes, and another selection its own", async () => {
    const worker = new TestWorker(server.wsUrl, workerKey, { name: "bytes-worker", capacity: 1, manual: true });
    await worker.start();
    const messageId = await ask();
    const job = await jobOf(worker);
    const same = `subscription ($id: ID!) { generation(messageId: $id) { __typename seq ... on GenerationTokens { text tokenCount } } }`;
    const other = `subscription ($id: ID!) { generation(messageId: $id) { seq ... on GenerationTokens { t: text } } }`;
    const subscribers = [
      rawSubscriber("s", same, { id: messageId }),
      rawSubscriber("s", same, { id: messageId }),
      rawSubscriber("s", other, { id: messageId }),
    ];
    // All three follow the live tail before the batches come (each has had the replayed start, or the queue notice).
    for (let i = 0; i < 100 && server.chorus.app.generations.streams.activeSubscriptions() < 3; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    for (const piece of [" one", ' "two"', " three\u2028"]) {
      expect((await worker.request(WorkerTokensDocument, { input: { jobId: job.jobId, text: piece, tokenCount: 1 } })).data!.workerTokens.ok).to.equal(true);
    }
    await worker.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 3 } });
    const [a, b, c] = await Promise.all(subscribers);
    expect(b).to.deep.equal(a);
    for (const frame of a) {
      const { id, type, payload } = JSON.parse(frame) as { id: string; type: string; payload?: unknown };
      expect(frame).to.equal(JSON.stringify(payload === undefined ? { id, type } : { id, type, payload }));
    }
    const tokensOf = (frames: string[], field: string) =>
      frames
        .map((f) => (JSON.parse(f) as { payload?: { data?: { generation?: Record<string, unknown> } } }).payload?.data?.generation?.[field])
        .filter(Boolean);
    expect(tokensOf(a, "text")).to.deep.equal([" one", ' "two"', " three\u2028"]);
    expect(tokensOf(c, "t")).to.deep.equal([" one", ' "two"', " three\u2028"]);
    expect(tokensOf(c, "text")).to.deep.equal([]);
    expect(JSON.parse(a[a.length - 1])).to.deep.equal({ id: "s", type: "complete" });
    await worker.stop();
  });

  it("answers sendChatMessage without reading feedback for the messages it created, and reads it for them later", async () => {
    const feedbackReads = (statements: string[]) => statements.filter((q) => /chat_message_vote|chat_report|chat_draft_choice/.test(q));
    const chat = await gql(server.url, CreateChatDocument, { input: {} }, as);
    const counter = server.chorus.queryCounter;
    counter.recent = [];
    const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text: "Hi", model: "synthetic" } }, as);
    const sendStatements = counter.recent;
    counter.recent = [];
    // The same messages read back by a later request: their feedback is read as any message's.
    const read = await rawGql<{ chat: { messages: { id: string; score: number; reports: unknown[] }[] } }>(
      server.url,
      `query ($id: ID!) { chat(id: $id) { messages { id score reports { id } } } }`,
      { id: chat.data!.createChat.id },
      as,
    );
    const readStatements = counter.recent;
    counter.recent = null;
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    const { prompterMessage, assistantMessage } = sent.data!.sendChatMessage;
    for (const m of [prompterMessage, assistantMessage]) expect({ score: m.score, reports: m.reports }).to.deep.equal({ score: 0, reports: [] });
    expect(feedbackReads(sendStatements), sendStatements.join("\n")).to.deep.equal([]);
    expect(read.errors, JSON.stringify(read.errors)).to.equal(undefined);
    expect(read.data!.chat.messages.map((m) => ({ score: m.score, reports: m.reports }))).to.deep.equal([
      { score: 0, reports: [] },
      { score: 0, reports: [] },
    ]);
    expect(feedbackReads(readStatements)).to.not.deep.equal([]);
    // No worker is to find this answer in the queue (the next tests count their jobs).
    const cancelled = await gql(server.url, CancelGenerationDocument, { messageId: assistantMessage.id }, as);
    expect(cancelled.errors, JSON.stringify(cancelled.errors)).to.equal(undefined);
  });

  it("starts a generation subscription with one read (the message with its chat's owners), and still refuses others' messages", async () => {
    const messageId = await ask();
    expect((await gql(server.url, CancelGenerationDocument, { messageId }, as)).errors).to.equal(undefined);
    const follow = parse(`subscription ($id: ID!) { generation(messageId: $id) { __typename seq } }`) as TypedDocumentNode<
      { generation: { __typename: string; seq: number } },
      { id: string }
    >;
    // Connected first: the socket's identity lookup is not the subscription's.
    const c = client();
    await collect(c, follow, { id: "00000000-0000-0000-0000-000000000000" }, 1);
    const counter = server.chorus.queryCounter;
    counter.recent = [];
    const replayed = await collect(c, follow, { id: messageId }, Number.POSITIVE_INFINITY);
    const statements = counter.recent;
    counter.recent = null;
    expect(replayed.completed, String(replayed.error)).to.equal(true);
    expect(replayed.results.map((r) => r.data?.generation.__typename)).to.deep.equal(["GenerationQueued", "GenerationCancelled"]);
    const chatReads = statements.filter((q) => /\bchat(_message)?\b|"chat"/i.test(q));
    expect(chatReads, statements.join("\n")).to.have.length(1);
    expect(chatReads[0])
      .to.match(/chat_message/)
      .and.to.match(/"user"/);

    // Another user of the same client is told the message does not exist, as before.
    const mallory = wsClient(server.wsUrl, { authorization: `Bearer ${as.key}`, user: "local:mallory" });
    clients.push(mallory);
    const refused = await collect(mallory, follow, { id: messageId }, 1);
    expect(JSON.stringify(refused.error ?? refused.results)).to.match(/NOT_FOUND/);
  });

  it("resolves a followed answer's GenerationStarted without reading its chat's battle when it holds none; a blind battle's start hides the worker", async () => {
    const worker = new TestWorker(server.wsUrl, workerKey, { name: "follow-start", capacity: 2, manual: true });
    await worker.start();
    const started = async (messageId: string) => {
      for (let i = 0; i < 500 && !(await snapshot(messageId)).events.some((e) => e.event.type === "started"); i++) await new Promise((r) => setTimeout(r, 20));
    };
    const follow = parse(`subscription ($id: ID!) { generation(messageId: $id) { __typename ... on GenerationStarted { workerName } } }`) as TypedDocumentNode<
      { generation: { __typename: string; workerName?: string } },
      { id: string }
    >;
    const c = client();
    const counter = server.chorus.queryCounter;

    const plain = await ask();
    const plainJob = await jobOf(worker, 1);
    await started(plain);
    counter.recent = [];
    const seen = await collect(c, follow, { id: plain }, 2);
    const statements = counter.recent;
    counter.recent = null;
    expect(seen.results.map((r) => r.data?.generation)).to.deep.equal([
      { __typename: "GenerationQueued" },
      { __typename: "GenerationStarted", workerName: "follow-start" },
    ]);
    expect(
      statements.filter((q) => /arena_battle/.test(q) && !/INNER JOIN/.test(q)),
      statements.join("\n"),
    ).to.deep.equal([]);

    // A battle's chat (its battle made before its first message, as the arena does): the worker stays hidden.
    const blind = await ask(true);
    const blindJob = await jobOf(worker, 2);
    await started(blind);
    const hidden = await collect(c, follow, { id: blind }, 2);
    expect(hidden.results.map((r) => r.data?.generation)).to.deep.equal([
      { __typename: "GenerationQueued" },
      { __typename: "GenerationStarted", workerName: "hidden until the vote" },
    ]);
    for (const job of [plainJob, blindJob])
      await worker.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 0 } });
    await worker.stop();
  });

  it("resolves GenerationFinished's stored answer without reading its chat's battle when it holds none; a blind battle's answer hides its model", async () => {
    const worker = new TestWorker(server.wsUrl, workerKey, { name: "follow-finish", capacity: 2, manual: true });
    await worker.start();
    const follow = parse(
      `subscription ($id: ID!) { generation(messageId: $id) { __typename ... on GenerationFinished { chatMessage { id model workerName sampling { temperature } } } } }`,
    ) as TypedDocumentNode<{ generation: { __typename: string; chatMessage?: StoredAnswer } }, { id: string }>;
    const finish = async (job: TestJob) =>
      expect(
        (await worker.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 0 } })).data!.workerFinish
          .ok,
      ).to.equal(true);
    type StoredAnswer = { id: string; model: string | null; workerName: string | null; sampling: { temperature: number } | null };
    const finished = (r: { data?: { generation: { __typename: string; chatMessage?: StoredAnswer } } | null }) =>
      r.data?.generation.__typename === "GenerationFinished" ? r.data.generation.chatMessage : undefined;
    const c = client();
    const counter = server.chorus.queryCounter;

    const plain = await ask();
    await finish(await jobOf(worker, 1));
    counter.recent = [];
    const seen = await collect(c, follow, { id: plain }, 3);
    const statements = counter.recent;
    counter.recent = null;
    const answers = seen.results.map(finished).filter((a) => a !== undefined);
    expect(answers.map(({ sampling, ...rest }) => rest)).to.deep.equal([{ id: plain, model: "synthetic", workerName: "follow-finish" }]);
    expect(answers[0].sampling).to.not.equal(null);
    expect(
      statements.filter((q) => /arena_battle/.test(q) && !/INNER JOIN/.test(q)),
      statements.join("\n"),
    ).to.deep.equal([]);

    // A battle's chat (its battle made before its first message, as the arena does): model and worker stay hidden.
    const blind = await ask(true);
    await finish(await jobOf(worker, 2));
    const hidden = await collect(c, follow, { id: blind }, 3);
    expect(hidden.results.map(finished).filter(Boolean)).to.deep.equal([{ id: blind, model: null, workerName: null, sampling: null }]);
    await worker.stop();
  });

  it("reads messages and a chat's feedback by prepared statements (the feedback in one), hydrated exactly as TypeORM's query builder hydrates them", async () => {
    const worker = new TestWorker(server.wsUrl, workerKey, { name: "hydrated", capacity: 1, manual: true });
    await worker.start();
    const answer = await ask();
    const job = await jobOf(worker, 1);
    await worker.request(WorkerTokensDocument, { input: { jobId: job.jobId, text: "an \u2028answer", tokenCount: 2 } });
    await worker.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 2 } });
    await worker.stop();
    const ds = server.chorus.app.ds;
    const [{ parent_id: prompt }] = await ds.query(`SELECT parent_id FROM chat_message WHERE id = $1`, [answer]);
    const ids = [answer, prompt as string];
    const built = await ds.getRepository(ChatMessage).createQueryBuilder("m").where("m.id = ANY(:ids)", { ids }).orderBy("m.id").getMany();
    // Every column, set and null: the answer's sampling (jsonb), its dates, the prompt's nulls.
    expect(built.map((m) => [m.id, m.sampling !== null, m.workEndAt instanceof Date])).to.deep.equal([
      [prompt, false, false],
      [answer, true, true],
    ]);
    const prepared = (await server.chorus.app.chats.messagesByIds(ids)).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(prepared).to.deep.equal(built);
    for (const m of prepared) expect(m).to.be.instanceOf(ChatMessage);

    // The chat's feedback (a vote, an open report and a resolved one, a draft choice with its jsonb list), as the
    // builders' getMany reads it.
    const [{ chat_id: chatId, user_id: userId }] = await ds.query(
      `SELECT m.chat_id, c.user_id FROM chat_message m JOIN chat c ON c.id = m.chat_id WHERE m.id = $1`,
      [answer],
    );
    expect((await gql(server.url, VoteChatMessageDocument, { input: { messageId: answer, score: 1 } }, as)).errors).to.equal(undefined);
    expect(
      (await gql(server.url, ReportChatMessageDocument, { input: { messageId: answer, reason: "wrong", reportType: "FEEDBACK" as never } }, as)).errors,
    ).to.equal(undefined);
    await ds.query(
      `INSERT INTO chat_draft_choice (id, chat_id, user_id, prompt_id, selected_message_id, inferior_message_ids) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)`,
      [chatId, userId, prompt, answer, JSON.stringify([prompt])],
    );
    await ds.query(
      `INSERT INTO chat_report (id, message_id, chat_id, user_id, report_type, reason, resolved_at, resolved_by_user_id, resolution)
       VALUES (gen_random_uuid(), $1, $2, $3, 'FEEDBACK', $4, now(), $3, 'kept "as is" \u2014 fine')`,
      [answer, chatId, userId, "earlier 'quoted' \u2028 reason"],
    );
    const where = { chatId: chatId as string };
    const expected = {
      votes: await ds.getRepository(ChatMessageVote).find({ where, order: { updatedAt: "ASC" } }),
      reports: await ds.getRepository(ChatReport).find({ where, order: { createdAt: "ASC", id: "ASC" } }),
      draftChoices: await ds.getRepository(ChatDraftChoice).find({ where, order: { createdAt: "ASC", id: "ASC" } }),
    };
    expect([expected.votes.length, expected.reports.length, expected.draftChoices.length]).to.deep.equal([1, 2, 1]);
    const counter = server.chorus.queryCounter;
    counter.recent = [];
    const feedback = (await feedbackOfChats(ds, [chatId])).get(chatId);
    const statements = counter.recent.filter((q) => /chat_message_vote|chat_report|chat_draft_choice/.test(q));
    counter.recent = null;
    expect(statements).to.have.length(1);
    expect(feedback).to.deep.equal(expected);
    expect(feedback!.votes[0]).to.be.instanceOf(ChatMessageVote);
    expect(feedback!.reports[0]).to.be.instanceOf(ChatReport);
    expect(feedback!.draftChoices[0]).to.be.instanceOf(ChatDraftChoice);
  });

  it("reads whether a send's chat holds a blind battle with its lock: the response hides the model until the vote, with no read of its own", async () => {
    const who = { key: as.key, user: "local:blind" };
    const ds = server.chorus.app.ds;
    const counter = server.chorus.queryCounter;
    const chatId = (await gql(server.url, CreateChatDocument, { input: {} }, who)).data!.createChat.id;
    const send = async (parentId?: string) => {
      counter.recent = [];
      const sent = await gql(
        server.url,
        SendChatMessageDocument,
        { input: { chatId, text: "which model?", model: "synthetic", ...(parentId ? { parentId } : {}) } },
        who,
      );
      const statements = counter.recent;
      counter.recent = null;
      expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
      const answer = sent.data!.sendChatMessage.assistantMessage;
      expect((await gql(server.url, CancelGenerationDocument, { messageId: answer.id }, who)).errors).to.equal(undefined);
      await ds.query(`UPDATE chat_message SET state = 'COMPLETE', text = 'an answer' WHERE id = $1`, [answer.id]);
      expect(
        statements.filter((q) => /^SELECT b\.chat_id FROM arena_battle/.test(q.trim())),
        statements.join("\n"),
      ).to.deep.equal([]);
      return answer;
    };
    const plain = await send();
    expect(plain.model).to.equal("synthetic");
    expect(plain.sampling).to.not.equal(null);
    const [{ id: battleId }] = await ds.query(
      `INSERT INTO arena_battle (id, chat_id, model_a, model_b, source) VALUES (gen_random_uuid(), $1, 'synthetic', 'synthetic', 'BATTLE') RETURNING id`,
      [chatId],
    );
    const blind = await send(plain.id);
    expect({ model: blind.model, sampling: blind.sampling }).to.deep.equal({ model: null, sampling: null });
    await ds.query(`UPDATE arena_battle SET winner = 'A', voted_at = now() WHERE id = $1`, [battleId]);
    const voted = await send(blind.id);
    expect(voted.model).to.equal("synthetic");
  });

  it("stores a send with one statement and none before it, and keeps the chat's tree rules", async () => {
    const who = { key: as.key, user: "local:tree-rules" };
    const counter = server.chorus.queryCounter;
    const newChat = async () => (await gql(server.url, CreateChatDocument, { input: {} }, who)).data!.createChat.id;
    const send = (chatId: string, text: string, parentId?: string) =>
      gql(server.url, SendChatMessageDocument, { input: { chatId, text, model: "synthetic", ...(parentId ? { parentId } : {}) } }, who);
    const cancel = async (messageId: string) => expect((await gql(server.url, CancelGenerationDocument, { messageId }, who)).errors).to.equal(undefined);
    const count = async (chatId: string) => (await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM chat_message WHERE chat_id = $1`, [chatId]))[0].n;
    // The send's statements on the chat's tables: one, which locks the chat, checks it (with the parent's thread for a
    // reply; for a first prompt, that the chat is empty) and inserts. Other statements (periodic jobs of the server)
    // are not the send's.
    const ownStatements = (statements: string[]) =>
      statements.filter(
        (q) =>
          /^WITH RECURSIVE locked AS|^INSERT INTO chat_message|^(UPDATE|SELECT).*\bchat(_message)?\b/s.test(q.trim()) &&
          !/^SELECT b\.chat_id FROM arena_battle|^SELECT "Chat"/.test(q.trim()),
      );

    const chatId = await newChat();
    counter.recent = [];
    const first = await send(chatId, "first");
    const firstStatements = counter.recent;
    counter.recent = null;
    expect(first.errors, JSON.stringify(first.errors)).to.equal(undefined);
    expect(
      ownStatements(firstStatements).map((q) => q.trim().split(/\s+/).slice(0, 4).join(" ")),
      firstStatements.join("\n"),
    ).to.deep.equal(["WITH RECURSIVE locked AS"]);
    // The chat's ownership is checked by the lock: no read of the chat comes before the transaction.
    expect(firstStatements.filter((q) => /^SELECT "Chat"/.test(q.trim()))).to.deep.equal([]);
    const answer = first.data!.sendChatMessage.assistantMessage;
    expect(answer).to.include({ state: "PENDING", text: "" });
    expect(new Date(answer.createdAt).getTime()).to.be.greaterThan(0);
    await cancel(answer.id);

    // Another user's send to the chat finds no chat, and stores and changes nothing.
    const [{ modified_at: modifiedBefore }] = await server.chorus.app.ds.query(`SELECT modified_at FROM chat WHERE id = $1`, [chatId]);
    const notTheirs = await gql(
      server.url,
      SendChatMessageDocument,
      { input: { chatId, text: "not mine", model: "synthetic" } },
      { key: as.key, user: "local:mallory" },
    );
    expect(notTheirs.errors?.[0].extensions?.code).to.equal("NOT_FOUND");
    expect(await count(chatId)).to.equal(2);
    const [{ modified_at: modifiedAfter }] = await server.chorus.app.ds.query(`SELECT modified_at FROM chat WHERE id = $1`, [chatId]);
    expect(modifiedAfter).to.deep.equal(modifiedBefore);

    // A second first prompt is refused and stores nothing.
    const again = await send(chatId, "another first");
    expect(again.errors?.[0].extensions?.code).to.equal("BAD_USER_INPUT");
    expect(again.errors?.[0].message).to.match(/already has messages/);
    expect(await count(chatId)).to.equal(2);

    // Replies: only to a COMPLETE answer of this chat.
    const pending = await send(chatId, "to a cancelled answer", answer.id);
    expect(pending.errors?.[0].message).to.match(/not COMPLETE/);
    const toPrompt = await send(chatId, "to a prompt", first.data!.sendChatMessage.prompterMessage.id);
    expect(toPrompt.errors?.[0].message).to.match(/must answer an assistant message/);
    const otherChat = await newChat();
    const elsewhere = await send(otherChat, "first elsewhere");
    await cancel(elsewhere.data!.sendChatMessage.assistantMessage.id);
    const foreign = await send(otherChat, "to another chat's answer", answer.id);
    expect(foreign.errors?.[0].message).to.match(/not in this chat/);
    const notAnId = await send(chatId, "to no message", "not-a-uuid");
    expect(notAnId.errors?.[0].message).to.match(/not in this chat/);
    expect(await count(chatId)).to.equal(2);

    // A reply to a COMPLETE answer: the same one statement.
    await server.chorus.app.ds.query(`UPDATE chat_message SET state = 'COMPLETE', text = 'the answer' WHERE id = $1`, [answer.id]);
    counter.recent = [];
    const reply = await send(chatId, "reply", answer.id);
    const replyStatements = counter.recent;
    counter.recent = null;
    expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    expect(ownStatements(replyStatements).map((q) => q.trim().split(/\s+/).slice(0, 4).join(" "))).to.deep.equal(["WITH RECURSIVE locked AS"]);
    await cancel(reply.data!.sendChatMessage.assistantMessage.id);
    expect(await count(chatId)).to.equal(4);

    // First prompts sent at once to one empty chat: exactly one is stored.
    const raced = await newChat();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => send(raced, `racing ${i}`)));
    const stored = results.filter((r) => !r.errors);
    expect(stored).to.have.length(1);
    for (const r of results.filter((x) => x.errors)) expect(r.errors?.[0].message).to.match(/already has messages/);
    await cancel(stored[0].data!.sendChatMessage.assistantMessage.id);
    expect(await count(raced)).to.equal(2);
  });

  it("refuses a first prompt that waited for the chat's lock while another first prompt was stored, and stores nothing", async () => {
    // The send decides that the chat is empty by the snapshot it took before it waited; the first prompt committed
    // meanwhile is not in that snapshot. The send must notice (the chat row changed under its lock) and look again.
    const who = { key: as.key, user: "local:lock-waiter" };
    const chatId = (await gql(server.url, CreateChatDocument, { input: {} }, who)).data!.createChat.id;
    const holder = server.chorus.app.ds.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      // What a concurrent first prompt does: bump the chat (holding its lock) and insert a prompt.
      await holder.query(`UPDATE chat SET modified_at = now() WHERE id = $1`, [chatId]);
      await holder.query(
        `INSERT INTO chat_message (id, chat_id, role, state, text) VALUES (gen_random_uuid(), $1, 'PROMPTER', 'COMPLETE', 'the other first')`,
        [chatId],
      );
      const sending = gql(server.url, SendChatMessageDocument, { input: { chatId, text: "mine first", model: "synthetic" } }, who);
      // The send waits for the chat's lock (its statement began, and so took its snapshot, before the commit).
      for (;;) {
        const [{ n }] = await server.chorus.app.ds.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH RECURSIVE locked AS%'`,
        );
        if (n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await holder.commitTransaction();
      const refused = await sending;
      expect(refused.errors?.[0].extensions?.code).to.equal("BAD_USER_INPUT");
      expect(refused.errors?.[0].message).to.match(/already has messages/);
    } finally {
      await holder.release();
    }
    const texts = (await server.chorus.app.ds.query(`SELECT text FROM chat_message WHERE chat_id = $1`, [chatId])).map((r: { text: string }) => r.text);
    expect(texts).to.deep.equal(["the other first"]);
  });

  it("hands a wave of asks to a worker at once, each job with its own conversation, first prompts and replies", async () => {
    const worker = new TestWorker(server.wsUrl, workerKey, { name: "wave", capacity: 30, manual: true });
    await worker.start();
    // Its own user: 18 generations, within the per-user rate limit.
    const waveAs = { key: as.key, user: "local:wave" };
    const chats = await Promise.all(
      Array.from(
        { length: 12 },
        async (_, i) => (await gql(server.url, CreateChatDocument, { input: i % 3 === 0 ? {} : { systemPrompt: `system ${i}` } }, waveAs)).data!.createChat.id,
      ),
    );
    const system = (i: number) => (i % 3 === 0 ? [] : [{ role: "system", content: `system ${i}` }]);
    const send = async (i: number, text: string, parentId?: string) => {
      const sent = await gql(
        server.url,
        SendChatMessageDocument,
        { input: { chatId: chats[i], text, model: "synthetic", ...(parentId ? { parentId } : {}) } },
        waveAs,
      );
      expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
      return sent.data!.sendChatMessage.assistantMessage.id;
    };
    // First prompts in every chat at once.
    const answers = await Promise.all(chats.map((_, i) => send(i, `prompt ${i}`)));
    await jobOf(worker, 12);
    const byMessage = new Map(worker.jobs.map((j) => [j.messageId, j]));
    for (const [i, messageId] of answers.entries()) {
      const job = byMessage.get(messageId)!;
      expect(job.messages, `chat ${i}`).to.deep.equal([...system(i), { role: "user", content: `prompt ${i}` }]);
      expect((await worker.request(WorkerTokensDocument, { input: { jobId: job.jobId, text: `answer ${i}`, tokenCount: 1 } })).data!.workerTokens.ok).to.equal(
        true,
      );
      expect(
        (await worker.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 1 } })).data!.workerFinish
          .ok,
      ).to.equal(true);
    }
    // Then replies in half of them, again at once: each job carries its whole thread.
    const replies = await Promise.all(answers.slice(0, 6).map((a, i) => send(i, `reply ${i}`, a)));
    await jobOf(worker, 18);
    const later = new Map(worker.jobs.slice(12).map((j) => [j.messageId, j]));
    for (const [i, messageId] of replies.entries()) {
      const job = later.get(messageId)!;
      expect(job.messages, `reply in chat ${i}`).to.deep.equal([
        ...system(i),
        { role: "user", content: `prompt ${i}` },
        { role: "assistant", content: `answer ${i}` },
        { role: "user", content: `reply ${i}` },
      ]);
      // Claimed behind the hand-out; a report is answered once the claim took.
      expect(
        (await worker.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 0 } })).data!.workerFinish
          .ok,
      ).to.equal(true);
      expect((await snapshot(messageId)).row).to.include({ state: "COMPLETE", worker_name: "wave" });
    }
    await worker.stop();
  });

  it("hands a send's job to its worker before the answer is claimed, with what the worker needs; its reports wait for the claim", async () => {
    // Its own user and chat, with a system prompt and a first exchange, so the reply's job carries a thread.
    const who = { key: as.key, user: "local:at-once" };
    const chatId = (await gql(server.url, CreateChatDocument, { input: { systemPrompt: "be brief" } }, who)).data!.createChat.id;
    const first = new TestWorker(server.wsUrl, workerKey, { name: "first", capacity: 1, manual: true });
    await first.start();
    const sent1 = await gql(server.url, SendChatMessageDocument, { input: { chatId, text: "one", model: "synthetic" } }, who);
    const job1 = await jobOf(first);
    await first.request(WorkerTokensDocument, { input: { jobId: job1.jobId, text: "uno", tokenCount: 1 } });
    await first.request(WorkerFinishDocument, { input: { jobId: job1.jobId, finishReason: "STOP" as never, text: "", tokenCount: 1 } });
    await first.stop();
    // The reply waits in the queue (no worker); then its answer's row is locked, so no claim can take it.
    const sent2 = await gql(
      server.url,
      SendChatMessageDocument,
      { input: { chatId, text: "two", model: "synthetic", sampling: { maxNewTokens: 7 }, parentId: sent1.data!.sendChatMessage.assistantMessage.id } },
      who,
    );
    expect(sent2.errors, JSON.stringify(sent2.errors)).to.equal(undefined);
    const messageId = sent2.data!.sendChatMessage.assistantMessage.id;
    const locker = server.chorus.app.ds.createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    try {
      await locker.query(`SELECT id FROM chat_message WHERE id = $1 FOR UPDATE`, [messageId]);
      const counter = server.chorus.queryCounter;
      counter.recent = [];
      const worker = new TestWorker(server.wsUrl, workerKey, { name: "at-once", capacity: 1, manual: true });
      await worker.start();
      const job = await jobOf(worker);
      const handOutStatements = counter.recent;
      counter.recent = null;
      // The worker has its job although the claim waits on the lock: the conversation, sampling and budget came
      // with the job, and nothing of the chat was read for it.
      expect(job.messageId).to.equal(messageId);
      expect(job.messages).to.deep.equal([
        { role: "system", content: "be brief" },
        { role: "user", content: "one" },
        { role: "assistant", content: "uno" },
        { role: "user", content: "two" },
      ]);
      expect(job.sampling.maxNewTokens).to.equal(7);
      expect(
        handOutStatements.filter((q) => /system_prompt|RECURSIVE/.test(q)),
        handOutStatements.join("\n"),
      ).to.deep.equal([]);
      expect((await snapshot(messageId)).row.state).to.equal("PENDING");
      // The first batch is sent at once; it is appended only after GenerationStarted, once the claim took.
      const batch = worker.request(WorkerTokensDocument, { input: { jobId: job.jobId, text: " two", tokenCount: 1 } });
      expect((await snapshot(messageId)).events.map((e) => e.event.type)).to.not.include("tokens");
      await locker.commitTransaction();
      expect((await batch).data!.workerTokens).to.deep.equal({ ok: true, cancel: false });
      expect((await snapshot(messageId)).events.map((e) => e.event.type)).to.deep.equal(["queued", "started", "tokens"]);
      expect((await snapshot(messageId)).row).to.include({ state: "IN_PROGRESS", worker_name: "at-once", hand_out_id: job.jobId.split(".")[0] });
      await worker.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 1 } });
      expect((await snapshot(messageId)).row).to.include({ state: "COMPLETE", text: " two" });
      await worker.stop();
    } finally {
      if (locker.isTransactionActive) await locker.rollbackTransaction();
      await locker.release();
    }
  });

  it("ends a job handed out before its claim when the claim finds the answer cancelled: its first report is refused", async () => {
    const who = { key: as.key, user: "local:at-once-cancelled" };
    const chatId = (await gql(server.url, CreateChatDocument, { input: {} }, who)).data!.createChat.id;
    const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId, text: "never mind", model: "synthetic" } }, who);
    const messageId = sent.data!.sendChatMessage.assistantMessage.id;
    const locker = server.chorus.app.ds.createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    try {
      // Cancelled as the worker takes it: the cancel is written under the lock the claim waits for.
      await locker.query(`UPDATE chat_message SET cancel_requested_at = now() WHERE id = $1`, [messageId]);
      const worker = new TestWorker(server.wsUrl, workerKey, { name: "too-late", capacity: 1, manual: true });
      await worker.start();
      const job = await jobOf(worker);
      const batch = worker.request(WorkerTokensDocument, { input: { jobId: job.jobId, text: " no", tokenCount: 1 } });
      await locker.commitTransaction();
      expect((await batch).data!.workerTokens).to.deep.equal({ ok: false, cancel: false });
      const after = await snapshot(messageId);
      expect(after.row.state).to.equal("CANCELLED");
      expect(after.events.map((e) => e.event.type)).to.deep.equal(["queued", "cancelled"]);
      await worker.stop();
    } finally {
      if (locker.isTransactionActive) await locker.rollbackTransaction();
      await locker.release();
    }
  });

  it("ends an answer with one write of its row (state, text and its terminal event's seq) and no renewal of a lease renewed lately", async () => {
    const messageId = await ask();
    const worker = new TestWorker(server.wsUrl, workerKey, { name: "one-write", capacity: 1, manual: true });
    await worker.start();
    const job = await jobOf(worker);
    await worker.request(WorkerTokensDocument, { input: { jobId: job.jobId, text: " one", tokenCount: 1 } });
    await worker.request(WorkerTokensDocument, { input: { jobId: job.jobId, text: " write", tokenCount: 1 } });
    const queue = server.chorus.app.generations.queue;
    const heartbeat = queue.heartbeat;
    let renewals = 0;
    queue.heartbeat = (jobId: string) => {
      renewals++;
      return heartbeat.call(queue, jobId);
    };
    const counter = server.chorus.queryCounter;
    counter.recent = [];
    try {
      const ack = await worker.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 2 } });
      expect(ack.data!.workerFinish).to.deep.equal({ ok: true, cancel: false });
    } finally {
      queue.heartbeat = heartbeat;
    }
    const statements = counter.recent;
    counter.recent = null;
    expect(
      statements.filter((q) => /^UPDATE chat_message\b/.test(q.trim())),
      statements.join("\n"),
    ).to.have.length(1);
    expect(renewals).to.equal(0);
    const { events } = await snapshot(messageId);
    expect(events.map((e) => e.event.type)).to.deep.equal(["queued", "started", "tokens", "tokens", "finished"]);
    const [row] = await server.chorus.app.ds.query(`SELECT state, text, token_count, stream_last_seq FROM chat_message WHERE id = $1`, [messageId]);
    expect(row).to.deep.equal({ state: "COMPLETE", text: " one write", token_count: 2, stream_last_seq: events[events.length - 1].seq });
    await worker.stop();
  });

  it("refuses a token batch on the fast path for a job the worker does not own, as the general path does", async () => {
    const a = new TestWorker(server.wsUrl, workerKey, { name: "A", capacity: 1, manual: true });
    await a.start();
    const mA = await ask();
    const jobA = await jobOf(a);
    const b = new TestWorker(server.wsUrl, workerKey, { name: "B", capacity: 1, manual: true });
    await b.start();
    const mB = await ask();
    const jobB = await jobOf(b);
    // B's first batch passes the gate, and its connection recognises the document.
    admitted.length = 0;
    expect((await b.requestText(TOKENS_QUERY, { input: { jobId: jobB.jobId, text: " b0", tokenCount: 1 } })).data).to.deep.equal({
      workerTokens: { ok: true, cancel: false },
    });
    expect(admitted).to.have.length(1);
    admitted.length = 0;
    const beforeA = await snapshot(mA);
    const spliced = `${jobB.jobId.split(".")[0]}.${mA}`;
    for (const jobId of [jobA.jobId, spliced]) {
      const fast = await b.requestText(TOKENS_QUERY, { input: { jobId, text: " INJECTED", tokenCount: 1 } });
      // The same document, written differently: the general path.
      const general = await b.requestText(`${TOKENS_QUERY}\n`, { input: { jobId, text: " INJECTED", tokenCount: 1 } });
      expect(fast).to.deep.equal({ data: { workerTokens: { ok: false, cancel: false } } });
      expect(fast).to.deep.equal(general);
    }
    expect(admitted, "only the differently written batches passed the gate").to.deep.equal([`${TOKENS_QUERY}\n`, `${TOKENS_QUERY}\n`]);
    expect(await snapshot(mA)).to.deep.equal(beforeA);
    // B's own job goes on over the fast path.
    expect((await b.requestText(TOKENS_QUERY, { input: { jobId: jobB.jobId, text: " b1", tokenCount: 1 } })).data).to.deep.equal({
      workerTokens: { ok: true, cancel: false },
    });
    expect(admitted).to.have.length(2);
    expect(
      (await b.request(WorkerFinishDocument, { input: { jobId: jobB.jobId, finishReason: "STOP" as never, text: "", tokenCount: 2 } })).data!.workerFinish.ok,
    ).to.equal(true);
    expect((await snapshot(mB)).row).to.include({ state: "COMPLETE", text: " b0 b1" });
    expect(
      (await a.request(WorkerFinishDocument, { input: { jobId: jobA.jobId, finishReason: "STOP" as never, text: "", tokenCount: 0 } })).data!.workerFinish.ok,
    ).to.equal(true);
    await a.stop();
    await b.stop();
  });

  /** A worker's socket driven frame by frame: `send` writes raw text, `frames` are what came back (the ack left out). */
  async function rawWorkerSocket(): Promise<{ send(text: string): void; frames: string[]; closed: Promise<{ code: number; reason: string }>; close(): void }> {
    const socket = new WebSocket(server.wsUrl, "graphql-transport-ws");
    const frames: string[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
    await new Promise<void>((resolve, reject) => {
      socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${workerKey}` } })));
      socket.on("message", (data: Buffer) => {
        const text = data.toString();
        if ((JSON.parse(text) as { type: string }).type === "connection_ack") resolve();
        else frames.push(text);
      });
      socket.on("error", reject);
    });
    return { send: (text) => socket.send(text), frames, closed, close: () => socket.close() };
  }

  async function framesFor(raw: { frames: string[] }, id: string, n = 2): Promise<string[]> {
    const of = () => raw.frames.filter((f) => (JSON.parse(f) as { id?: string }).id === id);
    for (let i = 0; i < 250 && of().length < n; i++) await new Promise((r) => setTimeout(r, 20));
    return of();
  }

  it("answers a recognised batch before graphql-ws with the frames graphql-ws sends for it, byte for byte; a duplicate id is graphql-ws's to refuse", async () => {
    // The module's exports object (CommonJS), which the server's calls read at each call.
    const messages = tokenBatchMessages;
    const recognise = messages.tokenBatchMessage;
    let taken = 0;
    (messages as { tokenBatchMessage: typeof recognise }).tokenBatchMessage = (...args) => {
      const m = recognise(...args);
      if (m) taken++;
      return m;
    };
    const raw = await rawWorkerSocket();
    try {
      const subscribe = (id: string, query: string, text: string) =>
        JSON.stringify({
          id,
          type: "subscribe",
          payload: { query, variables: { input: { jobId: "0.00000000-0000-0000-0000-000000000000", text, tokenCount: 1 } } },
        });
      admitted.length = 0;
      // The first batch passes the gate (and makes the connection recognise its document); the next ones do not.
      raw.send(subscribe("general", TOKENS_QUERY, " a"));
      const general = await framesFor(raw, "general");
      expect(admitted).to.have.length(1);
      // The second makes the connection's token context (onSubscribe's fast path); from the third on they are taken.
      raw.send(subscribe("second", TOKENS_QUERY, " a"));
      expect(await framesFor(raw, "second")).to.deep.equal(general.map((f) => f.replace('"general"', '"second"')));
      expect(taken).to.equal(0);
      raw.send(subscribe("fast", TOKENS_QUERY, " a"));
      const fast = await framesFor(raw, "fast");
      expect(taken, "the batch was taken off the socket").to.equal(1);
      expect(admitted).to.have.length(1);
      expect(general).to.deep.equal([
        '{"id":"general","type":"next","payload":{"data":{"workerTokens":{"ok":false,"cancel":false}}}}',
        '{"id":"general","type":"complete"}',
      ]);
      expect(fast).to.deep.equal(general.map((f) => f.replace('"general"', '"fast"')));
      // Not a batch of the recognised operation: graphql-ws's own answer, as always (here: the gate's).
      raw.send(JSON.stringify({ id: "other", type: "subscribe", payload: { query: "mutation { nope }" } }));
      const other = await framesFor(raw, "other", 1);
      expect(JSON.parse(other[0])).to.include({ type: "error" });
      expect(taken).to.equal(1);
      // Two batches with one id at once: the second is graphql-ws's, which closes the socket as it always did.
      raw.send(subscribe("twice", TOKENS_QUERY, " b"));
      raw.send(subscribe("twice", TOKENS_QUERY, " b"));
      expect(await raw.closed).to.deep.equal({ code: 4409, reason: "Subscriber for twice already exists" });
    } finally {
      (messages as { tokenBatchMessage: typeof recognise }).tokenBatchMessage = recognise;
      raw.close();
    }
  });

  it("answers a batch whose report fails with the general path's error, located at the field", async () => {
    const w = new TestWorker(server.wsUrl, workerKey, { name: "failing", capacity: 1, manual: true });
    await w.start();
    await ask();
    const job = await jobOf(w);
    expect((await w.requestText(TOKENS_QUERY, { input: { jobId: job.jobId, text: " w0", tokenCount: 1 } })).data).to.deep.equal({
      workerTokens: { ok: true, cancel: false },
    });
    const workers = server.chorus.app.workers;
    const tokens = workers.tokens;
    const thrown: ChorusError[] = [];
    workers.tokens = async () => {
      const e = new ChorusError(ErrorCode.SERVICE_UNAVAILABLE, "The generation store is unreachable");
      thrown.push(e);
      throw e;
    };
    try {
      admitted.length = 0;
      const fast = await w.requestText(TOKENS_QUERY, { input: { jobId: job.jobId, text: " w1", tokenCount: 1 } });
      const general = await w.requestText(`${TOKENS_QUERY}\n`, { input: { jobId: job.jobId, text: " w1", tokenCount: 1 } });
      expect(admitted, "the first batch took the fast path").to.deep.equal([`${TOKENS_QUERY}\n`]);
      expect(thrown).to.have.length(2);
      expect(fast.data).to.equal(null);
      expect(fast.errors?.[0]?.extensions?.code).to.equal("SERVICE_UNAVAILABLE");
      expect(fast).to.deep.equal(general);
    } finally {
      workers.tokens = tokens;
    }
    expect(
      (await w.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 1 } })).data!.workerFinish.ok,
    ).to.equal(true);
    await w.stop();
  });

  it("answers a malformed batch on a recognising connection with the general path's typed error", async () => {
    const w = new TestWorker(server.wsUrl, workerKey, { name: "W", capacity: 1, manual: true });
    await w.start();
    const m = await ask();
    const job = await jobOf(w);
    expect((await w.requestText(TOKENS_QUERY, { input: { jobId: job.jobId, text: " w0", tokenCount: 1 } })).data!).to.deep.equal({
      workerTokens: { ok: true, cancel: false },
    });
    // A connection that never sent a good batch: its first token operation always takes the general path.
    const fresh = new TestWorker(server.wsUrl, workerKey, { name: "fresh", capacity: 1, manual: true });
    await fresh.start();
    const before = await snapshot(m);
    const malformed: Record<string, unknown>[] = [
      { input: { jobId: job.jobId, text: " x", tokenCount: -1 } },
      { input: { jobId: job.jobId, text: " x", tokenCount: 1.5 } },
      { input: { jobId: job.jobId, text: 5, tokenCount: 1 } },
      { input: { jobId: job.jobId, text: " x", tokenCount: 1, extra: 1 } },
      { input: { jobId: job.jobId, text: " x" } },
      { input: { jobId: job.jobId, text: "lone \ud800", tokenCount: 1 } },
      {},
    ];
    for (const variables of malformed) {
      const onRecognising = await w.requestText(TOKENS_QUERY, variables);
      const onFresh = await fresh.requestText(TOKENS_QUERY, variables);
      expect(onRecognising.errors, JSON.stringify(variables)).to.be.an("array").that.is.not.empty;
      const shape = (r: ExecutionResult) => ({ data: r.data, errors: r.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })) });
      expect(shape(onRecognising), JSON.stringify(variables)).to.deep.equal(shape(onFresh));
    }
    expect(await snapshot(m)).to.deep.equal(before);
    expect(
      (await w.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 1 } })).data!.workerFinish.ok,
    ).to.equal(true);
    await w.stop();
    await fresh.stop();
  });

  it("counts fast-path batches against the socket's operation limit, refused with TOO_MANY_OPERATIONS as on the general path", async () => {
    const w = new TestWorker(server.wsUrl, workerKey, { name: "limited", capacity: 1, manual: true });
    await w.start();
    await ask();
    const job = await jobOf(w);
    const variables = { input: { jobId: job.jobId, text: "", tokenCount: 0 } };
    expect((await w.requestText(TOKENS_QUERY, variables)).data).to.deep.equal({ workerTokens: { ok: true, cancel: false } });
    // Reports held until released, so the batches stay in flight.
    const workers = server.chorus.app.workers;
    const tokens = workers.tokens;
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let held = 0;
    workers.tokens = async (...args: Parameters<typeof tokens>) => {
      held++;
      await released;
      return tokens.apply(workers, args);
    };
    try {
      // A worker's socket runs at most 2 × 256 + 16 operations; its job subscription is one of them.
      const limit = Math.max(server.chorus.app.config.maxOperationsPerSocket, 2 * 256 + 16);
      const inFlight = Array.from({ length: limit - 1 }, () => w.requestText(TOKENS_QUERY, variables));
      for (let i = 0; i < 500 && held < limit - 1; i++) await new Promise((r) => setTimeout(r, 20));
      expect(held, "every batch reached the report").to.equal(limit - 1);
      const fast = await w.requestText(TOKENS_QUERY, variables);
      const general = await w.requestText(`${TOKENS_QUERY}\n`, variables);
      expect(fast.errors?.[0]?.extensions?.code).to.equal("TOO_MANY_OPERATIONS");
      expect(fast).to.deep.equal(general);
      release();
      for (const r of await Promise.all(inFlight)) expect(r.data).to.deep.equal({ workerTokens: { ok: true, cancel: false } });
      // Every finished one left the count: the socket takes batches again.
      expect((await w.requestText(TOKENS_QUERY, variables)).data).to.deep.equal({ workerTokens: { ok: true, cancel: false } });
    } finally {
      release();
      workers.tokens = tokens;
    }
    expect(
      (await w.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 0 } })).data!.workerFinish.ok,
    ).to.equal(true);
    await w.stop();
  });

  it("ends a recognising worker's batches when its key is revoked: the socket closes 4401, as for any operation", async () => {
    const revocable = await server.createClient({ name: "revocable pool", kind: ApiClientKind.WORKER });
    const w = new TestWorker(server.wsUrl, revocable.key, { name: "revocable", capacity: 1, manual: true });
    await w.start();
    await ask();
    const job = await jobOf(w);
    const variables = { input: { jobId: job.jobId, text: " r0", tokenCount: 1 } };
    admitted.length = 0;
    expect((await w.requestText(TOKENS_QUERY, variables)).data).to.deep.equal({ workerTokens: { ok: true, cancel: false } });
    expect((await w.requestText(TOKENS_QUERY, { input: { ...variables.input, text: " r1" } })).data).to.deep.equal({
      workerTokens: { ok: true, cancel: false },
    });
    expect(admitted, "the second batch took the fast path").to.have.length(1);
    const revoked = await gql(server.url, RevokeApiClientDocument, { input: { id: revocable.id } }, { key: server.adminKey });
    expect(revoked.errors, JSON.stringify(revoked.errors)).to.equal(undefined);
    let closeCode: number | undefined;
    for (let i = 0; i < 250 && closeCode === undefined; i++) {
      try {
        await w.requestText(TOKENS_QUERY, { input: { ...variables.input, text: " LATE" } });
        await new Promise((r) => setTimeout(r, 20));
      } catch (err) {
        closeCode = (err as { code?: number }).code;
      }
    }
    expect(closeCode).to.equal(4401);
    await w.stop();
  });

  it("answers a connection whose hello was refused for its protocol version alike on both paths: it owns no job", async () => {
    const w = new TestWorker(server.wsUrl, workerKey, { name: "current", capacity: 1, manual: true });
    await w.start();
    const m = await ask();
    const job = await jobOf(w);
    // One connection throughout (a lazy client would open a new one per operation, as no subscription stays open).
    const old = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${workerKey}` },
      lazy: false,
      retryAttempts: 0,
    });
    clients.push(old);
    const run = (query: string, variables: Record<string, unknown>) =>
      new Promise<ExecutionResult>((resolve, reject) => {
        let result: ExecutionResult | undefined;
        old.subscribe(
          { query, variables },
          {
            next: (r) => void (result = r as ExecutionResult),
            error: (err) => (Array.isArray(err) ? resolve({ errors: err } as ExecutionResult) : reject(err)),
            complete: () => resolve(result!),
          },
        );
      });
    const hello = await run(
      `subscription { workerJobs(input: {protocolVersion: 0, models: ["synthetic"], capacity: 1, hardware: {device: "x"}, name: "old"}) { jobId } }`,
      {},
    );
    expect(hello.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
    const before = await snapshot(m);
    admitted.length = 0;
    const variables = { input: { jobId: job.jobId, text: " OLD", tokenCount: 1 } };
    const first = await run(TOKENS_QUERY, variables); // the general path; the connection recognises the document
    const fast = await run(TOKENS_QUERY, variables);
    const general = await run(`${TOKENS_QUERY}\n`, variables);
    expect(admitted, "the second batch took the fast path").to.deep.equal([TOKENS_QUERY, `${TOKENS_QUERY}\n`]);
    expect(first).to.deep.equal({ data: { workerTokens: { ok: false, cancel: false } } });
    expect(fast).to.deep.equal(first);
    expect(general).to.deep.equal(first);
    expect(await snapshot(m)).to.deep.equal(before);
    expect(
      (await w.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "STOP" as never, text: "", tokenCount: 0 } })).data!.workerFinish.ok,
    ).to.equal(true);
    await w.stop();
  });
});
