import { expect } from "chai";
import { createRateLimiter, type RateLimiter } from "../../src/infra/rate-limit.js";
import { testRedisUrl } from "../helpers/database.js";
import { testRedisPrefix } from "../helpers/redis-keys.js";

for (const driver of ["local", "redis"] as const) {
  describe(`fixed-window rate limiter (${driver})`, () => {
    let clock = 1_000_000;
    let limiter: RateLimiter;
    let other: RateLimiter;
    const prefix = testRedisPrefix("rl");
    before(() => {
      limiter = createRateLimiter(driver === "redis" ? testRedisUrl() : undefined, prefix, () => clock);
      other = driver === "redis" ? createRateLimiter(testRedisUrl(), prefix) : limiter;
    });
    after(async () => {
      await limiter.close();
      if (other !== limiter) await other.close();
    });

    it("lets `limit` hits through in a window, refuses the next with the time left, and keys are independent", async () => {
      const rule = { name: "t1", limit: 3, windowSeconds: 60 };
      for (let i = 0; i < 3; i++) expect((await limiter.hit(rule, "alice")).allowed).to.equal(true);
      const refused = await limiter.hit(rule, "alice");
      expect(refused.allowed).to.equal(false);
      if (!refused.allowed) expect(refused.retryAfterSeconds).to.be.within(1, 60);
      expect((await limiter.hit(rule, "bob")).allowed).to.equal(true);
    });

    if (driver === "local") {
      it("opens a new window after the old one ends", async () => {
        const rule = { name: "t2", limit: 1, windowSeconds: 10 };
        expect((await limiter.hit(rule, "x")).allowed).to.equal(true);
        expect((await limiter.hit(rule, "x")).allowed).to.equal(false);
        clock += 10_001;
        expect((await limiter.hit(rule, "x")).allowed).to.equal(true);
      });
    } else {
      it("shares the count between replicas and opens a new window when the old one expires", async () => {
        const rule = { name: "t3", limit: 2, windowSeconds: 1 };
        expect((await limiter.hit(rule, "y")).allowed).to.equal(true);
        expect((await other.hit(rule, "y")).allowed).to.equal(true);
        expect((await limiter.hit(rule, "y")).allowed).to.equal(false);
        await new Promise((r) => setTimeout(r, 1100));
        expect((await other.hit(rule, "y")).allowed).to.equal(true);
      });
    }
  });
}

describe("task request rate limits through GraphQL (spec §6.7)", function () {
  this.timeout(30_000);
  // imported lazily so the pure limiter tests above need no server
  let server: import("../helpers/server.js").TestServer;
  before(async () => {
    const { startTestServer } = await import("../helpers/server.js");
    server = await startTestServer({ RATE_LIMIT_TASK_USER: "3/60", RATE_LIMIT_TASK_ASSISTANT_REPLY: "1/60" });
  });
  after(async () => {
    await server.stop();
  });

  it("refuses a user's fourth request in the window with RATE_LIMITED and when to retry; other users are not affected", async () => {
    const { World } = await import("../helpers/world.js");
    const { errorCode } = await import("../helpers/graphql.js");
    const { key } = await server.createClient({ trusted: true });
    const w = new World(server, key, "rl1");
    const a = w.annotator();
    for (let i = 0; i < 3; i++) expect((await a.request("INITIAL_PROMPT", "rl1")).errors).to.equal(undefined);
    const fourth = await a.request("INITIAL_PROMPT", "rl1");
    expect(errorCode(fourth)).to.equal("RATE_LIMITED");
    expect(fourth.status, "an executed request answers 200 (GraphQL over HTTP); the code is the contract").to.equal(200);
    expect(fourth.errors![0].extensions).to.include({ oaErrorCode: 429, limit: "task-user" });
    expect(fourth.errors![0].extensions!.retryAfterSeconds).to.be.within(1, 60);
    expect(fourth.errors![0].message).to.match(/^Too Many Requests\. Retry After \d+ seconds\.$/);
    expect((await w.annotator().request("INITIAL_PROMPT", "rl1")).errors).to.equal(undefined);
    // the stricter limit on assistant-reply requests
    const b = w.annotator();
    expect(errorCode(await b.request("ASSISTANT_REPLY", "rl1"))).to.equal("TASK_REQUESTED_TYPE_NOT_AVAILABLE");
    expect(errorCode(await b.request("ASSISTANT_REPLY", "rl1"))).to.equal("RATE_LIMITED");
  });
});

describe("task request rate limits switched off (RATE_LIMIT=false)", function () {
  this.timeout(30_000);
  let server: import("../helpers/server.js").TestServer;
  before(async () => {
    const { startTestServer } = await import("../helpers/server.js");
    server = await startTestServer({ RATE_LIMIT: "false", RATE_LIMIT_TASK_USER: "1/60" });
  });
  after(async () => {
    await server.stop();
  });

  it("lets every request through", async () => {
    const { World } = await import("../helpers/world.js");
    const { key } = await server.createClient({ trusted: true });
    const a = new World(server, key, "rl2").annotator();
    for (let i = 0; i < 3; i++) expect((await a.request("INITIAL_PROMPT", "rl2")).errors).to.equal(undefined);
  });
});
