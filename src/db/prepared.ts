import crypto from "node:crypto";
import type { DataSource, EntityManager } from "typeorm";

/** Statement names by text (the texts are the code's own, so few; bounded all the same). */
const NAMES = new Map<string, string>();

type PgClient = { query<T>(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }> };

/**
 * A statement run as a named prepared statement: PostgreSQL parses and plans it once per connection (and keeps a
 * generic plan when it is no worse), where TypeORM's unnamed queries are parsed and planned on every call. For the
 * fixed, hot statements of every request. Like TypeORM's own queries it is counted (the data source's logger), runs
 * in the manager's transaction when it has one, and otherwise takes its connection through the driver, so the
 * operation's connection budget and statement timeout apply (src/db/operation-budget.ts).
 */
export async function preparedQuery<T>(target: DataSource | EntityManager, text: string, values: unknown[]): Promise<T[]> {
  let name = NAMES.get(text);
  if (!name) {
    name = `chorus_${crypto.createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    if (NAMES.size < 1000) NAMES.set(text, name);
  }
  const ds: DataSource = (target as EntityManager).connection ?? (target as DataSource);
  ds.logger.logQuery(text, values);
  const runner = (target as EntityManager).queryRunner;
  if (runner && !runner.isReleased) {
    const client = (await runner.connect()) as PgClient;
    return (await client.query<T>({ name, text, values })).rows;
  }
  const [client, release] = await (ds.driver as unknown as { obtainMasterConnection(): Promise<[PgClient, () => void]> }).obtainMasterConnection();
  try {
    return (await client.query<T>({ name, text, values })).rows;
  } finally {
    release();
  }
}
