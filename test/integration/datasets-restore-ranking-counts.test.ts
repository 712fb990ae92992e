/**
 * Issue 14: "after a restore no message has ranking_count > 0, although the file's ranking events cover many
 * messages". On generated trees in a live deployment's mix of states (bench/generate.ts `liveTreeLines`, the file
 * the import bench restores: finished trees with three rankings per parent, trees in `ranking` with none to two),
 * restored with the real CLI: every message's ranking_count is what the file's ranking events say, and the parents
 * of trees in `ranking` that ask for rankings are exactly those whose file holds fewer than the required number.
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { CLI, runNode } from "../helpers/process.js";
import { Candidates } from "../helpers/candidates-oracle.js";
import { liveTreeLines } from "../../bench/generate.js";

interface FileNode {
  message_id: string;
  role: string;
  review_result?: boolean;
  deleted: boolean;
  replies: FileNode[];
  events?: { ranking?: { ranked_message_ids: string[]; ranking_parent_id: string }[] };
}

/** What the file says, read independently of the importer: each message's ranking count, and what ranking trees still need. */
function fromFile(lines: string[], required: number) {
  const counts = new Map<string, number>();
  const needing = new Set<string>();
  let rankingTrees = 0;
  for (const line of lines) {
    const tree = JSON.parse(line) as { tree_state: string; prompt: FileNode };
    if (tree.tree_state === "ranking") rankingTrees += 1;
    const walk = (n: FileNode) => {
      counts.set(n.message_id, counts.get(n.message_id) ?? 0);
      const rankings = n.events?.ranking ?? [];
      for (const r of rankings) for (const id of r.ranked_message_ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      const rankable = n.replies.filter((c) => c.role === "assistant" && c.review_result === true && !c.deleted);
      if (tree.tree_state === "ranking" && rankable.length >= 2 && rankings.length < required) needing.add(n.message_id);
      for (const c of n.replies) walk(c);
    };
    walk(tree.prompt);
  }
  return { counts, needing, rankingTrees };
}

describe("datasets: a restore's ranking counts come from the file's ranking events", function () {
  this.timeout(300_000);
  let server: TestServer;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-restore-counts-"));
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("sets ranking_count of every message as the file's events count it, and ranking trees ask only for what is missing", async () => {
    const lines = [...liveTreeLines(14, 240)];
    const file = path.join(dir, "live.jsonl");
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    const restored = await runNode(CLI, ["import", "--mode", "restore", file], { DATABASE_URL: server.db.url }, 240_000);
    expect(restored.code, restored.stderr).to.equal(0);

    const ds = server.chorus.app.ds;
    const required = server.chorus.app.config.treeManager.numRequiredRankings;
    const expected = fromFile(lines, required);
    const rows: { id: string; ranking_count: number }[] = await ds.query(`SELECT id, ranking_count FROM message`);
    expect(rows).to.have.length(expected.counts.size);
    const ranked = rows.filter((r) => r.ranking_count > 0).length;
    expect(ranked, "messages with ranking_count > 0").to.equal([...expected.counts.values()].filter((n) => n > 0).length);
    expect(ranked).to.be.greaterThan(100);
    for (const r of rows) expect(r.ranking_count, `ranking_count of ${r.id}`).to.equal(expected.counts.get(r.id));

    // The parents the lottery and the completion check hold incomplete: exactly those the file leaves short.
    expect(expected.rankingTrees).to.be.greaterThan(10);
    expect(expected.needing.size).to.be.greaterThan(5);
    const oracle = new Candidates(server.chorus.app.config.treeManager, server.chorus.app.config.tasks);
    const langs: string[] = (await ds.query(`SELECT DISTINCT lang FROM message_tree_state`)).map((r: { lang: string }) => r.lang);
    const asking = new Set<string>();
    for (const lang of langs) for (const c of await oracle.incompleteRankings(ds.manager, lang, null)) asking.add(c.parent_id);
    expect([...asking].sort()).to.deep.equal([...expected.needing].sort());
  });
});
