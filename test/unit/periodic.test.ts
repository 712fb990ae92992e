import { expect } from "chai";
import pino from "pino";
import { createPeriodicScheduler, type PeriodicJob } from "../../src/infra/periodic.js";

/** A job whose run ends when the test says so. */
function heldJob(name: string, ran: string[]): PeriodicJob & { release: () => void } {
  let release: () => void = () => undefined;
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

describe("periodic jobs in local mode: intervals longer than Node's timers take", () => {
  it("a job every 40 days runs at start and not again (a plain setInterval would fire every millisecond)", async () => {
    const scheduler = createPeriodicScheduler(undefined, pino({ level: "silent" }));
    let runs = 0;
    await scheduler.start([{ name: "rare", everyMs: 40 * 24 * 3_600_000, runAtStart: true, run: async () => void runs++ }]);
    await new Promise((r) => setTimeout(r, 50));
    await scheduler.close();
    expect(runs).to.equal(1);
  });

  it("a short interval still runs at its pace", async () => {
    const scheduler = createPeriodicScheduler(undefined, pino({ level: "silent" }));
    let runs = 0;
    await scheduler.start([{ name: "often", everyMs: 10, runAtStart: false, run: async () => void runs++ }]);
    await new Promise((r) => setTimeout(r, 200));
    await scheduler.close();
    // at least a few runs in 200 ms; no upper bound is asserted (a loaded machine delays timers)
    expect(runs).to.be.greaterThan(2);
  });
});
