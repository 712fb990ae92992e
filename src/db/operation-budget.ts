/**
 * The database share of one GraphQL operation: at most `maxConnections` pool connections held at once, and a
 * PostgreSQL statement_timeout on each of its statements. Without it one query of 2,400 aliased fields took every
 * connection of the pool for seconds and every other caller failed.
 *
 * How: the operation runs inside `runWithBudget` (an AsyncLocalStorage scope, so every service call it makes, however
 * deep, is counted without passing anything around), and the TypeORM driver's one way to a connection,
 * `obtainMasterConnection`, waits for a slot of the current budget first. Work outside any operation (periodic jobs,
 * the CLI, the worker queue) has no budget and no timeout, except short work marked with runWithAnyStatementTimeout,
 * which keeps the timeout its connection has.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { DataSource } from "typeorm";

/** Thrown when an operation waited for one of its own slots longer than its statement timeout. */
export class OperationBusyError extends Error {
  constructor() {
    super("timeout exceeded when trying to connect (the operation waited for one of its own database connections)");
    this.name = "OperationBusyError";
  }
}

export class OperationBudget {
  private held = 0;
  private readonly waiting: { grant: () => void; timer?: NodeJS.Timeout }[] = [];
  /** The most connections this operation held at once. */
  peak = 0;

  constructor(
    readonly maxConnections: number,
    /** statement_timeout of its statements, in ms; 0: none. Also the longest wait for one of its own slots. */
    readonly statementTimeoutMs: number,
  ) {}

  /** Resolves when the operation may take one more connection. */
  acquire(): Promise<void> {
    if (this.held < this.maxConnections) {
      this.take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry: { grant: () => void; timer?: NodeJS.Timeout } = { grant: () => resolve() };
      // Two transactions of one operation that each wait for a further connection would wait for each other forever.
      if (this.statementTimeoutMs > 0) {
        entry.timer = setTimeout(() => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new OperationBusyError());
        }, this.statementTimeoutMs);
      }
      this.waiting.push(entry);
    });
  }

  release(): void {
    this.held--;
    const next = this.waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      this.take();
      next.grant();
    }
  }

  private take(): void {
    this.held++;
    if (this.held > this.peak) this.peak = this.held;
  }
}

const current = new AsyncLocalStorage<OperationBudget>();

/** Runs `fn` (and everything it starts) under `budget`. */
export function runWithBudget<T>(budget: OperationBudget, fn: () => T): T {
  return current.run(budget, fn);
}

const anyTimeout = new AsyncLocalStorage<true>();

/**
 * Runs `fn`, short work outside any operation (an identity lookup, a job's claim), with whatever statement_timeout
 * the connection it gets has: an operation's, or none. Work outside operations otherwise resets it, and on a
 * server mixing both, a connection passed between a request and the hand-out or the next request's identity
 * lookup cost a SET or RESET round trip almost every time (2 to 3 per chat started, in the stream benchmark). Inside
 * an operation the operation's budget applies as ever.
 */
export function runWithAnyStatementTimeout<T>(fn: () => T): T {
  return anyTimeout.run(true, fn);
}

const ahead = new AsyncLocalStorage<true>();

/**
 * Runs `fn` (and everything it starts) in the pool's priority lane: a connection it waits for goes to it before the
 * statements that were already waiting (pg-pool serves its waiters in order). For short reads that something
 * already streaming waits for, such as the read of a `generation` subscription's start, which otherwise queued
 * behind every send of a start burst while the answer's tokens were already being emitted (RESULTS, sections burst
 * and burst2). It changes the order of waiting only: the pool's size, the operation's budget and the connection
 * timeout stay as they are.
 */
export function runAheadInPool<T>(fn: () => T): T {
  return ahead.run(true, fn);
}

/** pg-pool's waiters, in the order it serves them (pg-pool 3: `_pendingQueue`; absent in a pool without it). */
type PoolLike = { _pendingQueue?: unknown[] };

/** The statement_timeout a pooled connection was last set to, so it is set only when it changes. */
const TIMEOUT_SET = Symbol("chorus.statementTimeout");

type PgClient = {
  query: (sql: string) => Promise<unknown>;
  on(event: "error", listener: (err: unknown) => void): unknown;
  removeListener(event: "error", listener: (err: unknown) => void): unknown;
  [TIMEOUT_SET]?: number;
};
type Release = (err?: unknown) => void;
type PostgresDriverLike = { obtainMasterConnection: () => Promise<[PgClient, Release]> };

/**
 * Makes every connection the DataSource hands out respect the current operation's budget. Call once, after
 * `initialize()`.
 */
export function applyOperationBudgets(ds: DataSource): void {
  const driver = ds.driver as unknown as PostgresDriverLike;
  const obtain = driver.obtainMasterConnection.bind(driver);
  driver.obtainMasterConnection = async () => {
    const budget = current.getStore();
    if (budget) await budget.acquire();
    let client: PgClient;
    let release: Release;
    try {
      const waiters = ahead.getStore() === true ? (driver as unknown as { master?: PoolLike }).master?._pendingQueue : undefined;
      const before = waiters?.length ?? 0;
      // pg-pool queues a waiter synchronously inside connect(); one that joined the end of the queue goes to its head.
      const obtained = obtain();
      if (waiters && waiters.length === before + 1) waiters.unshift(waiters.pop());
      [client, release] = await obtained;
    } catch (err) {
      budget?.release();
      throw err;
    }
    // pg-pool takes its own 'error' listener off a client it hands out, and node-postgres emits 'error' when the
    // connection ends unexpectedly (PostgreSQL restarted, the backend terminated), even while a query runs: with no
    // listener that is an uncaught exception and the process dies. TypeORM's query runner adds a listener of its own;
    // a bare checkout (src/db/prepared.ts) had none, and a PostgreSQL restart killed a replica. So every checkout is
    // guarded until it is released, and a connection that broke goes back with its error, so the pool drops it.
    let broken: unknown;
    const onError = (err: unknown) => {
      broken ??= err;
    };
    client.on("error", onError);
    const wanted = budget?.statementTimeoutMs ?? 0;
    const indifferent = !budget && anyTimeout.getStore() === true;
    try {
      if (!indifferent && (client[TIMEOUT_SET] ?? 0) !== wanted) {
        // A session setting: it stays with the pooled connection, so it is only sent when it changes.
        await client.query(wanted > 0 ? `SET statement_timeout = ${Math.floor(wanted)}` : "RESET statement_timeout");
        client[TIMEOUT_SET] = wanted;
      }
    } catch (err) {
      client.removeListener("error", onError);
      release(err);
      budget?.release();
      throw err;
    }
    let released = false;
    return [
      client,
      (err?: unknown) => {
        if (released) return;
        released = true;
        client.removeListener("error", onError);
        release(err ?? broken);
        budget?.release();
      },
    ];
  };
}
