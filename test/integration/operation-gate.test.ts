/**
 * The operation gate (src/server/operation-gate.ts) attacked the way it was attacked from outside: many distinct,
 * large documents that are refused, over websockets and HTTP, by anonymous and identified callers; the server's heap
 * is measured. Then each limit of the gate through the real endpoint.
 */
import { expect } from "chai";
import WebSocket from "ws";
import { getIntrospectionQuery } from "graphql";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, rawGql, wsClient } from "../helpers/graphql.js";
import { settledHeapBytes, MiB } from "../helpers/heap.js";

/** A distinct document of about `bytes` bytes whose complexity (~400 per alias) is far above the default 5,000. */
function costlyDocument(seed: string, bytes: number): string {
  const aliases: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const a = `a${seed}_${i}: apiClients(first: 100) { edges { node { id name } } }`;
    aliases.push(a);
    size += a.length + 1;
  }
  return `{ ${aliases.join(" ")} }`;
}

/** Sends one document over a raw graphql-ws socket and returns the first answer's error code. */
async function wsAnswer(ws: WebSocket, id: string, query: string, variables?: Record<string, unknown>): Promise<{ code?: string; data?: unknown }> {
  return new Promise((resolve, reject) => {
    const onMessage = (raw: WebSocket.RawData) => {
      const msg = JSON.parse(String(raw)) as { id?: string; type: string; payload?: unknown };
      if (msg.id !== id) return;
      ws.off("message", onMessage);
      if (msg.type === "error") {
        resolve({ code: (msg.payload as { extensions?: { code?: string } }[])[0]?.extensions?.code });
      } else if (msg.type === "next") {
        const p = msg.payload as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
        resolve({ code: p.errors?.[0]?.extensions?.code, data: p.data });
      } else resolve({});
    };
    ws.on("message", onMessage);
    ws.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }), (err) => err && reject(err));
  });
}

async function openSocket(url: string, payload: Record<string, unknown> = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, "graphql-transport-ws");
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => ws.send(JSON.stringify({ type: "connection_init", payload })));
    ws.once("message", (raw) => (JSON.parse(String(raw)).type === "connection_ack" ? resolve() : reject(new Error(String(raw)))));
    ws.once("error", reject);
    ws.once("close", (code, reason) => reject(new Error(`closed ${code} ${reason}`)));
  });
  return ws;
}

async function metric(server: TestServer, name: string): Promise<number> {
  const text = await server.chorus.app.metrics.registry.getSingleMetricAsString(name);
  return Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? NaN);
}

describe("operation gate: nothing is kept for a refused or unidentified request", function () {
  this.timeout(240_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ DOCUMENT_CACHE_BYTES: String(2 * MiB) });
  });
  after(async () => {
    await server.stop();
  });

  it("distinct large refused documents over websockets and HTTP (anonymous and identified) leave the heap where it was", async () => {
    // warm up: the first operations compile lazily-built code and fill per-schema caches
    await rawGql(server.url, "{ viewer { role } }", {}, { key: server.adminKey });
    const before = await settledHeapBytes();
    const anonymous = await openSocket(server.wsUrl);
    const identified = await openSocket(server.wsUrl, { authorization: `Bearer ${server.adminKey}` });
    const codes = new Map<string, number>();
    const count = (code?: string) => codes.set(String(code), (codes.get(String(code)) ?? 0) + 1);
    // 30 documents of 30 KB refused, on each socket: before the gate, each stayed parsed in the cache (~1.4 MB of
    // heap each, 85 MB in all)
    for (let i = 0; i < 30; i++) {
      count((await wsAnswer(anonymous, `n${i}`, costlyDocument(`n${i}`, 30_000))).code);
      count((await wsAnswer(identified, `k${i}`, costlyDocument(`k${i}`, 30_000))).code);
    }
    // 10 documents of 700 KB, the size of the attack: refused before parsing
    for (let i = 0; i < 5; i++) count((await wsAnswer(identified, `big${i}`, costlyDocument(`big${i}`, 700_000))).code);
    // and over HTTP
    for (let i = 0; i < 20; i++) {
      count(errorCode(await rawGql(server.url, costlyDocument(`h${i}`, 30_000), {}, { key: server.adminKey })));
      count(errorCode(await rawGql(server.url, costlyDocument(`ha${i}`, 30_000))));
    }
    anonymous.close();
    identified.close();
    const after = await settledHeapBytes();
    // anonymous callers are refused the moment a non-public field is seen, identified ones for complexity
    expect(Object.fromEntries(codes)).to.deep.equal({ QUERY_TOO_COMPLEX: 50, UNAUTHENTICATED: 50, QUERY_TOO_LARGE: 5 });
    expect(await metric(server, "chorus_document_cache_entries")).to.be.at.most(1); // the warm-up's document only
    const grown = (after - before) / MiB;
    console.log(`      heap growth after 105 refused documents (${(30 * 2 * 30_000 + 5 * 700_000 + 40 * 30_000) / 1e6} MB sent): ${grown.toFixed(1)} MiB`);
    expect(grown).to.be.below(20);
  });

  it("admitted documents of identified callers are cached within DOCUMENT_CACHE_BYTES, whatever their number", async () => {
    const before = await settledHeapBytes();
    const ws = await openSocket(server.wsUrl, { authorization: `Bearer ${server.adminKey}` });
    // 100 distinct admitted documents of ~6 KB: ~30 MB of parsed documents if all were kept
    for (let i = 0; i < 100; i++) {
      const fields = Array.from({ length: 250 }, (_, j) => `f${i}_${j}: __typename`).join(" ");
      const answer = await wsAnswer(ws, `ok${i}`, `{ ${fields} }`);
      expect(answer.code).to.equal(undefined);
    }
    ws.close();
    expect(await metric(server, "chorus_document_cache_bytes")).to.be.at.most(2 * MiB);
    const grown = ((await settledHeapBytes()) - before) / MiB;
    console.log(`      heap growth after 100 admitted documents (DOCUMENT_CACHE_BYTES 2 MiB): ${grown.toFixed(1)} MiB`);
    expect(grown).to.be.below(20);
  });
});

describe("operation gate: each limit, over HTTP and websockets", function () {
  this.timeout(120_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MAX_RESPONSE_BYTES: "65536", MAX_OPERATIONS_PER_SOCKET: "4" });
  });
  after(async () => {
    await server.stop();
  });

  it("refuses a document longer than MAX_DOCUMENT_BYTES with QUERY_TOO_LARGE (413) before parsing it", async () => {
    const res = await rawGql(server.url, costlyDocument("x", 70_000), {}, { key: server.adminKey });
    expect(res.status).to.equal(413);
    expect(errorCode(res)).to.equal("QUERY_TOO_LARGE");
    expect(res.errors![0].extensions!.maxDocumentBytes).to.equal(65_536);
  });

  it("INTROSPECTION defaults to authenticated with DATABASE_URL: anonymous callers cannot introspect, identified ones can", async () => {
    const anonymous = await rawGql(server.url, getIntrospectionQuery());
    expect(errorCode(anonymous)).to.equal("GRAPHQL_VALIDATION_FAILED");
    expect(anonymous.errors![0].message).to.match(/introspection/i);
    const ws = await openSocket(server.wsUrl);
    expect((await wsAnswer(ws, "i", "{ __schema { queryType { name } } }")).code).to.equal("GRAPHQL_VALIDATION_FAILED");
    ws.close();
    expect((await rawGql(server.url, "{ __typename }")).data).to.deep.equal({ __typename: "Query" });
    const mine = await rawGql(server.url, "{ __schema { queryType { name } } }", {}, { key: server.adminKey });
    expect(mine.data).to.deep.equal({ __schema: { queryType: { name: "Query" } } });
  });

  it("weighs introspection lists by the schema: the IDE's query passes, five aliased copies of it are too complex", async () => {
    const ide = getIntrospectionQuery();
    // the IDE's query is admitted (its answer is larger than this server's MAX_RESPONSE_BYTES, so it says so)
    expect(errorCode(await rawGql(server.url, ide, {}, { key: server.adminKey }))).to.equal("RESPONSE_TOO_LARGE");
    const fragments = ide.slice(ide.indexOf("fragment"));
    const copies = Array.from({ length: 5 }, (_, i) => `s${i}: __schema { types { ...FullType } }`).join(" ");
    const res = await rawGql(server.url, `{ ${copies} } ${fragments}`, {}, { key: server.adminKey });
    expect(errorCode(res)).to.equal("QUERY_TOO_COMPLEX");
  });

  it("weighs every list by its bound: 600 aliased messageTree fields are refused before any runs", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    const doc = `{ ${Array.from({ length: 600 }, (_, i) => `t${i}: messageTree(id: "${id}") { messages { id text } }`).join(" ")} }`;
    const res = await rawGql(server.url, doc, {}, { key: server.adminKey });
    expect(errorCode(res)).to.equal("QUERY_TOO_COMPLEX");
    // one is cheap enough
    const one = await rawGql(server.url, `{ messageTree(id: "${id}") { messages { id text } } }`, {}, { key: server.adminKey });
    expect(errorCode(one)).to.equal("MESSAGE_NOT_FOUND");
  });

  it("answers RESPONSE_TOO_LARGE instead of a result beyond MAX_RESPONSE_BYTES, over HTTP and websockets", async () => {
    const res = await rawGql(server.url, getIntrospectionQuery(), {}, { key: server.adminKey });
    expect(res.status).to.equal(200);
    expect(errorCode(res)).to.equal("RESPONSE_TOO_LARGE");
    expect(res.errors![0].extensions!.maxResponseBytes).to.equal(65_536);
    const ws = await openSocket(server.wsUrl, { authorization: `Bearer ${server.adminKey}` });
    expect((await wsAnswer(ws, "big", getIntrospectionQuery())).code).to.equal("RESPONSE_TOO_LARGE");
    expect((await wsAnswer(ws, "small", "{ __typename }")).data).to.deep.equal({ __typename: "Query" });
    ws.close();
  });

  it("refuses lone surrogates in variables and invalid UTF-8 bodies with a clear error", async () => {
    const res = await rawGql(server.url, "query($t: String) { __typename }", { t: "ok \ud800 broken" }, { key: server.adminKey });
    expect(res.status).to.equal(400);
    expect(errorCode(res)).to.equal("BAD_USER_INPUT");
    expect(res.errors![0].message).to.match(/lone UTF-16 surrogate/);
    const ws = await openSocket(server.wsUrl, { authorization: `Bearer ${server.adminKey}` });
    expect((await wsAnswer(ws, "s", "query($t: String) { __typename }", { t: "\udc00" })).code).to.equal("BAD_USER_INPUT");
    ws.close();
    const body = Buffer.concat([Buffer.from('{"query":"query($t: String) { __typename }","variables":{"t":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    const bad = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${server.adminKey}` }, body });
    expect(bad.status).to.equal(400);
    const parsed = (await bad.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(parsed.errors[0].extensions.code).to.equal("BAD_REQUEST");
    expect(parsed.errors[0].message).to.match(/not valid UTF-8/);
  });

  it("answers an unsupported charset with 415 UNSUPPORTED_MEDIA_TYPE, not an internal error", async () => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=latin1", authorization: `Bearer ${server.adminKey}` },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(res.status).to.equal(415);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).to.equal("UNSUPPORTED_MEDIA_TYPE");
    expect(JSON.stringify(body)).to.not.match(/stack|at .*\.js/);
  });

  it("limits the operations one socket runs at once (MAX_OPERATIONS_PER_SOCKET) with TOO_MANY_OPERATIONS", async () => {
    const client = wsClient(server.wsUrl, { authorization: `Bearer ${server.adminKey}` });
    const stops: (() => void)[] = [];
    try {
      const first = await new Promise<{ code?: string }>((resolve) => {
        for (let i = 0; i < 5; i++) {
          stops.push(
            client.subscribe(
              { query: "subscription { heartbeat(intervalMs: 60000) { seq } }" },
              {
                next: () => undefined,
                error: (e) => resolve({ code: (e as { extensions?: { code?: string } }[])[0]?.extensions?.code }),
                complete: () => undefined,
              },
            ),
          );
        }
      });
      expect(first.code).to.equal("TOO_MANY_OPERATIONS");
      // completing one makes room again
      stops[0]();
      const again = await new Promise<unknown>((resolve, reject) => {
        client.subscribe({ query: "{ __typename }" }, { next: (v) => resolve(v), error: reject, complete: () => undefined });
      });
      expect(again).to.deep.equal({ data: { __typename: "Query" } });
    } finally {
      for (const stop of stops) stop();
      await client.dispose();
    }
  });
});
