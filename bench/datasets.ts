/**
 * `node dist/bench/datasets.js [import|export|all] [--quick] [--trees N]`: dataset import and export throughput
 * and peak memory (issue 4's goals: 20,000 messages/s on 2 cores, peak RSS under 300 MB whatever the size).
 * Generates an oasst2-sized file (13,000 trees of 10 messages, labels and emojis on each), restores it into a
 * fresh database with the real CLI process, then exports it back with everything included.
 */
import "reflect-metadata";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { createTestDatabase } from "../test/helpers/database.js";

const ROOT = path.resolve(__dirname, "..", "..");
const CLI = path.join(ROOT, "bin", "chorus.js");
const args = process.argv.slice(2);
const workload = args.find((a) => !a.startsWith("--") && !/^\d+$/.test(a)) ?? "all";
const treesArg = args.indexOf("--trees");
const trees = treesArg >= 0 ? Number(args[treesArg + 1]) : args.includes("--quick") ? 1300 : 13000;

const WORDS = "the a model answer question because data tree rank label review prompt reply user language good better best".split(" ");

function text(rng: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(rng() * WORDS.length)]).join(" ");
}

function node(id: string, parent: string | null, role: string, rng: () => number, rank: number | null, replies: unknown[]) {
  return {
    message_id: id,
    parent_id: parent,
    user_id: crypto.randomUUID(),
    created_date: new Date(1_700_000_000_000 + Math.floor(rng() * 1e10)).toISOString().replace("Z", "+00:00"),
    text: text(rng, 100),
    role,
    lang: "en",
    review_count: 3,
    review_result: true,
    deleted: false,
    rank,
    synthetic: false,
    emojis: { "+1": 2, _skip_reply: 1 },
    labels: { spam: { value: 0, count: 3 }, quality: { value: 0.75, count: 3 }, humor: { value: 0.25, count: 2 } },
    replies,
  };
}

/** A tree of 10: the prompt, 3 ranked answers, a follow-up under each and an answer to each follow-up. */
function tree(rng: () => number) {
  const root = crypto.randomUUID();
  const answers = [0, 1, 2].map((rank) => {
    const a = crypto.randomUUID();
    const f = crypto.randomUUID();
    return node(a, root, "assistant", rng, rank, [node(f, a, "prompter", rng, null, [node(crypto.randomUUID(), f, "assistant", rng, null, [])])]);
  });
  return { message_tree_id: root, tree_state: "ready_for_export", prompt: node(root, null, "prompter", rng, null, answers) };
}

/** Runs the CLI, sampling its resident memory, and returns wall seconds and peak RSS in MB. */
function runCli(cliArgs: string[], env: Record<string, string>): Promise<{ seconds: number; peakRssMb: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, ...cliArgs], { env: { ...process.env, LOG_LEVEL: "warn", ...env }, cwd: ROOT });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d: string) => (stdout += d));
    child.stderr.on("data", (d: string) => (stderr += d));
    const sample = setInterval(() => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
      } catch {
        // exited between samples
      }
    }, 50);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(sample);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`chorus ${cliArgs.join(" ")} exited ${code}: ${stderr}`));
      resolve({ seconds, peakRssMb: peak, stdout, stderr });
    });
  });
}

async function main() {
  let seed = 42;
  const rng = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-bench-datasets-"));
  const file = path.join(dir, "trees.jsonl");
  const out = fs.createWriteStream(file);
  for (let i = 0; i < trees; i++) if (!out.write(JSON.stringify(tree(rng)) + "\n")) await new Promise<void>((r) => out.once("drain", () => r()));
  await new Promise<void>((r) => out.end(() => r()));
  const messages = trees * 10;
  console.log(`generated ${trees} trees, ${messages} messages (${(fs.statSync(file).size / 1e6).toFixed(0)} MB) on ${os.cpus().length} cores`);

  const db = await createTestDatabase("chorus_bench");
  try {
    const env = { DATABASE_URL: db.url };
    await runCli(["migrate"], env);
    const imp = await runCli(["import", "--mode", "restore", file], env);
    if (workload === "import" || workload === "all") {
      console.log(`import (restore): ${(messages / imp.seconds).toFixed(0)} messages/s, ${imp.seconds.toFixed(1)} s, peak RSS ${imp.peakRssMb.toFixed(0)} MB`);
    }
    if (workload === "export" || workload === "all") {
      const flags = ["--state", "all", "--include-deleted", "--include-spam", "--include-synthetic"];
      const plain = await runCli(["export", ...flags, "--out", path.join(dir, "out.jsonl")], env);
      console.log(`export: ${(messages / plain.seconds).toFixed(0)} messages/s, ${plain.seconds.toFixed(1)} s, peak RSS ${plain.peakRssMb.toFixed(0)} MB`);
      const full = await runCli(["export", ...flags, "--export-labels", "--export-events", "--out", path.join(dir, "out-full.jsonl")], env);
      console.log(`export with labels and events: ${(messages / full.seconds).toFixed(0)} messages/s, ${full.seconds.toFixed(1)} s, peak RSS ${full.peakRssMb.toFixed(0)} MB`);
    }
    const backlogDb = await createTestDatabase("chorus_bench");
    try {
      if (workload === "import" || workload === "all") {
        await runCli(["migrate"], { DATABASE_URL: backlogDb.url });
        const backlog = await runCli(["import", file], { DATABASE_URL: backlogDb.url });
        console.log(`import (backlog): ${(messages / backlog.seconds).toFixed(0)} messages/s, ${backlog.seconds.toFixed(1)} s, peak RSS ${backlog.peakRssMb.toFixed(0)} MB`);
      }
    } finally {
      await backlogDb.drop();
    }
  } finally {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
