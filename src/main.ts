import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { ConfigError, loadConfig, type Config } from "./config/index.js";
import { createLogger } from "./logger.js";
import { startChorus, type ChorusInstance } from "./app.js";
import { Role } from "./modules/users/role.js";
import { internalRequestContext } from "./common/request-context.js";
import { metricsExposure, type MetricsExposure } from "./server/metrics-endpoint.js";

/** Local mode (embedded database): make sure a development key exists and tell the user where to use it. */
async function ensureDevClient(chorus: ChorusInstance, config: Config): Promise<string | null> {
  if (config.databaseUrl || !config.devApiClient) return null;
  const keyFile = path.join(config.dataDir, "dev-api-key");
  if (fs.existsSync(keyFile)) {
    const key = fs.readFileSync(keyFile, "utf8").trim();
    const check = await chorus.app.apiClients.checkKey(key);
    if (check.ok) return key;
  }
  if ((await chorus.app.apiClients.count()) > 0 && !fs.existsSync(keyFile)) return null;
  const { key } = await chorus.app.apiClients.create(internalRequestContext("system", chorus.app.log, Role.ADMIN), {
    name: "development",
    trusted: true,
    role: Role.ADMIN,
    frontendType: "development",
  });
  fs.writeFileSync(keyFile, key + "\n", { mode: 0o600 });
  return key;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`chorus: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const chorus = await startChorus(config, { log });

  let shuttingDown = false;
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (shuttingDown) return;
      shuttingDown = true;
      log.info({ signal }, "signal received");
      const force = setTimeout(() => {
        log.error("shutdown took too long; exiting");
        process.exit(1);
      }, config.shutdownTimeoutMs + 5000);
      force.unref();
      // The last log lines ("stopped") are flushed before exiting, so a log shows the shutdown completed.
      const exit = (code: number) => log.flush(() => process.exit(code));
      chorus.stop().then(
        () => exit(0),
        (err) => {
          log.error({ err }, "error during shutdown");
          exit(1);
        },
      );
    });
  }

  await chorus.ready;
  const devKey = await ensureDevClient(chorus, config);
  const metricsAt: Record<MetricsExposure, string> = {
    public: chorus.url.replace("/graphql", "/metrics"),
    token: `${chorus.url.replace("/graphql", "/metrics")} (Bearer METRICS_TOKEN)`,
    "separate-port": `port ${chorus.http.metricsPort} (METRICS_PORT)`,
    off: "off (set METRICS_PORT or METRICS_TOKEN)",
  };
  const lines = [
    "",
    `Chorus is running.`,
    `  GraphQL (HTTP and websocket): ${chorus.url}`,
    `  IDE in your browser:          ${chorus.url}`,
    `  Health: ${chorus.url.replace("/graphql", "/healthz")}  Ready: ${chorus.url.replace("/graphql", "/readyz")}  Metrics: ${metricsAt[metricsExposure(config)]}`,
    `  Database: ${config.databaseUrl ? "external PostgreSQL (DATABASE_URL)" : `embedded PostgreSQL in ${config.dataDir}`}`,
    `  Queue, streams, pub/sub: ${config.redisUrl ? "Redis (REDIS_URL)" : "in-process (set REDIS_URL to scale out)"}`,
  ];
  if (devKey) {
    lines.push(
      `  Development API key (trusted, ADMIN; kept in ${path.join(config.dataDir, "dev-api-key")}):`,
      `    ${devKey}`,
      `  Try it:`,
      `    curl -s ${chorus.url} -H 'content-type: application/json' -H 'authorization: Bearer ${devKey}' -d '{"query":"{ viewer { role via } }"}'`,
    );
  } else if (!config.databaseUrl) {
    lines.push(`  Create a key with: npx chorus api-client create --name my-app --trusted --role admin`);
  }
  process.stdout.write(lines.join("\n") + "\n\n");
}

main().catch((err) => {
  // A setting the environment cannot satisfy (a taken EMBEDDED_PG_PORT, no DATABASE_URL without embedded
  // binaries) is a configuration error like a bad value: one line naming the variable, exit code 2.
  if (err instanceof ConfigError) {
    process.stderr.write(`chorus: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`chorus: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
