import { DataSource } from "typeorm";
import { ENTITIES } from "./entities.js";
import { MIGRATIONS } from "../../migrations/index.js";
import { QueryCounter } from "./query-counter.js";
import { applyOperationBudgets } from "./operation-budget.js";

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
  /** Counts every statement sent (see QueryCounter). */
  queryCounter?: QueryCounter;
  /**
   * Connections the pool keeps open however long they sit idle (pg-pool's `min`; others close after 10 s idle). An
   * API server keeps its whole pool (src/db/pool-warm-up.ts), so a burst after a quiet spell finds its connections
   * open and their backends' caches filled; default 0, as before, for the CLI and tools.
   */
  minConnections?: number;
}

/** A DataSource on `url`. Never synchronizes: the schema comes from migrations/ only. */
export function createDataSource(opts: DataSourceOptions): DataSource {
  const ds = new DataSource({
    type: "postgres",
    url: opts.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: "migrations",
    migrationsTransactionMode: "each",
    synchronize: false,
    uuidExtension: "pgcrypto",
    poolSize: opts.poolSize ?? 10,
    applicationName: opts.applicationName ?? "chorus",
    logging: opts.queryCounter ? ["query", "error"] : false,
    ...(opts.queryCounter ? { logger: opts.queryCounter } : {}),
    extra: {
      connectionTimeoutMillis: 5000,
      min: opts.minConnections ?? 0,
      // The working set (active trees) is small and cached; with the stock random_page_cost of 4 the planner
      // scans the whole message table instead of following the tree index (5x slower at 10,000 trees).
      // JIT off: the task draw's statements carry a large estimated cost for a branch that rarely runs (the exact
      // count-and-offset over a whole pool), which passes PostgreSQL's JIT thresholds once the pools are big. Every
      // run planned with its values (an unnamed query; a prepared one's first runs on each connection) was then
      // compiled: 1.5-3.3 s of CPU per statement at 100,000 trees where the statement itself ran in milliseconds
      // (issue 14). None of Chorus's statements gains from it.
      options: "-c random_page_cost=1.1 -c jit=off",
    },
  });
  // GraphQL operations hold a bounded share of the pool (src/db/operation-budget.ts); other work is unchanged.
  applyOperationBudgets(ds);
  return ds;
}
