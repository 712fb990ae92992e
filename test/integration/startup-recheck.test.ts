/**
 * The start-up tree check (spec §9.7, issue 14): a set-based query picks the active trees due for a transition and
 * only those are re-checked, where a transaction per active tree used to run (41 s at 100,000 trees). The check
 * must stay exactly as it was: the per-tree re-check, run on every active tree and rolled back, is the oracle, and
 * the trees it would change must be exactly the ones the query picks, on a restored deployment in a live mix of
 * states altered to reach every branch (T2, T4, T4b, T5 with and without rankable parents, T5 short of rankings).
 * Then a real start-up on that database must leave every tree where the oracle said (the check runs after ready).
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { CLI, runNode } from "../helpers/process.js";
import { liveTreeLines } from "../../bench/generate.js";
import { loadConfig } from "../../src/config/index.js";
import { startChorus } from "../../src/app.js";

describe("start-up tree check (set-based)", function () {
  this.timeout(300_000);
  let server: TestServer;
  let dir: string;

  before(async () => {
    server = await startTestServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-startup-"));
    const file = path.join(dir, "trees.jsonl");
    fs.writeFileSync(file, [...liveTreeLines(11, 400)].join("\n") + "\n");
    const run = await runNode(CLI, ["import", "--mode", "restore", file], { DATABASE_URL: server.db.url, LOG_LEVEL: "warn" }, 180_000);
    expect(run.code, run.stderr).to.equal(0);
  });
  after(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const ds = () => server.chorus.app.ds;
  const treesIn = async (state: string, n: number): Promise<string[]> =>
    (await ds().query(`SELECT message_tree_id AS id FROM message_tree_state WHERE state = $1 ORDER BY 1 LIMIT $2`, [state, n])).map(
      (r: { id: string }) => r.id,
    );

  /** What the per-tree re-check would do to every active tree: its end state, each in a transaction rolled back. */
  async function oracle(): Promise<Map<string, { from: string; to: string | null }>> {
    const active: { id: string; state: string }[] = await ds().query(
      `SELECT message_tree_id AS id, state FROM message_tree_state WHERE active AND state IN ('initial_prompt_review', 'growing', 'ranking', 'ready_for_scoring') ORDER BY 1`,
    );
    const changed = new Map<string, { from: string; to: string | null }>();
    for (const { id, state } of active) {
      const qr = ds().createQueryRunner();
      await qr.connect();
      try {
        await qr.startTransaction();
        const to = await server.chorus.app.trees.recheckTree(qr.manager, id);
        if (to !== state) changed.set(id, { from: state, to });
      } finally {
        await qr.rollbackTransaction();
        await qr.release();
      }
    }
    return changed;
  }

  it("picks exactly the trees the per-tree re-check would change, in every branch, and start-up moves them there", async () => {
    // T2 both ways: accepted roots in review, and roots still unreviewed.
    const review = await treesIn("initial_prompt_review", 6);
    await ds().query(`UPDATE message SET review_result = NULL WHERE id = ANY($1::uuid[])`, [review.slice(0, 3)]);
    await ds().query(`UPDATE message SET review_result = true WHERE id = ANY($1::uuid[])`, [review.slice(3)]);
    // T4b: a growing tree whose messages are all deleted; T4: one with every message accepted and a goal it reached.
    const growing = await treesIn("growing", 12);
    await ds().query(`UPDATE message SET deleted = true WHERE message_tree_id = ANY($1::uuid[])`, [growing.slice(0, 2)]);
    await ds().query(`UPDATE message SET review_result = true, review_count = 3 WHERE message_tree_id = ANY($1::uuid[])`, [growing.slice(2, 6)]);
    await ds().query(`UPDATE message_tree_state SET goal_tree_size = 2 WHERE message_tree_id = ANY($1::uuid[])`, [growing.slice(2, 4)]);
    // T5: finished trees put back in ranking / ready for scoring have all their rankings; restored ranking trees lack some.
    const finished = await treesIn("ready_for_export", 6);
    await ds().query(`UPDATE message_tree_state SET state = 'ranking', active = true WHERE message_tree_id = ANY($1::uuid[])`, [finished.slice(0, 3)]);
    await ds().query(`UPDATE message_tree_state SET state = 'ready_for_scoring', active = true WHERE message_tree_id = ANY($1::uuid[])`, [
      finished.slice(3, 6),
    ]);
    // A ranking tree with no rankable parent left (its replies deleted) goes to scoring at once.
    const ranking = await treesIn("ranking", 3);
    await ds().query(`UPDATE message SET deleted = true WHERE message_tree_id = $1 AND parent_id IS NOT NULL`, [ranking[0]]);

    const expected = await oracle();
    const picked = await server.chorus.app.trees.treesDueForRecheck();
    expect(picked).to.deep.equal([...expected.keys()].sort());
    // Every branch is in the comparison, both ways.
    const transitions = [...new Set([...expected.values()].map((c) => `${c.from}->${c.to}`))];
    for (const t of [
      "initial_prompt_review->prompt_lottery_waiting",
      "growing->halted_by_moderator",
      "ranking->ready_for_export",
      "ready_for_scoring->ready_for_export",
    ]) {
      expect(transitions, t).to.include(t);
    }
    expect(
      transitions.some((t) => t === "growing->ranking" || t === "growing->ready_for_export"),
      "T4",
    ).to.equal(true);
    for (const id of review.slice(0, 3)) expect(expected.has(id), "unaccepted root stays in review").to.equal(false);
    for (const id of review.slice(3)) expect(expected.get(id)?.to).to.equal("prompt_lottery_waiting");
    for (const id of growing.slice(0, 2)) expect(expected.get(id)?.to).to.equal("halted_by_moderator");
    for (const id of [...finished, ranking[0]]) expect(expected.get(id)?.to).to.equal("ready_for_export");
    const stillRanking: { n: number }[] = await ds().query(
      `SELECT count(*)::int AS n FROM message_tree_state WHERE state = 'ranking' AND message_tree_id <> ALL($1::uuid[])`,
      [[...expected.keys()]],
    );
    expect(stillRanking[0].n, "ranking trees short of rankings stay").to.be.greaterThan(0);

    // A real start-up on this database runs the check (after ready: the server serves meanwhile).
    const second = await startChorus(loadConfig({ PORT: "0", HOST: "127.0.0.1", DATABASE_URL: server.db.url, DATABASE_POOL_SIZE: "3" }), {
      log: pino({ level: "silent" }),
      defaultMetrics: false,
    });
    try {
      await second.ready;
      await second.treesChecked;
      const states: { id: string; state: string }[] = await ds().query(
        `SELECT message_tree_id AS id, state FROM message_tree_state WHERE message_tree_id = ANY($1::uuid[])`,
        [[...expected.keys()]],
      );
      expect(Object.fromEntries(states.map((s) => [s.id, s.state]))).to.deep.equal(Object.fromEntries([...expected].map(([id, c]) => [id, c.to])));
      const due = new Set(await server.chorus.app.trees.treesDueForRecheck());
      expect(
        [...expected.keys()].filter((id) => due.has(id)),
        "no checked tree is due again",
      ).to.deep.equal([]);
    } finally {
      await second.stop();
    }
  });
});
