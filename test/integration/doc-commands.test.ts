/**
 * The documentation's own command lines, read from README.md and every guide in docs/ (never copied here), run in a
 * fresh clone of the repository (git clone of HEAD, node_modules linked to this checkout's to keep it fast, then
 * built) against a real database: every `npx chorus` command of a ```bash block or an inline code span answers
 * `--help` and knows every option the docs give it; the data commands (migrate, api-client create, worker-key
 * create, import, export, ...) do real work with the documented exit codes; the worker-key recipe runs through a
 * shell and the real `npx` exactly as written.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { execFileSync, spawn } from "node:child_process";
import { expect } from "chai";
import { Client } from "pg";
import { PROJECT_ROOT, childEnv } from "../helpers/process.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

/** README.md and every guide of docs/, as users read them. */
const DOC_FILES = [
  "README.md",
  ...fs
    .readdirSync(path.join(PROJECT_ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const DOCS = DOC_FILES.map((f) => fs.readFileSync(path.join(PROJECT_ROOT, f), "utf8")).join("\n");

/** Lines of the docs' ```bash blocks. */
function bashLines(markdown: string): string[] {
  const lines: string[] = [];
  for (const m of markdown.matchAll(/```bash\n([\s\S]*?)```/g)) lines.push(...m[1].split("\n"));
  return lines;
}

/** Inline code spans that are a command (`npx chorus export-chats --out chats.jsonl`), outside code blocks. */
function inlineCommands(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, "");
  return [...prose.matchAll(/`(npx chorus [^`]*)`/g)].map((m) => m[1]);
}

/**
 * Every `npx chorus …` command of the docs, without its comment or the shell around it. Spans that stand for any
 * command (`npx chorus ...`, `npx chorus <command>`) name none and are left out.
 */
function docCliLines(markdown = DOCS): string[] {
  return [...bashLines(markdown), ...inlineCommands(markdown)]
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .flatMap((l) => [...l.matchAll(/npx chorus ((?:[^|)\s]+\s?)+)/g)].map((m) => `chorus ${m[1].trim()}`))
    .filter((l) => commandPath(l).length > 0);
}

/** `chorus api-client create --name x` → ["api-client", "create"]: the leading words that name the command. */
function commandPath(line: string): string[] {
  const words = line.split(/\s+/).slice(1);
  const out: string[] = [];
  for (const w of words) {
    if (!/^[a-z][a-z-]*$/.test(w)) break;
    out.push(w);
  }
  return out;
}

/** The README line as a user would first type it: optional `[...]` groups left out. */
function minimalForm(line: string): string {
  return line.replace(/\s*\[[^\]]*\]/g, "").trim();
}

/** Splits a command line into words the way the shell does for these simple lines (no quotes in them). */
const words = (line: string) => line.split(/\s+/).filter(Boolean);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("the documentation's command lines (README.md, docs/*.md), run in a fresh clone", function () {
  this.timeout(600_000);
  let clone: string;
  let db: TestDatabase;
  let restoreDb: TestDatabase;
  let sql: Client;
  const lines = docCliLines();

  function run(file: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { cwd: clone, env: childEnv({ LOG_LEVEL: "warn", DATABASE_URL: db.url, REDIS_URL: "", ...env }) });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input ?? "");
    });
  }
  /** `chorus …` as the docs write it, through the package's bin (what `npx chorus` runs: package.json `bin`). */
  const chorus = (line: string, env: Record<string, string> = {}) => run(process.execPath, ["bin/chorus.js", ...words(line).slice(1)], env);
  const ok = (r: Run, what: string) => expect(r.code, `${what}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).to.equal(0);

  before(async function () {
    this.timeout(300_000);
    clone = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-readme-"));
    execFileSync("git", ["clone", "--quiet", PROJECT_ROOT, clone]);
    fs.symlinkSync(fs.realpathSync(path.join(PROJECT_ROOT, "node_modules")), path.join(clone, "node_modules"));
    execFileSync(process.execPath, [path.join(clone, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], {
      cwd: clone,
      stdio: "inherit",
    });
    db = await createTestDatabase();
    restoreDb = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  after(async () => {
    await sql?.end();
    await db?.drop();
    await restoreDb?.drop();
    if (clone) fs.rmSync(clone, { recursive: true, force: true });
  });

  it("the docs have the CLI lines this test runs (extracted, not copied)", () => {
    const commands = new Set(lines.map((l) => commandPath(l).join(" ")));
    for (const c of [
      "migrate",
      "api-client create",
      "worker-key create",
      "api-client list",
      "api-client rotate",
      "api-client revoke",
      "user set-role",
      "user revoke-tokens",
      "export",
      "import",
      "export-chats",
    ]) {
      expect([...commands], c).to.include(c);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(clone, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin.chorus, "npx chorus runs this file").to.equal("bin/chorus.js");
  });

  it("every command of the docs answers --help and knows every option the docs give it", async () => {
    const byCommand = new Map<string, string[]>();
    for (const line of lines) byCommand.set(commandPath(line).join(" "), [...(byCommand.get(commandPath(line).join(" ")) ?? []), line]);
    for (const [cmd, its] of byCommand) {
      const help = await chorus(`chorus ${cmd} --help`);
      ok(help, `chorus ${cmd} --help`);
      expect(help.stdout, cmd).to.match(new RegExp(`^Usage: chorus ${cmd}\\b`));
      for (const line of its) {
        for (const option of line.match(/--[a-z][a-z-]*/g) ?? []) expect(help.stdout, `${line}: ${option} in chorus ${cmd} --help`).to.include(option);
      }
    }
  });

  it("the key and client commands do their work: migrate, api-client create/list/rotate/revoke, worker-key create, user set-role/revoke-tokens", async () => {
    const byCommand = (c: string) => lines.filter((l) => commandPath(l).join(" ") === c);
    ok(await chorus(byCommand("migrate")[0]), "migrate");
    expect((await sql.query("SELECT count(*)::int AS n FROM migrations")).rows[0].n).to.be.greaterThan(0);

    // a bare `npx chorus api-client create` in prose names the command only; the lines with options are the recipes
    for (const line of byCommand("api-client create").filter((l) => l.includes("--name"))) {
      // as first typed, then with the docs' options that go together for a frontend's admin key
      for (const variant of [minimalForm(line), line.replace(/\[(--role admin|--expires-at [^\]]+)\]/g, "$1").replace(/\s*\[[^\]]*\]/g, "")]) {
        const r = await chorus(variant);
        ok(r, variant);
        expect(r.stdout.trim().split("\n").pop(), `${variant}: the key alone on the last line`).to.match(/^chk_[0-9a-f]{64}$/);
      }
    }
    const created = await sql.query("SELECT id, role, trusted, expires_at FROM api_client WHERE name = 'my-frontend' ORDER BY created_at");
    expect(created.rows.length).to.equal(2);
    expect(created.rows[1]).to.include({ role: "ADMIN", trusted: true });
    expect(created.rows[1].expires_at).to.be.instanceOf(Date);

    for (const line of byCommand("worker-key create").filter((l) => l.includes("--name"))) {
      const r = await chorus(minimalForm(line));
      ok(r, line);
      expect(r.stdout.trim().split("\n").pop()).to.match(/^chk_[0-9a-f]{64}$/);
    }
    expect((await sql.query("SELECT kind FROM api_client WHERE name = 'gpu-pool-a'")).rows).to.deep.equal([{ kind: "WORKER" }]);

    const list = await chorus(byCommand("api-client list")[0]);
    ok(list, "api-client list");
    expect(list.stdout).to.include("my-frontend").and.include("gpu-pool-a");

    const id = created.rows[0].id as string;
    for (const c of ["api-client rotate", "api-client revoke"]) {
      const line = byCommand(c)[0].replace("<id>", id);
      const r = await chorus(line);
      ok(r, line);
      if (c === "api-client rotate") expect(r.stdout.trim().split("\n").pop()).to.match(/^chk_[0-9a-f]{64}$/);
    }
    expect((await sql.query("SELECT revoked_at FROM api_client WHERE id = $1", [id])).rows[0].revoked_at).to.be.instanceOf(Date);

    // the user commands name a user of a client: the docs' discord:1234, created by an operation first
    const client = created.rows[1].id as string;
    await sql.query(`INSERT INTO "user" (id, api_client_id, auth_method, username, display_name) VALUES ($1, $2, 'discord', '1234', 'Someone')`, [
      crypto.randomUUID(),
      client,
    ]);
    for (const c of ["user set-role", "user revoke-tokens"]) {
      const line = byCommand(c)[0]
        .replace(/\[--client [^\]]+\]/, `[--client ${client}]`)
        .replace(/\[([^\]]+)\]/g, "$1");
      const r = await chorus(line);
      ok(r, line);
    }
    expect((await sql.query(`SELECT role FROM "user" WHERE username = '1234'`)).rows).to.deep.equal([{ role: "MODERATOR" }]);
  });

  it("the worker-key recipe runs as written through a shell and the real npx, and gives a key", async () => {
    const block = [...DOCS.matchAll(/```bash\n([\s\S]*?)```/g)]
      .map((m) => m[1].split("\n"))
      .find((b) => b.some((l) => /^KEY=\$\(npx chorus worker-key create/.test(l)))!;
    const at = block.findIndex((l) => /^KEY=\$\(npx chorus worker-key create/.test(l));
    const recipe = block[at];
    expect(recipe, "the docs' worker-key recipe").to.be.a("string");
    // it runs at the project root, where `chorus` is the package's own command (in gpu-workers/, npx would look for
    // a package named chorus on the registry): nothing before it in its block may leave the root
    expect(
      block.slice(0, at).filter((l) => /^\s*cd\s/.test(l)),
      "a cd before the recipe",
    ).to.deep.equal([]);
    const r = await run("bash", ["-euo", "pipefail", "-c", `${recipe}\necho "key=$KEY"`]);
    ok(r, recipe!);
    expect(r.stdout).to.match(/key=chk_[0-9a-f]{64}\n$/);
  });

  it("the dataset commands import and export real data, and a restore of the export into a new database is lossless", async () => {
    const byCommand = (c: string) => lines.filter((l) => commandPath(l).join(" ") === c);
    // the docs import trees.jsonl: an oasst2 sample stands in for the user's file
    fs.copyFileSync(path.join(PROJECT_ROOT, "test", "fixtures", "oasst2-sample.trees.jsonl"), path.join(clone, "trees.jsonl"));
    const imports = byCommand("import");
    const backlog = imports.filter((l) => !l.includes("--mode restore"));
    expect(backlog.length).to.be.greaterThan(0);
    for (const line of backlog) {
      const r = await chorus(line);
      ok(r, line);
      expect(r.stdout).to.match(/^imported \d+ trees, \d+ messages/m);
    }
    const messages = (await sql.query("SELECT count(*)::int AS n FROM message")).rows[0].n as number;
    expect(messages).to.be.greaterThan(0);

    const user = (await sql.query(`SELECT id FROM "user" ORDER BY id LIMIT 1`)).rows[0].id as string;
    for (const line of byCommand("export")) {
      const r = await chorus(line.replace("<user id>", user));
      ok(r, line);
      const out = /--out (\S+)/.exec(line)?.[1];
      // the default export holds ready_for_export trees only, which a backlog import has none of yet
      if (out) expect(fs.existsSync(path.join(clone, out)), `${line}: ${out}`).to.equal(true);
    }
    const all = fs.readFileSync(path.join(clone, "all.jsonl"), "utf8").trim().split("\n");
    expect(all.length, "all.jsonl holds the imported trees").to.be.greaterThan(0);

    for (const line of imports.filter((l) => l.includes("--mode restore"))) {
      const r = await chorus(line, { DATABASE_URL: restoreDb.url });
      ok(r, line);
      expect(r.stdout).to.match(line.includes("--dry-run") ? /^would import \d+ trees/m : /^imported \d+ trees/m);
    }
    const restored = new Client({ connectionString: restoreDb.url });
    await restored.connect();
    try {
      expect((await restored.query("SELECT count(*)::int AS n FROM message")).rows[0].n, "every message came back").to.equal(messages);
    } finally {
      await restored.end();
    }

    const chat = crypto.randomUUID();
    for (const line of byCommand("export-chats")) {
      const r = await chorus(line.replace("<user id>", user).replace("<chat id>", chat));
      ok(r, line);
    }
  });

  it("exit codes as documented: a wrong option 1, a bad setting 2 naming it", async () => {
    const wrong = await chorus("chorus export --no-such-option");
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr).to.include("--no-such-option");
    const bad = await chorus("chorus migrate", { DATABASE_URL: "mysql://x" });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include("DATABASE_URL");
    expect(DOCS, "the docs give the CLI's exit codes").to.match(/exit (status|code)[^.]*0[^.]*1[^.]*2/i);
  });
});
