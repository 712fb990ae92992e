/**
 * TickBatcher (src/infra/tick-batcher.ts): the calls of one turn of the event loop are answered by one run, each
 * with its own output; when a batch fails, each input runs alone, so one bad input fails only its own call.
 */
import { expect } from "chai";
import { TickBatcher } from "../../src/infra/tick-batcher.js";

describe("TickBatcher", () => {
  it("answers the calls of one turn with one run, in order, and later calls with another", async () => {
    const runs: number[][] = [];
    const batcher = new TickBatcher<number, number>(async (inputs) => {
      runs.push(inputs);
      return inputs.map((i) => i * 10);
    });
    const first = await Promise.all([1, 2, 3].map((i) => batcher.call(i)));
    const second = await batcher.call(4);
    expect(first).to.deep.equal([10, 20, 30]);
    expect(second).to.equal(40);
    expect(runs).to.deep.equal([[1, 2, 3], [4]]);
  });

  it("runs each input alone when the batch fails, so only the bad one fails", async () => {
    const runs: number[][] = [];
    const batcher = new TickBatcher<number, string>(async (inputs) => {
      runs.push(inputs);
      if (inputs.includes(13)) throw new Error("unlucky");
      return inputs.map(String);
    });
    const results = await Promise.allSettled([12, 13, 14].map((i) => batcher.call(i)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).to.deep.equal(["12", "unlucky", "14"]);
    expect(runs).to.deep.equal([[12, 13, 14], [12], [13], [14]]);
  });
});
