import { expect } from "chai";
import { Client } from "pg";
import { createDataSource } from "../../src/db/data-source.js";
import { MIGRATION_LOCK_KEY } from "../../src/db/migrate.js";
import { pendingSchemaChanges } from "../../src/scripts/migration-diff.js";
import { MIGRATIONS } from "../../migrations/index.js";
import { createTestDatabase } from "../helpers/database.js";
import { CLI, runNode, startNode } from "../helpers/process.js";

describe("migrations", function () {
  it("yield exactly the entity schema on an empty database (no pending changes)", async () => {
    const db = await createTestDatabase();
    const ds = createDataSource({ url: db.url, poolSize: 2 });
    try {
      await ds.initialize();
      const applied = await ds.runMigrations();
      expect(applied.map((m) => m.name)).to.have.length(MIGRATIONS.length);
      const pending = await pendingSchemaChanges(ds);
      expect(pending.up, pending.up.join(";\n")).to.deep.equal([]);
      // and they undo cleanly
      for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
      const tables: { n: string }[] = await ds.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`);
      expect(Number(tables[0].n)).to.equal(0);
    } finally {
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    }
  });

  it("run once when two processes start together, each waiting on the advisory lock", async () => {
    const db = await createTestDatabase();
    try {
      const [a, b] = await Promise.all([runNode(CLI, ["migrate"], { DATABASE_URL: db.url }), runNode(CLI, ["migrate"], { DATABASE_URL: db.url })]);
      expect(a.code, a.stderr).to.equal(0);
      expect(b.code, b.stderr).to.equal(0);
      const outputs = [a.stdout, b.stdout].sort();
      expect(outputs[0]).to.match(/^applied: /);
      expect(outputs[1]).to.match(/^database is up to date/);
      const c = new Client({ connectionString: db.url });
      await c.connect();
      const rows = (await c.query(`SELECT name FROM migrations`)).rows;
      await c.end();
      expect(rows).to.have.length(MIGRATIONS.length);
    } finally {
      await db.drop();
    }
  });

  it("do not start while another process holds the lock", async () => {
    const db = await createTestDatabase();
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      const proc = startNode(CLI, ["migrate"], { DATABASE_URL: db.url, LOG_LEVEL: "warn" });
      await new Promise((r) => setTimeout(r, 1500));
      expect(proc.child.exitCode).to.equal(null);
      const before = await holder.query(`SELECT to_regclass('public.api_client') AS t`);
      expect(before.rows[0].t).to.equal(null);
      await holder.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
      expect(await proc.exited).to.equal(0);
      const after = await holder.query(`SELECT to_regclass('public.api_client') AS t`);
      expect(after.rows[0].t).to.equal("api_client");
    } finally {
      await holder.end();
      await db.drop();
    }
  });
});
