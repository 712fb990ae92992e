import { expect } from "chai";
import { TokenBatcher } from "../src/index.js";

describe("TokenBatcher", () => {
  it("gathers tokens into batches and sends them one at a time, in order", async () => {
    const sent: [string, number][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const batcher = new TokenBatcher(0, async (text, n) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      sent.push([text, n]);
      inFlight--;
    });
    batcher.add("a");
    batcher.add("b", 2);
    batcher.add("c");
    await batcher.flush();
    expect(sent.map((s) => s[0]).join("")).to.equal("abc");
    expect(sent.reduce((n, s) => n + s[1], 0)).to.equal(4);
    expect(maxInFlight).to.equal(1);
  });

  it("sends the first token at once, then holds tokens for its window and sends them together on flush", async () => {
    const sent: string[] = [];
    // a window no test waits for: only flush() sends what follows the first token
    const batcher = new TokenBatcher(60_000, async (text) => void sent.push(text));
    batcher.add("w");
    await Promise.resolve();
    await Promise.resolve();
    expect(sent).to.deep.equal(["w"]);
    batcher.add("x");
    batcher.add("y");
    await Promise.resolve();
    expect(sent).to.deep.equal(["w"]);
    await batcher.flush();
    expect(sent).to.deep.equal(["w", "xy"]);
  });
});
