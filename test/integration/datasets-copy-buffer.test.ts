/**
 * The import's COPY rows are encoded into chunks as they come (copy.ts): rows that cross a chunk's end, a row
 * larger than any chunk, characters of two, three and four bytes of UTF-8 and the escaped characters all arrive in
 * PostgreSQL exactly as added.
 */
import { expect } from "chai";
import { Client } from "pg";
import type { QueryRunner } from "typeorm";
import { baseDatabaseUrl } from "../helpers/database.js";
import { CopyBuffer } from "../../src/modules/datasets/copy.js";

describe("datasets: CopyBuffer", function () {
  this.timeout(60_000);
  let client: Client;
  const qr = () => ({ databaseConnection: client }) as unknown as QueryRunner;
  before(async () => {
    client = new Client({ connectionString: baseDatabaseUrl() });
    await client.connect();
    await client.query(`CREATE TEMP TABLE copied (n int, t text)`);
  });
  after(async () => {
    await client.end();
  });

  it("sends every row as added, across chunks, with a row larger than a chunk among them", async () => {
    const texts: string[] = [];
    for (let i = 0; i < 30_000; i++) texts.push(`row ${i} é€😀 tab\there, line\nbreak, back\\slash ${"x".repeat(i % 97)}`);
    texts[12_345] = "大".repeat(1_500_000) + "\u{1F600}".repeat(10);
    const copy = new CopyBuffer("copied", ["n", "t"]);
    texts.forEach((t, i) => copy.add([i, t]));
    expect(copy.rows).to.equal(texts.length);
    await copy.send(qr());
    const { rows } = await client.query(`SELECT n, t FROM copied ORDER BY n`);
    expect(rows.length).to.equal(texts.length);
    for (const r of rows as { n: number; t: string }[]) if (r.t !== texts[r.n]) expect(r.t, `row ${r.n}`).to.equal(texts[r.n]);
  });

  it("sends nothing when no row was added", async () => {
    await client.query(`TRUNCATE copied`);
    await new CopyBuffer("copied", ["n", "t"]).send(qr());
    expect((await client.query(`SELECT count(*)::int AS n FROM copied`)).rows[0].n).to.equal(0);
  });
});
