/**
 * The session settings every Chorus connection gets (src/db/data-source.ts). JIT off: with it on, the task draw's
 * statements passed PostgreSQL's JIT cost thresholds once the pools were large, and every run planned with its
 * values spent 1.5-3.3 s compiling (issue 14, 100,000 trees); here the thresholds are forced to zero so that JIT
 * would run on any statement.
 */
import { expect } from "chai";
import { createDataSource } from "../../src/db/data-source.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

describe("database session settings", function () {
  this.timeout(60_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it("never JIT-compiles a statement, whatever its cost, and plans for a cached working set", async () => {
    const ds = createDataSource({ url: db.url, poolSize: 1 });
    await ds.initialize();
    try {
      await ds.transaction(async (em) => {
        await em.query(`SET LOCAL jit_above_cost = 0`);
        await em.query(`SET LOCAL jit_inline_above_cost = 0`);
        await em.query(`SET LOCAL jit_optimize_above_cost = 0`);
        const [{ "QUERY PLAN": plan }] = await em.query(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT sum(g * 2) FROM generate_series(1, 10000) g`);
        expect(plan[0], "a JIT section in the plan").not.to.have.property("JIT");
        expect((await em.query(`SHOW jit`))[0].jit).to.equal("off");
        expect((await em.query(`SHOW random_page_cost`))[0].random_page_cost).to.equal("1.1");
      });
    } finally {
      await ds.destroy();
    }
  });
});
