import { expect } from "chai";
import path from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { CLI, PROJECT_ROOT, runNode } from "../helpers/process.js";
import { PassThrough } from "node:stream";
import { Role } from "../../src/modules/users/role.js";
import { requestContext } from "../../src/common/request-context.js";
import type { ApiClient } from "../../src/modules/api-clients/api-client.entity.js";
import { DatasetExporter, DEFAULT_EXPORT_OPTIONS } from "../../src/modules/datasets/export.service.js";
import { LineWriter } from "../../src/modules/datasets/jsonl-stream.js";
import { ChorusError } from "../../src/common/errors.js";

type ErrorBody = { errors: { extensions: { code: string } }[] };
const FIXTURE = path.join(PROJECT_ROOT, "test", "fixtures", "oasst2-sample.trees.jsonl");

describe("datasets: GET /export.jsonl", function () {
  this.timeout(120_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const res = await runNode(CLI, ["import", "--mode", "restore", FIXTURE], { DATABASE_URL: server.db.url }, 120_000);
    expect(res.code, res.stderr).to.equal(0);
  });
  after(async () => {
    await server.stop();
  });
  const get = (query: string, key?: string) => fetch(`${server.origin}/export.jsonl${query}`, { headers: key ? { "x-api-key": key } : {} });

  it("streams the same lines as the CLI for the same options", async () => {
    const res = await get("?state=all&include-deleted=true&include-spam=true&export-labels=true", server.adminKey);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^application\/jsonl/);
    const body = await res.text();
    const cli = await runNode(CLI, ["export", "--state", "all", "--include-deleted", "--include-spam", "--export-labels"], { DATABASE_URL: server.db.url });
    expect(cli.code, cli.stderr).to.equal(0);
    expect(body).to.equal(cli.stdout);
    expect(body.trim().split("\n")).to.have.length(40);
  });

  it("applies filters given as parameters", async () => {
    const body = await (await get("?state=growing&include-spam&include-deleted", server.adminKey)).text();
    const trees = body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(trees).to.have.length(2);
    for (const t of trees) expect(t.tree_state).to.equal("growing");
  });

  it("needs an admin key, and rejects bad parameters with BAD_USER_INPUT", async () => {
    expect((await get("")).status).to.equal(401);
    expect((await get("", "chk_" + "0".repeat(64))).status).to.equal(401);
    const moderator = await server.createClient({ trusted: true, role: Role.MODERATOR });
    const forbidden = await get("", moderator.key);
    expect(forbidden.status).to.equal(403);
    expect(((await forbidden.json()) as ErrorBody).errors[0].extensions.code).to.equal("FORBIDDEN");
    for (const q of ["?state=nope", "?user=bob", "?limit=-3", "?include-spam=true&spam-only=true", "?colour=blue", "?prompts-only=maybe"]) {
      const res = await get(q, server.adminKey);
      expect(res.status, q).to.equal(400);
      expect(((await res.json()) as ErrorBody).errors[0].extensions.code, q).to.equal("BAD_USER_INPUT");
    }
  });

  it("the exporter itself refuses a caller who does not administer the whole system, whatever door called it", async () => {
    const callers: [string, boolean, Role][] = [
      ["an ADMIN of an untrusted client", false, Role.ADMIN],
      ["a MODERATOR of a trusted client", true, Role.MODERATOR],
    ];
    for (const [who, trusted, role] of callers) {
      const apiClient = { id: "00000000-0000-4000-8000-0000000000e1", trusted } as ApiClient;
      const rc = requestContext({ requestId: "t", log: server.chorus.app.log, identity: { via: "api-key", apiClient, user: null }, role });
      const sink = new PassThrough();
      let lines = "";
      sink.on("data", (d: Buffer) => (lines += d.toString()));
      const err = await new DatasetExporter(server.chorus.app.ds, { ...DEFAULT_EXPORT_OPTIONS, state: "all" }).run(rc, LineWriter.open(null, sink)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, who).to.be.instanceOf(ChorusError);
      expect((err as ChorusError).extensions.code, who).to.equal("FORBIDDEN");
      expect(lines, who).to.equal("");
    }
  });
});
