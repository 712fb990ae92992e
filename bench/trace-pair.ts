/**
 * W1 cycles traced per statement on two databases at once, cycle by cycle in turn (a development aid, like
 * trace-cycle.ts, whose tracing it shares): a fresh seed database (`--seed=N` cycles first) and an existing one
 * (`--db=NAME`, e.g. 100,000 restored trees; left in place and changed by the cycles). Alternating the cycles puts
 * the machine's changing load on both sides alike, so their statements' costs compare. For each side it prints
 * the backend CPU per cycle and per statement (from /proc/PID/schedstat), the statements' buffer hits and reads and
 * the written tables' updates, HOT or not (pg_stat_database, pg_statio_user_tables and pg_stat_user_tables,
 * before and after the traced cycles), and the handed-out task mix. `--cycles=M` traced cycles per side.
 */
import "reflect-metadata";
import fs from "node:fs";
import pg from "pg";
import { startTestServer, type TestServer } from "../test/helpers/server.js";
import { baseDatabaseUrl } from "../test/helpers/database.js";
import { Annotator } from "../test/helpers/annotator.js";

const args = process.argv.slice(2);
const num = (k: string, d: number) => Number(args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d);
const existing = args.find((a) => a.startsWith("--db="))?.slice("--db=".length);
if (!existing) throw new Error("--db=NAME is required");

/** Per database: statement → [count, backend µs]. */
const stats = new Map<string, Map<string, [number, number]>>();
let tracing = false;
function backendNs(pid: number | undefined): number {
  try {
    return pid ? Number(fs.readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) : 0;
  } catch {
    return 0;
  }
}
const orig = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (this: unknown, ...a: unknown[]) {
  if (!tracing) return orig.apply(this, a);
  const self = this as { processID?: number; database?: string };
  const q = a[0] as string | { text: string };
  const text = (typeof q === "string" ? q : q.text).replace(/\s+/g, " ").slice(0, 150);
  const db = self.database ?? "?";
  const pid = self.processID;
  const t0 = backendNs(pid);
  const out = orig.apply(this, a);
  const add = () => {
    const m = stats.get(db) ?? new Map<string, [number, number]>();
    const e = m.get(text) ?? [0, 0];
    e[0] += 1;
    e[1] += (backendNs(pid) - t0) / 1000;
    m.set(text, e);
    stats.set(db, m);
  };
  if (out && typeof (out as Promise<unknown>).then === "function") void (out as Promise<unknown>).then(add, () => undefined);
  return out;
};

const TABLES = `SELECT s.relname, s.n_tup_upd, s.n_tup_hot_upd, s.n_tup_ins, io.heap_blks_read, io.heap_blks_hit, io.idx_blks_read, io.idx_blks_hit
  FROM pg_stat_user_tables s JOIN pg_statio_user_tables io USING (relid)`;
type Snap = { db: { blks_read: number; blks_hit: number }; tables: Map<string, number[]> };
async function snapshot(url: string): Promise<Snap> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`SELECT pg_stat_force_next_flush()`);
  await new Promise((r) => setTimeout(r, 1200)); // the servers' backends flush their counters at most once a second
  const db = (await c.query(`SELECT blks_read::float8, blks_hit::float8 FROM pg_stat_database WHERE datname = current_database()`)).rows[0];
  const rows = (await c.query(TABLES)).rows as Record<string, string>[];
  await c.end();
  return { db, tables: new Map(rows.map((r) => [r.relname, Object.values(r).slice(1).map(Number)])) };
}

async function main() {
  const url = new URL(baseDatabaseUrl());
  url.pathname = "/" + existing;
  const env = { RATE_LIMIT_TASK_USER: "1000000/240" };
  const seed = await startTestServer(env);
  const big = await startTestServer({ ...env, DATABASE_URL: url.toString() });
  const sides: { name: string; server: TestServer; url: string; users: Annotator[]; mix: Map<string, number> }[] = [];
  for (const [name, server, dbUrl] of [
    ["seed", seed, seed.db.url],
    ["big", big, url.toString()],
  ] as const) {
    const { key } = await server.createClient({ trusted: true });
    sides.push({ name, server, url: dbUrl, users: Array.from({ length: 20 }, (_, i) => new Annotator(server.url, key, `tracer${i}`)), mix: new Map() });
  }
  const dbName = (u: string) => new URL(u).pathname.slice(1);
  const cycle = async (side: (typeof sides)[number], i: number) => {
    const u = side.users[i % side.users.length];
    const r = await u.request();
    if (r.errors || !r.data) return;
    const task = r.data.requestTask;
    side.mix.set(task.__typename, (side.mix.get(task.__typename) ?? 0) + 1);
    const s = await u.complete(task);
    if (s.errors) throw new Error(JSON.stringify(s.errors));
  };
  for (let i = 0; i < num("seed", 3000); i++) await cycle(sides[0], i);
  // as warm as the seed's side: the same number of untimed cycles on the big side
  for (let i = 0; i < num("warm", 1000); i++) await cycle(sides[1], i);
  for (const s of sides) s.mix.clear();
  const before = await Promise.all(sides.map((s) => snapshot(s.url)));
  const n = num("cycles", 600);
  tracing = true;
  for (let i = 0; i < n; i++) for (const s of sides) await cycle(s, i);
  tracing = false;
  const after = await Promise.all(sides.map((s) => snapshot(s.url)));
  sides.forEach((side, k) => {
    const m = stats.get(dbName(side.url)) ?? new Map<string, [number, number]>();
    const totalUs = [...m.values()].reduce((a, e) => a + e[1], 0);
    const totalN = [...m.values()].reduce((a, e) => a + e[0], 0);
    const b = before[k];
    const a = after[k];
    console.log(
      `\n=== ${side.name} (${dbName(side.url)}): ${n} cycles, ${(totalN / n).toFixed(2)} statements, ${(totalUs / n).toFixed(0)} µs backend CPU per cycle;` +
        ` buffers per cycle: hit ${((a.db.blks_hit - b.db.blks_hit) / n).toFixed(1)}, read ${((a.db.blks_read - b.db.blks_read) / n).toFixed(2)}`,
    );
    console.log(`mix: ${JSON.stringify(Object.fromEntries(side.mix))}`);
    console.log(`table: upd/cycle hot/cycle ins/cycle heap read/hit idx read/hit (per cycle)`);
    for (const [t, v] of a.tables) {
      const d = v.map((x, j) => (x - (b.tables.get(t)?.[j] ?? 0)) / n);
      if (d.every((x) => x === 0)) continue;
      console.log(`  ${t.padEnd(22)} ${d.map((x) => x.toFixed(2).padStart(7)).join(" ")}`);
    }
    for (const [t, e] of [...m].sort((x, y) => y[1][1] - x[1][1]).slice(0, 30)) {
      console.log(`  ${(e[0] / n).toFixed(2)} ${(e[1] / n).toFixed(0).padStart(5)} µs/cycle ${(e[1] / e[0]).toFixed(0).padStart(5)} µs each  ${t}`);
    }
  });
  await big.stop(); // drops its unused test database, not --db
  await seed.stop();
  process.exit(0);
}
void main();
