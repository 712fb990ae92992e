/**
 * The database pool, opened and prepared before the server says it is ready. Without it a fresh replica opens its
 * connections inside its first burst of requests (a TCP connect, authentication and a new PostgreSQL backend each,
 * while requests wait for them), and each new backend then loads into its caches the catalog entries (tables,
 * indexes, types, functions) of every statement the first time it runs it: the chat send's statement cost its
 * backend 3 to 4 ms of CPU on a connection's first run and 0.7 to 1.3 ms afterwards (issue 13, branch fresh7).
 *
 * So before "ready" every connection of the pool is opened, and on each the statements marked with `hotStatement`
 * (the fixed statements of the chat path) are planned once with EXPLAIN: parsed, analysed and planned, never run, so
 * nothing is read or written and no trigger fires. What the first requests would otherwise do, done before them.
 */
import type { DataSource } from "typeorm";

const HOT = new Set<string>();

/** Marks `text` as a statement of a hot path: every pool connection plans it once before ready (warmPool). */
export function hotStatement(text: string): string {
  HOT.add(text);
  return text;
}

/** The statements marked so far (modules mark theirs when they are loaded). */
export function hotStatements(): string[] {
  return [...HOT];
}

type PgClient = { query(text: string, values?: unknown[]): Promise<unknown>; release(err?: Error | boolean): void };
type PgPool = { connect(): Promise<PgClient>; totalCount: number; options: { max: number } };

/** The pool of the data source's driver (pg's Pool). */
export function pgPool(ds: DataSource): PgPool {
  return (ds.driver as unknown as { master: PgPool }).master;
}

/** The highest `$n` parameter of a statement: EXPLAIN needs one value (here NULL) for each. */
function parameterCount(text: string): number {
  let max = 0;
  for (const m of text.matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

export interface WarmUpResult {
  /** Connections the pool holds after the warm-up. */
  connections: number;
  /** Statements planned on each of them. */
  statements: number;
  /** Statements PostgreSQL refused to plan (a bug in the statement's text; logged by the caller). */
  failed: { text: string; error: string }[];
}

/**
 * Opens every connection of the pool at once (each a separate client, so the pool grows to its size) and plans each
 * hot statement on each. A statement that cannot be planned is reported, not thrown: the server still starts, and the
 * request that runs it fails as it would have.
 */
export async function warmPool(ds: DataSource, statements = hotStatements()): Promise<WarmUpResult> {
  const pool = pgPool(ds);
  const failed = new Map<string, string>();
  // All at once: a client released before the next is asked for would be handed out again.
  const opened = await Promise.allSettled(Array.from({ length: pool.options.max }, () => pool.connect()));
  const clients = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
  try {
    await Promise.all(
      clients.map(async (client) => {
        for (const text of statements) {
          await client.query(`EXPLAIN ${text}`, new Array(parameterCount(text)).fill(null)).catch((err: Error) => failed.set(text, err.message));
        }
      }),
    );
  } finally {
    for (const client of clients) client.release();
  }
  const refused = opened.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (refused) throw refused.reason;
  return { connections: pool.totalCount, statements: statements.length, failed: [...failed].map(([text, error]) => ({ text, error })) };
}
