import { DataSource } from "typeorm";
import { ENTITIES } from "./entities.js";
import { MIGRATIONS } from "../../migrations/index.js";
import { QueryCounter } from "./query-counter.js";

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
  /** Counts every statement sent (see QueryCounter). */
  queryCounter?: QueryCounter;
}

/** A DataSource on `url`. Never synchronizes: the schema comes from migrations/ only. */
export function createDataSource(opts: DataSourceOptions): DataSource {
  return new DataSource({
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
    extra: { connectionTimeoutMillis: 5000 },
  });
}
