import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { gql, rawGql, wsClient, collect } from "../helpers/graphql.js";
import { HeartbeatDocument, ViewerDocument } from "../../client/generated/graphql.js";

const METRICS_TOKEN = "metrics-token-for-tests-0123456789";
const scrape = (origin: string) => fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });

describe("health, readiness, metrics and the IDE page", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ METRICS_TOKEN }, { redis: true });
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
            during = await (await scrape(server.origin)).text();
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
    const res = await scrape(server.origin);
    expect(res.headers.get("content-type")).to.match(/text\/plain/);
    const text = await res.text();
    expect(text).to.match(/chorus_graphql_operations_total\{operation="Viewer",type="query",outcome="ok"\} \d+/);
    expect(text).to.match(/chorus_graphql_operation_duration_seconds_bucket\{le="[^"]+",operation="Viewer",type="query"\} \d+/);
    expect(text).to.match(/chorus_graphql_errors_total\{code="UNAUTHENTICATED"\} \d+/);
    // after the client is gone the gauge returns to 0
    for (let i = 0; i < 20 && !/chorus_graphql_open_subscriptions 0/.test(await (await scrape(server.origin)).text()); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await (await scrape(server.origin)).text()).to.match(/chorus_graphql_open_subscriptions 0/);
  });

  it("GET /metrics with METRICS_TOKEN refuses a missing or wrong token (401)", async () => {
    expect((await fetch(`${server.origin}/metrics`)).status).to.equal(401);
    const wrong = await fetch(`${server.origin}/metrics`, { headers: { authorization: "Bearer not-the-token-at-all" } });
    expect(wrong.status).to.equal(401);
    expect(await wrong.text()).to.not.match(/chorus_/);
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
    expect(html).to.include("/graphiql-assets/graphiql.js");
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).to.be.greaterThan(3);
    for (const asset of assets) {
      expect(asset.startsWith("/"), `${asset} must be served locally`).to.equal(true);
      const res = await fetch(server.origin + asset);
      expect(res.status, asset).to.equal(200);
      expect((await res.arrayBuffer()).byteLength, asset).to.be.greaterThan(50);
    }
  });

  it("serves the IDE with a Content-Security-Policy: scripts from this origin only, no inline script, no framing", async () => {
    const page = await fetch(server.url, { headers: { accept: "text/html" } });
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).to.include("default-src 'none'").and.include("script-src 'self'").and.include("frame-ancestors 'none'");
    expect(csp).to.not.match(/script-src[^;]*unsafe/);
    expect(page.headers.get("x-content-type-options")).to.equal("nosniff");
    // no inline script for the policy to refuse
    expect(await page.text()).to.not.match(/<script>(?!<\/script>)/);
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

describe("/metrics off the public port", function () {
  it("is not served (404) when DATABASE_URL is set and neither METRICS_PORT nor METRICS_TOKEN is", async () => {
    const server = await startTestServer();
    try {
      expect((await fetch(`${server.origin}/metrics`)).status).to.equal(404);
    } finally {
      await server.stop();
    }
  });

  it("is served on METRICS_PORT only, and not on the public port", async () => {
    const server = await startTestServer({ METRICS_PORT: "0" });
    try {
      expect((await fetch(`${server.origin}/metrics`)).status).to.equal(404);
      const port = server.chorus.http.metricsPort!;
      expect(port).to.be.a("number").and.not.equal(server.chorus.http.port);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).to.equal(200);
      expect(await res.text()).to.match(/chorus_graphql_operations_total/);
      expect((await fetch(`http://127.0.0.1:${port}/graphql`)).status).to.equal(404);
    } finally {
      await server.stop();
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
