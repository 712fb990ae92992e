/**
 * `node dist/bench/perf-top.js FILE.perf.data [N] [--by-package] [--inclusive]`: where a node process's CPU went in a
 * `perf record -g` of it (bench/phase-profiler.ts' PerfProfiler; the process ran with `--perf-basic-prof`), as a
 * Markdown table. Unlike a V8 profile (bench/profile-top.ts), perf counts CPU time only, native and kernel work
 * included: on loopback a socket write also runs the receiver's side of TCP in the writer's time.
 *
 * Each sample is charged to the innermost JS function on its stack (the native and kernel work under it included), or,
 * without one, to garbage collection, V8's compiler or "native"; samples of the process' other threads (V8's
 * compiler and GC helpers, libuv's pool) to "other threads" and what they did. With
 * `--by-package`, to that function's package (an npm package, node's own code, Chorus' dist). With `--inclusive`,
 * every JS function on the stack is charged once (the share of samples in which it was running or waiting on a
 * callee), which shows what a request handler costs with everything it calls. A last line gives the share of samples
 * in the kernel, and the system calls they were in. `--time A-B` (perf's own syntax, e.g. `40%-80%` or absolute
 * seconds) counts only the samples taken in that part of the recording (a stream benchmark's streaming phase).
 */
import { execFileSync } from "node:child_process";

const byPackage = process.argv.includes("--by-package");
const inclusive = process.argv.includes("--inclusive");
const timeAt = process.argv.indexOf("--time");
const time = timeAt >= 0 ? process.argv[timeAt + 1] : undefined;
const [file, top = "30"] = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--time");
if (!file) {
  console.error("usage: perf-top FILE.perf.data [N] [--by-package] [--inclusive]");
  process.exit(2);
}
const script = execFileSync("perf", ["script", "-i", file, "-F", "comm,pid,tid,ip,sym,dso", ...(time ? ["--time", time] : [])], {
  encoding: "utf8",
  maxBuffer: 1 << 30,
  stdio: ["ignore", "pipe", "ignore"],
});

interface Frame {
  sym: string;
  dso: string;
}
/** A sample: its thread (the main thread is "main", another one its name and number) and its stack, innermost first. */
const samples: { thread: string; frames: Frame[] }[] = [];
for (const block of script.split("\n\n")) {
  const lines = block.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) continue;
  const head = /^\s*(.*?)\s+(\d+)\/(\d+)\s*$/.exec(lines[0]);
  const thread = !head || head[2] === head[3] ? "main" : `${head[1]} ${head[3]}`;
  const frames = lines.slice(1).map((l) => {
    const m = /^\s*[0-9a-f]+\s+(.*?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)\s*$/.exec(l);
    return m ? { sym: m[1], dso: m[2] } : { sym: l.trim(), dso: "" };
  });
  samples.push({ thread, frames });
}

/** `JS:*name url:line:col` → name and where (the tier marker dropped). */
function jsFrame(f: Frame): { name: string; where: string } | null {
  if (!f.sym.startsWith("JS:")) return null;
  const m = /^JS:[*^~+]?(.*?)(?: (\S+:\d+:\d+))?$/.exec(f.sym);
  if (!m) return { name: f.sym.slice(3), where: "" };
  const where = (m[2] ?? "")
    .replace(/^file:\/\//, "")
    .replace(/.*node_modules\//, "")
    .replace(/.*\/dist\//, "dist/");
  return { name: m[1] || "(anonymous)", where };
}

function packageOf(where: string): string {
  if (where.startsWith("node:")) return "node";
  if (where.startsWith("dist/")) return "chorus (dist)";
  const m = /^((@[^/]+\/)?[^/]+)\//.exec(where);
  return m ? m[1] : where || "(unknown)";
}

function nativeCategory(s: { thread: string; frames: Frame[] }): string {
  const syms = s.frames.map((f) => f.sym).join(" ");
  const what = /Heap::|Scavenge|MarkCompact|GCTracer|Sweeper|Evacuat|Marking/.test(syms)
    ? "garbage collection"
    : /compiler::|Compiler::|Parser::|BytecodeGenerator|Maglev|Baseline/.test(syms)
      ? "V8 compiler"
      : s.thread === "main"
        ? "native, no JS frame"
        : "other";
  return s.thread === "main" ? `(${what})` : `(other threads: ${what})`;
}

const counts = new Map<string, number>();
const mainSamples = samples.filter((s) => s.thread === "main").length;
let kernelSamples = 0;
const syscalls = new Map<string, number>();
for (const s of samples) {
  if (s.frames[0]?.dso.includes("kernel")) {
    kernelSamples++;
    const entry = s.frames.findLast((f) => f.dso.includes("kernel") && /^(__x64_sys_|do_|__sys_|ksys_)/.test(f.sym) && !/do_syscall_64/.test(f.sym));
    const name = entry?.sym ?? "(other)";
    syscalls.set(name, (syscalls.get(name) ?? 0) + 1);
  }
  const js = s.thread === "main" ? s.frames.map(jsFrame).filter((f) => f !== null) : [];
  const keys = js.length === 0 ? [nativeCategory(s)] : (inclusive ? js : [js[0]]).map((f) => (byPackage ? packageOf(f.where) : `${f.name}\t${f.where}`));
  for (const key of new Set(keys)) counts.set(key, (counts.get(key) ?? 0) + 1);
}

const total = samples.length;
console.log(
  `${file}: ${total} samples, ${((mainSamples / total) * 100).toFixed(1)} % of them on the main thread${inclusive ? " (inclusive: a function's share counts every sample it was on the stack of)" : ""}\n`,
);
console.log(`| % of samples | samples | ${byPackage ? "package" : "function | where"} |`);
console.log(`|---|---|${byPackage ? "---" : "---|---"}|`);
for (const [key, n] of [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  const [name, where] = key.split("\t");
  console.log(`| ${((n / total) * 100).toFixed(1)} | ${n} | ${name}${byPackage ? "" : ` | ${where ?? ""}`} |`);
}
const topSyscalls = [...syscalls.entries()]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 6)
  .map(([k, n]) => `${k} ${((n / total) * 100).toFixed(1)} %`);
console.log(`\nIn the kernel: ${((kernelSamples / total) * 100).toFixed(1)} % of samples (${topSyscalls.join(", ")})`);
