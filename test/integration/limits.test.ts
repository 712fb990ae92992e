import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql, rawGql } from "../helpers/graphql.js";
import { ViewerDocument } from "../../client/generated/graphql.js";

describe("request limits and malformed requests", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MAX_QUERY_COMPLEXITY: "60", MAX_BODY_BYTES: "4096" });
  });
  after(async () => {
    await server.stop();
  });

  async function stillServing() {
    const res = await gql(server.url, ViewerDocument, {}, { key: server.adminKey });
    expect(res.errors).to.equal(undefined);
  }

  it("refuses a query costlier than MAX_QUERY_COMPLEXITY with QUERY_TOO_COMPLEX, counting page sizes", async () => {
    const cheap = await rawGql(server.url, "{ apiClients(first: 5) { edges { node { id name } } } }", {}, { key: server.adminKey });
    expect(cheap.errors).to.equal(undefined);
    const costly = await rawGql(server.url, "{ apiClients(first: 100) { edges { node { id name trusted role } } } }", {}, { key: server.adminKey });
    expect(errorCode(costly)).to.equal("QUERY_TOO_COMPLEX");
    expect(costly.errors![0].extensions!.maxComplexity).to.equal(60);
    const aliases = Array.from({ length: 70 }, (_, i) => `a${i}: __typename`).join(" ");
    const wide = await rawGql(server.url, `{ viewer { role } ${aliases} }`, {}, { key: server.adminKey });
    expect(errorCode(wide)).to.equal("QUERY_TOO_COMPLEX");
    await stillServing();
  });

  it("refuses an oversized body with PAYLOAD_TOO_LARGE (413)", async () => {
    const res = await rawGql(server.url, `{ __typename }`, { pad: "x".repeat(10_000) }, { key: server.adminKey });
    expect(res.status).to.equal(413);
    expect(errorCode(res)).to.equal("PAYLOAD_TOO_LARGE");
    await stillServing();
  });

  it("answers malformed JSON and malformed GraphQL with clear errors", async () => {
    const badJson = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(badJson.status).to.equal(400);
    const body = (await badJson.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).to.equal("BAD_REQUEST");
    const parse = await rawGql(server.url, "{ viewer { ", {}, { key: server.adminKey });
    expect(errorCode(parse)).to.equal("GRAPHQL_PARSE_FAILED");
    const unknown = await rawGql(server.url, "{ noSuchField }", {}, { key: server.adminKey });
    expect(errorCode(unknown)).to.equal("GRAPHQL_VALIDATION_FAILED");
    const badVar = await rawGql(server.url, "query($n: Int) { apiClients(first: $n) { edges { cursor } } }", { n: "ten" }, { key: server.adminKey });
    expect(errorCode(badVar)).to.equal("BAD_USER_INPUT");
    const outOfRange = await rawGql(server.url, "{ apiClients(first: 1000) { edges { cursor } } }", {}, { key: server.adminKey });
    expect(["BAD_USER_INPUT", "QUERY_TOO_COMPLEX"]).to.include(errorCode(outOfRange));
    await stillServing();
  });

  it("validates arguments with class-validator and names the failing field", async () => {
    const res = await rawGql(server.url, "{ apiClients(first: 0) { edges { cursor } } }", {}, { key: server.adminKey });
    expect(errorCode(res)).to.equal("BAD_USER_INPUT");
    expect(res.errors![0].message).to.match(/first/);
  });

  it("prevents CSRF: a GET query without a preflight-forcing header is refused", async () => {
    const res = await fetch(`${server.url}?query=${encodeURIComponent("{ __typename }")}`, { headers: { accept: "application/json" } });
    expect(res.status).to.equal(400);
    const ok = await fetch(`${server.url}?query=${encodeURIComponent("{ __typename }")}`, {
      headers: { accept: "application/json", "apollo-require-preflight": "true" },
    });
    expect(ok.status).to.equal(200);
  });

  it("masks unexpected errors: no stack traces or internals in responses", async () => {
    const res = await rawGql(server.url, "{ viewer { role } }", {}, { key: server.adminKey });
    expect(JSON.stringify(res)).to.not.match(/stacktrace|at .*\.js:\d+/);
  });
});

describe("depth limit at the boundary", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MAX_QUERY_DEPTH: "2" });
  });
  after(async () => {
    await server.stop();
  });

  // Depth counts the levels below the root field: { viewer { apiClient { id } } } is 2.
  it("accepts depth 2 and refuses depth 3 with QUERY_TOO_DEEP, over HTTP", async () => {
    const ok = await rawGql(server.url, "{ viewer { apiClient { id } } }", {}, { key: server.adminKey });
    expect(ok.errors).to.equal(undefined);
    const res = await rawGql(server.url, "{ apiClients { edges { node { id } } } }", {}, { key: server.adminKey });
    expect(errorCode(res)).to.equal("QUERY_TOO_DEEP");
    expect(res.errors![0].extensions!.maxDepth).to.equal(2);
    const viaFragment = await rawGql(
      server.url,
      "{ ...F } fragment F on Query { apiClients { edges { ...E } } } fragment E on ApiClientEdge { node { id } }",
      {},
      { key: server.adminKey },
    );
    expect(errorCode(viaFragment)).to.equal("QUERY_TOO_DEEP");
  });

  it("does not count introspection toward depth, so IDEs still work", async () => {
    const res = await rawGql(
      server.url,
      "{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }",
      {},
      { key: server.adminKey },
    );
    expect(res.errors).to.equal(undefined);
  });
});

describe("introspection switched off", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ INTROSPECTION: "false" });
  });
  after(async () => {
    await server.stop();
  });

  it("refuses introspection but still answers __typename", async () => {
    const res = await rawGql(server.url, "{ __schema { queryType { name } } }", {}, { key: server.adminKey });
    expect(errorCode(res)).to.equal("GRAPHQL_VALIDATION_FAILED");
    const t = await rawGql(server.url, "{ __typename }");
    expect(t.data).to.deep.equal({ __typename: "Query" });
  });
});
