/**
 * A database connection that dies under a server (PostgreSQL restarted, a backend terminated by an operator) fails the
 * statement it ran and nothing else: the process stays up and the pool carries on with fresh connections.
 *
 * The bug this pins: node-postgres emits 'error' on a checked-out client whose connection ends unexpectedly, even while
 * a query runs, and pg-pool takes its own listener off a client it hands out. A statement run on a bare checkout
 * (src/db/prepared.ts) had no listener, so a PostgreSQL restart killed an API replica (faults.test.ts then hung on a
 * worker connecting to the dead replica). Every way the code takes a connection is tried here.
 */
import { expect } from "chai";
import { Client as PgClient } from "pg";
import type { DataSource } from "typeorm";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { preparedQuery } from "../../src/db/prepared.js";
import { OperationBudget, runWithBudget } from "../../src/db/operation-budget.js";

type PooledClient = { query(sql: string): Promise<{ rows: { pid: number }[] }> };
type DriverLike = { obtainMasterConnection(): Promise<[PooledClient, (err?: unknown) => void]>; master: { totalCount: number } };

describe("a database connection lost under the server", function () {
  this.timeout(60_000);
  let server: TestServer;
  let ds: DataSource;
  let admin: PgClient;

  before(async () => {
    server = await startTestServer();
    ds = server.chorus.app.ds;
    admin = new PgClient({ connectionString: server.db.url });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await server?.stop();
  });

  /** Terminates the backend that runs a statement containing `marker`, once it is running. */
  async function terminateRunning(marker: string): Promise<void> {
    for (;;) {
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid() AND state = 'active'`,
        [marker],
      );
      if (rows.length > 0) {
        await admin.query(`SELECT pg_terminate_backend($1)`, [rows[0].pid]);
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The connection's end reaches the client after the statement's error: let every event of it be delivered. */
  const settle = () => new Promise((r) => setTimeout(r, 200));

  async function stillServes(): Promise<void> {
    const [{ ok }] = await ds.query(`SELECT 1 AS ok`);
    expect(ok).to.equal(1);
    expect(server.chorus.app.isReady()).to.equal(true);
  }

  const ways: { name: string; run: (sql: string) => Promise<unknown> }[] = [
    { name: "a prepared statement on a bare checkout", run: (sql) => preparedQuery(ds, sql, []) },
    {
      name: "a prepared statement on a bare checkout inside an operation",
      run: (sql) => runWithBudget(new OperationBudget(2, 0), () => preparedQuery(ds, sql, [])),
    },
    { name: "a prepared statement inside a transaction", run: (sql) => ds.transaction((em) => preparedQuery(em, sql, [])) },
    { name: "TypeORM's query", run: (sql) => ds.query(sql) },
    { name: "TypeORM's query inside an operation with a statement timeout", run: (sql) => runWithBudget(new OperationBudget(2, 20_000), () => ds.query(sql)) },
  ];
  for (const [i, way] of ways.entries()) {
    it(`${way.name}: the statement fails, the process stays up and the pool carries on`, async () => {
      const marker = `chorus_conn_loss_${i}`;
      const running = way.run(`SELECT pg_sleep(30), '${marker}'`).then(
        () => null,
        (err: unknown) => err,
      );
      await terminateRunning(marker);
      const err = await running;
      expect(err, "the statement failed").to.be.instanceOf(Error);
      await settle();
      await stillServes();
    });
  }

  it("a connection checked out and idle when its backend ends: released with its error, so the pool drops it", async () => {
    const driver = ds.driver as unknown as DriverLike;
    const [client, release] = await driver.obtainMasterConnection();
    const { rows } = await client.query(`SELECT pg_backend_pid() AS pid`);
    await admin.query(`SELECT pg_terminate_backend($1)`, [rows[0].pid]);
    await settle();
    const pooled = driver.master.totalCount;
    release();
    expect(driver.master.totalCount, "the broken connection left the pool").to.equal(pooled - 1);
    await stillServes();
  });
});
