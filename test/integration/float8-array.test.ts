/**
 * The binary float8[] parameter (src/db/float8-array.ts) reaches PostgreSQL as the same doubles the driver's text
 * form gives, bit for bit: a random draw's tries must pick the same slots either way.
 */
import { expect } from "chai";
import pg from "pg";
import { baseDatabaseUrl } from "../helpers/database.js";
import { float8Array } from "../../src/db/float8-array.js";

describe("float8Array: a binary float8[] parameter", () => {
  let client: pg.Client;
  before(async () => {
    client = new pg.Client({ connectionString: baseDatabaseUrl() });
    await client.connect();
  });
  after(async () => {
    await client.end();
  });

  it("equals the driver's text form of the same numbers, element by element, with their order and length", async () => {
    const values = [0, 0.5, 1 - Number.EPSILON / 2, Number.MIN_VALUE, -2.5e-300, 123456789.123, 0.1 + 0.2];
    for (let i = 0; i < 64; i++) values.push(Math.random());
    // The same statement both ways: named and prepared, as the draw sends it.
    const q = { name: "float8_array_test", text: "SELECT $1::float8[] = $2::float8[] AS same, cardinality($1::float8[]) AS n, ($1::float8[])[2] AS second" };
    const { rows } = await client.query({ ...q, values: [float8Array(values), values] });
    expect(rows[0]).to.deep.equal({ same: true, n: values.length, second: 0.5 });
    const bits = await client.query(`SELECT array_agg(float8send(u)::text ORDER BY o) AS b FROM unnest($1::float8[]) WITH ORDINALITY t(u, o)`, [
      float8Array(values),
    ]);
    const expected = values.map((v) => {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(v);
      return `\\x${b.toString("hex")}`;
    });
    expect(bits.rows[0].b).to.deep.equal(expected);
  });

  it("an empty list is an empty array", async () => {
    const { rows } = await client.query(`SELECT cardinality($1::float8[]) AS n`, [float8Array([])]);
    expect(rows[0].n).to.equal(0);
  });
});
