import crypto from "node:crypto";
import { expect } from "chai";
import { createRateLimiter, type RateLimiter } from "../../src/infra/rate-limit.js";
import { testRedisUrl } from "../helpers/database.js";

for (const driver of ["local", "redis"] as const) {
  describe(`fixed-window rate limiter (${driver})`, () => {
    let clock = 1_000_000;
    let limiter: RateLimiter;
    let other: RateLimiter;
    const prefix = `chorus:test:${crypto.randomBytes(4).toString("hex")}:`;
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
