/**
 * A `generation` subscription's start reads its message ahead of the statements already waiting for a pool
 * connection (src/db/operation-budget.ts, runAheadInPool). In a start burst the answers' workers emit while their
 * subscribers wait: the subscription's read used to queue behind every send of the burst (RESULTS, sections burst and
 * burst2: p50 2-5 s per subscription start at 1,000 streams, subscriptions refused when the wait passed the
 * connection timeout).
 */
import { expect } from "chai";
import pg from "pg";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { gql, wsClient } from "../helpers/graphql.js";
import { CreateChatDocument, GenerationDocument, SendChatMessageDocument, type GenerationSubscription } from "../../client/generated/graphql.js";
import { print } from "graphql";
import { createDataSource } from "../../src/db/data-source.js";
import { runAheadInPool } from "../../src/db/operation-budget.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { eventually } from "../helpers/replicas.js";

type PgPool = { waitingCount: number; connect(): Promise<{ release(): void }> };

/** Waits (polling every 10 ms, no deadline but mocha's) until `check` holds. */
const until = (check: () => boolean | Promise<boolean>) => eventually(async () => ((await check()) ? true : undefined), 10);

describe("pool: the priority lane", function () {
  this.timeout(60_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it("gives a connection to a waiter run ahead before the waiters queued earlier, and to the others in their order", async () => {
    const ds = createDataSource({ url: db.url, poolSize: 1 });
    await ds.initialize();
    try {
      const pool = (ds.driver as unknown as { master: PgPool }).master;
      const held = await pool.connect();
      const order: string[] = [];
      const normal = [1, 2, 3].map((i) => ds.query(`SELECT ${i} AS n`).then(() => void order.push(`normal ${i}`)));
      await until(() => pool.waitingCount === 3);
      const ahead = runAheadInPool(() => ds.query("SELECT 0 AS n")).then(() => void order.push("ahead"));
      await until(() => pool.waitingCount === 4);
      held.release();
      await Promise.all([...normal, ahead]);
      expect(order).to.deep.equal(["ahead", "normal 1", "normal 2", "normal 3"]);
    } finally {
      await ds.destroy();
    }
  });
});

describe("generation subscription: its start reads ahead of the sends waiting for a connection", function () {
  this.timeout(40_000);
  let server: TestServer;
  before(async () => {
    // Nothing but the test's own requests asks for the one connection: no worker (the answers wait in the queue),
    // and no re-check of the open sockets' identities (every IDENTITY_RECHECK_SECONDS, two reads; revocation is not
    // what this file tests).
    server = await startTestServer({
      DATABASE_POOL_SIZE: "1",
      DATABASE_CONNECTIONS_PER_OPERATION: "1",
      CHAT_RATE_LIMIT_GENERATIONS: "0",
      LOCAL_WORKER: "false",
    });
    server.chorus.app.openSockets.stop();
  });
  after(async () => {
    await server.stop();
  });

  it("starts (its queued event arrives) while a statement queued before it still waits for the pool's one connection", async () => {
    const client = await server.createClient({ name: "lane", trusted: true });
    const as = { key: client.key, user: "local:lane" };
    const chat = async () => (await gql(server.url, CreateChatDocument, { input: {} }, as)).data!.createChat.id;
    const [first, second, other] = [await chat(), await chat(), await chat()];
    // An answer no worker takes: its stream holds its GenerationQueued event.
    const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId: other, text: "hello", model: "synthetic" } }, as);
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    const messageId = sent.data!.sendChatMessage.assistantMessage.id;
    const ws = wsClient(server.wsUrl, { authorization: `Bearer ${client.key}`, user: "local:lane" }, { lazy: false });
    await new Promise<void>((resolve, reject) => ws.subscribe({ query: "{ viewer { role } }" }, { next: () => undefined, error: reject, complete: resolve }));

    // Two transactions outside the server's pool hold the locks of the two chats the sends go to.
    const lockers = [new pg.Client({ connectionString: server.db.url }), new pg.Client({ connectionString: server.db.url })];
    const watcher = new pg.Client({ connectionString: server.db.url });
    const pool = (server.chorus.app.ds.driver as unknown as { master: PgPool }).master;
    try {
      watcher.on("error", () => undefined);
      await watcher.connect();
      for (const [i, chatId] of [first, second].entries()) {
        // (the database is dropped under a locker left open by a failed test)
        lockers[i].on("error", () => undefined);
        await lockers[i].connect();
        await lockers[i].query("BEGIN");
        await lockers[i].query("SELECT 1 FROM chat WHERE id = $1 FOR UPDATE", [chatId]);
      }
      const send = (chatId: string) => gql(server.url, SendChatMessageDocument, { input: { chatId, text: "hi", model: "synthetic" } }, as);
      // The send holds the one connection, waiting for its chat's lock.
      const sends = [send(first)];
      await until(async () => {
        // (not on a locker: inside a transaction pg_stat_activity is read once, then served from that snapshot)
        const [{ n }] = (
          await watcher.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH RECURSIVE locked AS%'`,
          )
        ).rows;
        return n === 1;
      });
      // A statement queued for the pool before the subscription (as a burst's sends' statements are): it will hold
      // the connection until the second chat is let go. (Not a second send: a send's first statement, the quota's
      // read, is short, and the send queues again for its next one.)
      let queuedDone = false;
      const queued = server.chorus.app.ds.query("SELECT 1 FROM chat WHERE id = $1 FOR UPDATE", [second]).then(() => (queuedDone = true));
      await until(() => pool.waitingCount === 1);
      const firstEvent = new Promise<GenerationSubscription["generation"] | string>((resolve) => {
        const stop = ws.subscribe<GenerationSubscription>(
          { query: print(GenerationDocument), variables: { messageId, after: 0 } },
          {
            next: (res) => {
              stop();
              resolve(res.data?.generation ?? JSON.stringify(res.errors));
            },
            error: (err) => resolve(String(err)),
            complete: () => undefined,
          },
        );
      });
      await until(() => pool.waitingCount === 2);
      // The first send's chat is let go: its send ends and frees the connection. The subscription's read takes it
      // before the queued statement, which then holds it, waiting for the second chat's lock, still held. Without
      // the lane the statement goes first, and the subscription's read waits for as long as that lock is held.
      await lockers[0].query("COMMIT");
      const event = await firstEvent;
      expect(event).to.include({ __typename: "GenerationQueued", seq: 1, messageId });
      expect(queuedDone, "the statement queued before it still waits").to.equal(false);
      await lockers[1].query("COMMIT");
      await queued;
      for (const r of await Promise.all(sends)) expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    } finally {
      for (const l of [...lockers, watcher]) await l.end().catch(() => undefined);
      await ws.dispose();
    }
  });
});
