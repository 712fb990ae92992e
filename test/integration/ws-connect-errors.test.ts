/**
 * A websocket's connection check that fails for a reason other than its credentials tells the client to retry:
 * with the database pool saturated, the identity check cannot run and the socket is closed with 4503 (graphql-ws
 * clients retry it), not 4401 Unauthorized (which they never retry, so a chat client or a GPU worker would give up
 * for good on a busy server). Bad credentials still close with 4401.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { wsClient } from "../helpers/graphql.js";

type DriverLike = { obtainMasterConnection(): Promise<[unknown, (err?: unknown) => void]> };

/** Opens a socket with `params`, asks for one query and resolves with the close code the server sent. */
function closeCodeOf(url: string, params: Record<string, unknown>): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    const ws = wsClient(url, params, { onClose: (code, reason) => resolve({ code, reason }) });
    ws.subscribe({ query: "{ __typename }" }, { next: () => undefined, error: () => undefined, complete: () => undefined });
  });
}

describe("websocket connection checks that fail for other reasons than the credentials", function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ DATABASE_POOL_SIZE: "1", LOCAL_WORKER: "false" });
  });
  after(async () => server?.stop());

  it("closes with 4503 (retry) when the database pool has no connection for the identity check", async () => {
    const driver = server.chorus.app.ds.driver as unknown as DriverLike;
    const [, release] = await driver.obtainMasterConnection(); // the pool's only connection
    try {
      const closed = await closeCodeOf(server.wsUrl, { authorization: `Bearer ${server.adminKey}` });
      expect(closed.code, closed.reason).to.equal(4503);
      expect(closed.reason).to.match(/^SERVICE_UNAVAILABLE/);
    } finally {
      release();
    }
    // the same credentials connect once a connection is free
    const ws = wsClient(server.wsUrl, { authorization: `Bearer ${server.adminKey}` });
    const answer = await new Promise<unknown>((resolve, reject) =>
      ws.subscribe({ query: "{ __typename }" }, { next: (r) => resolve(r.data), error: reject, complete: () => undefined }),
    );
    expect(answer).to.deep.equal({ __typename: "Query" });
    await ws.dispose();
  });

  it("still closes with 4401 for a key that is not valid", async () => {
    const closed = await closeCodeOf(server.wsUrl, { authorization: "Bearer chk_not_a_real_key" });
    expect(closed.code, closed.reason).to.equal(4401);
  });
});
