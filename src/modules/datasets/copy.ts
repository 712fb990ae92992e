/**
 * Rows into PostgreSQL with `COPY ... FROM STDIN` (text format) through pg-copy-streams: one statement per table
 * and batch, no parameter arrays to build and parse, which is what an import spends its client CPU on otherwise.
 */
import { once } from "node:events";
import type { PoolClient } from "pg";
import type { QueryRunner } from "typeorm";
import { from as copyFrom } from "pg-copy-streams";

export type CopyValue = string | number | boolean | null | undefined;

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** One value in COPY's text format: `\N` for null, backslash escapes for the four characters that need them. */
export function copyText(v: CopyValue): string {
  if (v === null || v === undefined) return "\\N";
  if (typeof v === "string") return SPECIAL.test(v) ? v.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : v;
  if (typeof v === "boolean") return v ? "t" : "f";
  return String(v);
}

/** Collects rows for one table and sends them in one COPY. */
export class CopyBuffer {
  private chunks: string[] = [];
  private current = "";
  rows = 0;

  constructor(
    readonly table: string,
    readonly columns: readonly string[],
  ) {}

  add(values: readonly CopyValue[]): void {
    let line = "";
    for (let i = 0; i < values.length; i++) line += (i === 0 ? "" : "\t") + copyText(values[i]);
    this.addLine(line + "\n");
  }

  /** A row already in COPY's text format (values escaped with copyText, tab-separated, ending in a newline). */
  addLine(line: string): void {
    this.current += line;
    // Strings of about 64 KB: few writes, and no single string large enough to matter.
    if (this.current.length >= 65_536) {
      this.chunks.push(this.current);
      this.current = "";
    }
    this.rows += 1;
  }

  /** Sends the rows (nothing when there are none) on the query runner's own connection, inside its transaction. */
  async send(qr: QueryRunner): Promise<void> {
    if (this.rows === 0) return;
    if (this.current) this.chunks.push(this.current);
    this.current = "";
    const client = (qr as unknown as { databaseConnection: PoolClient }).databaseConnection;
    const stream = client.query(copyFrom(`COPY ${this.table} (${this.columns.join(", ")}) FROM STDIN`));
    const failed = new Promise<never>((_, reject) => stream.once("error", reject));
    failed.catch(() => undefined);
    for (const chunk of this.chunks) {
      if (!stream.write(chunk, "utf8")) await Promise.race([once(stream, "drain"), failed]);
    }
    this.chunks = [];
    stream.end();
    await Promise.race([once(stream, "finish"), failed]);
  }
}
