/**
 * Lists the SQL statements of W1 cycles, per operation, in process (a development aid, not a workload): starts a
 * test server, runs `--seed=N` cycles, then traces `--cycles=M` more, printing each distinct statement with its
 * count per operation kind and the PostgreSQL backend's CPU time it took (from /proc/PID/schedstat, in µs).
 * `--keep` leaves the database in place. `--db=NAME` traces on an existing database instead (e.g. one with 10,000
 * restored trees, to compare a statement's cost with the seed's); NAME is left in place and changed by the cycles.
 * At the end, the cycles by the type of the task handed out (its request, ack and submission): their share,
 * statements, PostgreSQL CPU and this process's CPU per cycle of that type. This process is the server and the
 * load client together (`process.cpuUsage`, cycles run one at a time), so its figure is the server's plus the
 * client's share of a request, which is about the same for every type: differences between types are the server's.
 */
import "reflect-metadata";
import fs from "node:fs";
import pg from "pg";
import { startTestServer } from "../test/helpers/server.js";
import { baseDatabaseUrl } from "../test/helpers/database.js";
import { Annotator } from "../test/helpers/annotator.js";

const args = process.argv.slice(2);
const num = (k: string, d: number) => Number(args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d);

let current: string | null = null;
const counts = new Map<string, Map<string, number>>();
/** Backend CPU µs per operation kind and statement. */
const cpu = new Map<string, Map<string, number>>();
/** A backend's CPU time so far in ns (0 when it cannot be read). */
function backendNs(pid: number | undefined): number {
  try {
    return pid ? Number(fs.readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) : 0;
  } catch {
    return 0;
  }
}
const ops = new Map<string, number>();
/** The traced cycle under way: its statements and their backend CPU (µs), added as each statement answers. */
let cycleNow: { statements: number; pgUs: number } | null = null;
/** Per task type handed out: cycles, statements, PostgreSQL µs, this process's CPU µs. */
const byType = new Map<string, { n: number; statements: number; pgUs: number; nodeUs: number }>();
/** The server's connections seen while tracing (for `--plans`). */
const clients = new Set<pg.Client>();
const orig = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (this: unknown, ...a: unknown[]) {
  if (current) {
    clients.add(this as pg.Client);
    const q = a[0] as string | { text: string };
    const text = (typeof q === "string" ? q : q.text).replace(/\s+/g, " ").slice(0, 160);
    const m = counts.get(current) ?? new Map<string, number>();
    m.set(text, (m.get(text) ?? 0) + 1);
    counts.set(current, m);
    const op = current;
    const inCycle = cycleNow;
    if (inCycle) inCycle.statements++;
    const pid = (this as { processID?: number }).processID;
    const t0 = backendNs(pid);
    const out = orig.apply(this, a);
    if (out && typeof (out as Promise<unknown>).then === "function") {
      void (out as Promise<unknown>).then(
        () => {
          const c = cpu.get(op) ?? new Map<string, number>();
          const us = (backendNs(pid) - t0) / 1000;
          c.set(text, (c.get(text) ?? 0) + us);
          cpu.set(op, c);
          if (inCycle) inCycle.pgUs += us;
        },
        () => undefined,
      );
    }
    return out;
  }
  return orig.apply(this, a);
};

async function main() {
  const existing = args.find((a) => a.startsWith("--db="))?.slice("--db=".length);
  const dbEnv: Record<string, string> = {};
  if (existing) {
    const url = new URL(baseDatabaseUrl());
    url.pathname = "/" + existing;
    dbEnv.DATABASE_URL = url.toString();
  }
  // as the bench runs it: the per-user limit is raised, so the seed and the traced cycles are never throttled
  const server = await startTestServer({ ...dbEnv, RATE_LIMIT_TASK_USER: "1000000/240" });
  const { key } = await server.createClient({ trusted: true });
  const users = Array.from({ length: 20 }, (_, i) => new Annotator(server.url, key, `tracer${i}`));
  const cycle = async (u: Annotator, traced: boolean) => {
    const set = (k: string) => {
      if (traced) {
        current = k;
        ops.set(k, (ops.get(k) ?? 0) + 1);
      }
    };
    const cpu0 = process.cpuUsage();
    if (traced) cycleNow = { statements: 0, pgUs: 0 };
    set("request");
    const r = await u.request();
    if (r.errors || !r.data) {
      current = null;
      cycleNow = null;
      return;
    }
    const task = r.data.requestTask;
    set(`ack`);
    const { res: ackRes, frontendMessageId } = await u.ack(task.id);
    if (ackRes.errors) throw new Error(JSON.stringify(ackRes.errors));
    set(`submit ${task.__typename}`);
    // as Annotator.complete, minus the ack
    const restOf = Object.create(u) as Annotator;
    restOf.ack = async () => ({ res: ackRes, frontendMessageId });
    const s = await restOf.complete(task);
    if (s.errors) throw new Error(JSON.stringify(s.errors));
    current = null;
    if (cycleNow) {
      const d = process.cpuUsage(cpu0);
      const t = byType.get(task.__typename) ?? { n: 0, statements: 0, pgUs: 0, nodeUs: 0 };
      t.n++;
      t.statements += cycleNow.statements;
      t.pgUs += cycleNow.pgUs;
      t.nodeUs += d.user + d.system;
      byType.set(task.__typename, t);
      cycleNow = null;
    }
  };
  for (let i = 0; i < num("seed", 300); i++) await cycle(users[i % users.length], false);
  for (let i = 0; i < num("cycles", 60); i++) await cycle(users[i % users.length], true);
  let total = 0;
  let totalUs = 0;
  for (const [op, m] of counts) {
    const n = ops.get(op)!;
    const sum = [...m.values()].reduce((a, b) => a + b, 0);
    total += sum;
    const us = cpu.get(op) ?? new Map<string, number>();
    const usSum = [...us.values()].reduce((a, b) => a + b, 0);
    totalUs += usSum;
    console.log(`\n== ${op}: ${n} times, ${(sum / n).toFixed(2)} statements and ${(usSum / n).toFixed(0)} µs of PostgreSQL CPU each`);
    for (const [t, c] of [...m].sort((a, b) => b[1] - a[1])) console.log(`  ${(c / n).toFixed(2)}  ${((us.get(t) ?? 0) / n).toFixed(0).padStart(5)} µs  ${t}`);
  }
  console.log(`\nper cycle: ${(total / num("cycles", 60)).toFixed(2)} statements, ${(totalUs / num("cycles", 60)).toFixed(0)} µs of PostgreSQL CPU`);
  const cycles = [...byType.values()].reduce((a, t) => a + t.n, 0);
  console.log("\n== cycles by task type: share, statements, µs of PostgreSQL CPU, µs of this process's CPU (server + client), sum");
  for (const [type, t] of [...byType].sort((a, b) => b[1].n - a[1].n)) {
    const f = (v: number) => (v / t.n).toFixed(0).padStart(6);
    console.log(
      `  ${type.padEnd(26)} ${((100 * t.n) / cycles).toFixed(1).padStart(5)} %  ${(t.statements / t.n).toFixed(2).padStart(5)}  ${f(t.pgUs)}  ${f(t.nodeUs)}  ${f(t.pgUs + t.nodeUs)}`,
    );
  }
  if (args.includes("--plans")) {
    // How PostgreSQL planned each prepared statement on the connections the traced cycles used: a statement with
    // custom plans only is planned again on every call.
    const plans = new Map<string, { generic: number; custom: number }>();
    for (const c of clients) {
      const res = (await (orig.apply(c, [`SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements`]) as Promise<unknown>).catch(() => ({
        rows: [], // a connection the pool has closed since
      }))) as { rows: { statement: string; generic_plans: string; custom_plans: string }[] };
      for (const r of res.rows) {
        const text = r.statement.replace(/\s+/g, " ").slice(0, 160);
        const p = plans.get(text) ?? { generic: 0, custom: 0 };
        p.generic += Number(r.generic_plans);
        p.custom += Number(r.custom_plans);
        plans.set(text, p);
      }
    }
    console.log("\n== prepared statements: generic plans / custom plans (all connections)");
    for (const [t, p] of [...plans].sort((x, y) => y[1].custom - x[1].custom))
      console.log(`  ${String(p.generic).padStart(6)} ${String(p.custom).padStart(6)}  ${t}`);
  }
  if (args.includes("--keep")) {
    // the database stays (to explain its statements by hand); the server goes
    await server.chorus.stop();
    console.log(`kept database ${server.db.name}`);
  } else {
    await server.stop();
  }
  process.exit(0);
}
void main();
