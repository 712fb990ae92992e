/**
 * docs/configuration.md, rendered from the declarations: the API's (src/config/declarations.ts, with the tree
 * manager's table in src/config/tree-manager.ts) and the worker program's (gpu-workers/src/worker/declarations.ts,
 * read from its build, since the worker is its own workspace). `npm run docs:config` writes it (part of
 * `npm run generate`); a test checks that the committed file is what this renders.
 */
import fs from "node:fs";
import path from "node:path";
import { VARIABLES } from "../config/settings.js";
import { GROUPS, type GroupId } from "../config/variable.js";

const ROOT = path.join(__dirname, "..", "..", "..");
export const CONFIG_DOC = path.join(ROOT, "docs", "configuration.md");
/** The worker package's declarations, as its own build (`cd gpu-workers && npx tsc -p .`) compiles them. */
export const WORKER_DECLARATIONS_JS = path.join(ROOT, "gpu-workers", "dist", "src", "worker", "declarations.js");

interface WorkerVariable {
  default?: string | number;
  defaultText?: string;
  description: string;
  secret?: boolean;
}

/** What a group's table needs said before it. */
const GROUP_NOTES: Partial<Record<GroupId, string[]>> = {
  treeManager: [
    "The rules that decide which work is handed out and when trees move on (the reference's `TREE_MANAGER__*`",
    "settings, same names, same defaults; lists accept a JSON array or comma-separated names). Three of the reference's",
    "quirks shape the task mix and are kept by default as settings (`TREE_MANAGER__QUIRK_*`); set them to `false` for the",
    "corrected behaviour. An unknown `TREE_MANAGER__*` name stops the process, so a typo cannot leave a default in force.",
  ],
};

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function renderConfigDoc(workerDeclarations: Record<string, WorkerVariable>): string {
  const out: string[] = [
    "# Configuration",
    "",
    "<!-- Generated from src/config/declarations.ts, src/config/tree-manager.ts and gpu-workers/src/worker/declarations.ts",
    "     by `npm run docs:config` (part of `npm run generate`); a test fails when this file is stale. Do not edit. -->",
    "",
    "Chorus reads its settings from environment variables only. Every variable of the API is optional. A bad value stops",
    "the process at start with a message naming the variable and what it accepts (exit code 2). An ADMIN of a trusted",
    "client reads every API variable's effective value with the `settings` query: secrets are never shown (only whether",
    "one is set), passwords in URLs are masked.",
    "",
    "## API server",
    "",
  ];
  for (const [group, title] of Object.entries(GROUPS) as [GroupId, string][]) {
    const rows = VARIABLES.filter((v) => v.group === group);
    if (rows.length === 0) continue;
    out.push(`### ${title}`, "");
    if (GROUP_NOTES[group]) out.push(...GROUP_NOTES[group]!, "");
    out.push("| variable | default | meaning |", "|---|---|---|");
    for (const v of rows)
      out.push(`| \`${v.name}\` | ${cell(v.defaultText)} | ${cell(v.description)}${v.secret ? " (secret: `settings` never shows it)" : ""} |`);
    out.push("");
  }
  out.push(
    "## GPU worker program",
    "",
    "Read by the worker program (`gpu-workers/`, `npm run worker` there; see [operators.md](operators.md#gpu-workers)).",
    "A bad value stops it with exit code 2 and a message naming the variable.",
    "",
    "| variable | default | meaning |",
    "|---|---|---|",
  );
  for (const [name, v] of Object.entries(workerDeclarations)) {
    const def = v.defaultText ?? "`" + String(v.default) + "`";
    out.push(`| \`${name}\` | ${cell(def)} | ${cell(v.description)}${v.secret ? " (secret: the worker never logs it)" : ""} |`);
  }
  out.push("");
  return out.join("\n");
}

/** The worker's declarations from its build. */
export function loadWorkerDeclarations(): Record<string, WorkerVariable> {
  return (require(WORKER_DECLARATIONS_JS) as { WORKER_DECLARATIONS: Record<string, WorkerVariable> }).WORKER_DECLARATIONS;
}

if (require.main === module) {
  fs.writeFileSync(CONFIG_DOC, renderConfigDoc(loadWorkerDeclarations()));
  console.log(`wrote ${CONFIG_DOC}`);
}
