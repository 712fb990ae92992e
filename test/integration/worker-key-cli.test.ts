import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql } from "../helpers/graphql.js";
import { ViewerDocument, WorkerHeartbeatDocument } from "../../client/generated/graphql.js";
import { CLI, runNode } from "../helpers/process.js";

describe("chorus worker-key create", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false" });
  });
  after(async () => {
    await server.stop();
  });

  it("prints a worker key alone on the last line; it may use the worker protocol and nothing else", async () => {
    const res = await runNode(CLI, ["worker-key", "create", "--name", "gpu-pool-a"], { DATABASE_URL: server.db.url });
    expect(res.code, res.stderr).to.equal(0);
    const lines = res.stdout.trim().split("\n");
    const key = lines[lines.length - 1];
    expect(key).to.match(/^chk_[0-9a-f]{64}$/);
    expect(lines[0]).to.match(/created worker key [0-9a-f-]{36} "gpu-pool-a"/);
    const beat = await gql(server.url, WorkerHeartbeatDocument, { input: { jobIds: [] } }, { key });
    expect(beat.errors, JSON.stringify(beat.errors)).to.equal(undefined);
    expect(beat.data!.workerHeartbeat).to.include({ drain: false });
    expect(errorCode(await gql(server.url, ViewerDocument, {}, { key }))).to.equal("FORBIDDEN");
    const missing = await runNode(CLI, ["worker-key", "create"], { DATABASE_URL: server.db.url });
    expect(missing.code).to.not.equal(0);
    expect(missing.stderr).to.match(/--name/);
  });
});
