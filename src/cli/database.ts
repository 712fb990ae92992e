/** The database every command of the command line works on (src/cli.ts). */
import pino from "pino";
import type { DataSource } from "typeorm";
import type { Config } from "../config/index.js";
import { createDataSource } from "../db/data-source.js";
import { startEmbeddedPostgres } from "../db/embedded.js";
import { migrateWithLock } from "../db/migrate.js";
import { Role } from "../modules/users/role.js";
import { internalRequestContext, type RequestContext } from "../common/request-context.js";
import { IdentityChangeOutbox, type IdentityChangeSink } from "../server/identity-events.js";

/**
 * Opens the configured database (starting the embedded one when DATABASE_URL is unset), migrated. Identity changes
 * the command announces (a revoked key, a changed role) are published on Redis afterwards when REDIS_URL is set,
 * so running servers close the affected sockets at once; without it they do at their next periodic re-check.
 */
export async function withDatabase<T>(config: Config, fn: (ds: DataSource, identityChanged: IdentityChangeSink, rc: RequestContext) => Promise<T>): Promise<T> {
  const log = pino({ level: config.logLevel === "info" ? "warn" : config.logLevel }, pino.destination(2));
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
  const url = config.databaseUrl ?? embedded!.url;
  const ds = createDataSource({ url, poolSize: 2, applicationName: "chorus-cli" });
  await ds.initialize();
  const outbox = new IdentityChangeOutbox();
  try {
    await migrateWithLock(ds, url, log);
    // The operator at the command line administers the whole system (docs/architecture.md, "The request context").
    const result = await fn(ds, outbox.announce, internalRequestContext("cli", log, Role.ADMIN));
    if (!(await outbox.flush(config.redisUrl, config.redisKeyPrefix))) {
      process.stderr.write("chorus: Redis could not be reached to announce the change; running servers apply it within IDENTITY_RECHECK_SECONDS\n");
    }
    return result;
  } finally {
    await ds.destroy();
    await embedded?.stop();
  }
}
