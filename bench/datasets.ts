/**
 * `node dist/bench/datasets.js [import|export|all] [--quick] [--trees=N] [--baseline=DIR] [--no-backlog]`: dataset
 * import and export throughput, CPU and peak memory, and start-up time (issue 14's goals: 20,000 messages/s on
 * 2 cores for restore and backlog, peak RSS under 300 MB, export at 20,000 messages/s and start-up to ready under
 * 3 s at 100,000 trees).
 *
 * Generates N trees (default 10,000; --quick 1,300) in a live deployment's mix of states (bench/generate.ts
 * liveTreeLines: about 10 messages a tree, labels, emojis, detoxify, ranking events), restores them into a fresh
 * database with the real CLI process, exports them back (plain, then with labels and events), builds the search
 * vectors the import left for later (`chorus search-vectors`, what the server's job does in the background), starts
 * the server on the restored database twice (the first start-up re-checks the restored trees, the second finds
 * them settled) and times each to "ready", then imports the file as a backlog into another fresh database
 * (--no-backlog skips that). For every step: wall time, messages/s, CPU of the CLI process and of its PostgreSQL
 * backends (per message), and the CLI's peak RSS. On a shared machine wall times vary with the load; CPU per
 * message is the figure to compare, and 2,000,000 / (CLI + PostgreSQL µs) the messages/s two idle cores would do.
 * `--baseline=DIR` runs the same steps with the CLI and server of another build (a checkout with `dist/` built,
 * e.g. the commit before a change) on the same file, so before and after come from one run.
 * `--startup-from=NAME` only times start-ups, of each build on its own copy (CREATE DATABASE ... TEMPLATE) of a
 * database restored earlier, e.g. at 100,000 trees. Databases are named BENCH_DB_PREFIX_<random> (default chorus_bench) and dropped at the end; the server listens
 * on BENCH_PORT (default 0: any free port).
 */
import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { Client } from "pg";
import { baseDatabaseUrl, createTestDatabase, type TestDatabase } from "../test/helpers/database.js";
import { serverNodeArgs } from "../test/helpers/process.js";
import { liveTreeLines } from "./generate.js";

const ROOT = path.resolve(__dirname, "..", "..");
const args = process.argv.slice(2);
const workload = args.find((a) => !a.startsWith("--")) ?? "all";
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const trees = Number(option("trees") ?? (args.includes("--quick") ? 1300 : 10_000));
const baseline = option("baseline");
/** Databases the bench creates (and drops) are named after this prefix (BENCH_DB_PREFIX, e.g. to share a server). */
const dbPrefix = process.env.BENCH_DB_PREFIX ?? "chorus_bench";
const backlog = !args.includes("--no-backlog");
/** A database restored earlier (e.g. at 100,000 trees): time start-ups on copies of it instead of generating. */
const startupFrom = option("startup-from");
const port = process.env.BENCH_PORT ?? "0";

interface Measured {
  seconds: number;
  peakRssMb: number;
  cliCpuMs: number;
  pgCpuMs: number;
  stdout: string;
}

function cpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, 100 Hz ticks
  } catch {
    return null;
  }
}

/**
 * Runs the CLI on a database, sampling its RSS and CPU and the CPU of that database's PostgreSQL backends (each
 * backend's last sample counts: a backend's CPU disappears from /proc when it exits).
 */
async function runCli(bin: string, cliArgs: string[], db: TestDatabase): Promise<Measured> {
  const watcher = new Client({ connectionString: db.url });
  await watcher.connect();
  const backends = new Map<number, number>();
  try {
    return await new Promise<Measured>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const child = spawn(process.execPath, [bin, ...cliArgs], { env: { ...process.env, LOG_LEVEL: "warn", DATABASE_URL: db.url }, cwd: ROOT });
      let stdout = "";
      let stderr = "";
      let peak = 0;
      let cliCpu = 0;
      child.stdout.setEncoding("utf8");
      child.stderr.setEncoding("utf8");
      child.stdout.on("data", (d: string) => (stdout += d));
      child.stderr.on("data", (d: string) => (stderr += d));
      let sampling = false;
      const sample = setInterval(async () => {
        try {
          const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
          peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
          cliCpu = cpuMs(child.pid!) ?? cliCpu;
        } catch {
          // exited between samples
        }
        if (sampling) return;
        sampling = true;
        try {
          const rows = await watcher.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
          for (const { pid } of rows.rows as { pid: number }[]) {
            const c = cpuMs(pid);
            if (c !== null) backends.set(pid, c);
          }
        } catch {
          // the watcher's query raced the end
        } finally {
          sampling = false;
        }
      }, 100);
      child.on("error", reject);
      child.on("close", (code) => {
        clearInterval(sample);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (code !== 0) return reject(new Error(`chorus ${cliArgs.join(" ")} exited ${code}: ${stderr}`));
        const pgCpuMs = [...backends.values()].reduce((a, b) => a + b, 0);
        resolve({ seconds, peakRssMb: peak, cliCpuMs: cliCpu, pgCpuMs, stdout });
      });
    });
  } finally {
    await watcher.end();
  }
}

function report(label: string, messages: number, m: Measured) {
  const perMsg = (ms: number) => ((ms * 1000) / messages).toFixed(0);
  console.log(
    `${label.padEnd(34)} ${String(Math.round(messages / m.seconds)).padStart(7)} messages/s  ${m.seconds.toFixed(1).padStart(6)} s  ` +
      `CPU/message: CLI ${perMsg(m.cliCpuMs).padStart(3)} µs + PostgreSQL ${perMsg(m.pgCpuMs).padStart(3)} µs ` +
      `(${String(Math.round(((2e9 / (m.cliCpuMs + m.pgCpuMs)) * messages) / 1e6)).padStart(6)} messages/s on 2 idle cores)  peak RSS ${m.peakRssMb.toFixed(0)} MB`,
  );
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/**
 * Starts the server of `root` on the database and times it from spawn to its "listening" and "ready" log lines
 * and to the end of the start-up tree check, then stops it (wall-clock figures).
 */
/** Whether the build at `root` runs the start-up tree check after ready (and logs its end). */
function checksAfterReady(root: string): boolean {
  return fs.readFileSync(path.join(root, "dist", "src", "app.js"), "utf8").includes("start-up tree check done");
}

/** The server's environment: this database, no Redis (periodic jobs run in-process), logs at info for the timings. */
function serverEnv(db: TestDatabase): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "info", DATABASE_URL: db.url, PORT: port, HOST: "127.0.0.1", NODE_ENV: "production" };
  delete env.REDIS_URL;
  return env;
}

async function startUp(root: string, db: TestDatabase): Promise<{ listening: number; ready: number; checked: number }> {
  const started = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - started) / 1e9;
  const child = spawn(process.execPath, [...serverNodeArgs(root), path.join(root, "dist", "src", "main.js")], {
    env: serverEnv(db),
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let listening = NaN;
  let ready = NaN;
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => (stderr += d));
  try {
    return await new Promise((resolve, reject) => {
      let buffered = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (d: string) => {
        buffered += d;
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.includes(`"msg":"listening"`)) listening = since();
          if (line.includes(`"msg":"ready"`)) ready = since();
          // A build that checks the trees after ready says when it is done; one that checks before ready does not.
          const checked = line.includes(`"msg":"start-up tree check done"`);
          if (checked || (line.includes(`"msg":"ready"`) && !checksAfterReady(root))) resolve({ listening, ready, checked: checked ? since() : ready });
          if (line.includes(`"level":60`)) reject(new Error(`server did not start: ${line}`));
        }
      });
      child.on("close", (code) => reject(new Error(`server exited ${code} before ready: ${stderr}`)));
    });
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("close", r)));
  }
}

async function bench(name: string, root: string, file: string, messages: number) {
  const bin = path.join(root, "bin", "chorus.js");
  const db = await createTestDatabase(dbPrefix);
  try {
    await runCli(bin, ["migrate"], db);
    if (workload === "import" || workload === "all") {
      report(`${name}: import --mode restore`, messages, await runCli(bin, ["import", "--mode", "restore", file], db));
    } else {
      await runCli(bin, ["import", "--mode", "restore", file], db);
    }
    if (workload === "export" || workload === "all") {
      const flags = ["--state", "all", "--include-deleted", "--include-spam", "--include-synthetic"];
      const out = path.join(path.dirname(file), "out.jsonl");
      report(`${name}: export`, messages, await runCli(bin, ["export", ...flags, "--out", out], db));
      report(
        `${name}: export with labels and events`,
        messages,
        await runCli(bin, ["export", ...flags, "--export-labels", "--export-events", "--out", out], db),
      );
    }
    if (workload === "import" || workload === "all") {
      // The search vectors an import leaves for later: what the server's search-vectors job spends after the load.
      // A build whose import writes them itself has no such command.
      const vectors = await runCli(bin, ["search-vectors"], db).catch(() => null);
      if (vectors) report(`${name}: search vectors after the load`, messages, vectors);
      else console.log(`${name}: search vectors after the load         (none: this build's import writes them itself)`);
    }
    if (workload === "all") {
      for (const which of ["first", "second"]) {
        const t = await startUp(root, db);
        console.log(
          `${name}: start-up (${which}) to listening ${t.listening.toFixed(2)} s, to ready ${t.ready.toFixed(2)} s ` +
            `(ready - listening ${(t.ready - t.listening).toFixed(2)} s), tree check done ${t.checked.toFixed(2)} s`,
        );
      }
    }
  } finally {
    await db.drop();
  }
  if (backlog && (workload === "import" || workload === "all")) {
    const backlogDb = await createTestDatabase(dbPrefix);
    try {
      await runCli(bin, ["migrate"], backlogDb);
      report(`${name}: import (backlog)`, messages, await runCli(bin, ["import", file], backlogDb));
    } finally {
      await backlogDb.drop();
    }
  }
}

/** Start-up timings of each build on its own copy of an existing restored database (`--startup-from=NAME`). */
async function startupOnCopies(source: string) {
  const builds: [string, string][] = [["this build", ROOT], ...(baseline ? [["baseline", path.resolve(baseline)] as [string, string]] : [])];
  const [{ trees }] = await sql(source, `SELECT count(*)::int AS trees FROM message_tree_state`);
  const [{ messages }] = await sql(source, `SELECT count(*)::int AS messages FROM message`);
  console.log(`start-up on copies of ${source}: ${trees} trees, ${messages} messages; load average ${load()}`);
  for (const [name, root] of builds) {
    const db = await createTestDatabase(dbPrefix, source);
    try {
      await runCli(path.join(root, "bin", "chorus.js"), ["migrate"], db);
      for (const which of ["first", "second"]) {
        const t = await startUp(root, db);
        console.log(
          `${name}: start-up (${which}) to listening ${t.listening.toFixed(2)} s, to ready ${t.ready.toFixed(2)} s ` +
            `(ready - listening ${(t.ready - t.listening).toFixed(2)} s), tree check done ${t.checked.toFixed(2)} s`,
        );
      }
    } finally {
      await db.drop();
    }
  }
}

async function sql(database: string, text: string): Promise<Record<string, number>[]> {
  const url = new URL(baseDatabaseUrl());
  url.pathname = "/" + database;
  const c = new Client({ connectionString: url.toString() });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

async function main() {
  if (startupFrom) return startupOnCopies(startupFrom);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-bench-datasets-"));
  try {
    const file = path.join(dir, "trees.jsonl");
    const out = fs.createWriteStream(file);
    let messages = 0;
    for (const line of liveTreeLines(3, trees)) {
      messages += (line.match(/"message_id":/g) ?? []).length;
      if (!out.write(line + "\n")) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    console.log(
      `generated ${trees} trees, ${messages} messages (${(fs.statSync(file).size / 1e6).toFixed(0)} MB) on ${os.cpus().length} cores; load average ${load()}`,
    );
    await bench("this build", ROOT, file, messages);
    if (baseline) await bench("baseline", path.resolve(baseline), file, messages);
    console.log(`load average at the end ${load()}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
