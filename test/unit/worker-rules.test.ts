import { expect } from "chai";
import { isSilent } from "../../src/modules/workers/worker.service.js";
import { RateWindow } from "../../src/modules/workers/sessions/worker-registry.js";
import { partialAnswer, streamedText, type StoredGenerationEvent } from "../../src/modules/chat/generation/generation-events.js";

describe("worker rules", () => {
  describe("isSilent: when a worker session is dropped", () => {
    const lease = 1_000;
    it("drops a session silent for longer than the lease", () => {
      expect(isSilent({ lastSeenAt: 0, inflightCount: 1, heartbeatsWhenIdle: false }, 1_001, lease)).to.equal(true);
      expect(isSilent({ lastSeenAt: 0, inflightCount: 0, heartbeatsWhenIdle: true }, 1_001, lease)).to.equal(true);
    });
    it("keeps one heard from within the lease", () => {
      expect(isSilent({ lastSeenAt: 0, inflightCount: 3, heartbeatsWhenIdle: true }, 1_000, lease)).to.equal(false);
    });
    it("never judges an idle session that does not heartbeat when idle (it has nothing to report)", () => {
      expect(isSilent({ lastSeenAt: 0, inflightCount: 0, heartbeatsWhenIdle: false }, 1_000_000, lease)).to.equal(false);
    });
  });

  describe("RateWindow: tokens per second over a sliding window", () => {
    it("divides by the time since creation until the window is full, and forgets old seconds", () => {
      let now = 10_000;
      const rate = new RateWindow(10, () => now);
      expect(rate.perSecond()).to.equal(0);
      rate.add(50);
      now += 500;
      expect(rate.perSecond()).to.equal(50); // at least one second of span
      now = 14_000;
      rate.add(30);
      expect(rate.perSecond()).to.equal(20); // 80 tokens over 4 s
      now = 30_000;
      expect(rate.perSecond()).to.equal(0);
      rate.add(10);
      expect(rate.perSecond()).to.equal(1); // 10 tokens over the full 10 s window
    });
  });

  describe("partialAnswer: what the next worker continues after", () => {
    const queued: StoredGenerationEvent = { type: "queued", position: 1, queueSize: 1 };
    const started = (workerName: string): StoredGenerationEvent => ({ type: "started", workerName });
    const tokens = (text: string, tokenCount = 1): StoredGenerationEvent => ({ type: "tokens", text, tokenCount });

    it("is every batch of the generation, across hand-outs that continued it", () => {
      const events = [queued, started("a"), tokens(" one"), tokens(" two", 2), queued, started("b"), tokens(" three")];
      expect(partialAnswer(events)).to.deep.equal({ text: " one two three", tokenCount: 4 });
      expect(partialAnswer(events)).to.deep.equal(streamedText(events));
    });

    it("starts again after a restart, and is empty before any token", () => {
      expect(partialAnswer([queued, started("a"), tokens(" lost"), { type: "restarted", reason: "x" }, started("b"), tokens(" kept")])).to.deep.equal({
        text: " kept",
        tokenCount: 1,
      });
      expect(partialAnswer([queued, started("a")])).to.deep.equal({ text: "", tokenCount: 0 });
    });
  });
});
