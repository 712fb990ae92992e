import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../../src/config/index.js";

describe("config", () => {
  it("has a default for everything", () => {
    const c = loadConfig({});
    expect(c.port).to.equal(4000);
    expect(c.databaseUrl).to.equal(undefined);
    expect(c.redisUrl).to.equal(undefined);
    expect(c.dataDir).to.equal(path.resolve(".chorus"));
    expect(c.introspection).to.equal("true"); // local mode: the IDE works without a key
    expect(loadConfig({ DATABASE_URL: "postgres://u@h/db" }).introspection).to.equal("authenticated");
    expect(c.maxDocumentBytes).to.equal(65_536);
    expect(c.maxResponseBytes).to.equal(16_777_216);
    expect(c.maxOperationsPerSocket).to.equal(100);
    expect(c.databaseConnectionsPerOperation).to.equal(5); // half of the pool of 10
    expect(loadConfig({ DATABASE_POOL_SIZE: "1" }).databaseConnectionsPerOperation).to.equal(1);
    expect(c.operationStatementTimeoutMs).to.equal(15_000);
    expect(c.metricsPort).to.equal(undefined);
    expect(c.metricsToken).to.equal(undefined);
    expect(c.maxQueryDepth).to.equal(12);
    expect(c.maxBodyBytes).to.equal(1_048_576);
    expect(c.corsOrigins).to.deep.equal([]);
    expect(c.logLevel).to.equal("info");
  });

  it("reads each variable", () => {
    const c = loadConfig({
      PORT: "8080",
      DATABASE_URL: "postgres://u@h:5432/db",
      REDIS_URL: "redis://h:6379",
      CHORUS_DATA_DIR: "/tmp/x",
      INTROSPECTION: "off",
      CORS_ORIGINS: "https://a.example, http://localhost:3000",
      USER_TOKEN_SECRET: "s".repeat(32),
      LOG_LEVEL: "debug",
    });
    expect(c).to.deep.include({
      port: 8080,
      databaseUrl: "postgres://u@h:5432/db",
      redisUrl: "redis://h:6379",
      dataDir: "/tmp/x",
      introspection: "false",
      logLevel: "debug",
    });
    expect(loadConfig({ INTROSPECTION: "authenticated" }).introspection).to.equal("authenticated");
    expect(c.corsOrigins).to.deep.equal(["https://a.example", "http://localhost:3000"]);
  });

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ PORT: "eighty" }, "PORT", /integer between 0 and 65535/],
    [{ PORT: "70000" }, "PORT", /got 70000/],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL", /postgres: or postgresql:/],
    [{ DATABASE_URL: "not a url" }, "DATABASE_URL", /must be a URL/],
    [{ REDIS_URL: "http://x" }, "REDIS_URL", /redis: or rediss:/],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", /fatal, error, warn, info, debug, trace, silent/],
    [{ INTROSPECTION: "maybe" }, "INTROSPECTION", /true, authenticated or false/],
    [{ DATABASE_POOL_SIZE: "4", DATABASE_CONNECTIONS_PER_OPERATION: "5" }, "DATABASE_CONNECTIONS_PER_OPERATION", /must not exceed DATABASE_POOL_SIZE/],
    [{ METRICS_TOKEN: "short" }, "METRICS_TOKEN", /at least 16/],
    [{ MAX_QUERY_DEPTH: "0" }, "MAX_QUERY_DEPTH", /between 1 and 1000/],
    [{ USER_TOKEN_SECRET: "short" }, "USER_TOKEN_SECRET", /at least 32/],
    [{ USER_TOKEN_SECRET: "change-me-to-at-least-32-random-characters-0000" }, "USER_TOKEN_SECRET", /placeholder/],
    [{ USER_TOKEN_SECRET: "CHANGEME-please-put-a-real-secret-here-123" }, "USER_TOKEN_SECRET", /placeholder/],
    [{ CORS_ORIGINS: "example.org" }, "CORS_ORIGINS", /origins like/],
    [{ RATE_LIMIT_TASK_USER: "lots" }, "RATE_LIMIT_TASK_USER", /LIMIT\/SECONDS/],
  ];
  for (const [env, variable, message] of bad) {
    it(`refuses ${JSON.stringify(env)} naming ${variable}`, () => {
      try {
        loadConfig(env);
        expect.fail("should have thrown");
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).variable).to.equal(variable);
        expect((err as Error).message)
          .to.include(variable)
          .and.match(message);
      }
    });
  }

  it("is documented: docs/configuration.md lists every variable (test/unit/config-doc.test.ts checks it is current)", () => {
    const doc = fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "docs", "configuration.md"), "utf8");
    const missing = CONFIG_VARIABLES.filter((v) => !doc.includes("`" + v + "`"));
    expect(missing).to.deep.equal([]);
  });

  it("src/config/index.ts is the only place that reads process.env in src/", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (p.endsWith(".ts") && !p.endsWith(path.join("src", "config", "index.ts")) && fs.readFileSync(p, "utf8").includes("process.env"))
          offenders.push(p);
      }
    };
    walk(path.resolve(__dirname, "..", "..", "..", "src"));
    expect(offenders).to.deep.equal([]);
  });
});
