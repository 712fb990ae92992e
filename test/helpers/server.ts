import "reflect-metadata";
import pino from "pino";
import { loadConfig } from "../../src/config/index.js";
import { startChorus, type ChorusInstance } from "../../src/app.js";
import { createTestDatabase, testRedisUrl, type TestDatabase } from "./database.js";
import { Role } from "../../src/modules/users/role.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { internalRequestContext } from "../../src/common/request-context.js";
import { deleteRedisPrefix, testRedisPrefix } from "./redis-keys.js";

export interface TestServer {
  chorus: ChorusInstance;
  db: TestDatabase;
  url: string;
  wsUrl: string;
  origin: string;
  /** A trusted API client with role ADMIN, for set-up steps. */
  adminKey: string;
  /** Creates another API client directly through the service and returns its key and id. */
  createClient(opts?: { name?: string; trusted?: boolean; role?: Role; kind?: ApiClientKind; expiresAt?: Date }): Promise<{ key: string; id: string }>;
  stop(): Promise<void>;
}

/**
 * Starts a real Chorus server on a free port, on its own fresh database (migrated), for one test file.
 * `env` adds or overrides configuration variables exactly as the process environment would.
 */
export async function startTestServer(env: Record<string, string> = {}, opts: { redis?: boolean } = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: "5",
    // A test server loads the tiny model on its first answer, if any (a thread and about a second of CPU each).
    LOCAL_WORKER_PRELOAD: "false",
    ...(opts.redis ? { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: testRedisPrefix() } : {}),
    ...env,
  });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const chorus = await startChorus(config, { log, defaultMetrics: false });
  await chorus.ready;
  // The start-up runs of the periodic jobs write derived tables (user_stats, cached stats): a test that snapshots
  // tables must not race them (moderation's "changing nothing" digest once did, on a slow CI machine).
  await chorus.jobsStarted;
  // The start-up tree check runs after ready; tests start from a database it has settled.
  await chorus.treesChecked;
  const createClient: TestServer["createClient"] = async (o = {}) => {
    const { apiClient, key } = await chorus.app.apiClients.create(internalRequestContext("system", log, Role.ADMIN), {
      name: o.name ?? "test client",
      trusted: o.trusted ?? false,
      role: o.role ?? Role.USER,
      kind: o.kind ?? ApiClientKind.CLIENT,
      expiresAt: o.expiresAt ?? null,
    });
    return { key, id: apiClient.id };
  };
  const admin = await createClient({ name: "test admin", trusted: true, role: Role.ADMIN });
  const origin = `http://127.0.0.1:${chorus.http.port}`;
  return {
    chorus,
    db,
    url: `${origin}/graphql`,
    wsUrl: `ws://127.0.0.1:${chorus.http.port}/graphql`,
    origin,
    adminKey: admin.key,
    createClient,
    stop: async () => {
      await chorus.stop();
      await db.drop();
      // the test's own Redis key space (queues, BullMQ schedulers, streams) goes with it
      if (config.redisUrl && config.redisKeyPrefix.startsWith("chorus-test-")) await deleteRedisPrefix(config.redisKeyPrefix, config.redisUrl);
    },
  };
}
