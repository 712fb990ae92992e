/**
 * Per-user limits on what a user can make the server store (issue 12, item 11: 500 chats with 19 KB system prompts
 * and 200 identical reports from one user were all stored): chats per window, the size of a system prompt, reports
 * per window, and one open report per user and answer. Each refusal is typed and stores nothing.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql, type RequestOptions } from "../helpers/graphql.js";
import { CreateChatDocument, ReportChatMessageDocument, SendChatMessageDocument, UpdateChatDocument } from "../../client/generated/graphql.js";

describe("per-user limits on chats, system prompts and reports", function () {
  this.timeout(120_000);
  let server: TestServer;
  let key: string;
  const as = (user: string): RequestOptions => ({ key, user: `local:${user}` });
  const count = async (sql: string, params: unknown[]) => (await server.chorus.app.ds.query(sql, params))[0].n as number;
  const chatsOf = (user: string) => count(`SELECT count(*)::int AS n FROM chat c JOIN "user" u ON u.id = c.user_id WHERE u.username = $1`, [user]);

  before(async () => {
    // Small limits to reach; the system prompt bound keeps its default (4,000 characters).
    server = await startTestServer({ LOCAL_WORKER: "false", CHAT_RATE_LIMIT_CHATS: "5/3600", CHAT_RATE_LIMIT_REPORTS: "3/3600" });
    key = (await server.createClient({ name: "chat app", trusted: true })).key;
  });
  after(async () => {
    await server?.stop();
  });

  it("creating chats: CHAT_RATE_LIMIT_CHATS per user, then RATE_LIMITED with retryAfterSeconds and nothing stored; other users unaffected", async () => {
    for (let i = 0; i < 5; i++) {
      const r = await gql(server.url, CreateChatDocument, { input: { title: `chat ${i}` } }, as("chatty"));
      expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    }
    const refused = await gql(server.url, CreateChatDocument, { input: { title: "one too many" } }, as("chatty"));
    expect(errorCode(refused)).to.equal("RATE_LIMITED");
    const ext = refused.errors![0].extensions!;
    expect(ext.retryAfterSeconds).to.be.a("number").within(1, 3600);
    expect(ext.limit).to.equal("chats");
    expect(await chatsOf("chatty")).to.equal(5);
    expect((await gql(server.url, CreateChatDocument, { input: {} }, as("quiet"))).errors).to.equal(undefined);
  });

  it("system prompts: at most CHAT_SYSTEM_PROMPT_MAX_LENGTH characters (4,000 by default, counted in code points), on create and update", async () => {
    const attack = "x".repeat(19 * 1024);
    const refused = await gql(server.url, CreateChatDocument, { input: { systemPrompt: attack } }, as("prompter"));
    expect(errorCode(refused)).to.equal("BAD_USER_INPUT");
    expect(refused.errors![0].extensions).to.include({ field: "systemPrompt", maxLength: 4000 });
    expect(await chatsOf("prompter")).to.equal(0);
    // 4,000 characters outside the BMP (8,000 UTF-16 units) are 4,000 characters.
    const longest = "😀".repeat(4000);
    const ok = await gql(server.url, CreateChatDocument, { input: { systemPrompt: longest } }, as("prompter"));
    expect(ok.errors, JSON.stringify(ok.errors)).to.equal(undefined);
    const id = ok.data!.createChat.id;
    const update = await gql(server.url, UpdateChatDocument, { input: { id, systemPrompt: longest + "!" } }, as("prompter"));
    expect(errorCode(update)).to.equal("BAD_USER_INPUT");
    const stored = await server.chorus.app.ds.query(`SELECT system_prompt FROM chat WHERE id = $1`, [id]);
    expect(stored[0].system_prompt).to.equal(longest);
  });

  it("reports: one open report per user and answer (200 identical reports store one), and CHAT_RATE_LIMIT_REPORTS new ones per window", async () => {
    const user = "reporter";
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const chat = await gql(server.url, CreateChatDocument, { input: {} }, as(user));
      const sent = await gql(
        server.url,
        SendChatMessageDocument,
        { input: { chatId: chat.data!.createChat.id, text: `question ${i}`, model: "synthetic" } },
        as(user),
      );
      expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
      answers.push(sent.data!.sendChatMessage.assistantMessage.id);
    }
    const report = (messageId: string) => gql(server.url, ReportChatMessageDocument, { input: { messageId, reportType: "SPAM", reason: "spam!" } }, as(user));
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const r = await report(answers[0]);
      expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
      ids.add(r.data!.reportChatMessage.id);
    }
    expect(ids.size).to.equal(1);
    expect(await count(`SELECT count(*)::int AS n FROM chat_report WHERE message_id = $1`, [answers[0]])).to.equal(1);
    // Concurrent identical reports settle on one row too.
    const burst = await Promise.all(Array.from({ length: 10 }, () => report(answers[1])));
    expect(burst.map((r) => errorCode(r) ?? "ok")).to.deep.equal(Array(10).fill("ok"));
    expect(new Set(burst.map((r) => r.data!.reportChatMessage.id)).size).to.equal(1);
    expect(await count(`SELECT count(*)::int AS n FROM chat_report WHERE message_id = $1`, [answers[1]])).to.equal(1);
    // The repeats were free: a third answer can still be reported, a fourth is over the limit of 3.
    expect((await report(answers[2])).errors).to.equal(undefined);
    const refused = await report(answers[3]);
    expect(errorCode(refused)).to.equal("RATE_LIMITED");
    expect(refused.errors![0].extensions!.retryAfterSeconds).to.be.a("number");
    expect(await count(`SELECT count(*)::int AS n FROM chat_report WHERE message_id = $1`, [answers[3]])).to.equal(0);
  });
});
