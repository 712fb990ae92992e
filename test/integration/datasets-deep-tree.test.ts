import { expect } from "chai";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { CLI, runNode } from "../helpers/process.js";
import { gql } from "../helpers/graphql.js";
import {
  ConversationDocument,
  DeleteMessageDocument,
  MessageDescendantsDocument,
  MessageTreeDocument,
  PurgeUserMessagesDocument,
  UndeleteMessageDocument,
} from "../../client/generated/graphql.js";

/**
 * Depth is data (issue 12 item 9): a tree 10,000 levels deep (four times what once broke every export with
 * "Maximum call stack size exceeded") goes through the import, the CLI and HTTP exports, the tree reads, deletes
 * and purges. Lines are built and read without recursion here too: JSON.stringify and chai's deep equality would
 * overflow the test's own stack.
 */
const DEPTH = 10_000;
const EVERYTHING = ["--state", "all", "--include-deleted", "--include-spam", "--include-synthetic", "--export-labels", "--export-events"];

type Node = { message_id: string; parent_id?: string; text: string; replies?: Node[]; [k: string]: unknown };

/** The chain as one tree line, written outside-in: `{...,"replies":[{...,"replies":[ ... ]}]}`. */
function deepLine(ids: string[], user: string): string {
  const open = ids.map(
    (id, i) =>
      JSON.stringify({
        message_id: id,
        ...(i > 0 ? { parent_id: ids[i - 1] } : {}),
        user_id: user,
        created_date: "2025-01-02T03:04:05.123456+00:00",
        text: `level ${i}`,
        role: i % 2 === 0 ? "prompter" : "assistant",
        lang: "en",
        review_count: 3,
        review_result: true,
        deleted: false,
        synthetic: false,
        detoxify: { toxicity: i / DEPTH },
      }).slice(0, -1) + `,"replies":[`,
  );
  return `{"message_tree_id":"${ids[0]}","tree_state":"ready_for_export","prompt":${open.join("")}${"]}".repeat(ids.length)}}`;
}

/** The chain read back from a parsed line, without recursion: [id, parent, text, detoxify] per level. */
function flatten(prompt: Node): [string, string | undefined, string, unknown][] {
  const out: [string, string | undefined, string, unknown][] = [];
  const stack: Node[] = [prompt];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push([n.message_id, n.parent_id, n.text, (n.detoxify as { toxicity: number }).toxicity]);
    for (const r of n.replies ?? []) stack.push(r);
  }
  return out;
}

describe("datasets: a tree 10,000 levels deep", function () {
  this.timeout(300_000);
  let server: TestServer;
  let dir: string;
  const ids = Array.from({ length: DEPTH }, () => crypto.randomUUID());
  const user = crypto.randomUUID();
  const expected = ids.map((id, i) => [id, i > 0 ? ids[i - 1] : undefined, `level ${i}`, i / DEPTH]);
  before(async () => {
    server = await startTestServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-deep-"));
    const shallow = crypto.randomUUID();
    const small = JSON.stringify({
      message_tree_id: shallow,
      tree_state: "ready_for_export",
      prompt: {
        message_id: shallow,
        text: "a shallow tree",
        role: "prompter",
        lang: "en",
        review_count: 3,
        review_result: true,
        deleted: false,
        synthetic: false,
      },
    });
    const file = path.join(dir, "deep.jsonl");
    fs.writeFileSync(file, `${small}\n${deepLine(ids, user)}\n`);
    const res = await runNode(CLI, ["import", "--mode", "restore", file], { DATABASE_URL: server.db.url }, 240_000);
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.include(`imported 2 trees, ${DEPTH + 1} messages`);
  });
  after(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("exports whole through the CLI, every level with its fields, beside the other trees", async () => {
    const res = await runNode(CLI, ["export", ...EVERYTHING], { DATABASE_URL: server.db.url }, 240_000);
    expect(res.code, res.stderr).to.equal(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines).to.have.length(2);
    const deep = lines.map((l) => JSON.parse(l) as { message_tree_id: string; prompt: Node }).find((t) => t.message_tree_id === ids[0])!;
    expect(flatten(deep.prompt)).to.deep.equal(expected);
  });

  it("exports whole over HTTP", async () => {
    const res = await fetch(`${server.origin}/export.jsonl?state=all&include-deleted=true&include-spam=true`, { headers: { "x-api-key": server.adminKey } });
    expect(res.status).to.equal(200);
    const lines = (await res.text()).trim().split("\n");
    expect(lines).to.have.length(2);
    const deep = lines.map((l) => JSON.parse(l) as { message_tree_id: string; prompt: Node }).find((t) => t.message_tree_id === ids[0])!;
    expect(flatten(deep.prompt)).to.deep.equal(expected);
  });

  it("reads through GraphQL: the tree (flat and nested), a conversation and descendants of any depth", async () => {
    const opts = { key: server.adminKey };
    const tree = await gql(server.url, MessageTreeDocument, { id: ids[DEPTH - 1], includeSpam: true }, opts);
    expect(tree.errors, JSON.stringify(tree.errors)).to.equal(undefined);
    expect(tree.data!.messageTree.messages.map((m) => m.id)).to.deep.equal(ids);
    const root = tree.data!.messageTree.root!;
    expect(root.message.id).to.equal(ids[0]);
    expect(root.replies[0].replies[0].replies[0].message.id).to.equal(ids[3]);

    const conversation = await gql(server.url, ConversationDocument, { messageId: ids[DEPTH - 1] }, opts);
    expect(conversation.errors, JSON.stringify(conversation.errors)).to.equal(undefined);
    expect(conversation.data!.conversation.map((m) => m.id)).to.deep.equal(ids);

    const descendants = await gql(server.url, MessageDescendantsDocument, { id: ids[0] }, opts);
    expect(descendants.errors, JSON.stringify(descendants.errors)).to.equal(undefined);
    expect(descendants.data!.messageDescendants.map((m) => m.depth)).to.deep.equal(ids.slice(1).map((_, i) => i + 1));
  });

  it("deletes, undeletes and purges at any depth", async () => {
    const opts = { key: server.adminKey };
    const deleted = await gql(server.url, DeleteMessageDocument, { input: { messageId: ids[0] } }, opts);
    expect(deleted.errors, JSON.stringify(deleted.errors)).to.equal(undefined);
    expect(deleted.data!.deleteMessage.changedIds).to.have.length(DEPTH);
    const undeleted = await gql(server.url, UndeleteMessageDocument, { input: { messageId: ids[DEPTH - 1] } }, opts);
    expect(undeleted.errors, JSON.stringify(undeleted.errors)).to.equal(undefined);
    expect(undeleted.data!.undeleteMessage.changedIds).to.have.length(DEPTH);

    const purged = await gql(server.url, PurgeUserMessagesDocument, { input: { userId: user, preview: false, purgeInitialPrompts: true } }, opts);
    expect(purged.errors, JSON.stringify(purged.errors)).to.equal(undefined);
    expect(purged.data!.purgeUserMessages).to.include({ purgedMessages: DEPTH, purgedTrees: 1 });
    const res = await runNode(CLI, ["export", ...EVERYTHING], { DATABASE_URL: server.db.url }, 120_000);
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout.trim().split("\n")).to.have.length(1);
  });
});
