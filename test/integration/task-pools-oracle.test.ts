/**
 * The task lottery's candidate pools (kept by the database as trees change) against the oracle: the per-request
 * computation of spec §2.5 that Chorus ran before (test/helpers/candidates-oracle.ts). On generated databases of
 * two sizes, in a live deployment's mix of tree states and languages, restored through the real import, and
 * after every kind of change through the real endpoints (task cycles of concurrent annotators with accepting and
 * rejecting reviews, skips, deletions and undeletions, halts and resumes, a tree state changed directly, expired
 * tasks removed by their job, a user purged), every candidate set, for users with and without history in them,
 * equals the oracle's (and so do the prompt lottery's tree counts and auto-moderation's candidates); the draw finds a candidate of a kind exactly when the oracle has one (so the lottery
 * weighs the same kinds: the same task-type mix), and only candidates the oracle lists.
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { Annotator, type AnyTask } from "../helpers/annotator.js";
import { CLI, runNode } from "../helpers/process.js";
import { gql, rawGql } from "../helpers/graphql.js";
import { Candidates } from "../helpers/candidates-oracle.js";
import { liveTreeLines } from "../../bench/generate.js";
import { DeleteMessageDocument, PurgeUserDocument, UndeleteMessageDocument } from "../../client/generated/graphql.js";
import type { TaskPools } from "../../src/modules/tasks/task-pools.js";
import type { DataSource } from "typeorm";

const sortKeys = (xs: string[]) => [...xs].sort();

describe("task candidate pools equal the per-request oracle after every kind of change", function () {
  this.timeout(600_000);
  let server: TestServer;
  let key: string;
  let ds: DataSource;
  let pools: TaskPools;
  let oracle: Candidates;
  let dir: string;
  const annotators: Annotator[] = [];

  before(async () => {
    server = await startTestServer();
    key = (await server.createClient({ name: "frontend", trusted: true })).key;
    ds = server.chorus.app.ds;
    pools = server.chorus.app.tasks.pools;
    oracle = new Candidates(server.chorus.app.config.treeManager, server.chorus.app.config.tasks);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-pools-"));
    for (let i = 0; i < 8; i++) annotators.push(new Annotator(server.url, key, `pools-a${i}`));
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Users whose history reaches into the candidates: authors, reviewers, rankers, skippers, the annotators. */
  async function users(): Promise<string[]> {
    const rows: { id: string }[] = await ds.query(
      `(SELECT m.user_id AS id FROM message m JOIN message_tree_state t USING (message_tree_id) WHERE t.active AND m.user_id IS NOT NULL
          GROUP BY m.user_id ORDER BY count(*) DESC, m.user_id LIMIT 3)
       UNION (SELECT user_id FROM text_labels WHERE task_id IS NOT NULL GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 2)
       UNION (SELECT user_id FROM message_reaction GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 2)
       UNION (SELECT user_id FROM message_emoji WHERE emoji LIKE '\\_skip%' GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 2)
       UNION (SELECT id FROM "user" WHERE username LIKE 'pools-a%')`,
    );
    return rows.map((r) => r.id);
  }

  let compared = 0;
  async function compare(step: string): Promise<void> {
    const langs: string[] = (await ds.query(`SELECT DISTINCT lang FROM message_tree_state ORDER BY lang`)).map((r: { lang: string }) => r.lang);
    const em = ds.manager;
    const cfg = server.chorus.app.config.treeManager;
    // The prompt lottery's tree counts and auto-moderation's candidates, as they were computed per request.
    const counted: unknown[] = await ds.query(`SELECT lang, state, active, n FROM task_pool_tree_count WHERE n <> 0 ORDER BY 1, 2, 3`);
    const recounted: unknown[] = await ds.query(`SELECT lang, state, active, count(*)::int AS n FROM message_tree_state GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
    expect(counted, `tree counts: ${step}`).to.deep.equal(recounted);
    const automod: unknown[] = await ds.query(`SELECT message_id AS id, lang, parent_id, message_tree_id, red, skips FROM task_pool_automod ORDER BY 1`);
    const reautomod: unknown[] = await ds.query(
      `SELECT m.id, m.lang, m.parent_id, m.message_tree_id,
              coalesce((m.emojis->>'red_flag')::int, 0) AS red, coalesce((m.emojis->>'_skip_reply')::int, 0) AS skips
       FROM message m JOIN message_tree_state t ON t.message_tree_id = m.message_tree_id
       WHERE t.active AND t.state IN ('initial_prompt_review', 'growing') AND NOT m.deleted
         AND (m.parent_id IS NULL OR m.review_result OR (m.parent_id IS NOT NULL AND m.review_count < $1))
         AND (coalesce((m.emojis->>'red_flag')::int, 0) >= $2 OR coalesce((m.emojis->>'_skip_reply')::int, 0) >= $3)
       ORDER BY 1`,
      [cfg.numReviewsReply, cfg.autoModRedFlags, cfg.autoModMaxSkipReply],
    );
    expect(automod, `auto-moderation candidates: ${step}`).to.deep.equal(reautomod);
    for (const lang of langs) {
      for (const user of [null, ...(await users())]) {
        const where = `${step}, lang ${lang}, user ${user}`;
        const mine = await pools.sets(em, lang, user);
        const [r, lr, lp, p, missing] = await Promise.all([
          oracle.incompleteRankings(em, lang, user),
          oracle.needReview(em, lang, user, false),
          oracle.needReview(em, lang, user, true),
          oracle.extendibleParents(em, lang, user),
          oracle.missingReplies(em, lang, user),
        ]);
        const rk = (x: { parent_id: string; role: string; message_tree_id: string }) => `${x.parent_id}/${x.role}/${x.message_tree_id}`;
        const vk = (x: { id: string; role: string; is_root: boolean; message_tree_id: string }) => `${x.id}/${x.role}/${x.is_root}/${x.message_tree_id}`;
        const pk = (x: { id: string; role: string; k: number; message_tree_id: string }) => `${x.id}/${x.role}/${x.k}/${x.message_tree_id}`;
        expect(sortKeys(mine.rankings.map(rk)), `rankings: ${where}`).to.deep.equal(sortKeys(r.map(rk)));
        expect(sortKeys(mine.replyReviews.map(vk)), `reply reviews: ${where}`).to.deep.equal(sortKeys(lr.map(vk)));
        expect(sortKeys(mine.promptReviews.map(vk)), `prompt reviews: ${where}`).to.deep.equal(sortKeys(lp.map(vk)));
        expect(sortKeys(mine.replyParents.map(pk)), `reply parents: ${where}`).to.deep.equal(sortKeys(p.map(pk)));

        // The draw: a candidate of a kind exactly when the oracle has one (the lottery's weights), and one it lists.
        const d = await pools.drawAll(em, lang, user, Math.random);
        expect(d.ranking === null, `ranking draw: ${where}`).to.equal(r.length === 0);
        expect(d.replyReview === null, `reply review draw: ${where}`).to.equal(lr.length === 0);
        expect(d.promptReview === null, `prompt review draw: ${where}`).to.equal(lp.length === 0);
        expect(d.reply === null, `reply draw (M > 0): ${where}`).to.equal(missing === 0);
        if (d.ranking) expect(r.map(rk)).to.include(rk(d.ranking));
        if (d.replyReview) expect(lr.map(vk)).to.include(vk(d.replyReview));
        if (d.promptReview) expect(lp.map(vk)).to.include(vk(d.promptReview));
        if (d.reply) expect(p.map(pk)).to.include(pk(d.reply));
        const lonely = p.filter((x) => x.role === "prompter" && x.k > 0 && x.k < server.chorus.app.config.treeManager.lonelyChildrenCount);
        // The lonely parent a reply task prefers, drawn apart (only when the preference won).
        const dl = await pools.drawOne<{ id: string; role: string; k: number; message_tree_id: string }>(em, "lonelyReply", lang, user, null, Math.random);
        expect(dl === null, `lonely draw: ${where}`).to.equal(lonely.length === 0);
        if (dl) expect(lonely.map(pk)).to.include(pk(dl));
        compared += 1;
      }
    }
  }

  async function restore(seed: number, trees: number): Promise<void> {
    const file = path.join(dir, `live-${seed}.jsonl`);
    fs.writeFileSync(file, [...liveTreeLines(seed, trees)].join("\n") + "\n");
    const res = await runNode(CLI, ["import", "--mode", "restore", file], { DATABASE_URL: server.db.url }, 300_000);
    expect(res.code, res.stderr).to.equal(0);
  }

  /** One W1 round: every annotator requests a random task and completes it, all at once; some reviews reject. */
  async function round(i: number): Promise<Record<string, number>> {
    const mix: Record<string, number> = {};
    await Promise.all(
      annotators.map(async (a, j) => {
        const res = await a.request("RANDOM", "en");
        if (res.errors) {
          mix.none = (mix.none ?? 0) + 1;
          return;
        }
        const task = res.data!.requestTask as AnyTask;
        mix[task.__typename] = (mix[task.__typename] ?? 0) + 1;
        const done = await a.complete(task, "en", (i + j) % 5 === 0 ? { spam: 1 } : {});
        expect(done.errors, JSON.stringify(done.errors)).to.equal(undefined);
      }),
    );
    return mix;
  }

  it("after a restore of 60 trees, and of 600 more", async () => {
    await restore(11, 60);
    const states: { n: number }[] = await ds.query(`SELECT count(DISTINCT state)::int AS n FROM message_tree_state`);
    expect(states[0].n).to.be.greaterThan(5);
    await compare("restore 60");
    await restore(12, 600);
    await compare("restore 660");
  });

  it("after task cycles of concurrent annotators, with accepting and rejecting reviews", async () => {
    const mix: Record<string, number> = {};
    for (let i = 0; i < 6; i++) {
      for (const [k, v] of Object.entries(await round(i))) mix[k] = (mix[k] ?? 0) + v;
      if (i % 2 === 1) await compare(`round ${i}`);
    }
    expect(mix.none ?? 0, JSON.stringify(mix)).to.equal(0);
  });

  it("after skips", async () => {
    for (const a of annotators.slice(0, 4)) {
      const res = await a.request("RANDOM", "en");
      expect(res.errors).to.equal(undefined);
      const nack = await a.nack(res.data!.requestTask.id);
      expect(nack.errors).to.equal(undefined);
    }
    await compare("skips");
  });

  it("after a deletion and an undeletion", async () => {
    const rows: { id: string }[] = await ds.query(
      `SELECT m.id FROM message m JOIN message_tree_state t USING (message_tree_id)
       WHERE t.active AND t.state = 'growing' AND t.lang = 'en' AND m.parent_id IS NOT NULL AND m.review_result AND NOT m.deleted
       ORDER BY m.depth, m.id LIMIT 1`,
    );
    expect(rows).to.have.length(1);
    const del = await gql(server.url, DeleteMessageDocument, { input: { messageId: rows[0].id } }, { key: server.adminKey });
    expect(del.errors, JSON.stringify(del.errors)).to.equal(undefined);
    await compare("deletion");
    const undel = await gql(server.url, UndeleteMessageDocument, { input: { messageId: rows[0].id } }, { key: server.adminKey });
    expect(undel.errors, JSON.stringify(undel.errors)).to.equal(undefined);
    await compare("undeletion");
  });

  it("after a halt and a resume, and a tree state changed directly", async () => {
    const rows: { id: string }[] = await ds.query(
      `SELECT message_tree_id AS id FROM message_tree_state WHERE active AND state IN ('growing', 'ranking') AND lang = 'en' ORDER BY message_tree_id LIMIT 2`,
    );
    expect(rows).to.have.length(2);
    const halt = (h: boolean) =>
      rawGql(
        server.url,
        `mutation($m: ID!, $h: Boolean!) { setTreeHalted(input: { messageId: $m, halt: $h }) { state } }`,
        { m: rows[0].id, h },
        { key: server.adminKey },
      );
    expect((await halt(true)).errors).to.equal(undefined);
    await compare("halt");
    expect((await halt(false)).errors).to.equal(undefined);
    await compare("resume");
    await ds.query(`UPDATE message_tree_state SET state = 'backlog_ranking', active = false WHERE message_tree_id = $1`, [rows[1].id]);
    await compare("state set directly");
  });

  it("while a reply task is open, and after it expired and its job removed it", async () => {
    const a = annotators[7];
    const res = await a.request("ASSISTANT_REPLY", "en");
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    await compare("open reply task");
    await ds.query(`UPDATE task SET created_date = now() - interval '3 days', expiry_date = now() - interval '1 day' WHERE id = $1`, [
      res.data!.requestTask.id,
    ]);
    await server.chorus.runJob("expired-tasks");
    const left: unknown[] = await ds.query(`SELECT 1 FROM task WHERE id = $1`, [res.data!.requestTask.id]);
    expect(left).to.have.length(0);
    await compare("expired");
  });

  it("after a user's purge", async () => {
    const rows: { id: string }[] = await ds.query(
      `SELECT m.user_id AS id FROM message m JOIN message_tree_state t USING (message_tree_id)
       WHERE t.active AND m.user_id IS NOT NULL GROUP BY m.user_id ORDER BY count(*) DESC, m.user_id LIMIT 1`,
    );
    const purge = await gql(server.url, PurgeUserDocument, { input: { userId: rows[0].id, preview: false, ban: true } }, { key: server.adminKey });
    expect(purge.errors, JSON.stringify(purge.errors)).to.equal(undefined);
    expect(purge.data!.purgeUser.purgedMessages).to.be.greaterThan(0);
    await compare("purge");
    expect(compared).to.be.greaterThan(300);
  });
});
