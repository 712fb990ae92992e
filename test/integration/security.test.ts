/**
 * Security basics (docs/security.md): keys hashed and compared in constant time, no secret or internal detail in
 * any error, CSRF prevention, depth and complexity limits on both transports, rate limits per user and per key.
 * SQL injection through every text input is in fuzz.test.ts; the authorisation matrix in authz-matrix.test.ts.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql, rawGql, wsClient, type GqlResponse } from "../helpers/graphql.js";
import { CreateUserTokenDocument, RevokeApiClientDocument, ViewerDocument } from "../../client/generated/graphql.js";
import { hashApiKey, sameDigest } from "../../src/common/keys.js";
import { Annotator } from "../helpers/annotator.js";

describe("security basics", function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      LOCAL_WORKER: "false",
      MAX_QUERY_DEPTH: "4",
      MAX_QUERY_COMPLEXITY: "2000", // above the cost of the shipped RequestTask document (lists weighed by their size)
      RATE_LIMIT_TASK_USER: "2/60",
      RATE_LIMIT_TASK_API_CLIENT: "3/60",
    });
  });
  after(async () => {
    await server?.stop();
  });

  it("stores keys as SHA-256 digests only, and a key one character off is refused", async () => {
    const c = await server.createClient({ name: "hashed" });
    const [row] = await server.chorus.app.ds.query(`SELECT key_hash, key_prefix FROM api_client WHERE id = $1`, [c.id]);
    expect(row.key_hash).to.equal(hashApiKey(c.key));
    expect(c.key.startsWith(row.key_prefix)).to.equal(true);
    expect(row.key_prefix.length, "the stored prefix is too short to help guess the key").to.be.below(16);
    const dump = JSON.stringify(await server.chorus.app.ds.query(`SELECT * FROM api_client`));
    expect(dump).to.not.include(c.key);
    const last = c.key.slice(-1) === "0" ? "1" : "0";
    expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: c.key.slice(0, -1) + last }))).to.equal("UNAUTHENTICATED");
    expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: c.key.toUpperCase() }))).to.equal("UNAUTHENTICATED");
    expect((await gql(server.url, ViewerDocument, {}, { key: c.key })).errors).to.equal(undefined);
    // the comparison itself: crypto.timingSafeEqual on equal-length digests, false on any difference
    expect(sameDigest(hashApiKey(c.key), row.key_hash)).to.equal(true);
    expect(sameDigest(hashApiKey(c.key + "x"), row.key_hash)).to.equal(false);
  });

  it("never puts a key, a key digest, the token secret, the database name or a stack trace in an error", async () => {
    const c = await server.createClient({ name: "leaky?" });
    const revoked = await server.createClient({ name: "revoked" });
    await gql(server.url, RevokeApiClientDocument, { input: { id: revoked.id } }, { key: server.adminKey });
    const token = (await gql(server.url, CreateUserTokenDocument, { input: { user: { authMethod: "local", id: "tok" } } }, { key: server.adminKey })).data!
      .createUserToken.token;
    const answers: GqlResponse<unknown>[] = [];
    answers.push(await gql(server.url, ViewerDocument, {}, { key: revoked.key }));
    answers.push(await gql(server.url, ViewerDocument, {}, { key: token.slice(0, -3) + "abc" }));
    answers.push(await gql(server.url, ViewerDocument, {}, { key: c.key, user: "no-colon" }));
    answers.push(await rawGql(server.url, "{ apiClients { edges { node { id } } } }", {}, { key: c.key }));
    answers.push(await rawGql(server.url, "{ viewer { role ", {}, { key: c.key }));
    answers.push(await rawGql(server.url, "query($id: ID!) { message(id: $id) { id } }", { id: "'; SELECT 1; --" }, { key: c.key }));
    answers.push(await rawGql(server.url, 'mutation { createChat(input: { title: "x" }) { id } }', {}, { key: c.key }));
    // an unexpected failure: a table the code needs is gone for a moment
    await server.chorus.app.ds.query(`ALTER TABLE chat RENAME TO chat_away`);
    try {
      const internal = await rawGql(server.url, "{ chats { edges { node { id } } } }", {}, { key: c.key, user: "local:someone" });
      expect(errorCode(internal)).to.equal("INTERNAL_SERVER_ERROR");
      expect(internal.errors![0].message).to.match(/^Internal server error \(request [\w-]+\)$/);
      answers.push(internal);
    } finally {
      await server.chorus.app.ds.query(`ALTER TABLE chat_away RENAME TO chat`);
    }
    const secrets: string[] = [c.key, revoked.key, server.adminKey, server.db.name];
    for (const r of await server.chorus.app.ds.query(`SELECT key_hash FROM api_client`)) secrets.push(r.key_hash);
    for (const r of await server.chorus.app.ds.query(`SELECT value FROM system_secret`)) secrets.push(String(r.value));
    for (const a of answers) {
      expect(a.errors, JSON.stringify(a)).to.not.equal(undefined);
      const text = JSON.stringify({ errors: a.errors, headers: [...a.headers.entries()] });
      for (const s of secrets) expect(text, "a secret leaked").to.not.include(s);
      expect(text).to.not.match(/stacktrace|\n\s+at |\.js:\d+|\.ts:\d+|node_modules|chat_away|relation "/);
    }
  });

  it("refuses a cross-site form POST (text/plain) before running it", async () => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${server.adminKey}` },
      body: JSON.stringify({ query: 'mutation { createApiClient(input: { name: "csrf" }) { key } }' }),
    });
    expect(res.status).to.equal(400);
    const [{ n }] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM api_client WHERE name = 'csrf'`);
    expect(n).to.equal(0);
  });

  it("applies the depth and complexity limits over the websocket as over HTTP", async () => {
    const ws = wsClient(server.wsUrl, { authorization: `Bearer ${server.adminKey}` });
    try {
      const run = (query: string) =>
        new Promise<string>((resolve) => {
          ws.subscribe(
            { query },
            {
              next: (r) => resolve(r.errors ? String(r.errors[0].extensions?.code) : "data"),
              error: (e) => resolve(Array.isArray(e) ? String((e[0] as { extensions?: { code?: string } }).extensions?.code) : "closed"),
              complete: () => resolve("complete"),
            },
          );
        });
      expect(await run("{ viewer { role } }")).to.equal("data");
      expect(await run("{ messages { edges { node { parent { parent { id } } } } } }")).to.equal("QUERY_TOO_DEEP");
      expect(await run(`{ ${Array.from({ length: 2100 }, (_, i) => `a${i}: __typename`).join(" ")} }`)).to.equal("QUERY_TOO_COMPLEX");
    } finally {
      await ws.dispose();
    }
  });

  it("limits task requests per user and per API client key, independently of other keys", async () => {
    const one = await server.createClient({ name: "limited frontend", trusted: true });
    const other = await server.createClient({ name: "other frontend", trusted: true });
    const ann = (key: string, name: string) => new Annotator(server.url, key, name);
    const alice = ann(one.key, "alice");
    expect((await alice.request("INITIAL_PROMPT", "sx")).errors).to.equal(undefined);
    expect((await alice.request("INITIAL_PROMPT", "sx")).errors).to.equal(undefined);
    const third = await alice.request("INITIAL_PROMPT", "sx");
    expect(errorCode(third)).to.equal("RATE_LIMITED");
    expect(third.errors![0].extensions!.limit).to.equal("task-user");
    // bob is a fresh user of the same key: the key's third request passes, its fourth is refused
    const bob = ann(one.key, "bob");
    expect((await bob.request("INITIAL_PROMPT", "sx")).errors).to.equal(undefined);
    const fourth = await bob.request("INITIAL_PROMPT", "sx");
    expect(errorCode(fourth)).to.equal("RATE_LIMITED");
    expect(fourth.errors![0].extensions!.limit).to.equal("task-api-client");
    // another key is not affected
    expect((await ann(other.key, "carol").request("INITIAL_PROMPT", "sx")).errors).to.equal(undefined);
  });
});
