/**
 * Lists the SQL statements of W1 cycles, per operation, in process (a development aid, not a workload): starts a
 * test server, runs `--seed=N` cycles, then traces `--cycles=M` more, printing each distinct statement with its
 * count per operation kind.
 */
import "reflect-metadata";
import pg from "pg";
import { startTestServer } from "../test/helpers/server.js";
import { Annotator } from "../test/helpers/annotator.js";

const args = process.argv.slice(2);
const num = (k: string, d: number) => Number(args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d);

let current: string | null = null;
const counts = new Map<string, Map<string, number>>();
const ops = new Map<string, number>();
const orig = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (this: unknown, ...a: unknown[]) {
  if (current) {
    const q = a[0] as string | { text: string };
    const text = (typeof q === "string" ? q : q.text).replace(/\s+/g, " ").slice(0, 160);
    const m = counts.get(current) ?? new Map<string, number>();
    m.set(text, (m.get(text) ?? 0) + 1);
    counts.set(current, m);
  }
  return orig.apply(this, a);
};

async function main() {
  const server = await startTestServer();
  const { key } = await server.createClient({ trusted: true });
  const users = Array.from({ length: 20 }, (_, i) => new Annotator(server.url, key, `tracer${i}`));
  const cycle = async (u: Annotator, traced: boolean) => {
    const set = (k: string) => {
      if (traced) {
        current = k;
        ops.set(k, (ops.get(k) ?? 0) + 1);
      }
    };
    set("request");
    const r = await u.request();
    if (r.errors || !r.data) {
      current = null;
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
  };
  for (let i = 0; i < num("seed", 300); i++) await cycle(users[i % users.length], false);
  for (let i = 0; i < num("cycles", 60); i++) await cycle(users[i % users.length], true);
  let total = 0;
  for (const [op, m] of counts) {
    const n = ops.get(op)!;
    const sum = [...m.values()].reduce((a, b) => a + b, 0);
    total += sum;
    console.log(`\n== ${op}: ${n} times, ${(sum / n).toFixed(2)} statements each`);
    for (const [t, c] of [...m].sort((a, b) => b[1] - a[1])) console.log(`  ${(c / n).toFixed(2)}  ${t}`);
  }
  console.log(`\nper cycle: ${(total / num("cycles", 60)).toFixed(2)}`);
  await server.stop();
  process.exit(0);
}
void main();
