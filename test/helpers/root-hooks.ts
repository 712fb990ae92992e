/**
 * Mocha root hooks (.mocharc.json requires this file): after the whole run, no key this run wrote in Redis may be
 * left without an expiry. Each test deletes its own key space when it ends; a key left behind is a leak in a test
 * or in the code (a BullMQ job scheduler, a counter without TTL), and this hook names it.
 */
import { prefixesHandedOut, sweepRun } from "./redis-keys.js";

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    if (prefixesHandedOut() === 0) return;
    this.timeout(60_000);
    const { persistent } = await sweepRun();
    if (persistent.length > 0) {
      const shapes = [
        ...new Set(
          persistent.map((k) => k.replace(/^chorus-test-[0-9a-f]+-[a-z0-9]+-[0-9a-f]+:/, "<prefix>:").replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/g, "<uuid>")),
        ),
      ];
      throw new Error(`the tests left ${persistent.length} Redis keys without expiry, e.g.:\n  ${shapes.slice(0, 20).join("\n  ")}`);
    }
  },
};
