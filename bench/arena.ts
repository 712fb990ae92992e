/**
 * `npm run bench -- arena [--quick] [--battles N] [--models K]`: the model leaderboard's recompute at 100,000
 * counted battles between 50 models (the size). Generates the battles in SQL with a fixed seed (strengths
 * spread over ±2, outcomes drawn from the Bradley–Terry probabilities, a tenth of them ties) on a fresh migrated
 * database named arena_bench_*, then times, three times each: the tally query, the fit alone, the fit with the
 * bootstrap (ARENA_BOOTSTRAP_SAMPLES = 200, the default), and the whole recompute as the periodic job runs it
 * (tally, fit, bootstrap, store). Reports CPU per operation of this process and of its PostgreSQL backend (from
 * /proc), and wall time; on a shared machine the CPU figures are the steadier ones.
 */
import "reflect-metadata";
import fs from "node:fs";
import pino from "pino";
import type { DataSource } from "typeorm";
import { createTestDatabase } from "../test/helpers/database.js";
import { createDataSource } from "../src/db/data-source.js";
import { migrateWithLock } from "../src/db/migrate.js";
import { createPubSubHandle } from "../src/infra/pubsub.js";
import { createRng } from "../src/db/random.js";
import { loadConfig } from "../src/config/index.js";
import { ArenaService } from "../src/modules/arena/arena.service.js";
import { computeLeaderboard } from "../src/modules/arena/leaderboard.js";
import { internalRequestContext } from "../src/common/request-context.js";
import { Role } from "../src/modules/users/role.js";
import type { ChatService } from "../src/modules/chat/chat.service.js";
import type { WorkerService } from "../src/modules/workers/worker.service.js";
import type { RateLimiter } from "../src/infra/rate-limit.js";
import { cpuMsOfPid } from "./proc.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const argOf = (name: string) => (args.indexOf(name) >= 0 ? Number(args[args.indexOf(name) + 1]) : null);
const BATTLES = argOf("--battles") ?? (quick ? 10_000 : 100_000);
const MODELS = argOf("--models") ?? 50;
const REPEATS = 3;

const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function generate(ds: DataSource): Promise<void> {
  await ds.query(`SELECT setseed(0.16)`);
  // Strength of model i: evenly spread over [-2, 2]; each battle draws two different models and an outcome with
  // E[score of A] = σ(s_a − s_b), a tenth of the probability mass as ties.
  await ds.query(
    `INSERT INTO arena_battle (id, user_id, chat_id, model_a, model_b, source, winner, voted_at, counted, answers_a, answers_b)
     SELECT md5('b' || n)::uuid, NULL, NULL, 'model-' || lpad(a::text, 2, '0'), 'model-' || lpad(b::text, 2, '0'), 'IMPORT',
            CASE WHEN r < 0.1 THEN 'TIE' WHEN r < 0.1 + 0.9 * p THEN 'A' ELSE 'B' END,
            now() - (n || ' seconds')::interval, true, '{}', '{}'
       FROM (SELECT n, a, b, random() AS r, 1 / (1 + exp((-4.0 * b / ($2::int - 1) + 2) - (-4.0 * a / ($2::int - 1) + 2))) AS p
               FROM (SELECT n, a, (a + 1 + floor(random() * ($2::int - 1))::int) % $2::int AS b
                       FROM (SELECT n, floor(random() * $2::int)::int AS a FROM generate_series(1, $1::int) n) x) y) z`,
    [BATTLES, MODELS],
  );
  await ds.query(`ANALYZE arena_battle`);
}

async function timed(what: string, backendPid: number, fn: () => Promise<unknown>) {
  const rows: { wall: number; cpu: number; pg: number }[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const c0 = selfCpuMs();
    const p0 = cpuMsOfPid(backendPid);
    const t0 = performance.now();
    await fn();
    rows.push({ wall: performance.now() - t0, cpu: selfCpuMs() - c0, pg: cpuMsOfPid(backendPid) - p0 });
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { what, wall: median(rows.map((r) => r.wall)), cpu: median(rows.map((r) => r.cpu)), pg: median(rows.map((r) => r.pg)) };
}

async function main() {
  const db = await createTestDatabase("arena_bench");
  // One connection, so every statement runs in the one backend whose CPU is read.
  const ds = createDataSource({ url: db.url, poolSize: 1, applicationName: "arena-bench" });
  const log = pino({ level: "warn" });
  const pubSub = createPubSubHandle(undefined);
  try {
    await ds.initialize();
    await migrateWithLock(ds, db.url, log);
    const g0 = performance.now();
    await generate(ds);
    const generatedMs = performance.now() - g0;
    const [{ pid }] = await ds.query(`SELECT pg_backend_pid() AS pid`);
    const config = loadConfig({}).arena;
    const noLimits = { hit: async () => ({ allowed: true as const, remaining: 1 }), close: async () => undefined } as unknown as RateLimiter;
    const arena = new ArenaService(ds, config, null as unknown as ChatService, null as unknown as WorkerService, pubSub, noLimits, createRng(1), log);
    const filter = { category: null, lang: null, since: null };
    const system = internalRequestContext("system", log, Role.ADMIN);
    const tallies = await arena.tallies(filter);
    const settings = { bootstrapSamples: config.bootstrapSamples, confidenceLevel: 0.95, ridge: config.ridge };
    const results = [
      await timed("tally query (GROUP BY pair, outcome)", pid, () => arena.tallies(filter)),
      await timed("Bradley–Terry fit (no bootstrap)", pid, async () => computeLeaderboard(tallies, { ...settings, bootstrapSamples: 0 }, createRng(1))),
      await timed(`fit + ${settings.bootstrapSamples} bootstrap resamples`, pid, async () => computeLeaderboard(tallies, settings, createRng(1))),
      await timed("whole recompute (refreshModelLeaderboard: tally, fit, bootstrap, store, journal)", pid, () => arena.refreshByAdmin(system, filter)),
    ];
    const board = await arena.leaderboard(system, filter);
    const counted = tallies.reduce((s, t) => s + t.count, 0);
    console.log(
      `Chorus bench (arena), ${new Date().toISOString()}: ${counted} counted battles, ${board.models.length} models, ${tallies.length} (pair, outcome) cells; generated in ${(generatedMs / 1000).toFixed(1)} s`,
    );
    console.log(`load average ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}; median of ${REPEATS} runs each\n`);
    console.log("| step | wall ms | bench process CPU ms | PostgreSQL backend CPU ms |");
    console.log("|---|---|---|---|");
    for (const r of results) console.log(`| ${r.what} | ${r.wall.toFixed(1)} | ${r.cpu.toFixed(1)} | ${r.pg.toFixed(1)} |`);
    const fitOnly = results[1].cpu;
    const withBoot = results[2].cpu;
    console.log(
      `\nbootstrap CPU per resample: ${((withBoot - fitOnly) / Math.max(1, settings.bootstrapSamples)).toFixed(2)} ms; whole recompute / fit alone (CPU): ${(results[3].cpu / Math.max(0.1, fitOnly)).toFixed(1)}x`,
    );
    console.log(
      `strongest: ${board.models[0].model} (rating ${board.models[0].rating.toFixed(0)}, ${board.models[0].ratingLower!.toFixed(0)}–${board.models[0].ratingUpper!.toFixed(0)}); weakest: ${board.models[board.models.length - 1].model}`,
    );
  } finally {
    await pubSub.close();
    if (ds.isInitialized) await ds.destroy();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
