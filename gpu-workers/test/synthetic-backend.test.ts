import { expect } from "chai";
import { SyntheticBackend, createBackend } from "../src/backends/index.js";
import { collect, greedy, neverAborted } from "./helpers.js";

const messages = [{ role: "user" as const, content: "Tell me something" }];

describe("SyntheticBackend", () => {
  it("writes the same words for the same request, and others for another seed", async () => {
    const backend = new SyntheticBackend({ tokensPerSecond: 10_000 });
    const run = (seed?: number) =>
      collect(backend.generate({ messages, sampling: { maxNewTokens: 12, temperature: 1, topP: 1, seed }, signal: neverAborted() }));
    const [a, b, c, d] = [await run(), await run(), await run(3), await run(3)];
    expect(a.text.split(" ")).to.have.length(12);
    expect(b.text).to.equal(a.text);
    expect(d.text).to.equal(c.text);
    expect(c.text).to.not.equal(a.text);
    expect(a.tokens.every((t) => t.tokenCount === 1)).to.equal(true);
    expect(a.finish).to.deep.include({ finishReason: "length", tokenCount: 12, promptTokens: 3 });
  });

  it("keeps to its configured rate", async () => {
    // Due times are fixed from the start (50 ms latency, then one token every 10 ms), so each token can be late but
    // never early, beyond the millisecond a Node timer may round off. The upper bound only catches a rate that is
    // off by a lot.
    const backend = new SyntheticBackend({ tokensPerSecond: 100, firstTokenLatencyMs: 50 });
    const started = performance.now();
    const arrivals: number[] = [];
    await collect(backend.generate({ messages, sampling: greedy(30), signal: neverAborted() }), () => arrivals.push(performance.now() - started));
    arrivals.forEach((at, index) => expect(at, `token ${index}`).to.be.at.least(50 + index * 10 - 2));
    expect(arrivals[29]).to.be.below(1000);
  });

  it("ends answers by itself with 'stop' when told how long they are", async () => {
    const backend = createBackend({ kind: "synthetic", tokensPerSecond: 10_000, answerTokens: 5 });
    expect(backend.device).to.equal("synthetic");
    const short = await collect(backend.generate({ messages, sampling: greedy(50), signal: neverAborted() }));
    expect(short.finish).to.deep.include({ finishReason: "stop", tokenCount: 5 });
    const capped = await collect(backend.generate({ messages, sampling: greedy(3), signal: neverAborted() }));
    expect(capped.finish).to.deep.include({ finishReason: "length", tokenCount: 3 });
  });

  it("stops at once when aborted, without waiting for the next token", async () => {
    const backend = new SyntheticBackend({ tokensPerSecond: 2 });
    const controller = new AbortController();
    let abortedAt = 0;
    const { finish } = await collect(backend.generate({ messages, sampling: greedy(100), signal: controller.signal }), () => {
      abortedAt = performance.now();
      controller.abort();
    });
    expect(finish).to.deep.include({ finishReason: "cancelled", tokenCount: 1 });
    // The next token was 500 ms away.
    expect(performance.now() - abortedAt).to.be.below(250);
  });

  it("continues a partial answer with a separating space", async () => {
    const backend = new SyntheticBackend({ tokensPerSecond: 10_000 });
    const { text } = await collect(backend.generate({ messages, continueFrom: "Once upon", sampling: greedy(2), signal: neverAborted() }));
    expect(text).to.match(/^ \w+ \w+$/);
  });
});
