/**
 * Start-up after a restore (issue 14): the server rebuilds every task pool before "ready" when the stored pool
 * settings differ from its configuration (5.5–9 s at 10,000 restored trees when a CLI restore left none). The import
 * now writes them before it loads, so the pools its rows fill are the ones a rebuild would make, and the first start
 * has nothing to rebuild. Both halves are checked: the settings are there (start-up's sync finds nothing to do), and
 * the pools the import left equal a full rebuild of every tree.
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { CLI, runNode } from "../helpers/process.js";
import { liveTreeLines } from "../../bench/generate.js";
import { loadConfig } from "../../src/config/index.js";
import { createDataSource } from "../../src/db/data-source.js";
import { TaskPools } from "../../src/modules/tasks/task-pools.js";
import { TASK_POOL_REFRESH_V2 } from "../../migrations/1796610000000-TaskPoolSlots.js";

/** Every pool row without its random slot, in a stable order. */
const POOLS = [
  `SELECT parent_id, role, message_tree_id, lang, min_ranking_count FROM task_pool_ranking ORDER BY 1, 2`,
  `SELECT parent_id, message_tree_id, lang, role, k FROM task_pool_reply ORDER BY 1, 4`,
  `SELECT message_id, message_tree_id, lang, role, is_root, user_id, review_count FROM task_pool_review ORDER BY 1`,
  `SELECT message_id, message_tree_id, lang, parent_id, red, skips FROM task_pool_automod ORDER BY 1`,
  `SELECT lang, state, active, n FROM task_pool_tree_count WHERE n <> 0 ORDER BY 1, 2, 3`,
];

describe("datasets: a restore leaves the task pools current, so the first start rebuilds nothing", function () {
  this.timeout(300_000);
  let db: TestDatabase;
  let dir: string;
  before(async () => {
    db = await createTestDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-restore-pools-"));
  });
  after(async () => {
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes the pool settings before loading; the pools it fills equal a full rebuild, by this refresh and the one before it", async () => {
    const file = path.join(dir, "live.jsonl");
    fs.writeFileSync(file, `${[...liveTreeLines(15, 300)].join("\n")}\n`);
    const env = { DATABASE_URL: db.url, LOG_LEVEL: "warn" };
    const migrated = await runNode(CLI, ["migrate"], env, 120_000);
    expect(migrated.code, migrated.stderr).to.equal(0);
    const restored = await runNode(CLI, ["import", "--mode", "restore", file], env, 240_000);
    expect(restored.code, restored.stderr).to.equal(0);

    // What start-up runs before "ready": with the import's settings in place, it has nothing to rebuild.
    const config = loadConfig({ DATABASE_URL: db.url });
    const ds = createDataSource({ url: db.url, poolSize: 1 });
    await ds.initialize();
    try {
      expect(await new TaskPools(config.treeManager, config.tasks).sync(ds)).to.equal(false);
    } finally {
      await ds.destroy();
    }

    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const snapshot = async () => {
        const rows: unknown[][] = [];
        for (const q of POOLS) rows.push((await c.query(q)).rows);
        return rows;
      };
      const imported = await snapshot();
      expect(imported[0].length, "ranking pool rows").to.be.greaterThan(5);
      expect(imported[1].length, "reply pool rows").to.be.greaterThan(5);
      expect(imported[2].length, "review pool rows").to.be.greaterThan(5);
      await c.query(`SELECT task_pool_refresh(ARRAY(SELECT message_tree_id FROM message_tree_state ORDER BY message_tree_id))`);
      expect(await snapshot()).to.deep.equal(imported);
      // The refresh drives its queries from the ids (migration PoolRefreshStatedTrees): a tree named twice counts
      // once, and the pools are the ones the refresh before it (TaskPoolSlots) computes from the same rows.
      await c.query(`SELECT task_pool_refresh(ARRAY(SELECT message_tree_id FROM message_tree_state UNION ALL SELECT message_tree_id FROM message_tree_state))`);
      expect(await snapshot()).to.deep.equal(imported);
      await c.query(TASK_POOL_REFRESH_V2.replace("FUNCTION task_pool_refresh(", "FUNCTION task_pool_refresh_v2("));
      await c.query(`SELECT task_pool_refresh_v2(ARRAY(SELECT message_tree_id FROM message_tree_state ORDER BY message_tree_id))`);
      expect(await snapshot()).to.deep.equal(imported);
    } finally {
      await c.end();
    }
  });
});
