import { Client } from "pg";
import type { DataSource } from "typeorm";
import type { Logger } from "pino";

/** Arbitrary but fixed: every replica takes the same advisory lock, so only one migrates at a time. */
export const MIGRATION_LOCK_KEY = 724_100_001;

/**
 * Runs pending migrations while holding a session-level advisory lock on a separate connection.
 * Replicas that start together queue on the lock; the first migrates, the others find nothing to do.
 * Returns the names of the migrations this process applied.
 */
export async function migrateWithLock(ds: DataSource, url: string, log?: Logger): Promise<string[]> {
  const lockClient = new Client({ connectionString: url, application_name: "chorus-migrate-lock" });
  await lockClient.connect();
  try {
    await lockClient.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    log?.debug("migration lock acquired");
    const applied = await ds.runMigrations({ transaction: "each" });
    for (const m of applied) log?.info({ migration: m.name }, "migration applied");
    return applied.map((m) => m.name);
  } finally {
    await lockClient.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockClient.end().catch(() => undefined);
  }
}
