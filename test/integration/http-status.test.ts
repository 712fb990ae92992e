/**
 * HTTP status codes of /graphql by the GraphQL-over-HTTP specification, through the real endpoint, for both response
 * media types a client may accept: an executed request answers 200 whatever its errors (the code is in
 * `extensions.code`); a request that fails before execution answers 4xx by its code; bad input is never 5xx.
 */
import crypto from "node:crypto";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { ErrorCode } from "../../src/common/errors.js";

const MEDIA_TYPES = ["application/json", "application/graphql-response+json"] as const;

interface Answer {
  status: number;
  contentType: string;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function post(url: string, accept: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept, ...headers }, body });
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: (await res.json()) as Answer["body"] };
}

describe("HTTP status codes (GraphQL over HTTP)", function () {
  let server: TestServer;
  let key: string;
  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false" });
    key = (await server.createClient({ trusted: true })).key;
  });
  after(async () => server?.stop());

  const gql = (accept: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    post(server.url, accept, JSON.stringify({ query, variables }), headers);

  for (const accept of MEDIA_TYPES) {
    describe(`Accept: ${accept}`, () => {
      it("answers the media type asked for", async () => {
        const a = await gql(accept, "{ __typename }");
        expect(a.status).to.equal(200);
        expect(a.contentType).to.include(accept);
      });

      it("an executed request answers 200 whatever error its fields raise (not found, nothing available, rate limits)", async () => {
        const user = { "x-chorus-user": `local:${crypto.randomUUID()}` };
        const cases: [string, Record<string, unknown>, string][] = [
          [
            `mutation($t: ID!) { ackTask(input: { taskId: $t, frontendMessageId: "f1" }) { __typename } }`,
            { t: crypto.randomUUID() },
            ErrorCode.TASK_NOT_FOUND,
          ],
          [`mutation($t: ID!) { nackTask(input: { taskId: $t }) { __typename } }`, { t: crypto.randomUUID() }, ErrorCode.TASK_NOT_FOUND],
          [`query($m: ID!) { message(id: $m) { id } }`, { m: crypto.randomUUID() }, ErrorCode.MESSAGE_NOT_FOUND],
          [`mutation { requestTask(input: { type: RANK_ASSISTANT_REPLIES, lang: "en" }) { __typename } }`, {}, ErrorCode.TASK_REQUESTED_TYPE_NOT_AVAILABLE],
          [`{ apiClients { edges { node { id } } } }`, {}, ErrorCode.FORBIDDEN],
        ];
        for (const [query, variables, code] of cases) {
          const a = await gql(accept, query, variables, { authorization: `Bearer ${key}`, ...user });
          expect(a.body.errors?.[0]?.extensions?.code, query).to.equal(code);
          expect("data" in a.body, `${query}: executed, so the response has data`).to.equal(true);
          expect(a.status, `${code}: ${query}`).to.equal(200);
        }
      });

      it("a request that fails before execution answers 4xx by its code, with no data", async () => {
        const long = "x".repeat(300);
        const cases: [Record<string, string>, string, number, string][] = [
          [{}, "{ viewer { role } }", 401, ErrorCode.UNAUTHENTICATED],
          [{ authorization: "Bearer chk_" + "0".repeat(64) }, "{ __typename }", 401, ErrorCode.UNAUTHENTICATED],
          [{ authorization: `Bearer ${key}`, "x-chorus-user": "no-colon-here" }, "{ __typename }", 400, ErrorCode.BAD_USER_INPUT],
          [{ authorization: `Bearer ${key}`, "x-chorus-user": ":id-without-method" }, "{ __typename }", 400, ErrorCode.BAD_USER_INPUT],
          [{ authorization: `Bearer ${key}`, "x-chorus-user": `local:${long}` }, "{ __typename }", 400, ErrorCode.BAD_USER_INPUT],
          [{ authorization: `Bearer ${key}`, "x-chorus-user": `${long}:1` }, "{ __typename }", 400, ErrorCode.BAD_USER_INPUT],
          [{ authorization: `Bearer ${key}`, "x-chorus-user": "local:1", "x-chorus-user-name": long }, "{ __typename }", 400, ErrorCode.BAD_USER_INPUT],
          [{ authorization: `Bearer ${key}`, "x-oasst-user": "broken" }, "{ __typename }", 400, ErrorCode.BAD_USER_INPUT],
          [{ authorization: `Bearer ${key}` }, "{ viewer { role ", 400, ErrorCode.GRAPHQL_PARSE_FAILED],
          [{ authorization: `Bearer ${key}` }, "{ noSuchField }", 400, ErrorCode.GRAPHQL_VALIDATION_FAILED],
        ];
        for (const [headers, query, status, code] of cases) {
          const a = await gql(accept, query, {}, headers);
          const what = `${JSON.stringify(headers).slice(0, 120)} ${query}`;
          expect(a.body.errors?.[0]?.extensions?.code, what).to.equal(code);
          expect(a.body.data, what).to.equal(undefined);
          expect(a.status, what).to.equal(status);
        }
      });

      it("a body that is not JSON answers 400 BAD_REQUEST", async () => {
        const a = await post(server.url, accept, "{ not json");
        expect(a.status).to.equal(400);
        expect(a.body.errors?.[0]?.extensions?.code).to.equal(ErrorCode.BAD_REQUEST);
      });
    });
  }
});
