/**
 * The direct POST path (src/server/graphql-post.ts) against express and Apollo: the same requests, sent once in the
 * form the direct path takes (a JSON body with a declared length, `accept` absent, `* /*`, or one media type) and once
 * in a form it hands to express (an `accept` that Apollo negotiates to the same media type, or a chunked body),
 * answer with the same status, media type, CORS headers, request id and body: successes, field errors, request
 * errors of every stage (JSON, UTF-8, identity, parse, validation, variables, depth), mutations and anonymous callers.
 */
import crypto from "node:crypto";
import http from "node:http";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** What both paths must agree on: every header but the date, the connection's and the length (checked apart). */
const COMPARED = ["content-type", "x-request-id", "access-control-allow-origin", "access-control-expose-headers", "vary", "retry-after", "etag"];

/** A raw POST: `chunked` sends the body without a declared length (which the direct path never takes). */
function post(url: string, body: string | Buffer, headers: Record<string, string>, chunked = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        expect(Number(res.headers["content-length"]), "the answer is written whole with its length").to.equal(Buffer.byteLength(text));
        resolve({
          status: res.statusCode!,
          headers: Object.fromEntries(COMPARED.map((h) => [h, res.headers[h] as string | undefined])),
          body: text,
        });
      });
    });
    req.on("error", reject);
    if (chunked) {
      req.write(body);
      req.end();
    } else {
      req.setHeader("content-length", Buffer.byteLength(body));
      req.end(body);
    }
  });
}

describe("POST /graphql: the direct path answers as express and Apollo do", function () {
  let server: TestServer;
  let key: string;
  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false", CORS_ORIGINS: "https://app.example", MAX_QUERY_DEPTH: "2" });
    key = (await server.createClient({ trusted: true })).key;
  });
  after(async () => server?.stop());

  /** Sends one body both ways and expects the same answer; returns it. */
  async function both(body: string | Buffer, headers: Record<string, string> = {}, accept?: string): Promise<Answer> {
    const requestId = `t-${crypto.randomUUID()}`;
    const h = { "x-request-id": requestId, ...headers };
    const direct = await post(server.url, body, accept === undefined ? h : { ...h, accept });
    // Apollo negotiates this `accept` to the same media type; the direct path leaves it to Apollo.
    const negotiated =
      accept === "application/graphql-response+json" ? "application/graphql-response+json, application/json;q=0.5" : "application/json, text/plain;q=0.1";
    const viaExpress = await post(server.url, body, { ...h, accept: negotiated });
    const chunked = await post(server.url, body, { ...h, ...(accept ? { accept } : {}) }, true);
    for (const other of [viaExpress, chunked]) {
      expect(direct.status, String(body)).to.equal(other.status);
      expect(direct.headers, String(body)).to.deep.equal(other.headers);
      expect(JSON.parse(direct.body), String(body)).to.deep.equal(JSON.parse(other.body));
    }
    return direct;
  }

  const json = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });
  const auth = () => ({ authorization: `Bearer ${key}` });

  it("a query, with each media type and with CORS", async () => {
    for (const accept of [undefined, "*/*", "application/json", "application/graphql-response+json"]) {
      const a = await both(json("{ __typename }"), { ...auth(), origin: "https://app.example" }, accept);
      expect(a.status).to.equal(200);
      expect(JSON.parse(a.body)).to.deep.equal({ data: { __typename: "Query" } });
      expect(a.headers["access-control-allow-origin"]).to.equal("https://app.example");
      expect(a.headers["x-request-id"]).to.match(/^t-/);
    }
    const other = await both(json("{ __typename }"), { ...auth(), origin: "https://elsewhere.example" });
    expect(other.headers["access-control-allow-origin"]).to.equal(undefined);
  });

  it("field errors of an executed operation: 200 with data", async () => {
    const user = { "x-chorus-user": `local:${crypto.randomUUID()}` };
    const a = await both(json(`mutation($t: ID!) { ackTask(input: { taskId: $t, frontendMessageId: "f1" }) { __typename } }`, { t: crypto.randomUUID() }), {
      ...auth(),
      ...user,
    });
    expect(a.status).to.equal(200);
    expect(JSON.parse(a.body).errors[0].extensions.code).to.equal("TASK_NOT_FOUND");
    const noUser = await both(json(`mutation { requestTask(input: { type: RANDOM, lang: "en" }) { __typename } }`), auth());
    expect(JSON.parse(noUser.body).errors[0].extensions.code).to.equal("USER_NOT_SPECIFIED");
  });

  it("a mutation that succeeds, and its effect is seen once per request", async () => {
    const user = { "x-chorus-user": `local:${crypto.randomUUID()}` };
    const a = await both(json(`mutation { requestTask(input: { type: INITIAL_PROMPT, lang: "en" }) { __typename } }`), { ...auth(), ...user });
    expect(a.status).to.equal(200);
    expect(JSON.parse(a.body).data.requestTask.__typename).to.equal("InitialPromptTask");
  });

  it("request errors of every stage answer their status and code", async () => {
    const cases: [string | Buffer, Record<string, string>, number, string][] = [
      ["{not json", auth(), 400, "BAD_REQUEST"],
      ['"a string"', auth(), 400, "BAD_REQUEST"],
      [Buffer.from([0x7b, 0x22, 0x71, 0xff, 0x22, 0x7d]), auth(), 400, "BAD_REQUEST"],
      [json("{ __typename }"), { authorization: "Bearer not-a-key" }, 401, "UNAUTHENTICATED"],
      [json("{ nope }"), auth(), 400, "GRAPHQL_VALIDATION_FAILED"],
      [json("{ __typename"), auth(), 400, "GRAPHQL_PARSE_FAILED"],
      [json("query($m: ID!) { message(id: $m) { id } }", { m: 5.5 }), auth(), 400, "BAD_USER_INPUT"],
      [json("query($m: ID!) { message(id: $m) { id } }"), auth(), 400, "BAD_USER_INPUT"],
      [JSON.stringify({ query: "{ __typename }", variables: [1] }), auth(), 400, "BAD_REQUEST"],
      [json("query A { a: __typename } query B { b: __typename }"), auth(), 400, "OPERATION_RESOLUTION_FAILURE"],
      [json("{ apiClients { edges { node { id } } } }"), auth(), 400, "QUERY_TOO_DEEP"],
    ];
    for (const [body, headers, status, code] of cases) {
      const a = await both(body, headers);
      expect(a.status, String(body)).to.equal(status);
      expect(JSON.parse(a.body).errors[0].extensions.code, String(body)).to.equal(code);
    }
  });

  it("an anonymous caller, a batch and a body without a query are answered alike", async () => {
    await both(json("{ __typename }"));
    const batch = await both(JSON.stringify([{ query: "{ __typename }" }]), auth());
    expect(batch.status).to.be.within(400, 499);
    const none = await both(JSON.stringify({ variables: {} }), auth());
    expect(none.status).to.be.within(400, 499);
    const withExtensions = await both(JSON.stringify({ query: "{ __typename }", extensions: {} }), auth());
    expect(withExtensions.status).to.equal(200);
  });
});
