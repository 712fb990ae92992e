import { expect } from "chai";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { Annotator } from "../helpers/annotator.js";
import { CLI, runNode } from "../helpers/process.js";

/**
 * A restored deployment carries on exactly where the original stopped (issue 14): trees restored in the middle of
 * ranking need exactly the rankings the original still needed, and finish after exactly that many, with the same
 * consensus. The original ranks through the real task cycle; the copy is its full export restored with the CLI.
 */
const LANG = "en";
const REQUIRED = 3;

type Node = { message_id: string; parent_id?: string; role: string; replies: Node[]; [k: string]: unknown };

function node(role: "prompter" | "assistant", parent: string | null, replies: Node[] = []): Node {
  const id = crypto.randomUUID();
  for (const r of replies) r.parent_id = id;
  return {
    message_id: id,
    ...(parent ? { parent_id: parent } : {}),
    user_id: crypto.randomUUID(),
    created_date: "2025-03-04T05:06:07.123456+00:00",
    text: `${role} text ${id}`,
    role,
    lang: LANG,
    review_count: 3,
    review_result: true,
    deleted: false,
    synthetic: false,
    replies,
  };
}

/** Two rankable parents per tree: the prompt's three answers, and a follow-up's two answers. */
function rankingTree(): string {
  const followUp = node("prompter", null, [node("assistant", null), node("assistant", null)]);
  const answers = [node("assistant", null, [followUp]), node("assistant", null), node("assistant", null)];
  const prompt = node("prompter", null, answers);
  return JSON.stringify({ message_tree_id: prompt.message_id, tree_state: "ranking", prompt });
}

async function sql<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** What ranking still needs, read from the database as the lottery and the completion check read it. */
async function progress(url: string) {
  const parents = await sql<{ parent_id: string; rankings: number; min_count: number }>(
    url,
    `SELECT c.parent_id, min(c.ranking_count)::int AS min_count,
       (SELECT count(*)::int FROM message_reaction r JOIN task t ON t.id = r.task_id
         WHERE t.done AND t.parent_message_id = c.parent_id AND r.payload_type = 'RankingReactionPayload') AS rankings
     FROM message c WHERE c.review_result AND NOT c.deleted AND c.role = 'assistant'
     GROUP BY c.parent_id HAVING count(*) >= 2 ORDER BY c.parent_id`,
  );
  const counts = await sql<{ id: string; ranking_count: number }>(url, `SELECT id, ranking_count FROM message ORDER BY id`);
  const states = await sql<{ id: string; state: string }>(url, `SELECT message_tree_id AS id, state FROM message_tree_state ORDER BY 1`);
  return { parents, counts, states };
}

/**
 * One ranking through the task cycle by a new annotator, who orders the replies by id: every ballot on a parent is
 * then the same, on both deployments, so the consensus must come out the same too.
 */
async function rankOnce(server: TestServer, n: number): Promise<boolean> {
  const a = new Annotator(server.url, server.adminKey, `ranker-${n}-${crypto.randomBytes(3).toString("hex")}`);
  const res = await a.request("RANK_ASSISTANT_REPLIES", LANG);
  if (res.errors) {
    expect(res.errors[0].extensions?.code, JSON.stringify(res.errors)).to.equal("TASK_REQUESTED_TYPE_NOT_AVAILABLE");
    return false;
  }
  const task = res.data!.requestTask;
  if (task.__typename !== "RankAssistantRepliesTask") throw new Error(`unexpected task ${task.__typename}`);
  const { frontendMessageId } = await a.ack(task.id);
  const byId = task.replyMessages.map((m, i) => ({ id: m.id, i })).sort((x, y) => (x.id < y.id ? -1 : 1));
  const done = await a.rank(
    frontendMessageId,
    byId.map((x) => x.i),
  );
  expect(done.errors, JSON.stringify(done.errors)).to.equal(undefined);
  return true;
}

/** Ranks until no ranking task is left; returns how many it took. */
async function rankToTheEnd(server: TestServer, from: number): Promise<number> {
  let n = 0;
  while (await rankOnce(server, from + n)) n += 1;
  return n;
}

describe("datasets: a restore carries ranking on where the original stopped", function () {
  this.timeout(300_000);
  let original: TestServer;
  let copy: TestServer;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-restore-ranking-"));
    original = await startTestServer();
    copy = await startTestServer();
  });
  after(async () => {
    await original?.stop();
    await copy?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("needs exactly the rankings the original needs, finishes after that many, with the same ranks", async () => {
    const trees = Array.from({ length: 3 }, rankingTree);
    const start = path.join(dir, "start.jsonl");
    fs.writeFileSync(start, trees.join("\n") + "\n");
    const seeded = await runNode(CLI, ["import", "--mode", "restore", start], { DATABASE_URL: original.db.url }, 120_000);
    expect(seeded.code, seeded.stderr).to.equal(0);

    // The original gets part of the way: 7 of the 18 rankings, spread by the lottery over the six parents.
    for (let i = 0; i < 7; i++) expect(await rankOnce(original, i)).to.equal(true);
    const before = await progress(original.db.url);
    expect(before.parents).to.have.length(6);
    expect(before.parents.reduce((s, p) => s + p.rankings, 0)).to.equal(7);
    expect(before.counts.some((c) => c.ranking_count > 0)).to.equal(true);

    const dump = path.join(dir, "dump.jsonl");
    const exported = await runNode(
      CLI,
      ["export", "--state", "all", "--include-deleted", "--include-spam", "--include-synthetic", "--export-labels", "--export-events", "--out", dump],
      { DATABASE_URL: original.db.url },
      120_000,
    );
    expect(exported.code, exported.stderr).to.equal(0);
    const restored = await runNode(CLI, ["import", "--mode", "restore", dump], { DATABASE_URL: copy.db.url }, 120_000);
    expect(restored.code, restored.stderr).to.equal(0);
    expect(restored.stdout).to.include("imported 3 trees, 21 messages");

    // Same progress: every parent's done rankings, every message's ranking_count, every tree's state.
    const after = await progress(copy.db.url);
    expect(after).to.deep.equal(before);
    const needed = before.parents.reduce((s, p) => s + Math.max(0, REQUIRED - p.rankings), 0);
    expect(needed).to.equal(18 - 7);

    // Both finish after exactly the rankings still needed: not one more (the restored rankings count), not one less.
    expect(await rankToTheEnd(copy, 100)).to.equal(needed);
    expect(await rankToTheEnd(original, 200)).to.equal(needed);
    const endCopy = await progress(copy.db.url);
    const endOriginal = await progress(original.db.url);
    expect(endCopy.states.map((s) => s.state)).to.deep.equal(["ready_for_export", "ready_for_export", "ready_for_export"]);
    expect(endCopy.states).to.deep.equal(endOriginal.states);
    expect(endCopy.parents.map((p) => p.rankings)).to.deep.equal(endOriginal.parents.map((p) => p.rankings));
    const ranks = (url: string) => sql<{ id: string; rank: number | null }>(url, `SELECT id, rank FROM message ORDER BY id`);
    const copyRanks = await ranks(copy.db.url);
    expect(copyRanks.filter((r) => r.rank !== null)).to.have.length(15);
    expect(copyRanks).to.deep.equal(await ranks(original.db.url));
  });
});
