import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql } from "../helpers/graphql.js";
import { ApiClientsDocument, ViewerDocument } from "../../client/generated/graphql.js";
import { CLI, runNode } from "../helpers/process.js";

describe("chorus CLI", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });
  const cli = (...args: string[]) => runNode(CLI, args, { DATABASE_URL: server.db.url });

  it("api-client create prints the key alone on the last line, and the key works", async () => {
    const res = await cli("api-client", "create", "--name", "cli-made", "--trusted", "--role", "admin");
    expect(res.code, res.stderr).to.equal(0);
    const lines = res.stdout.trim().split("\n");
    const key = lines[lines.length - 1];
    expect(key).to.match(/^chk_[0-9a-f]{64}$/);
    const viewer = await gql(server.url, ViewerDocument, {}, { key });
    expect(viewer.data!.viewer).to.deep.include({ role: "ADMIN", via: "API_KEY" });
    expect(viewer.data!.viewer.apiClient).to.deep.include({ name: "cli-made", trusted: true });
    const list = await gql(server.url, ApiClientsDocument, { first: 100 }, { key });
    expect(list.data!.apiClients.edges.map((e) => e.node.name)).to.include("cli-made");
  });

  it("api-client list shows clients without keys, and revoke disables one", async () => {
    const created = await cli("api-client", "create", "--name", "short-lived");
    const key = created.stdout.trim().split("\n").pop()!;
    const id = /created API client ([0-9a-f-]{36})/.exec(created.stdout)![1];
    const list = await cli("api-client", "list");
    expect(list.code).to.equal(0);
    expect(list.stdout).to.include(id).and.include("short-lived").and.not.include(key);
    const revoked = await cli("api-client", "revoke", id);
    expect(revoked.code, revoked.stderr).to.equal(0);
    expect(errorCode(await gql(server.url, ViewerDocument, {}, { key }))).to.equal("UNAUTHENTICATED");
    expect((await cli("api-client", "list")).stdout).to.match(new RegExp(`${id}.*revoked`));
  });

  it("user set-role changes a user's role", async () => {
    const trusted = await server.createClient({ trusted: true });
    await gql(server.url, ViewerDocument, {}, { key: trusted.key, user: "discord:cli-user" });
    const res = await cli("user", "set-role", "--auth-method", "discord", "--id", "cli-user", "--role", "moderator", "--client", trusted.id);
    expect(res.code, res.stderr).to.equal(0);
    const v = await gql(server.url, ViewerDocument, {}, { key: trusted.key, user: "discord:cli-user" });
    expect(v.data!.viewer.role).to.equal("MODERATOR");
  });

  it("fails clearly for unknown users, bad roles and bad config", async () => {
    const unknown = await cli("user", "set-role", "--auth-method", "local", "--id", "nobody-here", "--role", "admin");
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/no user local:nobody-here/);
    const badRole = await cli("api-client", "create", "--name", "x", "--role", "overlord");
    expect(badRole.code).to.not.equal(0);
    expect(badRole.stderr).to.match(/overlord/);
    const badConfig = await runNode(CLI, ["api-client", "list"], { DATABASE_URL: "mysql://nope" });
    expect(badConfig.code).to.equal(2);
    expect(badConfig.stderr).to.match(/DATABASE_URL/);
  });
});
