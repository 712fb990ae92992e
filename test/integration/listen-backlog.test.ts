/**
 * The API's listening socket queues a burst of connections instead of refusing them. At 1,000 chats started within
 * a second on one replica (`npm run bench -- stream --streams 1000`), Node's default accept queue of 511 overflowed
 * while the event loop was busy, and 112 sends failed at the TCP level (ECONNRESET, connect timeouts) before Chorus
 * saw them. The queue's depth is read from the kernel (`ss`: a listening socket's Send-Q is its backlog).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { LISTEN_BACKLOG } from "../../src/server/server.js";

describe("the API's listening socket", function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false" });
  });
  after(async () => {
    await server?.stop();
  });

  it("has an accept queue of LISTEN_BACKLOG connections (as deep as the kernel allows), not Node's default 511", () => {
    const port = new URL(server.origin).port;
    const line = execFileSync("ss", ["-ltnH", `sport = :${port}`], { encoding: "utf8" }).trim();
    const [state, , sendQ] = line.split(/\s+/);
    expect(state, line).to.equal("LISTEN");
    const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8"));
    expect(Number(sendQ), line).to.equal(Math.min(LISTEN_BACKLOG, somaxconn));
    expect(Number(sendQ), "the kernel allows less than Node's default: nothing to check").to.be.greaterThan(511);
  });
});
