import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { spawn } from "node:child_process";
import { chromium, type Browser } from "playwright-core";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, gql, rawGql, wsClient } from "../helpers/graphql.js";
import { Annotator } from "../helpers/annotator.js";
import { CLI, PROJECT_ROOT, childEnv, runNode, startNode } from "../helpers/process.js";
import {
  ChatDocument,
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
const CHROMIUM = "/usr/bin/chromium";

/**
 * Small batches from a slowish synthetic model: every answer (8 to 48 words) streams in several batches, so the
 * chat example has a stream to drop and resume, and the page tokens to show as they come.
 */
const STREAMING = { CHAT_TOKEN_BATCH_MS: "10", LOCAL_WORKER_TOKENS_PER_SECOND: "10", CHAT_RATE_LIMIT_GENERATIONS: "0" };

describe("examples/ run against a real server", function () {
  this.timeout(120_000);
  let server: TestServer;
  let appKey: string;

  before(async () => {
    server = await startTestServer({ ...STREAMING });
    appKey = (await server.createClient({ name: "example app", trusted: true })).key;
  });
  /** Folders the examples wrote into, removed when the block ends. */
  const tempDirs: string[] = [];
  after(async () => {
    await server?.stop();
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
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
    const sent = await gql(
      server.url,
      SendChatMessageDocument,
      { input: { chatId: chat.id, text: "Hi", model: "synthetic", sampling: { maxNewTokens: 4 } } },
      as,
    );
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

  it("say what is wrong: a missing setting by name (exit 2), a refused key with its error code (exit 1)", async () => {
    expect(await run("frontend-task-cycle", [], { CHORUS_API_KEY: "" }, 2)).to.equal("CHORUS_API_KEY is not set (see examples/README.md)\n");
    const refused = await run("chat-stream-resume", [], { CHORUS_API_KEY: `chk_${"0".repeat(64)}` }, 1);
    expect(refused).to.match(/^UNAUTHENTICATED: /);
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
    const streamed = out
      .split("\n")
      .filter((l) => !l.startsWith("["))
      .join("");
    expect(stored.text.length).to.be.greaterThan(0);
    expect(streamed).to.equal(stored.text.replace(/\n/g, ""));
  });

  it("moderator: tells how to get the role, then deletes matching flagged messages, processes the queue, resolves chat reports", async () => {
    const spam = await prompt("spammer", "BUY NOW: cheap pills at example.com");
    const honest = await prompt("asker", "Why are there two tides a day?");
    for (const messageId of [spam, honest]) {
      const res = await gql(
        server.url,
        LabelMessageDocument,
        { input: { messageId, labels: [{ name: "spam", value: 1 }], text: "looks like spam", isReport: true } },
        { key: appKey, user: "local:reporter" },
      );
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    }
    const answer = await chatAnswer("local:bob");
    const report = await gql(
      server.url,
      ReportChatMessageDocument,
      { input: { messageId: answer, reportType: "OFFENSIVE", reason: "rude" } },
      { key: appKey, user: "local:bob" },
    );
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
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-examples-"));
    tempDirs.push(dir);
    const out = path.join(dir, "export.jsonl");
    const res = await runScript(path.join(PROJECT_ROOT, "examples", "data-team.sh"), [fixture, out], {
      DATABASE_URL: server.db.url,
      CHORUS_API_URL: server.url,
      CHORUS_API_KEY: server.adminKey,
    });
    expect(res.code, `${res.stdout}\n${res.stderr}`).to.equal(0);
    const lines = fs
      .readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { message_tree_id: string; prompt: unknown });
    expect(res.stdout).to.match(new RegExp(`^exported ${lines.length} trees \\(\\d+ messages\\) to ${out}$`, "m"));
    // Every tree of the file came back out (the database may hold the other examples' prompts too).
    const fixtureIds = fs
      .readFileSync(fixture, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { message_tree_id: string }).message_tree_id);
    expect(lines.map((t) => t.message_tree_id)).to.include.members(fixtureIds);
    expect(res.stdout).to.match(/^the database holds \d+ trees, \d+ messages \(\d+ deleted\)$/m);
  });
});

describe("examples/web in headless Chromium", function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser | undefined;
  const pages: ReturnType<typeof startNode>[] = [];
  // The page's own origin (allowed by the API's CORS_ORIGINS): another host name and port than the API's.
  let pagePort: number;

  before(async function () {
    // The page's script is an ES module for browsers with its own tsconfig: building it here makes a schema change
    // that breaks it fail this test, with or without a browser.
    const tsc = await runNode(path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc"), ["-p", "examples/web/browser"], {});
    expect(tsc.code, tsc.stdout + tsc.stderr).to.equal(0);
    if (!fs.existsSync(CHROMIUM)) {
      // CI installs Debian's chromium (.ci/run): there a missing browser is a failure, never a skip.
      if (process.env.CI === "true") throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
      console.warn(`    skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
      return this.skip();
    }
    pagePort = await freePort();
    server = await startTestServer({ ...STREAMING, CORS_ORIGINS: `http://localhost:${pagePort}` });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  after(async () => {
    await browser?.close();
    for (const p of pages) {
      p.child.kill();
      await p.exited;
    }
    await server?.stop();
  });

  /** Starts the example's page server (serve.ts) on `port` with a trusted key of its own. */
  async function servePage(port: number): Promise<string> {
    const { key } = await server.createClient({ name: "web example", trusted: true });
    const page = startNode(example("web/serve"), [], { CHORUS_API_URL: server.url, CHORUS_API_KEY: key, PORT: String(port) });
    pages.push(page);
    await page.waitFor(/^web example on http:\/\/localhost:\d+\//m);
    return `http://localhost:${port}`;
  }

  it("chats from another origin: CORS, a user token, graphql-ws with its subprotocol, tokens shown as they stream", async () => {
    const origin = await servePage(pagePort);
    const page = await browser!.newPage();
    const apiResponses: { url: string; allowOrigin: string | null }[] = [];
    page.on("response", (r) => {
      if (r.url().startsWith(server.origin)) apiResponses.push({ url: r.url(), allowOrigin: r.headers()["access-control-allow-origin"] ?? null });
    });
    const credentials = new Set<string>();
    page.on("request", (r) => {
      if (r.url().startsWith(server.origin) && r.method() !== "OPTIONS") credentials.add(r.headers().authorization ?? "none");
    });
    const sockets: string[] = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    await page.goto(`${origin}/?name=ada`);
    await page.waitForSelector("body[data-state=ready]", { timeout: 60_000 });
    expect(await page.textContent("#status")).to.equal("signed in as ada");
    await page.selectOption("#model", "synthetic");
    await page.fill("#prompt", "Tell me about the moon");
    await page.click("button[type=submit]");
    await page.waitForSelector("body[data-state=finished], body[data-state=error]", { timeout: 60_000 });
    expect(await page.textContent("#status")).to.match(/^finished \(/);

    // The page's calls went to the API's origin, which answered with the page's origin allowed (CORS) ...
    expect(apiResponses.length).to.be.greaterThan(0);
    for (const r of apiResponses) expect(r.allowOrigin, r.url).to.equal(origin);
    // The browser sent one credential, a user token (a JWT), never the page server's key.
    expect([...credentials]).to.have.length(1);
    expect([...credentials][0]).to.match(/^Bearer eyJ/);
    // ... and the stream came over the API's websocket, with graphql-ws's subprotocol.
    expect(sockets).to.deep.equal([server.wsUrl]);
    expect(await page.textContent("#protocol")).to.equal("graphql-transport-ws");

    // Every event shown in seq order, the answer growing batch by batch: the page rendered the tokens as they came.
    const events = await page.$$eval("#events li", (items) =>
      items.map((li) => ({ type: li.dataset.type!, seq: Number(li.dataset.seq), length: Number(li.dataset.length) })),
    );
    expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => i + 1));
    expect(events[events.length - 1].type).to.equal("GenerationFinished");
    const batches = events.filter((e) => e.type === "GenerationTokens");
    expect(batches.length).to.be.greaterThan(1);
    for (let i = 1; i < batches.length; i++) expect(batches[i].length).to.be.greaterThan(batches[i - 1].length);

    // What the page shows is the stored answer, written for the token's user.
    const messageId = await page.getAttribute("#answer", "data-message-id");
    const shown = await page.textContent("#answer");
    const stored = (await gql(server.url, ChatMessageDocument, { id: messageId! }, { key: server.adminKey })).data!.chatMessage!;
    expect(stored.state).to.equal("COMPLETE");
    expect(shown).to.equal(stored.text);
    expect(batches[batches.length - 1].length).to.equal(stored.text.length);
    // The chat belongs to the user the token was minted for.
    const chat = (await gql(server.url, ChatDocument, { id: stored.chatId }, { key: server.adminKey })).data!.chat!;
    const owner = await rawGql<{ user: { authMethod: string; username: string } }>(
      server.url,
      "query($id: ID!) { user(id: $id) { authMethod username } }",
      { id: chat.userId },
      { key: server.adminKey },
    );
    expect(owner.data!.user).to.deep.equal({ authMethod: "web", username: "ada" });
    await page.close();
  });

  it("is refused from an origin the API's CORS_ORIGINS does not list", async () => {
    const origin = await servePage(await freePort());
    const page = await browser!.newPage();
    await page.goto(`${origin}/?name=eve`);
    await page.waitForSelector("body[data-state=error]", { timeout: 60_000 });
    // The browser keeps the reason to itself: fetch fails without a response the page may read.
    expect(await page.textContent("#status")).to.equal("error: Failed to fetch");
    await page.close();
  });
});

/** A port nothing listens on now (for the page server, whose origin the API must know before it starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a shell script as a user would, from the project root. */
function runScript(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", [script, ...args], { cwd: PROJECT_ROOT, env: childEnv({ LOG_LEVEL: "warn", ...env }) });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
