/**
 * The migration list (migrations/index.ts) as TypeORM runs it: it orders migrations by the timestamp at the end of
 * each class name and records each by name, so two branches that each add a migration with the same timestamp (as
 * happened when two were merged on one day) would run in an order nobody chose. Every file in migrations/ must be
 * listed, named after its file, with a timestamp of its own (the list's own order does not matter: TypeORM sorts).
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { MIGRATIONS } from "../../migrations/index.js";

const DIR = path.resolve(__dirname, "..", "..", "..", "migrations");

function timestampOf(name: string): number {
  const m = /(\d{13})$/.exec(name);
  if (!m) throw new Error(`migration ${name} does not end in a 13-digit timestamp`);
  return Number(m[1]);
}

describe("migration list", () => {
  const names = MIGRATIONS.map((m) => (m as { name: string }).name);

  it("lists every migration file once, each class named after its file", () => {
    const files = fs
      .readdirSync(DIR)
      .filter((f) => /^\d{13}-.+\.ts$/.test(f))
      .map((f) => {
        const [, ts, label] = /^(\d{13})-(.+)\.ts$/.exec(f) as RegExpExecArray;
        return `${label}${ts}`;
      });
    expect([...names].sort()).to.deep.equal([...files].sort());
  });

  it("gives every migration a timestamp of its own", () => {
    const stamps = names.map(timestampOf);
    expect(new Set(stamps).size, "two migrations share a timestamp").to.equal(stamps.length);
  });
});
