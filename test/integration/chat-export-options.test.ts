/**
 * The chat export's options from the reference's export.py (issue 11 item 18): one chat, a date range, scored-only,
 * reported-only, flat messages and the seeded anonymiser, on `GET /chats/export.jsonl` (a user's own chats) and on
 * `chorus export-chats` (the chats whose owners allow data use), through the real HTTP route and the real bin.
 */
import crypto from "node:crypto";
import { expect } from "chai";
import type { Client } from "graphql-ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, gql, wsClient } from "../helpers/graphql.js";
import { TestWorker } from "../helpers/test-worker.js";
import { CLI, runNode } from "../helpers/process.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import {
  CreateChatDocument,
  GenerationDocument,
  ReportChatMessageDocument,
  SendChatMessageDocument,
  ViewerDocument,
  VoteChatMessageDocument,
} from "../../client/generated/graphql.js";

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

describe("chat export options (HTTP and CLI)", function () {
  this.timeout(90_000);
  let server: TestServer;
  let key: string;
  let ws: Client;
  let worker: TestWorker;
  const owner = { key: "", user: "local:exporter" };
  let ownerId: string;
  /** scored (a vote), reported, plain, opted out of data use. */
  const chats = { scored: "", reported: "", plain: "", optedOut: "" };
  const answers: Record<string, { prompt: string; answer: string }> = {};

  async function chatWithAnswer(allowDataUse: boolean): Promise<{ chatId: string; prompt: string; answer: string }> {
    const chatId = (await gql(server.url, CreateChatDocument, { input: { allowDataUse } }, owner)).data!.createChat.id;
    const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId, text: "a question", model: "synthetic" } }, owner);
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    const answer = sent.data!.sendChatMessage.assistantMessage.id;
    await collect(ws, GenerationDocument, { messageId: answer }, Number.POSITIVE_INFINITY, 15_000);
    return { chatId, prompt: sent.data!.sendChatMessage.prompterMessage.id, answer };
  }

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false", CHAT_RATE_LIMIT_GENERATIONS: "0" });
    key = (await server.createClient({ name: "chat app", trusted: true })).key;
    owner.key = key;
    const workerKey = (await server.createClient({ name: "gpu", kind: ApiClientKind.WORKER })).key;
    worker = new TestWorker(server.wsUrl, workerKey, { batches: 1, capacity: 4 });
    await worker.start();
    ws = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: owner.user });
    ownerId = (await gql(server.url, ViewerDocument, {}, owner)).data!.viewer.user!.id;
    for (const [name, allow] of [
      ["scored", true],
      ["reported", true],
      ["plain", true],
      ["optedOut", false],
    ] as const) {
      const c = await chatWithAnswer(allow);
      chats[name] = c.chatId;
      answers[name] = c;
    }
    expect((await gql(server.url, VoteChatMessageDocument, { input: { messageId: answers.scored.answer, score: 1 } }, owner)).errors).to.equal(undefined);
    const report = await gql(
      server.url,
      ReportChatMessageDocument,
      { input: { messageId: answers.reported.answer, reportType: "SPAM", reason: "spam" } },
      owner,
    );
    expect(report.errors, JSON.stringify(report.errors)).to.equal(undefined);
    // A vote taken back (0) does not make a chat scored.
    await gql(server.url, VoteChatMessageDocument, { input: { messageId: answers.plain.answer, score: 1 } }, owner);
    await gql(server.url, VoteChatMessageDocument, { input: { messageId: answers.plain.answer, score: 0 } }, owner);
    const dates: [string, string][] = [
      [chats.scored, "2026-01-10T12:00:00Z"],
      [chats.reported, "2026-01-20T00:00:00Z"],
      [chats.plain, "2026-01-31T23:59:59.5Z"],
      [chats.optedOut, "2026-01-15T08:00:00Z"],
    ];
    for (const [id, at] of dates) await server.chorus.app.ds.query(`UPDATE chat SET created_at = $2 WHERE id = $1`, [id, at]);
  });
  after(async () => {
    await worker?.stop();
    await ws?.dispose();
    await server?.stop();
  });

  async function download(query: string): Promise<{ status: number; lines: Record<string, unknown>[]; text: string }> {
    const res = await fetch(`${server.origin}/chats/export.jsonl${query}`, { headers: { authorization: `Bearer ${key}`, "x-chorus-user": owner.user } });
    const text = await res.text();
    return {
      status: res.status,
      text,
      lines:
        res.status === 200 && text.trim()
          ? text
              .trim()
              .split("\n")
              .map((l) => JSON.parse(l))
          : [],
    };
  }
  const chatIds = (lines: Record<string, unknown>[]) => lines.map((l) => l.chat_id);

  it("HTTP: one chat, a date range (whole days, UTC), scored-only and reported-only narrow a user's own chats", async () => {
    expect(chatIds((await download("")).lines)).to.deep.equal([chats.scored, chats.reported, chats.plain, chats.optedOut]);
    expect(chatIds((await download(`?chat=${chats.reported}`)).lines)).to.deep.equal([chats.reported]);
    expect(chatIds((await download("?from-date=2026-01-15&to-date=2026-01-31")).lines)).to.deep.equal([chats.reported, chats.plain, chats.optedOut]);
    expect(chatIds((await download("?to-date=2026-01-20")).lines)).to.deep.equal([chats.scored, chats.reported, chats.optedOut]);
    expect(chatIds((await download("?from-date=2026-01-20T00:00:01Z")).lines)).to.deep.equal([chats.plain]);
    expect(chatIds((await download("?scored")).lines)).to.deep.equal([chats.scored]);
    expect(chatIds((await download("?reported=true")).lines)).to.deep.equal([chats.reported]);
    expect((await download("?scored&reported")).lines).to.deep.equal([]);
    expect(chatIds((await download("?scored=false")).lines)).to.have.length(4);
  });

  it("HTTP: flat writes one message per line, with its chat and owner; draft-free chats keep their tree links", async () => {
    const { lines } = await download(`?flat&chat=${chats.scored}`);
    expect(lines.map((l) => [l.chat_id, l.user_id, l.message_id, l.parent_id, l.role])).to.deep.equal([
      [chats.scored, ownerId, answers.scored.prompt, null, "prompter"],
      [chats.scored, ownerId, answers.scored.answer, answers.scored.prompt, "assistant"],
    ]);
    expect(lines[1]).to.include({ score: 1, text: " w0" });
    expect(lines.every((l) => !("children" in l))).to.equal(true);
  });

  it("HTTP: the anonymiser replaces every id by the dataset export's seeded pseudonym and leaves no original id", async () => {
    const { lines, text } = await download(`?anonymizer-seed=42&chat=${chats.reported}`);
    const [chat] = lines as {
      chat_id: string;
      user_id: string;
      messages: { message_id: string; parent_id: string | null; children: { message_id: string; parent_id: string; reports: Record<string, unknown>[] }[] }[];
    }[];
    expect(chat.chat_id).to.equal(sha256(`message_tree:${chats.reported}42`));
    expect(chat.user_id).to.equal(sha256(`user:${ownerId}42`));
    expect(chat.messages[0].message_id).to.equal(sha256(`message:${answers.reported.prompt}42`));
    expect(chat.messages[0].children[0].message_id).to.equal(sha256(`message:${answers.reported.answer}42`));
    expect(chat.messages[0].children[0].parent_id).to.equal(chat.messages[0].message_id);
    expect(chat.messages[0].children[0].reports).to.have.length(1);
    expect(chat.messages[0].children[0].reports[0]).to.not.have.property("report_id");
    for (const id of [chats.reported, ownerId, answers.reported.prompt, answers.reported.answer]) expect(text).to.not.include(id);
    const flat = await download(`?anonymizer-seed=42&chat=${chats.reported}&flat=1`);
    expect(flat.lines.map((l) => l.message_id)).to.deep.equal([chat.messages[0].message_id, chat.messages[0].children[0].message_id]);
  });

  it("HTTP: bad options answer 400 BAD_USER_INPUT naming the parameter, after authentication", async () => {
    for (const [query, names] of [
      ["?from-date=2026-02-30", "from-date"],
      ["?to-date=yesterday", "to-date"],
      ["?from-date=2026-02-01&to-date=2026-01-01", "from-date"],
      ["?chat=nope", "chat"],
      ["?scored=maybe", "scored"],
      ["?flat=1&flat=0", "flat"],
      ["?limit=3", "limit"],
      ["?anonymizer-seed=", "anonymizer-seed"],
    ] as const) {
      const res = await download(query);
      expect(res.status, query).to.equal(400);
      const body = JSON.parse(res.text) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0].extensions.code, query).to.equal("BAD_USER_INPUT");
      expect(body.errors[0].message, query).to.include(names);
    }
    expect((await fetch(`${server.origin}/chats/export.jsonl?chat=nope`)).status).to.equal(401);
  });

  it("CLI: export-chats takes the same options over the chats that allow data use", async () => {
    const env = { DATABASE_URL: server.db.url };
    const scoredFlat = await runNode(CLI, ["export-chats", "--scored", "--flat", "--anonymizer-seed", "7"], env);
    expect(scoredFlat.code, scoredFlat.stderr).to.equal(0);
    const flat = scoredFlat.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(flat.map((l) => [l.chat_id, l.message_id])).to.deep.equal([
      [sha256(`message_tree:${chats.scored}7`), sha256(`message:${answers.scored.prompt}7`)],
      [sha256(`message_tree:${chats.scored}7`), sha256(`message:${answers.scored.answer}7`)],
    ]);
    expect(scoredFlat.stderr).to.match(/exported 1 chats, 2 messages/);
    const range = await runNode(CLI, ["export-chats", "--reported", "--from-date", "2026-01-01", "--to-date", "2026-01-31"], env);
    expect(
      range.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).chat_id),
    ).to.deep.equal([chats.reported]);
    const january = await runNode(CLI, ["export-chats", "--from-date", "2026-01-01", "--to-date", "2026-01-31"], env);
    expect(
      january.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).chat_id),
      "the opted-out chat stays out",
    ).to.deep.equal([chats.scored, chats.reported, chats.plain]);
    const optedOut = await runNode(CLI, ["export-chats", "--chat", chats.optedOut], env);
    expect(optedOut.code, optedOut.stderr).to.equal(0);
    expect(optedOut.stdout).to.equal("");
    const bad = await runNode(CLI, ["export-chats", "--to-date", "31/01/2026"], env);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/--to-date must be a date/);
  });
});
