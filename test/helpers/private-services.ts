/**
 * Private PostgreSQL and Redis instances on free loopback ports, for tests that stop, kill and restart them.
 * Never the machine's shared services. PostgreSQL refuses to run as root, so as root its cluster belongs to the
 * `postgres` user (as .ci/run does it, with runuser).
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

function postgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(a) - Number(b));
  return versions.length ? path.join(root, versions[versions.length - 1], "bin") : null;
}

export function privateServicesAvailable(): { postgres: boolean; redis: boolean } {
  let redis = false;
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    redis = true;
  } catch {
    redis = false;
  }
  return { postgres: postgresBin() !== null, redis };
}

export interface PrivatePostgres {
  url: string;
  port: number;
  /** Stops the server at once (connections are cut), then starts it again on the same port and data. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error("no PostgreSQL binaries under /usr/lib/postgresql");
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-pg-"));
  const data = path.join(dir, "data");
  const run = (cmd: string, args: string[]) => {
    const full = path.join(bin, cmd);
    return asRoot ? execFileSync("runuser", ["-u", "postgres", "--", full, ...args], { stdio: "pipe" }) : execFileSync(full, args, { stdio: "pipe" });
  };
  if (asRoot) {
    fs.chmodSync(dir, 0o755);
    execFileSync("chown", ["postgres:postgres", dir]);
  }
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const port = await freePort();
  // fsync off (the machine does not crash, only PostgreSQL does); synchronous_commit stays on, so a commit a
  // client was told about survives an immediate stop, as on a real server.
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -k ${dir} -c max_connections=50`;
  const start = () => run("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-o", opts, "start"]);
  const stopNow = () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: async (downMs = 500) => {
      stopNow();
      await new Promise((r) => setTimeout(r, downMs));
      start();
    },
    stop: async () => {
      try {
        stopNow();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: everything in it is lost, as it keeps nothing on disk) and starts a new one. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"], {
      stdio: "ignore",
    });
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, "127.0.0.1", () => {
          s.end();
          resolve(true);
        });
        s.on("error", () => resolve(false));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("private redis-server did not start");
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restart: async (downMs = 300) => {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    stop: kill,
  };
}
