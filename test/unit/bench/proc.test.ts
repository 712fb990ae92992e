import { spawnSync } from "node:child_process";
import { expect } from "chai";
import { cpuMsOfPid, endedChildrenCpuMsOfPid } from "../../../bench/proc.js";

describe("bench/proc: CPU read from /proc", () => {
  it("counts the CPU of a child that ended in its parent's ended-children CPU (a live-process sum drops it)", () => {
    const before = endedChildrenCpuMsOfPid(process.pid);
    // A child that burns 300 ms of CPU (by its own count, whatever the load) and exits; spawnSync reaps it, so its CPU moves to our cutime/cstime.
    const child = spawnSync(process.execPath, ["-e", "while (process.cpuUsage().user < 300000);"]);
    expect(child.status).to.equal(0);
    expect(cpuMsOfPid(child.pid!), "an ended process has no CPU of its own to read").to.equal(0);
    expect(endedChildrenCpuMsOfPid(process.pid) - before).to.be.at.least(100);
  });

  it("reads 0 for a process that does not exist", () => {
    expect(cpuMsOfPid(2 ** 22 + 1)).to.equal(0);
    expect(endedChildrenCpuMsOfPid(2 ** 22 + 1)).to.equal(0);
  });
});
