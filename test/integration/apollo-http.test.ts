/**
 * The HTTP adapter in front of Apollo (src/server/apollo-http.ts): a POST's answer is written whole with its length
 * and media type (no ETag: no POST is conditional); a GET's goes through express as before, with its ETag and
 * 304 Not Modified for a matching If-None-Match.
 */
import http from "node:http";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";

describe("Apollo over HTTP: POST answers written whole, GET answers with their ETag", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false" });
  });
  after(async () => server?.stop());

  it("answers a POST with its media type and exact length, and no ETag", async () => {
    for (const accept of ["application/json", "application/graphql-response+json"]) {
      const res = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      const text = await res.text();
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.equal(`${accept}; charset=utf-8`);
      expect(Number(res.headers.get("content-length"))).to.equal(Buffer.byteLength(text));
      expect(res.headers.get("etag")).to.equal(null);
      expect(JSON.parse(text)).to.deep.equal({ data: { __typename: "Query" } });
    }
  });

  it("answers a request error over POST the same way (status by its code)", async () => {
    const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ nope }" }) });
    const text = await res.text();
    expect(res.status).to.equal(400);
    expect(Number(res.headers.get("content-length"))).to.equal(Buffer.byteLength(text));
    expect(JSON.parse(text).errors[0].extensions.code).to.equal("GRAPHQL_VALIDATION_FAILED");
  });

  it("answers a GET query with an ETag, and 304 when it matches", async () => {
    const url = `${server.url}?query=${encodeURIComponent("{ __typename }")}`;
    const headers = { accept: "application/json", "apollo-require-preflight": "true" };
    const first = await fetch(url, { headers });
    expect(first.status).to.equal(200);
    expect(await first.json()).to.deep.equal({ data: { __typename: "Query" } });
    const etag = first.headers.get("etag");
    expect(etag).to.be.a("string");
    // node:http, not fetch: fetch adds its own cache headers to a conditional request.
    const again = await new Promise<number>((resolve, reject) =>
      http
        .get(url, { headers: { ...headers, "if-none-match": etag! } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
        .on("error", reject),
    );
    expect(again).to.equal(304);
  });
});
