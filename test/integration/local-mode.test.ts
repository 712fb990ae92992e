/**
 * Local mode (`npm start` with nothing set) through the real process: the embedded PostgreSQL's port taken by
 * another program, the password it is given (its own per data folder, never the old shared `chorus`), and Ctrl-C in
 * a terminal, which signals the whole foreground process group at once.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { expect } from "chai";
import { Client } from "pg";
import { MAIN, PROJECT_ROOT, childEnv, runNode, serverNodeArgs } from "../helpers/process.js";
import { freePort } from "../helpers/private-services.js";
import { rawGql } from "../helpers/graphql.js";

async function connectAs(port: number, password: string): Promise<string> {
  const client = new Client({ host: "127.0.0.1", port, user: "postgres", password, database: "chorus", connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.end();
    return "connected";
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

/** `npm start` as a terminal runs it: its own process group, which Ctrl-C signals as a whole. */
async function startInTerminal(env: Record<string, string>) {
  const proc = spawn(process.execPath, [...serverNodeArgs(), MAIN], {
    cwd: PROJECT_ROOT,
    env: childEnv(env),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => proc.on("close", (code) => r(code)));
  const deadline = Date.now() + 120_000;
  while (!/Chorus is running/.test(stdout)) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      if (proc.exitCode === null) process.kill(-proc.pid!, "SIGKILL");
      throw new Error(`did not start:\n${stdout}\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    output: () => ({ stdout, stderr }),
    ctrlC: async () => {
      process.kill(-proc.pid!, "SIGINT");
      return exited;
    },
  };
}

describe("local mode through the real process: the embedded PostgreSQL", function () {
  this.timeout(180_000);
  let dataDir: string;
  let pgPort: number;
  const env = () => ({
    CHORUS_DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    EMBEDDED_PG_PORT: String(pgPort),
    DATABASE_URL: "",
    REDIS_URL: "",
    LOG_LEVEL: "info",
  });

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-local-mode-"));
    pgPort = await freePort();
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("with EMBEDDED_PG_PORT taken by another program, says which port and which variable, exit code 2", async () => {
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(pgPort, "127.0.0.1", () => r()));
    try {
      const run = await runNode(MAIN, [], env(), 120_000);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.include("EMBEDDED_PG_PORT").and.include(String(pgPort));
      expect(run.stderr).not.to.match(/TypeError|\n\s+at /);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it("gives the database its own password (a 0600 file in the data folder); the old shared one is refused", async () => {
    const proc = spawn(process.execPath, [...serverNodeArgs(), MAIN], {
      cwd: PROJECT_ROOT,
      env: childEnv(env()),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    proc.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on("close", (code, signal) => r({ code, signal })));
    try {
      const deadline = Date.now() + 120_000;
      while (!/Chorus is running/.test(stdout)) {
        if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`did not start:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const passwordFile = path.join(dataDir, "postgres-password");
      expect(fs.statSync(passwordFile).mode & 0o777).to.equal(0o600);
      const password = fs.readFileSync(passwordFile, "utf8").trim();
      expect(password).to.match(/^[0-9a-f]{64}$/);
      expect(await connectAs(pgPort, "chorus")).to.equal("28P01"); // invalid_password
      expect(await connectAs(pgPort, password)).to.equal("connected");
      // the server listens only on TCP loopback: no Unix socket another account could use
      expect(fs.readdirSync("/tmp").filter((f) => f === `.s.PGSQL.${pgPort}`)).to.deep.equal([]);

      const url = stdout.match(/GraphQL \(HTTP and websocket\): (\S+)/)![1];
      expect((await rawGql(url, "{ __typename }")).data).to.deep.equal({ __typename: "Query" });

      // Ctrl-C in a terminal: SIGINT to the whole foreground process group at once
      process.kill(-proc.pid!, "SIGINT");
      const { code } = await exited;
      expect(code, `${stdout}\n${stderr}`).to.equal(0);
      expect(stderr, "nothing on stderr").to.equal("");
      // in the order the events happened (pino may write a line held back by a full pipe after a later one)
      const logs = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { level: number; msg: string; time: string })
        .sort((a, b) => a.time.localeCompare(b.time));
      const when = (msg: string) => logs.find((l) => l.msg === msg)?.time ?? "(never)";
      const shutdown = logs.filter((l) => l.time >= when("signal received"));
      expect(
        shutdown.filter((l) => l.level >= 40).map((l) => l.msg),
        "no warnings or errors while shutting down",
      ).to.deep.equal([]);
      expect(when("embedded PostgreSQL stopped") > when("shutting down"), "Chorus stops the embedded PostgreSQL after it began shutting down").to.equal(true);
      expect(when("stopped") >= when("embedded PostgreSQL stopped"), "the database is stopped last").to.equal(true);
      expect(fs.existsSync(path.join(dataDir, "postgres", "postmaster.pid")), "postgres is gone").to.equal(false);
    } finally {
      if (proc.exitCode === null) process.kill(-proc.pid!, "SIGKILL");
    }
  });

  it("replaces the shared password of a data folder made by an earlier version with its own", async () => {
    const passwordFile = path.join(dataDir, "postgres-password");
    // make the folder look like an earlier version's: the password `chorus`, no password file
    const first = await startInTerminal(env());
    const client = new Client({
      host: "127.0.0.1",
      port: pgPort,
      user: "postgres",
      password: fs.readFileSync(passwordFile, "utf8").trim(),
      database: "chorus",
    });
    await client.connect();
    await client.query("ALTER ROLE postgres PASSWORD 'chorus'");
    await client.end();
    expect(await first.ctrlC()).to.equal(0);
    fs.rmSync(passwordFile);

    const again = await startInTerminal(env());
    try {
      expect(fs.statSync(passwordFile).mode & 0o777).to.equal(0o600);
      const password = fs.readFileSync(passwordFile, "utf8").trim();
      expect(password).to.match(/^[0-9a-f]{64}$/);
      expect(await connectAs(pgPort, "chorus")).to.equal("28P01");
      expect(await connectAs(pgPort, password)).to.equal("connected");
    } finally {
      expect(await again.ctrlC()).to.equal(0);
    }
  });
});
