import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { gql } from "../helpers/graphql.js";
import { collect, wsClient } from "../helpers/graphql.js";
import { Annotator } from "../helpers/annotator.js";
import { CLI, PROJECT_ROOT, runNode } from "../helpers/process.js";
import {
  ChatMessageDocument,
  ChatReportsDocument,
  CreateChatDocument,
  FlaggedMessagesDocument,
  GenerationDocument,
  LabelMessageDocument,
  MessageDocument,
  ReportChatMessageDocument,
  SendChatMessageDocument,
} from "../../client/generated/graphql.js";

/**
 * Every example of examples/ run as its README says, as a separate process against a real server (real database,
 * the in-process worker's synthetic model for chat), checking what it printed and what it did.
 */
const example = (name: string) => path.join(PROJECT_ROOT, "dist", "examples", `${name}.js`);

describe("examples/ run against a real server", function () {
  this.timeout(120_000);
  let server: TestServer;
  let appKey: string;

  before(async () => {
    server = await startTestServer({ CHAT_TOKEN_BATCH_MS: "10", CHAT_RATE_LIMIT_GENERATIONS: "0" });
    appKey = (await server.createClient({ name: "example app", trusted: true })).key;
  });
  after(async () => {
    await server?.stop();
  });

  const run = async (name: string, args: string[], env: Record<string, string>, exitCode = 0) => {
    const res = await runNode(example(name), args, { CHORUS_API_URL: server.url, ...env }, 90_000);
    expect(res.code, `${res.stdout}\n${res.stderr}`).to.equal(exitCode);
    return exitCode === 0 ? res.stdout : res.stderr;
  };

  /** A prompt written through the task cycle by `userId` of the example app. */
  async function prompt(userId: string, text: string): Promise<string> {
    const a = new Annotator(server.url, appKey, userId);
    const task = (await a.request("INITIAL_PROMPT")).data!.requestTask;
    const { frontendMessageId } = await a.ack(task.id);
    const res = await a.reply(frontendMessageId, text);
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    return res.data!.submitReply.messageId!;
  }

  /** A chat answer of `user`, generated to its end. */
  async function chatAnswer(user: string): Promise<string> {
    const as = { key: appKey, user };
    const chat = (await gql(server.url, CreateChatDocument, { input: {} }, as)).data!.createChat;
    const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId: chat.id, text: "Hi", model: "synthetic", sampling: { maxNewTokens: 4 } } }, as);
    const messageId = sent.data!.sendChatMessage.assistantMessage.id;
    const ws = wsClient(server.wsUrl, { authorization: `Bearer ${appKey}`, user });
    const r = await collect(ws, GenerationDocument, { messageId }, Number.POSITIVE_INFINITY, 30_000);
    await ws.dispose();
    expect(r.completed, JSON.stringify(r)).to.equal(true);
    return messageId;
  }

  it("frontend-task-cycle: mints a user token, then requests, acks and submits tasks as that user", async () => {
    const out = await run("frontend-task-cycle", ["2"], { CHORUS_API_KEY: appKey, CHORUS_USER: "local:ada" });
    const userId = out.match(/^user token for local:ada \(user ([0-9a-f-]+)\)/m)?.[1];
    expect(userId, out).to.be.a("string");
    for (const cycle of [1, 2]) {
      expect(out).to.match(new RegExp(`^cycle ${cycle}: got InitialPromptTask [0-9a-f-]+$`, "m"));
      expect(out).to.match(new RegExp(`^cycle ${cycle}: acked as post-`, "m"));
    }
    const messageIds = [...out.matchAll(/^cycle \d: submitted a prompt, message ([0-9a-f-]+)$/gm)].map((m) => m[1]);
    expect(messageIds, out).to.have.length(2);
    for (const id of messageIds) {
      const m = (await gql(server.url, MessageDocument, { id }, { key: server.adminKey })).data!.message!;
      expect(m.userId).to.equal(userId);
      expect(m.text).to.match(/^Example prompt \d .*why is the sky blue\?$/);
    }
  });

  it("chat-stream-resume: streams an answer, drops the connection, resumes with after; nothing lost or repeated", async () => {
    const out = await run("chat-stream-resume", ["Tell me about tides"], { CHORUS_API_KEY: appKey, CHORUS_USER: "local:alice", CHORUS_MODEL: "synthetic" });
    const messageId = out.match(/^\[chat [0-9a-f-]+, answer ([0-9a-f-]+) from synthetic/m)?.[1];
    expect(messageId, out).to.be.a("string");
    const resumedAfter = Number(out.match(/^\[connection dropped after seq (\d+); resuming with after: \1\]$/m)?.[1]);
    expect(resumedAfter, out).to.be.greaterThan(2);
    expect(out).to.match(/^\[events seq 1\.\.\d+ over two connections, no gaps, no repeats\]$/m);
    expect(out).to.match(/^\[ended: GenerationFinished\]$/m);
    expect(out).to.match(/^\[stored answer: COMPLETE, \d+ tokens, equals the streamed text\]$/m);
    // What it printed between the brackets is the stored answer, streamed across the two connections.
    const stored = (await gql(server.url, ChatMessageDocument, { id: messageId! }, { key: appKey, user: "local:alice" })).data!.chatMessage!;
    const streamed = out.split("\n").filter((l) => !l.startsWith("[")).join("");
    expect(stored.text.length).to.be.greaterThan(0);
    expect(streamed).to.equal(stored.text.replace(/\n/g, ""));
  });

  it("moderator: tells how to get the role, then deletes matching flagged messages, processes the queue, resolves chat reports", async () => {
    const spam = await prompt("spammer", "BUY NOW: cheap pills at example.com");
    const honest = await prompt("asker", "Why are there two tides a day?");
    for (const messageId of [spam, honest]) {
      const res = await gql(server.url, LabelMessageDocument, { input: { messageId, labels: [{ name: "spam", value: 1 }], text: "looks like spam", isReport: true } }, { key: appKey, user: "local:reporter" });
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    }
    const answer = await chatAnswer("local:bob");
    const report = await gql(server.url, ReportChatMessageDocument, { input: { messageId: answer, reportType: "OFFENSIVE", reason: "rude" } }, { key: appKey, user: "local:bob" });
    expect(report.errors, JSON.stringify(report.errors)).to.equal(undefined);

    // Without the role the script stops and prints the operator's command; that exact command gives the role.
    const env = { CHORUS_API_KEY: appKey, CHORUS_USER: "local:mod" };
    const hint = await run("moderator", [], env, 3);
    const command = hint.match(/npx chorus (user set-role .*)$/m)?.[1];
    expect(command, hint).to.match(/^user set-role --auth-method local --id mod --role moderator --client [0-9a-f-]+$/);
    const cli = await runNode(CLI, command!.split(" "), { DATABASE_URL: server.db.url });
    expect(cli.code, cli.stderr).to.equal(0);

    const out = await run("moderator", ["--delete-matching", "cheap pills", "--resolution", "Answer checked: fine"], env);
    expect(out).to.match(/^acting as local:mod \(MODERATOR\)$/m);
    expect(out).to.include(`flagged ${spam} "BUY NOW: cheap pills at example.com": deleted with its 0 replies, processed`);
    expect(out).to.include(`flagged ${honest} "Why are there two tides a day?": kept, processed`);
    expect(out).to.match(new RegExp(`^chat report [0-9a-f-]+ \\(OFFENSIVE: "rude"\\) on answer ${answer}: resolved$`, "m"));
    expect(out).to.match(/^done: 2 flagged messages processed, 1 deleted; 1 chat reports resolved$/m);

    const admin = { key: server.adminKey };
    expect((await gql(server.url, MessageDocument, { id: spam }, admin)).data!.message!.deleted).to.equal(true);
    expect((await gql(server.url, MessageDocument, { id: honest }, admin)).data!.message!.deleted).to.equal(false);
    expect((await gql(server.url, FlaggedMessagesDocument, { processed: false }, admin)).data!.flaggedMessages.edges).to.deep.equal([]);
    const resolved = (await gql(server.url, ChatReportsDocument, { resolved: true }, admin)).data!.chatReports.edges.map((e) => e.node);
    expect(resolved.map((r) => [r.messageId, r.resolution])).to.deep.equal([[answer, "Answer checked: fine"]]);
  });

  it("data-team.sh: imports a dataset with the CLI (dry run, then for real) and exports it back over HTTP", async () => {
    const fixture = path.join(PROJECT_ROOT, "test", "fixtures", "oasst2-sample.trees.jsonl");
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chorus-examples-")), "export.jsonl");
    const res = await runScript(path.join(PROJECT_ROOT, "examples", "data-team.sh"), [fixture, out], {
      DATABASE_URL: server.db.url,
      CHORUS_API_URL: server.url,
      CHORUS_API_KEY: server.adminKey,
    });
    expect(res.code, `${res.stdout}\n${res.stderr}`).to.equal(0);
    const lines = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { message_tree_id: string; prompt: unknown });
    expect(res.stdout).to.match(new RegExp(`^exported ${lines.length} trees \\(\\d+ messages\\) to ${out}$`, "m"));
    // Every tree of the file came back out (the database may hold the other examples' prompts too).
    const fixtureIds = fs.readFileSync(fixture, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { message_tree_id: string }).message_tree_id);
    expect(lines.map((t) => t.message_tree_id)).to.include.members(fixtureIds);
    expect(res.stdout).to.match(/^the database holds \d+ trees, \d+ messages \(\d+ deleted\)$/m);
  });
});

/** Runs a shell script as a user would, from the project root. */
function runScript(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", [script, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: "warn", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
