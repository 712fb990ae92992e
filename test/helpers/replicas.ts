/**
 * Several Chorus API processes (`node dist/src/main.js`), as an operator runs them: one PostgreSQL database and one
 * Redis key prefix shared by all, each process on its own free port. Used by the multi-replica tests and the
 * stream benchmark.
 */
import pino from "pino";
import net from "node:net";
import { type ChildProcess } from "node:child_process";
import type { DataSource } from "typeorm";
import { createDataSource } from "../../src/db/data-source.js";
import { ApiClientService } from "../../src/modules/api-clients/api-client.service.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { Role } from "../../src/modules/users/role.js";
import { internalRequestContext } from "../../src/common/request-context.js";
import { createTestDatabase, testRedisUrl, type TestDatabase } from "./database.js";
import { MAIN, startNode } from "./process.js";
import { deleteRedisPrefix, testRedisPrefix } from "./redis-keys.js";

export interface Replica {
  name: string;
  port: number;
  origin: string;
  url: string;
  wsUrl: string;
  pid: number;
  /** stdout and stderr so far (for failure messages). */
  output(): { stdout: string; stderr: string };
  /** Sends a signal; SIGKILL is a crash (nothing cleaned up), SIGTERM a graceful stop. Resolves once it exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** This process's Prometheus metrics text. */
  metrics(): Promise<string>;
}

export interface Cluster {
  db: TestDatabase;
  /** The Redis key prefix every replica shares. */
  prefix: string;
  env: Record<string, string>;
  replicas: Replica[];
  /** A pool on the shared database for set-up and for checking the rows. */
  ds: DataSource;
  startReplica(name: string, extraEnv?: Record<string, string>): Promise<Replica>;
  createClient(opts?: { name?: string; trusted?: boolean; role?: Role; kind?: ApiClientKind }): Promise<string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** /metrics is off the public port of a deployment unless a token is set (src/server/metrics-endpoint.ts). */
export const REPLICA_METRICS_TOKEN = "replica-metrics-token-0123456789";

/** Node options for the replicas started from now on (benchmarks: `--cpu-prof`, which NODE_OPTIONS may not carry). */
let replicaNodeArgs: string[] = [];
export function setReplicaNodeArgs(args: string[]): void {
  replicaNodeArgs = args;
}

/** Starts one API process with `env` and waits for its banner; PORT=0 lets the kernel pick the port. */
export async function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const proc = startNode(MAIN, [], { LOG_LEVEL: "warn", HOST: "127.0.0.1", PORT: "0", METRICS_TOKEN: REPLICA_METRICS_TOKEN, ...env }, replicaNodeArgs);
  const [, origin] = await proc.waitFor(/GraphQL \(HTTP and websocket\): (http:\/\/[^/\s]+)\/graphql/, 90_000);
  const port = Number(new URL(origin).port);
  return replicaOf(name, proc.child, port, proc.output, proc.exited);
}

function replicaOf(name: string, child: ChildProcess, port: number, output: Replica["output"], exited: Promise<number | null>): Replica {
  const origin = `http://127.0.0.1:${port}`;
  return {
    name,
    port,
    origin,
    url: `${origin}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    pid: child.pid!,
    output,
    kill: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    metrics: async () => (await fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${REPLICA_METRICS_TOKEN}` } })).text(),
  };
}

/**
 * A fresh database and Redis prefix with `count` replicas on them (started one after another, so the first one
 * migrates and the others find the schema current). `env` is added to every replica's environment.
 */
export async function startCluster(count: number, env: Record<string, string> = {}): Promise<Cluster> {
  const db = await createTestDatabase();
  const prefix = testRedisPrefix("rep");
  const shared: Record<string, string> = {
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: "5",
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: prefix,
    LOCAL_WORKER: "false",
    ...env,
  };
  const replicas: Replica[] = [];
  let ds: DataSource | undefined;
  const cluster: Cluster = {
    db,
    prefix,
    env: shared,
    replicas,
    get ds() {
      if (!ds) throw new Error("the cluster has no replica yet");
      return ds;
    },
    startReplica: async (name, extraEnv = {}) => {
      const r = await startReplica(name, { ...shared, ...extraEnv });
      replicas.push(r);
      if (!ds) {
        ds = createDataSource({ url: db.url, poolSize: 3, applicationName: "chorus-test" });
        await ds.initialize();
      }
      return r;
    },
    createClient: async (opts = {}) => {
      const { key } = await new ApiClientService(cluster.ds).create(internalRequestContext("system", pino({ level: "silent" }), Role.ADMIN), {
        name: opts.name ?? "test client",
        trusted: opts.trusted ?? false,
        role: opts.role ?? Role.USER,
        kind: opts.kind ?? ApiClientKind.CLIENT,
      });
      return key;
    },
    stop: async () => {
      await Promise.all(replicas.map((r) => r.kill("SIGTERM")));
      if (ds?.isInitialized) await ds.destroy();
      await db.drop();
      await deleteRedisPrefix(prefix);
    },
  };
  for (let i = 0; i < count; i++) await cluster.startReplica(String.fromCharCode(65 + i));
  return cluster;
}

/** Polls `check` until it returns a value other than undefined (no timing is asserted: the test's timeout bounds it). */
export async function eventually<T>(check: () => Promise<T | undefined>, everyMs = 100): Promise<T> {
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A counter's value in a Prometheus text exposition, summed over the series that match `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}
