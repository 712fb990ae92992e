import crypto from "node:crypto";
import { Client } from "pg";
import { testEnvironment } from "../../src/config/index.js";

/** A throw-away database on the test PostgreSQL (DATABASE_URL), dropped by `drop()`. */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export function baseDatabaseUrl(): string {
  return testEnvironment().databaseUrl;
}

export function testRedisUrl(): string {
  return testEnvironment().redisUrl;
}

/** `template`: a copy of that database (which nobody may be connected to meanwhile). */
export async function createTestDatabase(prefix = "chorus_t", template?: string): Promise<TestDatabase> {
  const name = `${prefix}_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new Client({ connectionString: baseDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseDatabaseUrl());
  url.pathname = "/" + name;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: baseDatabaseUrl() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
