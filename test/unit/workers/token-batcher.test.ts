/**
 * The worker's token batcher (packages/worker-protocol, used by gpu-workers and local mode's in-process worker):
 * the answer's first token is sent at once, batching starts with the second. No clock is read: the window is far
 * longer than the test, so a send seen before `flush` can only be the at-once send of the first token.
 */
import { expect } from "chai";
import { TokenBatcher } from "@chorus/worker-protocol";

/** Lets the batcher's chained sends run (each send is one promise step after the one before). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe("the worker's token batcher", () => {
  const HOUR = 3_600_000;

  it("sends the first token at once, then gathers the rest for the window", async () => {
    const sent: [string, number][] = [];
    const batcher = new TokenBatcher(HOUR, async (text, count) => {
      sent.push([text, count]);
    });
    batcher.add("Hel", 1);
    await settle();
    expect(sent, "the first token is not held for the window").to.deep.equal([["Hel", 1]]);
    batcher.add("lo", 1);
    batcher.add(" you", 2);
    await settle();
    expect(sent, "the second and later tokens wait for the window").to.deep.equal([["Hel", 1]]);
    await batcher.flush();
    expect(sent).to.deep.equal([
      ["Hel", 1],
      ["lo you", 3],
    ]);
  });

  it("sends every token at once with a window of 0, in order", async () => {
    const sent: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new TokenBatcher(0, async (text) => {
      await gate; // the first send is slow: the later ones queue behind it
      sent.push(text);
    });
    for (const t of ["a", "b", "c"]) batcher.add(t);
    release();
    await batcher.flush();
    expect(sent).to.deep.equal(["a", "b", "c"]);
  });

  it("reports a failed send from the final flush", async () => {
    const batcher = new TokenBatcher(HOUR, async () => {
      throw new Error("refused");
    });
    batcher.add("x");
    await settle();
    let error: unknown = null;
    await batcher.flush().catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("refused");
  });
});
