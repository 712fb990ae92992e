/**
 * `node dist/bench/profile-top.js FILE.cpuprofile [N] [--by-package]`: the N (default 25) functions (or, with
 * --by-package, packages: an npm package, node's own code, native code, or Chorus' dist) with the most self time in
 * a V8 CPU profile (written by `node --cpu-prof`, e.g. `npm run bench -- stream --cpu-prof DIR`), as a Markdown
 * table: share of busy time (idle and program excluded), self ms, function and where it is. `--window 0.55-0.92`
 * counts only the samples taken within that part of the profile's duration (e.g. a stream benchmark's streaming
 * phase, after the sends and before the first answer ends).
 */
import fs from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const byPackage = process.argv.includes("--by-package");
const windowAt = process.argv.indexOf("--window");
const [windowFrom, windowTo] = windowAt >= 0 ? process.argv[windowAt + 1].split("-").map(Number) : [0, 1];
const [file, top = "25"] = process.argv.slice(2).filter((a, i, all) => a !== "--by-package" && a !== "--window" && all[i - 1] !== "--window");
if (!file) {
  console.error("usage: profile-top FILE.cpuprofile [N]");
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<string, number>();
let busyUs = 0;
const totalUs = profile.timeDeltas.reduce((a, b) => a + b, 0);
let atUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i])!;
  const dt = profile.timeDeltas[i] ?? 0;
  atUs += dt;
  if (atUs < windowFrom * totalUs || atUs > windowTo * totalUs) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === "(idle)" || functionName === "(program)") continue;
  busyUs += dt;
  const where = url
    ? `${url
        .replace(/^file:\/\//, "")
        .replace(/.*node_modules\//, "")
        .replace(/.*\/dist\//, "dist/")}:${lineNumber + 1}`
    : "";
  const pkg = !url
    ? "(native: syscalls, GC)"
    : url.startsWith("node:")
      ? "node"
      : (/node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes("/dist/") ? "chorus (dist)" : url));
  const key = byPackage ? `${pkg}\t` : `${functionName || "(anonymous)"}\t${where}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
}
const rows = [...selfUs.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(top));
console.log(`${path.basename(file)}: busy ${Math.round(busyUs / 1000)} ms\n`);
console.log("| self % of busy | self ms | function | where |");
console.log("|---|---|---|---|");
for (const [key, us] of rows) {
  const [name, where] = key.split("\t");
  console.log(`| ${((us / busyUs) * 100).toFixed(1)} | ${Math.round(us / 1000)} | ${name} | ${where} |`);
}
