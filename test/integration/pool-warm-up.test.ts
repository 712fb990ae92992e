/**
 * A fresh replica's database pool is open and prepared before the server says it is ready (src/db/pool-warm-up.ts,
 * issue 13): every connection of the pool is open when `ready` resolves, the chat path's statements plan on each,
 * and the pool keeps its connections when they sit idle, so the first burst of chats neither opens connections nor
 * fills new backends' caches.
 */
import { expect } from "chai";
import pino from "pino";
import { loadConfig } from "../../src/config/index.js";
import { startChorus, type ChorusInstance } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { hotStatements, pgPool, warmPool } from "../../src/db/pool-warm-up.js";

const POOL_SIZE = 4;

describe("database pool warm-up before ready", function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let chorus: ChorusInstance;

  before(async () => {
    db = await createTestDatabase();
    const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", DATABASE_URL: db.url, DATABASE_POOL_SIZE: String(POOL_SIZE), LOCAL_WORKER: "false" });
    // No periodic jobs: nothing but the start-up itself uses the pool.
    chorus = await startChorus(config, { log: pino({ level: "silent" }), defaultMetrics: false, jobs: false });
    await chorus.ready;
  });
  after(async () => {
    await chorus?.stop();
    await db?.drop();
  });

  it("has every connection of the pool open when ready resolves", async () => {
    // Read before anything else runs a statement: the pool's own count, then PostgreSQL's view of it.
    const pool = pgPool(chorus.app.ds);
    expect(pool.totalCount).to.equal(POOL_SIZE);
    const [{ n }] = await chorus.app.ds.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'chorus'`,
    );
    expect(n).to.equal(POOL_SIZE);
  });

  it("keeps the whole pool open when it sits idle", () => {
    // pg-pool closes idle connections above `min` after idleTimeoutMillis (10 s by default).
    const options = (pgPool(chorus.app.ds) as unknown as { options: { min: number; max: number } }).options;
    expect(options.min).to.equal(POOL_SIZE);
    expect(options.max).to.equal(POOL_SIZE);
  });

  it("plans every hot statement of the chat path on every connection", async () => {
    const texts = hotStatements();
    // the send, the hand-out's claim, and the end with its terminal event's seq (modules mark theirs when loaded)
    expect(texts.some((t) => t.includes("INSERT INTO chat_message"))).to.equal(true);
    expect(texts.some((t) => t.includes("SET state = 'IN_PROGRESS'"))).to.equal(true);
    expect(texts.some((t) => t.includes("finish_reason = $5") && t.includes("stream_last_seq = COALESCE($6::int"))).to.equal(true);
    const result = await warmPool(chorus.app.ds);
    expect(result.failed).to.deep.equal([]);
    expect(result.statements).to.equal(texts.length);
    expect(result.connections).to.equal(POOL_SIZE);
  });

  it("reports a statement PostgreSQL cannot plan, and plans nothing it runs", async () => {
    const [{ before }] = await chorus.app.ds.query(`SELECT count(*)::int AS before FROM chat_message`);
    const result = await warmPool(chorus.app.ds, ["SELECT no_such_column FROM chat", "INSERT INTO chat_message (id) VALUES ($1)"]);
    expect(result.failed.map((f) => f.text)).to.deep.equal(["SELECT no_such_column FROM chat"]);
    expect(result.failed[0].error).to.match(/no_such_column/);
    // EXPLAIN plans the insert without running it
    const [{ after }] = await chorus.app.ds.query(`SELECT count(*)::int AS after FROM chat_message`);
    expect(after).to.equal(before);
  });
});
