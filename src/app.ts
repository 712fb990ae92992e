/**
 * Boots one Chorus API process: database (external or embedded), Redis when configured, schema, HTTP and
 * websocket server; connects and migrates alongside, without holding up the server, so health endpoints answer at once.
 */
import type { Logger } from "pino";
import type { Config } from "./config/index.js";
import { createLogger } from "./logger.js";
import { createDataSource } from "./db/data-source.js";
import { QueryCounter } from "./db/query-counter.js";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded.js";
import { connectWithRetry } from "./db/connect.js";
import { migrateWithLock } from "./db/migrate.js";
import { warmPool } from "./db/pool-warm-up.js";
import { createPubSubHandle } from "./infra/pubsub.js";
import { newRedis } from "./infra/redis-modules.js";
import { Metrics } from "./server/metrics.js";
import { createServices, type AppServices } from "./server/services.js";
import { getSchema } from "./server/schema.js";
import { startHttpServer, type HttpServerHandle } from "./server/server.js";
import { UserTokenSigner } from "./server/user-token.js";
import { loadOrCreateSecret } from "./modules/system/secrets.js";
import { createPeriodicScheduler, type PeriodicScheduler } from "./infra/periodic.js";
import { treeAndTaskJobs } from "./modules/tasks/task-jobs.js";
import { generationJobs } from "./modules/workers/jobs/generation-jobs.js";
import { LOCAL_WORKER_MODEL, LocalWorker } from "./modules/workers/local/local-worker.js";
import { tinyModelRunner } from "./modules/workers/local/local-models.js";
import { statsJobs } from "./modules/stats/stats-jobs.js";
import { cachedStatsJobs } from "./modules/cached-stats/cached-stats-jobs.js";
import { arenaJobs } from "./modules/arena/arena-jobs.js";

export interface ChorusInstance {
  /** Runs a periodic job now (tests, admin refreshes). */
  runJob(name: string): Promise<void>;
  app: AppServices;
  http: HttpServerHandle;
  url: string;
  /** Resolves once the database is connected and migrated. */
  ready: Promise<void>;
  /**
   * Local mode: resolves once the periodic jobs' start-up runs have finished (they write derived tables such as
   * user_stats; tests that compare table snapshots wait for them). With Redis: resolves at once.
   */
  jobsStarted: Promise<void>;
  /**
   * Resolves once the start-up tree check (spec §9.7) has run. It runs after ready, beside the traffic it is safe
   * with (each tree re-checked under its lock, as a submission would), so start-up never waits on the data size.
   */
  treesChecked: Promise<void>;
  embedded: EmbeddedDatabase | null;
  /** Statements sent to PostgreSQL by this process so far. */
  queryCount(): number;
  queryCounter: QueryCounter;
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Run migrations at start (default true). */
  migrate?: boolean;
  /** Collect Node's default process metrics (default true; tests with many servers turn it off). */
  defaultMetrics?: boolean;
  /** Run the periodic jobs and start-up checks (default true). */
  jobs?: boolean;
}

export async function startChorus(config: Config, opts: StartOptions = {}): Promise<ChorusInstance> {
  const log = opts.log ?? createLogger(config.logLevel);
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  const queryCounter = new QueryCounter();
  // The whole pool stays open once the warm-up has opened it (src/db/pool-warm-up.ts).
  const ds = createDataSource({ url: databaseUrl, poolSize: config.databasePoolSize, minConnections: config.databasePoolSize, queryCounter });
  const redis = config.redisUrl ? newRedis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : null;
  redis?.on("error", (err) => log.debug({ error: err.message }, "redis connection error"));
  redis?.connect().catch(() => undefined);
  const pubSub = createPubSubHandle(config.redisUrl, (err) => log.debug({ error: err.message }, "redis pub/sub connection error"));
  const metrics = new Metrics({ defaultMetrics: opts.defaultMetrics ?? true, queryCounter });

  let ready = false;
  let signer: UserTokenSigner | undefined;
  const app = createServices(
    { config, log, ds, redis, pubSub, metrics },
    {
      ready: () => ready,
      signer: () => {
        if (!signer) throw new Error("user-token signer used before the database was ready");
        return signer;
      },
    },
  );

  // Revocation reaches open sockets: announcements from any replica or the CLI, and the periodic re-check.
  app.identityEvents.start();
  app.openSockets.start();

  const abort = new AbortController();
  // The database comes up (connect, migrations, the token secret, the pool settings' check) while this process
  // builds the schema and starts listening: the one waits on PostgreSQL, the other is this process's CPU, so
  // start-up to "ready" is the longer of the two instead of their sum (issue 14).
  const database = (async () => {
    await connectWithRetry(ds, log, config.dbRetryMaxDelayMs, abort.signal);
    if (opts.migrate ?? true) await migrateWithLock(ds, databaseUrl, log);
    signer = new UserTokenSigner(config.userTokenSecret ?? (await loadOrCreateSecret(ds, "user_token")));
    // The task lottery's candidate pools follow the tree-manager settings; a change rebuilds them once.
    await app.tasks.pools.sync(ds);
    // Every pool connection open, its backend's caches holding the chat path's tables, before the first burst
    // (src/db/pool-warm-up.ts). Best effort: a pool that cannot open them all now opens them on demand, as before.
    await warmPool(ds).then(
      ({ connections, statements, failed }) => {
        for (const f of failed) log.error({ statement: f.text.slice(0, 200), error: f.error }, "a hot statement could not be planned");
        log.debug({ connections, statements }, "database pool open and prepared");
      },
      (err: Error) => log.warn({ error: err.message }, "the database pool could not be opened in full before ready"),
    );
  })();
  // Its failure is reported where it is awaited (ready, below); this keeps one that comes while the schema is
  // still being built from counting as unhandled.
  database.catch(() => undefined);
  let http: HttpServerHandle;
  try {
    http = await startHttpServer(app, await getSchema());
  } catch (err) {
    // No server, so nothing will wait for the database: stop it coming up and close what it opened.
    abort.abort();
    await database.catch(() => undefined);
    if (ds.isInitialized) await ds.destroy();
    throw err;
  }
  log.info({ url: http.url }, "listening");

  let scheduler: PeriodicScheduler | undefined;
  let jobsStartedResolve: () => void = () => undefined;
  const jobsStarted = new Promise<void>((resolve) => (jobsStartedResolve = resolve));
  let localWorker: LocalWorker | undefined;
  let treesChecked: Promise<void> = Promise.resolve();
  const readyPromise = (async () => {
    await database;
    app.workers.start();
    app.generations.startPositionUpdates(config.chat.queuePositionIntervalMs);
    if (!config.redisUrl && config.chat.localWorker && !app.chats.catalog.get(LOCAL_WORKER_MODEL)) {
      log.warn({ model: LOCAL_WORKER_MODEL }, "the models file does not declare the in-process worker's model; no in-process worker");
    } else if (!config.redisUrl && config.chat.localWorker) {
      const preload = config.chat.localWorkerPreload;
      localWorker = new LocalWorker(app.workers, config.chat.localWorkerTokensPerSecond, log, undefined, () => tinyModelRunner(log, undefined, { preload }));
      // Not awaited: the tiny model's session joins once its files are checked (or generated).
      localWorker.start().catch((err) => log.error({ err }, "the in-process worker did not start"));
    }
    ready = true;
    if (opts.jobs ?? true) {
      // §9.7 start-up checks: not awaited (41 s at 100,000 trees when it ran before ready); stopping ends it between trees.
      treesChecked = app.trees.ensureTreeStates(abort.signal).then(
        (rechecked) => log.info({ rechecked }, "start-up tree check done"),
        (err) => {
          if (!abort.signal.aborted) log.error({ err }, "start-up tree check failed");
        },
      );
      // Not awaited: with Redis down, BullMQ waits for it, and serving must not.
      scheduler = createPeriodicScheduler(config.redisUrl, log, {
        keyPrefix: config.redisKeyPrefix,
        onRun: (job, outcome, seconds) => {
          metrics.periodicRuns.inc({ job, outcome });
          metrics.periodicDurations.observe({ job }, seconds);
        },
      });
      scheduler
        .start([...treeAndTaskJobs(app), ...generationJobs(app), ...statsJobs(app), ...cachedStatsJobs(app), ...arenaJobs(app)])
        .catch((err) => log.error({ err }, "periodic jobs did not start"))
        .finally(jobsStartedResolve);
      // With Redis, BullMQ runs the jobs on its own schedule and start() waits for Redis, which may be down.
      if (config.redisUrl) jobsStartedResolve();
    } else {
      jobsStartedResolve();
    }
    log.info("ready");
  })();
  readyPromise.catch((err) => {
    if (!abort.signal.aborted) log.fatal({ err }, "could not start");
  });

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      log.info("shutting down");
      abort.abort();
      // Requests already received still run to the end: readiness turns false (the server stops listening and
      // /readyz says so) but the database stays usable until the HTTP server has drained.
      await http.stop();
      ready = false;
      app.openSockets.stop();
      app.identityEvents.stop();
      await scheduler?.close();
      await treesChecked;
      await localWorker?.stop();
      await app.workers.close();
      await app.generations.close();
      await app.chats.close();
      log.debug("http and websocket server stopped");
      await pubSub.close();
      redis?.disconnect();
      if (ds.isInitialized) await ds.destroy();
      log.debug("database pool closed");
      if (embedded) await embedded.stop();
      log.info("stopped");
    })();
    return stopped;
  };

  const runJob = async (name: string) => {
    if (!scheduler) throw new Error("periodic jobs are off");
    await scheduler.runNow(name);
  };
  return {
    app,
    http,
    url: http.url,
    ready: readyPromise,
    jobsStarted,
    // Read when ready (the check starts then); a start-up that fails has nothing to check.
    treesChecked: readyPromise.then(
      () => treesChecked,
      () => undefined,
    ),
    embedded,
    stop,
    runJob,
    queryCount: () => queryCounter.count,
    queryCounter,
  };
}
