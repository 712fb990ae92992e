import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { gql, rawGql, wsClient, collect } from "../helpers/graphql.js";
import { HeartbeatDocument, ViewerDocument } from "../../client/generated/graphql.js";

describe("health, readiness, metrics and the IDE page", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({}, { redis: true });
  });
  after(async () => {
    await server.stop();
  });

  it("GET /healthz says the process is up", async () => {
    const res = await fetch(`${server.origin}/healthz`);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { status: string; uptimeSeconds: number };
    expect(body.status).to.equal("ok");
    expect(body.uptimeSeconds).to.be.a("number");
  });

  it("GET /readyz checks the database and the configured Redis", async () => {
    const res = await fetch(`${server.origin}/readyz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ ready: true, database: "ok", redis: "ok" });
  });

  it("GET /metrics counts operations, durations, errors and open subscriptions in Prometheus format", async () => {
    await gql(server.url, ViewerDocument, {}, { key: server.adminKey });
    await rawGql(server.url, "{ viewer { role } }"); // UNAUTHENTICATED
    const client = wsClient(server.wsUrl, { authorization: `Bearer ${server.adminKey}` });
    let during = "";
    await new Promise<void>((resolve, reject) => {
      const stop = client.subscribe(
        { query: "subscription { heartbeat(intervalMs: 250) { seq } }" },
        {
          next: async () => {
            during = await (await fetch(`${server.origin}/metrics`)).text();
            stop();
            resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    await client.dispose();
    expect(during).to.match(/chorus_graphql_open_subscriptions 1/);
    const res = await fetch(`${server.origin}/metrics`);
    expect(res.headers.get("content-type")).to.match(/text\/plain/);
    const text = await res.text();
    expect(text).to.match(/chorus_graphql_operations_total\{operation="Viewer",type="query",outcome="ok"\} \d+/);
    expect(text).to.match(/chorus_graphql_operation_duration_seconds_bucket\{le="[^"]+",operation="Viewer",type="query"\} \d+/);
    expect(text).to.match(/chorus_graphql_errors_total\{code="UNAUTHENTICATED"\} \d+/);
    // after the client is gone the gauge returns to 0
    for (let i = 0; i < 20 && !/chorus_graphql_open_subscriptions 0/.test(await (await fetch(`${server.origin}/metrics`)).text()); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await (await fetch(`${server.origin}/metrics`)).text()).to.match(/chorus_graphql_open_subscriptions 0/);
  });

  it("returns an x-request-id on every operation, keeping a caller's own", async () => {
    const mine = await gql(server.url, ViewerDocument, {}, { key: server.adminKey, headers: { "x-request-id": "trace-123" } });
    expect(mine.headers.get("x-request-id")).to.equal("trace-123");
    const generated = await gql(server.url, ViewerDocument, {}, { key: server.adminKey });
    expect(generated.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
  });

  it("serves a GraphQL IDE at /graphql to browsers, with every asset local", async () => {
    const page = await fetch(server.url, { headers: { accept: "text/html" } });
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).to.include("GraphiQL");
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).to.be.greaterThan(3);
    for (const asset of assets) {
      expect(asset.startsWith("/"), `${asset} must be served locally`).to.equal(true);
      const res = await fetch(server.origin + asset);
      expect(res.status, asset).to.equal(200);
      expect((await res.arrayBuffer()).byteLength, asset).to.be.greaterThan(1000);
    }
  });

  it("streams subscriptions with Redis configured too", async () => {
    const client = wsClient(server.wsUrl, { authorization: `Bearer ${server.adminKey}` });
    try {
      const got = await collect(client, HeartbeatDocument, { intervalMs: 250 }, 1);
      expect(got.results[0].data!.heartbeat.ready).to.equal(true);
    } finally {
      await client.dispose();
    }
  });
});

describe("readiness with Redis unreachable", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ REDIS_URL: "redis://127.0.0.1:1" });
  });
  after(async () => {
    await server.stop();
  });

  it("reports not ready (503) naming Redis, while healthz stays up", async () => {
    const res = await fetch(`${server.origin}/readyz`);
    expect(res.status).to.equal(503);
    expect(await res.json()).to.deep.include({ ready: false, database: "ok", redis: "down" });
    expect((await fetch(`${server.origin}/healthz`)).status).to.equal(200);
  });
});
