/**
 * Writes a migration with the SQL that brings a database migrated to the current head up to the entities.
 * Usage: npm run migration:generate -- <Name>. Runs on a throw-away database it creates and drops itself;
 * read the result, then add the class to migrations/index.ts.
 */
import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { createDataSource } from "../db/data-source.js";
import { pendingSchemaChanges } from "./migration-diff.js";
import { testEnvironment } from "../config/index.js";

async function main() {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error("usage: generate-migration <PascalCaseName>");
  const base = testEnvironment().databaseUrl;
  const dbName = `chorus_gen_${Date.now()}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(base);
  url.pathname = "/" + dbName;
  const ds = createDataSource({ url: url.toString(), poolSize: 2 });
  try {
    await ds.initialize();
    await ds.runMigrations();
    const { up, down } = await pendingSchemaChanges(ds);
    if (up.length === 0) {
      console.log("no changes: the migrations already match the entities");
      return;
    }
    const ts = Date.now();
    const cls = `${name}${ts}`;
    const q = (s: string) => "`" + s.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${") + "`";
    const body = `import type { MigrationInterface, QueryRunner } from "typeorm";

export class ${cls} implements MigrationInterface {
  name = "${cls}";

  public async up(queryRunner: QueryRunner): Promise<void> {
${up.map((s) => `    await queryRunner.query(${q(s)});`).join("\n")}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down
  .reverse()
  .map((s) => `    await queryRunner.query(${q(s)});`)
  .join("\n")}
  }
}
`;
    const file = path.join(process.cwd(), "migrations", `${ts}-${name}.ts`);
    fs.writeFileSync(file, body);
    console.log(`wrote ${file}; add ${cls} to migrations/index.ts`);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
