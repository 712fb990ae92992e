/**
 * `npm run bench -- <workload> [--quick]`: the workloads of the spec's bench-workloads.md, on loopback only,
 * bounded in time. The server runs as its own process on a fresh database, so its CPU and PostgreSQL's are
 * read separately from /proc.
 *   task-cycle  seed (3,000 W1 cycles at concurrency 8), then W1 at concurrency 1, 8, 32
 *   tree-read   the same seed, then W2-tree and W2-children at concurrency 1, 8, 32
 *   all         seed once, then W1 and W2 back to back (the suite)
 *   big-tree    one generated tree of 500 messages, restored through the import, read whole (W2) at c = 1 and 8
 *   scale       10,000 generated trees (about 140,000 messages) restored through the import, then the suite on them
 *   scale-w1    in one run: the seed and W1 at concurrency 1, 8, 32 on it; then --trees=N (default 10,000) trees in a
 *               live deployment's mix of states restored into the same database, and W1 again (CPU per cycle at
 *               both sizes, on the same machine at the same time); after the restore a fresh server takes over, so
 *               the leaderboards' catch-up after the import runs at its start, before the phases, and runs the
 *               seed's number of untimed cycles to be warm (as with --db)
 *   import, export, datasets   dataset throughput (bench/datasets.ts)
 *   leaderboard  recompute of the leaderboards and troll boards for 100,000 users (bench/leaderboard.ts)
 *   arena       the model leaderboard's recompute at 100,000 battles and 50 models (bench/arena.ts)
 *   soak        fixed-rate mixed load for 10 minutes (--minutes N; --quick: 1), RSS slope, open handles (bench/soak.ts)
 *   stream      the Streams workload: bare forwarder, one and two API replicas (bench/stream.ts)
 *               --model chorus-tiny: one replica served by real gpu-workers processes on the tiny model instead
 *   replicas    task-cycle with one API replica, then with two, and the ratio of their throughputs
 * --seed=N seeds with N cycles instead of 3,000.
 * --cpu-prof=DIR: every API process writes a V8 CPU profile into DIR as it stops (bench/profile-top.ts reads it); with
 *   --baseline, each build's profiles go to a folder of their own inside DIR.
 * --baseline=DIR: the same workload, in the same run, on a second build (a checkout with `dist/` built, e.g. main):
 *   each build has its own database and servers, and every timed phase alternates between them in --rounds=N slices
 *   per build (default 4; --quick: 2), so the machine's changing load weighs on both alike. Each build's table is
 *   printed, then both side by side (CPU per unit and its ratio, SQL per unit, "no task" answers, errors).
 * --db=NAME (scale-w1): instead of restoring trees, the large phases run on NAME, a database restored earlier (e.g. by a
 *   scale-w1 run with --keep), served by a fresh server of this build; NAME is left in place. The seed and its phases
 *   still run on a fresh database first, so both sizes come from one run. Before the large phases (after the restore,
 *   or once the fresh server is up) it waits for the database to be quiet (settle, below). With --db the fresh server
 *   first runs as many untimed W1 cycles as the seed (at concurrency 8), so that, like the seed's server, it is warm.
 * --keep: the bench databases are left in place at the end (their URLs are printed) instead of dropped.
 * --quick shortens the seed to 600 cycles and every phase to a third (for a fast look; report full runs).
 * PG CPU is that of the backends connected to the bench database (read from /proc by pid; --all-postgres: every
 * postgres process, as on a machine where nothing else uses PostgreSQL).
 * --replicas=N runs N API processes on the one database (no Redis: the task cycle needs none) and spreads the
 * virtual clients over them round-robin; CPU and RSS are the sum over the processes.
 */
import "reflect-metadata";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { spawn } from "node:child_process";
import { Client } from "pg";
import { Annotator, type AnyTask } from "../test/helpers/annotator.js";
import { gql, rawGql } from "../test/helpers/graphql.js";
import { serverNodeArgs } from "../test/helpers/process.js";
import { MessageChildrenDocument, MessagesDocument } from "../client/generated/graphql.js";
import { createRng } from "../src/db/random.js";
import { testEnvironment } from "../src/config/index.js";
import os from "node:os";
import { bigTreeLines, digest, liveTreeLines, scaleTreeLines } from "./generate.js";
import { cpuMsOfPid } from "./proc.js";

/** /metrics of a server with DATABASE_URL needs a token (src/server/metrics-endpoint.ts). */
const BENCH_METRICS_TOKEN = "bench-metrics-token-0123456789";

const ROOT = path.resolve(__dirname, "..", "..");
const args = process.argv.slice(2);
const workload = args.find((a) => !a.startsWith("--")) ?? "all";
const quick = args.includes("--quick");
/** --cpu-prof=DIR: each API process writes a V8 CPU profile there when it stops (read with bench/profile-top.ts). */
const cpuProfDir = args.find((a) => a.startsWith("--cpu-prof="))?.slice("--cpu-prof=".length);
const replicaCount = Number(args.find((a) => a.startsWith("--replicas="))?.slice("--replicas=".length) ?? 1);
const scale = quick ? 1 / 3 : 1;

interface PhaseResult {
  phase: string;
  concurrency: number;
  seconds: number;
  units: number;
  errors: number;
  unavailable: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  serverCpuMsPerUnit: number;
  pgCpuMsPerUnit: number;
  queriesPerUnit: number;
  peakRssMb: number;
  /**
   * Leaderboard jobs (a window's recompute or the per-day counters) that started during the phase: periodic work of
   * the server, not of the cycles, whose PostgreSQL CPU the phase counts all the same.
   */
  leaderboardRuns: number;
  mix?: Record<string, number>;
  /** The failed units by what failed: an error's `extensions.code` and the step it came from, or the exception's message. */
  errorKinds?: Record<string, number>;
}

/** CPU milliseconds of every postgres process, by pid. */
function postgresCpu(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const comm = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      if (comm.startsWith("postgres")) byPid.set(Number(pid), cpuMsOfPid(Number(pid)));
    } catch {
      // the process ended meanwhile
    }
  }
  return byPid;
}

/** PostgreSQL CPU spent between two snapshots (processes that ended in between are not counted: an underestimate). */
function postgresCpuSince(start: Map<number, number>, now: Map<number, number> = postgresCpu()): number {
  let total = 0;
  for (const [pid, ms] of now) total += Math.max(0, ms - (start.get(pid) ?? 0));
  return total;
}

/**
 * CPU milliseconds of the client backends connected to one database, by pid: on a PostgreSQL server that other
 * work shares, only what the bench's own connections cost (background writers and autovacuum are left out).
 */
async function backendCpu(stat: Client, db: string): Promise<Map<number, number>> {
  const rows: { pid: number }[] = (await stat.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`, [db])).rows;
  return new Map(rows.map((r) => [r.pid, cpuMsOfPid(r.pid)]));
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function queriesSoFar(origin: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } })).text();
  return Number(/^chorus_db_queries_total (\d+)/m.exec(text)?.[1] ?? 0);
}

async function main() {
  if (workload === "soak") {
    const child = spawn(process.execPath, [path.join(__dirname, "soak.js"), ...args.filter((a) => a !== "soak")], { stdio: "inherit" });
    process.exitCode = (await new Promise<number | null>((r) => child.on("exit", r))) ?? 1;
    return;
  }
  if (workload === "replicas") {
    await oneVersusTwo();
    return;
  }
  if (workload === "stream") {
    const child = spawn(process.execPath, [path.join(__dirname, "stream.js"), ...args.filter((a) => a !== "stream")], { stdio: "inherit" });
    process.exitCode = (await new Promise<number | null>((r) => child.on("exit", r))) ?? 1;
    return;
  }
  if (["import", "export", "datasets"].includes(workload)) {
    const child = spawn(
      process.execPath,
      [path.join(__dirname, "datasets.js"), workload === "datasets" ? "all" : workload, ...args.filter((a) => a.startsWith("--"))],
      {
        stdio: "inherit",
      },
    );
    process.exitCode = (await new Promise<number | null>((r) => child.on("exit", r))) ?? 1;
    return;
  }
  if (workload === "arena") {
    const child = spawn(process.execPath, [path.join(__dirname, "arena.js"), ...args.filter((a) => a !== "arena")], { stdio: "inherit" });
    process.exitCode = (await new Promise<number | null>((r) => child.on("exit", r))) ?? 1;
    return;
  }
  if (workload === "leaderboard") {
    const child = spawn(process.execPath, [path.join(__dirname, "leaderboard.js"), ...args.filter((a) => a !== "leaderboard")], { stdio: "inherit" });
    process.exitCode = (await new Promise<number | null>((r) => child.on("exit", r))) ?? 1;
    return;
  }
  const base = testEnvironment().databaseUrl;
  const runId = `${process.env.BENCH_DB_PREFIX ?? "chorus_bench"}_${Date.now()}`;
  const pgStat = new Client({ connectionString: base });
  await pgStat.connect();
  // Only the bench databases' backends, unless asked for every postgres process on the machine.
  const allPostgres = args.includes("--all-postgres");
  const baselineDir = args.find((a) => a.startsWith("--baseline="))?.slice("--baseline=".length);
  /** With a baseline, each measured phase alternates between the builds in this many slices per build. */
  const rounds = Number(args.find((a) => a.startsWith("--rounds="))?.slice("--rounds=".length) ?? (quick ? 2 : 4));

  /** One build under test: its own database, server processes and virtual users. */
  interface Side {
    label: string;
    root: string;
    dbName: string;
    dbUrl: string;
    env: NodeJS.ProcessEnv;
    key: string;
    servers: ReturnType<typeof spawn>[];
    origins: string[];
    url: string;
    users: Annotator[];
    idle: Annotator[];
    counts: Client;
    results: PhaseResult[];
    seedState?: Record<string, number>;
    /** W2's targets on this side's database. */
    reads?: { sizes: { id: string; n: number }[]; withChildren: string[]; rng: () => number };
  }

  const sides: Side[] = [];
  /** Databases this run created (dropped at the end unless --keep); an existing one (--db) is never dropped. */
  const created = new Set<string>();
  async function openSide(label: string, root: string, dbName: string, existing = false): Promise<Side> {
    if (!existing) {
      const admin = new Client({ connectionString: base });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName}`);
      await admin.end();
      created.add(dbName);
    }
    const dbUrl = new URL(base);
    dbUrl.pathname = "/" + dbName;
    const ports = await Promise.all(Array.from({ length: replicaCount }, () => freePort()));
    const env = {
      ...process.env,
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
      DATABASE_URL: dbUrl.toString(),
      PORT: String(ports[0]),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      REDIS_URL: "",
      // as `npm start` and the Docker image run it: graphql-js skips its development-only checks
      NODE_ENV: "production",
      // as in the original's measurement: the per-user limit is raised (30 per 4 minutes would throttle 100 users), limiting stays on
      RATE_LIMIT_TASK_USER: "1000000/240",
    };
    if (!existing && (workload === "big-tree" || workload === "scale")) {
      const lines = workload === "big-tree" ? bigTreeLines(1) : scaleTreeLines(2, quick ? 2000 : 10_000);
      await restore(root, env, lines, workload);
    }
    const keyRun = spawn(process.execPath, [path.join(root, "bin", "chorus.js"), "api-client", "create", "--name", "bench", "--trusted"], { env });
    let keyOut = "";
    keyRun.stdout.on("data", (d) => (keyOut += d));
    await new Promise((r) => keyRun.on("exit", r));
    const key = keyOut.trim().split("\n").pop()!;
    // Replicas start one after another, so the first one migrates and the others find the schema current.
    const servers: ReturnType<typeof spawn>[] = [];
    for (const p of ports) {
      const profDir = cpuProfDir && (baselineDir ? path.join(cpuProfDir, label.replace(/\W+/g, "-")) : cpuProfDir);
      const profArgs = profDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profDir)}`] : [];
      const server = spawn(process.execPath, [...serverNodeArgs(root), ...profArgs, path.join(root, "dist", "src", "main.js")], {
        env: { ...env, PORT: String(p) },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      server.stdout!.on("data", (d) => (out += d));
      for (let i = 0; i < 1200 && !/Chorus is running/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      servers.push(server);
    }
    const origins = ports.map((p) => `http://127.0.0.1:${p}`);
    // Each build gets the same users drawing the same random numbers.
    const rng = createRng(42);
    const users = Array.from(
      { length: 100 },
      (_, i) => new Annotator(`${origins[i % origins.length]}/graphql`, key, `bench-${String(i).padStart(3, "0")}`, rng),
    );
    const counts = new Client({ connectionString: dbUrl.toString() });
    await counts.connect();
    return {
      label,
      root,
      dbName,
      dbUrl: dbUrl.toString(),
      env,
      key,
      servers,
      origins,
      url: `${origins[0]}/graphql`,
      users,
      idle: [...users],
      counts,
      results: [],
    };
  }

  /** Restores generated trees into a side's database through that build's CLI. */
  async function restore(root: string, env: NodeJS.ProcessEnv, lines: Iterable<string>, dataset: string): Promise<number> {
    const file = path.join(os.tmpdir(), `chorus-bench-${dataset}-${Date.now()}.jsonl`);
    const out = fs.createWriteStream(file);
    let trees = 0;
    for (const line of lines) {
      trees++;
      if (!out.write(line + "\n")) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    const t0 = Date.now();
    const imp = spawn(process.execPath, [path.join(root, "bin", "chorus.js"), "import", file, "--mode", "restore"], {
      env,
      stdio: ["ignore", "ignore", "inherit"],
    });
    await new Promise((r) => imp.on("exit", r));
    fs.rmSync(file);
    console.error(
      JSON.stringify({ dataset, root, trees, ...(Array.isArray(lines) ? { digest: digest(lines) } : {}), importSeconds: (Date.now() - t0) / 1000 }),
    );
    return trees;
  }

  /**
   * Replaces side `i` by a fresh server of the same build on `dbName` (its start-up jobs run anew); the side's
   * results and seed state carry over.
   */
  async function restartOn(i: number, dbName: string): Promise<Side> {
    const old = sides[i];
    await old.counts.end();
    for (const s of old.servers) {
      s.kill("SIGTERM");
      await new Promise((r) => s.on("exit", r));
    }
    const fresh = await openSide(old.label, old.root, dbName, true);
    fresh.results = old.results;
    fresh.seedState = old.seedState;
    sides[i] = fresh;
    return fresh;
  }

  sides.push(await openSide("this build", ROOT, runId));
  if (baselineDir) sides.push(await openSide(`baseline (${path.resolve(baselineDir)})`, path.resolve(baselineDir), `${runId}_base`));

  const pgCpuNow = async (side: Side) => (allPostgres ? postgresCpu() : await backendCpu(pgStat, side.dbName));
  const serverCpu = (side: Side) => side.servers.reduce((sum, s) => sum + cpuMsOfPid(s.pid!), 0);
  const serverRss = (side: Side) => side.servers.reduce((sum, s) => sum + rssMb(s.pid!), 0);
  const queriesAll = async (side: Side) => (await Promise.all(side.origins.map(queriesSoFar))).reduce((a, b) => a + b, 0);
  /** A unit's outcome: done, no task to hand out, or failed (with what failed, counted in the phase's errorKinds). */
  type Outcome = "ok" | "unavailable" | { error: string };
  type Unit = (side: Side, mix: Record<string, number>) => Promise<Outcome>;

  /**
   * One phase on every side. With a baseline, a timed phase runs in `rounds` slices per build, alternating (A B B A …),
   * so that the machine's changing load weighs on both alike; each build gets `seconds` in all. A phase bounded by
   * units (the seed) runs whole on each side in turn.
   */
  /**
   * Waits until no statement of the side's database has been running for `quietSeconds` in a row (up to
   * `maxSeconds`): after a bulk restore, or when a fresh server starts on a large database, the server's start-up
   * and catch-up work (the leaderboards' full recompute and their per-day counters' rebuild after the import's
   * "recompute all" mark, the start-up tree check) runs for minutes in the server's own connections, whose
   * PostgreSQL CPU the phases would otherwise count as the cycles'. Reports how long it waited.
   */
  async function settle(side: Side, quietSeconds = 5, maxSeconds = 1200): Promise<void> {
    const t0 = Date.now();
    let quietSince = Date.now();
    while (Date.now() - t0 < maxSeconds * 1000) {
      const [{ busy }]: { busy: number }[] = (
        await pgStat.query(
          `SELECT count(*)::int AS busy FROM pg_stat_activity
           WHERE datname = $1 AND backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()`,
          [side.dbName],
        )
      ).rows;
      if (busy > 0) quietSince = Date.now();
      else if (Date.now() - quietSince >= quietSeconds * 1000) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    console.error(JSON.stringify({ build: side.label, settledSeconds: (Date.now() - t0) / 1000 }));
  }

  async function phase(name: string, concurrency: number, seconds: number, maxUnits: number, unit: Unit) {
    const slices = sides.length > 1 && maxUnits === Infinity ? Math.max(1, rounds) : 1;
    const acc = sides.map((side) => ({
      side,
      latencies: [] as number[],
      mix: {} as Record<string, number>,
      errorKinds: {} as Record<string, number>,
      units: 0,
      errors: 0,
      unavailable: 0,
      peakRss: serverRss(side),
      queries: 0,
      serverMs: 0,
      pgMs: 0,
      elapsed: 0,
      leaderboardRuns: 0,
    }));
    for (let r = 0; r < slices; r++) {
      for (const a of r % 2 === 0 ? acc : [...acc].reverse()) {
        const { side } = a;
        const q0 = await queriesAll(side);
        const s0 = serverCpu(side);
        const p0 = await pgCpuNow(side);
        const t0 = Date.now();
        const deadline = t0 + (seconds / slices) * 1000;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (Date.now() < deadline && a.units + a.errors < maxUnits) {
              const start = performance.now();
              const outcome = await unit(side, a.mix);
              if (outcome === "ok") {
                a.units++;
                a.latencies.push(performance.now() - start);
              } else if (outcome !== "unavailable") {
                a.errors++;
                a.errorKinds[outcome.error] = (a.errorKinds[outcome.error] ?? 0) + 1;
              } else {
                a.unavailable++;
                await new Promise((res) => setTimeout(res, 50));
              }
              if ((a.units & 63) === 0) a.peakRss = Math.max(a.peakRss, serverRss(side));
            }
          }),
        );
        a.elapsed += (Date.now() - t0) / 1000;
        a.leaderboardRuns += (await side.counts.query(`SELECT count(*)::int AS n FROM stats_frame WHERE refreshed_at >= $1`, [new Date(t0)])).rows[0]
          .n as number;
        a.serverMs += serverCpu(side) - s0;
        a.pgMs += postgresCpuSince(p0, await pgCpuNow(side));
        a.queries += (await queriesAll(side)) - q0;
      }
    }
    for (const a of acc) {
      a.latencies.sort((x, y) => x - y);
      const result: PhaseResult = {
        phase: name,
        concurrency,
        seconds: Math.round(a.elapsed * 10) / 10,
        units: a.units,
        errors: a.errors,
        unavailable: a.unavailable,
        perSecond: Math.round((a.units / a.elapsed) * 10) / 10,
        p50: Math.round(percentile(a.latencies, 50) * 10) / 10,
        p90: Math.round(percentile(a.latencies, 90) * 10) / 10,
        p99: Math.round(percentile(a.latencies, 99) * 10) / 10,
        serverCpuMsPerUnit: Math.round((a.serverMs / Math.max(1, a.units)) * 100) / 100,
        pgCpuMsPerUnit: Math.round((a.pgMs / Math.max(1, a.units)) * 100) / 100,
        queriesPerUnit: Math.round((a.queries / Math.max(1, a.units)) * 10) / 10,
        peakRssMb: Math.round(a.peakRss),
        leaderboardRuns: a.leaderboardRuns,
        mix: Object.keys(a.mix).length ? a.mix : undefined,
        errorKinds: Object.keys(a.errorKinds).length ? a.errorKinds : undefined,
      };
      a.side.results.push(result);
      console.error(JSON.stringify(sides.length > 1 ? { build: a.side.label, ...result } : result));
    }
  }

  /** A failed unit, named by its step and its first error's code (or message, for one without a code). */
  const failed = (step: string, errors: readonly { message: string; extensions?: { code?: unknown } }[]): Outcome => ({
    error: `${step}: ${String(errors[0].extensions?.code ?? errors[0].message.slice(0, 120))}`,
  });

  /** One W1 cycle for the user at the head of the side's idle FIFO. */
  const cycle: Unit = async (side, mix) => {
    const user = side.idle.shift()!;
    try {
      const res = await user.request("RANDOM", "en");
      if (res.errors) return res.errors[0].extensions?.code === "TASK_REQUESTED_TYPE_NOT_AVAILABLE" ? "unavailable" : failed("requestTask", res.errors);
      const task: AnyTask = res.data!.requestTask;
      const done = await user.complete(task, "en");
      if (done.errors) {
        await user.nack(task.id);
        return failed(`${task.__typename} submission`, done.errors);
      }
      mix[task.__typename] = (mix[task.__typename] ?? 0) + 1;
      return "ok";
    } catch (err) {
      return { error: `exception: ${(err as Error).message}`.slice(0, 160) };
    } finally {
      side.idle.push(user);
    }
  };

  const seedArg = args.find((a) => a.startsWith("--seed="));
  const seedCycles = workload === "big-tree" || workload === "scale" ? 0 : seedArg ? Number(seedArg.slice("--seed=".length)) : Math.round(3000 * scale);
  if (seedCycles > 0) await phase("seed (W1)", 8, 3600, seedCycles, cycle);
  for (const side of sides) {
    side.seedState = (
      await side.counts.query(`SELECT (SELECT count(*) FROM message)::int AS messages, (SELECT count(*) FROM message_tree_state)::int AS trees,
      (SELECT count(*) FROM message_tree_state WHERE state = 'ready_for_export')::int AS ready`)
    ).rows[0];
    console.error(JSON.stringify({ build: side.label, seed: side.seedState }));
  }

  const wholeTree = `query T($id: ID!) { messageTree(id: $id, includeSpam: true, includeDeleted: false) { id messages { id parentId messageTreeId text lang role createdDate reviewCount reviewResult rankingCount rank deleted edited synthetic modelName emojis { emoji count } userEmojis userIsAuthor frontendMessageId } } }`;
  if (workload === "big-tree") {
    const roots = new Map<Side, { id: string; n: number }>();
    for (const side of sides) {
      const root = (await side.counts.query(`SELECT message_tree_id AS id, count(*)::int AS n FROM message GROUP BY 1 ORDER BY 2 DESC LIMIT 1`)).rows[0] as {
        id: string;
        n: number;
      };
      roots.set(side, root);
      console.error(JSON.stringify({ build: side.label, bigTree: root }));
    }
    const readers = new Map<Side, number>(sides.map((s) => [s, 0]));
    for (const c of [1, 8]) {
      await phase(`W2 big tree (${roots.get(sides[0])!.n} messages)`, c, 15 * scale, Infinity, async (side) => {
        const n = readers.get(side)!;
        readers.set(side, n + 1);
        const res = await rawGql(side.url, wholeTree, { id: roots.get(side)!.id }, { key: side.key, user: side.users[n % side.users.length].userHeader });
        return res.errors ? failed("big tree read", res.errors) : "ok";
      });
    }
  }
  if (workload === "task-cycle" || workload === "all" || workload === "scale" || workload === "scale-w1") {
    for (const c of [1, 8, 32]) await phase("W1 task cycle", c, 30 * scale, Infinity, cycle);
  }
  const existingDb = args.find((a) => a.startsWith("--db="))?.slice("--db=".length);
  if (workload === "scale-w1" && existingDb) {
    if (sides.length > 1) throw new Error("--db takes no --baseline");
    // The large phases on a database restored earlier (kept by --keep), served by a fresh server of this build.
    const big = await restartOn(0, existingDb);
    const now = (
      await big.counts.query(`SELECT (SELECT count(*) FROM message)::int AS messages, (SELECT count(*) FROM message_tree_state)::int AS trees,
      (SELECT count(*) FROM message_tree_state WHERE state = 'ranking')::int AS ranking, (SELECT count(*) FROM message_tree_state WHERE state = 'growing')::int AS growing`)
    ).rows[0];
    await rawGql(big.url, `query { availableTasks(lang: "en") { random } }`, {}, { key: big.key, user: big.users[0].userHeader });
    console.error(JSON.stringify({ build: big.label, existingDatabase: existingDb, now }));
    await settle(big);
    // The seed's server has run the seed's cycles before its phases (compiled code, pooled connections, prepared
    // statements, cached pages); the fresh server runs as many untimed cycles first, so both sizes start warm.
    if (seedCycles > 0) {
      await phase(`warm-up (W1), existing ${now.trees} trees`, 8, 3600, seedCycles, cycle);
      await settle(big);
    }
    for (const c of [1, 8, 32]) await phase(`W1 task cycle, existing ${now.trees} trees`, c, 30 * scale, Infinity, cycle);
  } else if (workload === "scale-w1") {
    const trees = Number(args.find((a) => a.startsWith("--trees="))?.slice("--trees=".length) ?? 10_000);
    for (const side of sides) {
      const t0 = Date.now();
      await restore(side.root, side.env, liveTreeLines(3, trees), "live");
      const big = (
        await side.counts.query(`SELECT (SELECT count(*) FROM message)::int AS messages, (SELECT count(*) FROM message_tree_state)::int AS trees,
        (SELECT count(*) FROM message_tree_state WHERE state = 'ranking')::int AS ranking, (SELECT count(*) FROM message_tree_state WHERE state = 'growing')::int AS growing`)
      ).rows[0];
      // As after any bulk load: statistics and visibility maps first, so no phase measures the one-off autovacuum.
      await side.counts.query(`VACUUM (ANALYZE)`);
      // The restored trees carry red flags and skips over auto-moderation's thresholds: the first request of the
      // language moderates them all at once (hundreds of transactions). Done here, so the phases measure cycles.
      await rawGql(side.url, `query { availableTasks(lang: "en") { random } }`, {}, { key: side.key, user: side.users[0].userHeader });
      console.error(JSON.stringify({ build: side.label, restored: trees, importSeconds: (Date.now() - t0) / 1000, now: big }));
    }
    // The restore leaves the leaderboards' "recompute all" marks (a bulk write marks no users one by one). The running
    // server would do that catch-up (each window's full recompute and the per-day counters' rebuild: over a minute of
    // PostgreSQL CPU at 100,000 trees) at its jobs' next interval, 5 to 240 minutes after it started, i.e. inside
    // whichever phase the timer hits (issue 14: a DAY and a WEEK run landed in the 100,000-tree phases and were
    // counted as the cycles' cost). A fresh server runs every window's job at start, so the catch-up is done before
    // settle lets the phases begin; like the --db path, it then runs the seed's number of untimed cycles to be warm.
    for (let i = 0; i < sides.length; i++) {
      const side = await restartOn(i, sides[i].dbName);
      await settle(side);
    }
    if (seedCycles > 0) {
      await phase(`warm-up (W1), +${trees} trees`, 8, 3600, seedCycles, cycle);
      for (const side of sides) await settle(side);
    }
    for (const c of [1, 8, 32]) await phase(`W1 task cycle, +${trees} trees`, c, 30 * scale, Infinity, cycle);
  }
  if (workload === "tree-read" || workload === "all" || workload === "scale") {
    for (const side of sides) {
      const roots: string[] = [];
      let after: string | null | undefined = null;
      for (;;) {
        const page: Awaited<ReturnType<typeof gql<import("../client/generated/graphql.js").MessagesQuery, unknown>>> = await gql(
          side.url,
          MessagesDocument,
          { filter: { onlyRoots: true }, first: 100, after },
          { key: side.key },
        );
        roots.push(...page.data!.messages.edges.map((e) => e.node.id));
        if (!page.data!.messages.pageInfo.hasNextPage) break;
        after = page.data!.messages.pageInfo.endCursor;
      }
      const sizes = (await side.counts.query(`SELECT message_tree_id AS id, count(*)::int AS n FROM message GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`)).rows as {
        id: string;
        n: number;
      }[];
      const withChildren = (
        await side.counts.query(`SELECT DISTINCT parent_id AS id FROM message WHERE message_tree_id = ANY($1) AND parent_id IS NOT NULL`, [
          sizes.map((s) => s.id),
        ])
      ).rows.map((r: { id: string }) => r.id);
      side.reads = { sizes, withChildren, rng: createRng(7) };
      console.error(JSON.stringify({ build: side.label, roots: roots.length, largestTrees: sizes.map((s) => s.n), parentsWithChildren: withChildren.length }));
    }
    const reader = async (side: Side, kind: "tree" | "children"): Promise<Outcome> => {
      const { sizes, withChildren, rng } = side.reads!;
      const user = side.users[Math.floor(rng() * side.users.length)];
      const res =
        kind === "tree"
          ? await rawGql(user.url, wholeTree, { id: sizes[Math.floor(rng() * sizes.length)].id }, { key: side.key, user: user.userHeader })
          : await gql(
              user.url,
              MessageChildrenDocument,
              { id: withChildren[Math.floor(rng() * withChildren.length)] },
              { key: side.key, user: user.userHeader },
            );
      return res.errors ? failed(`${kind} read`, res.errors) : "ok";
    };
    for (const c of [1, 8, 32]) await phase("W2 tree", c, 15 * scale, Infinity, (side) => reader(side, "tree"));
    for (const c of [1, 8, 32]) await phase("W2 children", c, 15 * scale, Infinity, (side) => reader(side, "children"));
  }
  for (const side of sides) {
    await side.counts.end();
    for (const s of side.servers) {
      s.kill("SIGTERM");
      await new Promise((r) => s.on("exit", r));
    }
  }
  await pgStat.end();
  const cleanup = new Client({ connectionString: base });
  await cleanup.connect();
  // --keep leaves the databases for later look (e.g. a start-up measurement on 100,000 restored trees); drop them by hand.
  if (args.includes("--keep")) console.error(JSON.stringify({ kept: sides.map((s) => s.dbUrl) }));
  else for (const db of created) await cleanup.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await cleanup.end();

  for (const side of sides) {
    console.log(
      `\nChorus bench (${workload}${quick ? ", quick" : ""}${replicaCount > 1 ? `, ${replicaCount} API replicas` : ""}${sides.length > 1 ? `, ${side.label}` : ""}), ${new Date().toISOString()}, seed: ${JSON.stringify(side.seedState)}\n`,
    );
    console.log(
      "| phase | c | s | units | units/s | p50 ms | p90 ms | p99 ms | server CPU ms/unit | PG CPU ms/unit | SQL/unit | errors | no task | peak RSS MB | leaderboard runs |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of side.results) {
      console.log(
        `| ${r.phase} | ${r.concurrency} | ${r.seconds} | ${r.units} | ${r.perSecond} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.serverCpuMsPerUnit} | ${r.pgCpuMsPerUnit} | ${r.queriesPerUnit} | ${r.errors} | ${r.unavailable} | ${r.peakRssMb} | ${r.leaderboardRuns} |`,
      );
    }
    const mixTotal: Record<string, number> = {};
    for (const r of side.results.filter((r) => r.mix)) for (const [k, v] of Object.entries(r.mix!)) mixTotal[k] = (mixTotal[k] ?? 0) + v;
    const total = Object.values(mixTotal).reduce((a, b) => a + b, 0);
    console.log(
      "\nTask mix over all W1 phases: " +
        Object.entries(mixTotal)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${((100 * v) / total).toFixed(1)} %`)
          .join(", "),
    );
    for (const r of side.results.filter((r) => r.errorKinds)) {
      const kinds = Object.entries(r.errorKinds!).sort((a, b) => b[1] - a[1]);
      console.log(`Errors in ${r.phase} (c = ${r.concurrency}): ${kinds.map(([k, v]) => `${v} × ${k}`).join(", ")}`);
    }
  }
  if (sides.length > 1) {
    const [mine, baseline] = sides;
    console.log(`\nSide by side (${rounds} alternating slices per build and phase): CPU per unit, server + PostgreSQL (ms)\n`);
    console.log("| phase | c | baseline | this build | this / baseline | SQL/unit baseline → this | no task baseline / this | errors baseline / this |");
    console.log("|---|---|---|---|---|---|---|---|");
    mine.results.forEach((r, i) => {
      const b = baseline.results[i];
      const cpu = (x: PhaseResult) => x.serverCpuMsPerUnit + x.pgCpuMsPerUnit;
      console.log(
        `| ${r.phase} | ${r.concurrency} | ${b.serverCpuMsPerUnit} + ${b.pgCpuMsPerUnit} = ${cpu(b).toFixed(2)} | ${r.serverCpuMsPerUnit} + ${r.pgCpuMsPerUnit} = ${cpu(r).toFixed(2)} | ${(cpu(r) / cpu(b)).toFixed(2)} | ${b.queriesPerUnit} → ${r.queriesPerUnit} | ${b.unavailable} / ${r.unavailable} | ${b.errors} / ${r.errors} |`,
      );
    });
  }
}

/** task-cycle with one API process, then with two (each on a fresh database), and the throughput ratios. */
async function oneVersusTwo(): Promise<void> {
  const rows = new Map<number, Map<string, number>>();
  for (const n of [1, 2]) {
    const child = spawn(process.execPath, [__filename, "task-cycle", `--replicas=${n}`, ...args.filter((a) => a === "--quick")], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      process.stdout.write(d);
    });
    await new Promise((r) => child.on("exit", r));
    const byConcurrency = new Map<string, number>();
    for (const m of out.matchAll(/^\| W1 task cycle \| (\d+) \| [\d.]+ \| \d+ \| ([\d.]+) \|/gm)) byConcurrency.set(m[1], Number(m[2]));
    rows.set(n, byConcurrency);
  }
  console.log("\n| W1 task cycle | 1 replica cycles/s | 2 replicas cycles/s | ratio |\n|---|---|---|---|");
  for (const [c, one] of rows.get(1)!) {
    const two = rows.get(2)!.get(c) ?? 0;
    console.log(`| c = ${c} | ${one} | ${two} | ${(two / one).toFixed(2)} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
