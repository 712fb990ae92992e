/**
 * Start-up is mostly module loading (issue 14: start-up to ready under 3 s): a process without REDIS_URL must not
 * load ioredis, BullMQ or the Redis event target (about 300 modules), and the Redis paths must still get them.
 */
import path from "node:path";
import { execFileSync } from "node:child_process";
import { expect } from "chai";

const DIST_SRC = path.resolve(__dirname, "..", "..", "src");
const REDIS_PACKAGES = /node_modules\/(ioredis|bullmq|@graphql-yoga\/redis-event-target)\//;

/** The Redis packages a fresh Node process has loaded after running `script` (CommonJS, `src` = dist/src). */
function redisPackagesLoadedBy(script: string): string[] {
  const program = `require("reflect-metadata"); const src = ${JSON.stringify(DIST_SRC)}; ${script};
    const re = ${REDIS_PACKAGES}; process.stdout.write(JSON.stringify([...new Set(Object.keys(require.cache).filter((f) => re.test(f)).map((f) => re.exec(f)[1]))]));
    process.exit(0);`;
  return JSON.parse(execFileSync(process.execPath, ["-e", program], { cwd: path.resolve(DIST_SRC, "..", ".."), encoding: "utf8" })) as string[];
}

describe("Redis packages load on first use", function () {
  this.timeout(60_000);

  it("the API's modules, the in-process scheduler, pub/sub and rate limiter load none of them", () => {
    const loaded = redisPackagesLoadedBy(`require(src + "/app.js");
      require(src + "/infra/pubsub.js").createPubSubHandle(undefined);
      require(src + "/infra/rate-limit.js").createRateLimiter(undefined, "x");
      require(src + "/infra/periodic.js").createPeriodicScheduler(undefined, require(src + "/logger.js").createLogger("silent"))`);
    expect(loaded).to.deep.equal([]);
  });

  it("with a Redis URL, each is loaded where it is used", () => {
    // lazyConnect clients and a queue that is closed at once: nothing needs a Redis server to be up.
    const loaded = redisPackagesLoadedBy(`
      const handle = require(src + "/infra/pubsub.js").createPubSubHandle("redis://127.0.0.1:1");
      const scheduler = require(src + "/infra/periodic.js").createPeriodicScheduler("redis://127.0.0.1:1", require(src + "/logger.js").createLogger("silent"));
      handle.close(); scheduler.close().catch(() => undefined)`);
    expect(loaded.sort()).to.deep.equal(["@graphql-yoga/redis-event-target", "bullmq", "ioredis"]);
  });
});
