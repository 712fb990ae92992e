import { expect } from "chai";
import { TokenBatcher } from "../../src/modules/workers/local-worker.js";

describe("the in-process worker's TokenBatcher", () => {
  it("sends the first token at once and gathers the following ones into batches", async () => {
    const sent: [string, number][] = [];
    // a window no test waits for: only flush() sends what follows the first token
    const batcher = new TokenBatcher(60_000, async (text, count) => void sent.push([text, count]));
    batcher.add("Hel", 1);
    await Promise.resolve();
    await Promise.resolve();
    expect(sent).to.deep.equal([["Hel", 1]]);
    batcher.add("lo", 1);
    batcher.add(" world", 2);
    await Promise.resolve();
    expect(sent).to.deep.equal([["Hel", 1]]);
    await batcher.flush();
    expect(sent).to.deep.equal([["Hel", 1], ["lo world", 3]]);
  });
});
