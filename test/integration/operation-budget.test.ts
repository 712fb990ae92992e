/**
 * One operation cannot take every database connection (src/db/operation-budget.ts): the attack that did it, 2,400
 * aliased messageTree fields in one query, bounded to this server's share, while another client's queries answer; a
 * full pool answers SERVICE_UNAVAILABLE with a retry hint, never INTERNAL_SERVER_ERROR; statements of an operation
 * stop at OPERATION_STATEMENT_TIMEOUT_MS.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, rawGql } from "../helpers/graphql.js";
import { OperationBudget, runWithAnyStatementTimeout, runWithBudget } from "../../src/db/operation-budget.js";
import { createDataSource } from "../../src/db/data-source.js";
import { Role } from "../../src/modules/users/role.js";
import { World } from "../helpers/world.js";

/** The `chorus_operation_db_connections` histogram: how many operations held at most `le` connections. */
async function connectionBuckets(server: TestServer): Promise<{ count: number; atMost: Map<string, number> }> {
  const text = await server.chorus.app.metrics.registry.getSingleMetricAsString("chorus_operation_db_connections");
  const atMost = new Map<string, number>();
  for (const m of text.matchAll(/chorus_operation_db_connections_bucket\{le="([^"]+)"\} (\d+)/g)) atMost.set(m[1], Number(m[2]));
  return { count: Number(/chorus_operation_db_connections_count (\d+)/.exec(text)?.[1] ?? 0), atMost };
}

type PgPool = { connect(): Promise<{ release(): void }>; totalCount: number; idleCount: number };

describe("database connections per operation", function () {
  this.timeout(180_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      DATABASE_POOL_SIZE: "4",
      DATABASE_CONNECTIONS_PER_OPERATION: "2",
      // let the attack through the other limits: this proves the database bound on its own
      MAX_QUERY_COMPLEXITY: "10000000",
      MAX_DOCUMENT_BYTES: "262144",
    });
  });
  after(async () => {
    await server.stop();
  });

  it("800 aliased messageTree fields (the attack had 2,400) hold at most DATABASE_CONNECTIONS_PER_OPERATION, and another client's queries answer meanwhile", async () => {
    const other = await server.createClient({ name: "bystander", trusted: true, role: Role.ADMIN });
    const world = new World(server, server.adminKey, "en");
    const id = await world.prompt(world.annotator());
    const attack = `{ ${Array.from({ length: 800 }, (_, i) => `t${i}: messageTree(id: "${id}") { messages { id text } }`).join(" ")} }`;
    const pool = (server.chorus.app.ds.driver as unknown as { master: PgPool }).master;
    let attackDone = false;
    const attackRun = rawGql(server.url, attack, {}, { key: server.adminKey }).finally(() => (attackDone = true));
    // once the attack's resolvers hold their connections, the bystander asks, several queries at once
    while (!attackDone && pool.totalCount - pool.idleCount < 2) await new Promise((r) => setTimeout(r, 2));
    let answeredDuring = 0;
    const bystander = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const res = await rawGql(
          server.url,
          "{ messages(first: 1) { edges { node { id } } } apiClients(first: 1) { edges { node { id } } } }",
          {},
          { key: other.key },
        );
        if (!attackDone) answeredDuring++;
        return res;
      }),
    );
    const result = await attackRun;
    for (const res of bystander) expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    console.log(`      bystander queries answered while the attack still ran: ${answeredDuring} of 4`);
    // the attack itself ran to its end, slower: no alias failed for want of a connection
    expect(result.errors, JSON.stringify(result.errors?.slice(0, 2))).to.equal(undefined);
    expect(Object.keys(result.data!)).to.have.length(800);
    const { count, atMost } = await connectionBuckets(server);
    expect(count).to.be.greaterThan(5);
    expect(atMost.get("2"), "no operation held more than 2 connections").to.equal(count);
    expect(atMost.get("1"), "the attack did use its 2").to.be.below(count);
  });

  it("a full pool answers SERVICE_UNAVAILABLE with retryAfterSeconds, never INTERNAL_SERVER_ERROR", async () => {
    const pool = (server.chorus.app.ds.driver as unknown as { master: PgPool }).master;
    const held = await Promise.all([pool.connect(), pool.connect(), pool.connect(), pool.connect()]);
    try {
      const res = await rawGql(server.url, "{ messages(first: 1) { edges { node { id } } } }", {}, { key: server.adminKey });
      expect(errorCode(res)).to.equal("SERVICE_UNAVAILABLE");
      expect(res.errors![0].extensions!.retryAfterSeconds).to.equal(1);
      expect(JSON.stringify(res)).to.not.match(/INTERNAL_SERVER_ERROR|timeout exceeded/);
    } finally {
      for (const c of held) c.release();
    }
    const after = await rawGql(server.url, "{ messages(first: 1) { edges { node { id } } } }", {}, { key: server.adminKey });
    expect(after.errors).to.equal(undefined);
  });

  it("an operation's statements stop at its statement timeout (QUERY_TIMEOUT); work outside operations has none", async () => {
    const ds = server.chorus.app.ds;
    let failure: unknown;
    try {
      await runWithBudget(new OperationBudget(2, 200), () => ds.query("SELECT pg_sleep(3)"));
    } catch (err) {
      failure = err;
    }
    expect((failure as { driverError?: { code?: string } }).driverError?.code).to.equal("57014");
    // the same pooled connections, used by work outside any operation, have the timeout reset
    await Promise.all([0, 1, 2, 3].map(() => ds.query("SELECT pg_sleep(0.3)")));
    // the error model names it
    const { formatError } = await import("../../src/common/errors.js");
    const formatted = formatError({ message: "x" }, failure, () => undefined);
    expect(formatted.extensions!.code).to.equal("QUERY_TIMEOUT");
  });

  it("short work outside operations takes a connection's statement_timeout as it is, without a round trip to change it", async () => {
    // One connection, so every statement below gets the same one.
    const ds = createDataSource({ url: server.db.url, poolSize: 1 });
    await ds.initialize();
    try {
      const timeout = async () => ((await ds.query("SHOW statement_timeout")) as { statement_timeout: string }[])[0].statement_timeout;
      expect(await runWithBudget(new OperationBudget(1, 1234), timeout)).to.equal("1234ms");
      // marked work keeps the operation's timeout (no RESET was sent)
      expect(await runWithAnyStatementTimeout(timeout)).to.equal("1234ms");
      // other work outside operations still has none
      expect(await timeout()).to.equal("0");
      expect(await runWithAnyStatementTimeout(timeout)).to.equal("0");
      // and inside an operation its budget applies, marked or not
      expect(await runWithAnyStatementTimeout(() => runWithBudget(new OperationBudget(1, 2345), timeout))).to.equal("2345ms");
    } finally {
      await ds.destroy();
    }
  });
});
