import crypto from "node:crypto";
import type { DataSource } from "typeorm";

/** Returns the named secret, creating it once (the first replica to ask wins; the others read it). */
export async function loadOrCreateSecret(ds: DataSource, name: string): Promise<string> {
  await ds.query(`INSERT INTO system_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, crypto.randomBytes(48).toString("base64url")]);
  const rows: { value: string }[] = await ds.query(`SELECT value FROM system_secret WHERE name = $1`, [name]);
  return rows[0].value;
}
