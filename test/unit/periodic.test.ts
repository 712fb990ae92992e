import { expect } from "chai";
import pino from "pino";
import { createPeriodicScheduler, type PeriodicJob } from "../../src/infra/periodic.js";

/** A job whose run ends when the test says so. */
function heldJob(name: string, ran: string[]): PeriodicJob & { release: () => void } {
  let release = () => undefined as void;
  return {
    name,
    everyMs: 60_000,
    runAtStart: true,
    release: () => release(),
    run: () =>
      new Promise<void>((resolve) => {
        ran.push(name);
        release = resolve;
      }),
  };
}

describe("periodic jobs in local mode: stopping while a run is under way", () => {
  it("close() waits for the run under way and starts no further start run (Ctrl-C right after start)", async () => {
    const scheduler = createPeriodicScheduler(undefined, pino({ level: "silent" }));
    const ran: string[] = [];
    const first = heldJob("first", ran);
    const second = heldJob("second", ran);
    const started = scheduler.start([first, second]);
    await new Promise((r) => setImmediate(r));
    expect(ran).to.deep.equal(["first"]);

    let closed = false;
    const closing = scheduler.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    // the database must stay open until the run under way ends
    expect(closed).to.equal(false);
    first.release();
    await closing;
    await started;
    expect(closed).to.equal(true);
    expect(ran, "no start run after close").to.deep.equal(["first"]);
  });
});
