/**
 * `node dist/bench/datasets.js [import|export|all] [--quick] [--trees=N] [--baseline=DIR]`: dataset import and
 * export throughput, CPU and peak memory (issue 14's goals: 20,000 messages/s on 2 cores for restore and backlog,
 * peak RSS under 300 MB, export at 20,000 messages/s at 100,000 trees).
 *
 * Generates N trees (default 10,000; --quick 1,300) in a live deployment's mix of states (bench/generate.ts
 * liveTreeLines: about 10 messages a tree, labels, emojis, detoxify, ranking events), restores them into a fresh
 * database with the real CLI process, exports them back (plain, then with labels and events), and imports them
 * as a backlog into another fresh database. For every step: wall time, messages/s, CPU of the CLI process and of
 * its PostgreSQL backends (per message), and the CLI's peak RSS. `--baseline=DIR` runs the same steps with the CLI
 * of another build (a checkout with `dist/` built, e.g. the commit before a change) on the same file, alternating,
 * so before and after come from one run under the same load.
 */
import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { Client } from "pg";
import { createTestDatabase, type TestDatabase } from "../test/helpers/database.js";
import { liveTreeLines } from "./generate.js";

const ROOT = path.resolve(__dirname, "..", "..");
const args = process.argv.slice(2);
const workload = args.find((a) => !a.startsWith("--")) ?? "all";
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const trees = Number(option("trees") ?? (args.includes("--quick") ? 1300 : 10_000));
const baseline = option("baseline");
/** Databases the bench creates (and drops) are named after this prefix (BENCH_DB_PREFIX, e.g. to share a server). */
const dbPrefix = process.env.BENCH_DB_PREFIX ?? "chorus_bench";

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
      `CPU/message: CLI ${perMsg(m.cliCpuMs).padStart(3)} µs + PostgreSQL ${perMsg(m.pgCpuMs).padStart(3)} µs  peak RSS ${m.peakRssMb.toFixed(0)} MB`,
  );
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");

async function bench(name: string, bin: string, file: string, messages: number) {
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
      report(`${name}: export with labels and events`, messages, await runCli(bin, ["export", ...flags, "--export-labels", "--export-events", "--out", out], db));
    }
  } finally {
    await db.drop();
  }
  if (workload === "import" || workload === "all") {
    const backlogDb = await createTestDatabase(dbPrefix);
    try {
      await runCli(bin, ["migrate"], backlogDb);
      report(`${name}: import (backlog)`, messages, await runCli(bin, ["import", file], backlogDb));
    } finally {
      await backlogDb.drop();
    }
  }
}

async function main() {
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
    console.log(`generated ${trees} trees, ${messages} messages (${(fs.statSync(file).size / 1e6).toFixed(0)} MB) on ${os.cpus().length} cores; load average ${load()}`);
    const ours = path.join(ROOT, "bin", "chorus.js");
    await bench("this build", ours, file, messages);
    if (baseline) await bench("baseline", path.resolve(baseline, "bin", "chorus.js"), file, messages);
    console.log(`load average at the end ${load()}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
