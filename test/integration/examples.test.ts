import path from "node:path";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { gql } from "../helpers/graphql.js";
import { PROJECT_ROOT, runNode } from "../helpers/process.js";
import { ChatMessageDocument, MessageDocument } from "../../client/generated/graphql.js";

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

  const run = async (name: string, args: string[], env: Record<string, string>) => {
    const res = await runNode(example(name), args, { CHORUS_API_URL: server.url, ...env }, 90_000);
    expect(res.code, `${res.stdout}\n${res.stderr}`).to.equal(0);
    return res.stdout;
  };

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
});
