import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { createTestDatabase, baseDatabaseUrl } from "../helpers/database.js";
import { MAIN, CLI, runNode, startNode } from "../helpers/process.js";
import { rawGql, wsClient } from "../helpers/graphql.js";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function createKey(databaseUrl: string): Promise<string> {
  const res = await runNode(CLI, ["api-client", "create", "--name", "lifecycle", "--trusted", "--role", "admin"], { DATABASE_URL: databaseUrl });
  if (res.code !== 0) throw new Error(res.stderr);
  return res.stdout.trim().split("\n").pop()!;
}

describe("server process lifecycle", function () {
  this.timeout(120_000);

  it("shuts down gracefully on SIGTERM: open subscriptions are closed with 1001, in-flight requests finish, exit 0", async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    try {
      const key = await createKey(db.url);
      const proc = startNode(MAIN, [], { DATABASE_URL: db.url, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info" });
      await proc.waitFor(/Chorus is running/);
      let closeCode: number | undefined;
      const client = wsClient(`ws://127.0.0.1:${port}/graphql`, { authorization: `Bearer ${key}` }, { onClose: (code) => (closeCode = code) });
      const beats: number[] = [];
      let completed = false;
      await new Promise<void>((resolve, reject) => {
        client.subscribe(
          { query: "subscription { heartbeat(intervalMs: 250) { seq } }" },
          {
            next: (r) => {
              beats.push((r.data as { heartbeat: { seq: number } }).heartbeat.seq);
              if (beats.length === 2) resolve();
            },
            error: () => undefined,
            complete: () => (completed = true),
          },
        );
        setTimeout(() => reject(new Error("no heartbeat")), 10_000);
      });
      // A request in flight when the signal arrives (headers and half its body sent) still gets its answer.
      const body = JSON.stringify({ query: "{ viewer { role } }" });
      const socket = net.connect(port, "127.0.0.1");
      await new Promise((r) => socket.once("connect", r));
      let response = "";
      socket.on("data", (d) => (response += d));
      const responded = new Promise<void>((resolve) => {
        const check = () => (/\r\n\r\n\{"data".*\}\s*$/s.test(response) ? resolve() : undefined);
        socket.on("data", check);
        socket.once("close", () => resolve());
      });
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${key}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
          body.slice(0, 10),
      );
      await new Promise((r) => setTimeout(r, 200));
      proc.child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 300));
      expect(proc.child.exitCode, "the server waits for the request in flight").to.equal(null);
      socket.write(body.slice(10)); // not end(): a half-closed socket would be dropped with its request
      await responded;
      socket.destroy();
      expect(response).to.match(/^HTTP\/1\.1 200/);
      expect(response).to.include('{"data":{"viewer":{"role":"ADMIN"}}}');
      expect(await proc.exited).to.equal(0);
      expect(closeCode).to.equal(1001);
      expect(beats).to.deep.equal([1, 2]);
      await client.dispose();
      expect(completed || closeCode === 1001).to.equal(true);
      const out = proc.output().stdout;
      expect(out)
        .to.match(/"msg":"shutting down"/)
        .and.match(/"msg":"stopped"/);
      // the port is free again
      await new Promise<void>((resolve, reject) => {
        const srv = net
          .createServer()
          .once("error", reject)
          .listen(port, "127.0.0.1", () => srv.close(() => resolve()));
      });
    } finally {
      await db.drop();
    }
  });

  it("keeps retrying while the database is down (healthz up, readyz false, SERVICE_UNAVAILABLE) and recovers", async () => {
    const db = await createTestDatabase();
    const proxyPort = await freePort();
    const port = await freePort();
    const target = new URL(baseDatabaseUrl());
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${proxyPort}`;
    let proxy: net.Server | undefined;
    try {
      const key = await createKey(db.url);
      const proc = startNode(MAIN, [], {
        DATABASE_URL: viaProxy.toString(),
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        DB_RETRY_MAX_DELAY_MS: "300",
      });
      await proc.waitFor(/"msg":"listening"/);
      await proc.waitFor(/database unreachable; retrying/);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).to.equal(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).to.equal(503);
      expect(await ready.json()).to.deep.include({ ready: false, database: "starting" });
      const early = await rawGql(`http://127.0.0.1:${port}/graphql`, "{ viewer { role } }", {}, { key });
      expect(early.status).to.equal(503);
      expect(early.errors![0].extensions!.code).to.equal("SERVICE_UNAVAILABLE");

      // the database "comes back": a TCP proxy to the real server starts listening
      proxy = net.createServer((socket) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        socket.pipe(upstream).pipe(socket);
        socket.on("error", () => upstream.destroy());
        upstream.on("error", () => socket.destroy());
      });
      await new Promise<void>((resolve) => proxy!.listen(proxyPort, "127.0.0.1", () => resolve()));
      await proc.waitFor(/Chorus is running/, 30_000);
      const readyNow = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(readyNow.status).to.equal(200);
      const ok = await rawGql(`http://127.0.0.1:${port}/graphql`, "{ viewer { role } }", {}, { key });
      expect(ok.data).to.deep.equal({ viewer: { role: "ADMIN" } });
      proc.child.kill("SIGTERM");
      expect(await proc.exited).to.equal(0);
    } finally {
      await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
      await db.drop();
    }
  });

  it("stops at start with a message naming a bad variable and a non-zero exit", async () => {
    const bad = await runNode(MAIN, [], { PORT: "eighty", DATABASE_URL: baseDatabaseUrl() });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/PORT must be an integer between 0 and 65535, got "eighty"/);
    const badLevel = await runNode(MAIN, [], { LOG_LEVEL: "loud", DATABASE_URL: baseDatabaseUrl() });
    expect(badLevel.code).to.equal(2);
    expect(badLevel.stderr).to.match(/LOG_LEVEL must be one of/);
  });

  it("starts with nothing set: embedded PostgreSQL, a printed development key, HTTP and websocket at /graphql, and chat with the in-process worker", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-embedded-"));
    const port = await freePort();
    const pgPort = await freePort();
    const env: Record<string, string> = { CHORUS_DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: "warn" };
    // nothing else: no DATABASE_URL and no REDIS_URL
    const clean = { ...env, DATABASE_URL: "", REDIS_URL: "" };
    const proc = startNode(MAIN, [], clean);
    try {
      const m = await proc.waitFor(/Development API key[^\n]*\n\s+(chk_[0-9a-f]{64})/, 90_000);
      const key = m[1];
      const url = `http://127.0.0.1:${port}/graphql`;
      const t = await rawGql(url, "{ __typename }");
      expect(t.data).to.deep.equal({ __typename: "Query" });
      const v = await rawGql(url, "{ viewer { role via } }", {}, { key });
      expect(v.data).to.deep.equal({ viewer: { role: "ADMIN", via: "API_KEY" } });
      const client = wsClient(`ws://127.0.0.1:${port}/graphql`, { authorization: `Bearer ${key}` });
      const seq = await new Promise<number>((resolve, reject) => {
        const stop = client.subscribe(
          { query: "subscription { heartbeat(intervalMs: 250) { seq } }" },
          {
            next: (r) => {
              stop();
              resolve((r.data as { heartbeat: { seq: number } }).heartbeat.seq);
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
      expect(seq).to.equal(1);

      // and a newcomer can chat at once: the in-process worker streams an answer to the websocket
      const user = "local:newcomer";
      const chat = await rawGql<{ createChat: { id: string } }>(url, `mutation { createChat(input: { title: "hello" }) { id } }`, {}, { key, user });
      expect(chat.errors, JSON.stringify(chat.errors)).to.equal(undefined);
      const sent = await rawGql<{ sendChatMessage: { assistantMessage: { id: string } } }>(
        url,
        `mutation($c: ID!) { sendChatMessage(input: { chatId: $c, model: "synthetic", text: "Hello there" }) { assistantMessage { id } } }`,
        { c: chat.data!.createChat.id },
        { key, user },
      );
      expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
      const streamClient = wsClient(`ws://127.0.0.1:${port}/graphql`, { authorization: `Bearer ${key}`, user });
      const events: { __typename: string; text?: string; chatMessage?: { text: string } }[] = [];
      await new Promise<void>((resolve, reject) => {
        streamClient.subscribe(
          {
            query: `subscription($m: ID!) { generation(messageId: $m) { __typename seq ... on GenerationTokens { text } ... on GenerationFinished { chatMessage { text } } } }`,
            variables: { m: sent.data!.sendChatMessage.assistantMessage.id },
          },
          { next: (r) => void events.push(r.data!.generation as never), error: reject, complete: resolve },
        );
      });
      await streamClient.dispose();
      await client.dispose();
      const streamed = events
        .filter((e) => e.__typename === "GenerationTokens")
        .map((e) => e.text)
        .join("");
      expect(streamed.length).to.be.greaterThan(0);
      expect(events[events.length - 1].__typename).to.equal("GenerationFinished");
      expect(events[events.length - 1].chatMessage!.text).to.equal(streamed);
      expect(fs.existsSync(path.join(dataDir, "postgres", "PG_VERSION"))).to.equal(true);
      proc.child.kill("SIGTERM");
      expect(await proc.exited).to.equal(0);

      // a second start reuses the data and prints the same key
      const again = startNode(MAIN, [], clean);
      const m2 = await again.waitFor(/Development API key[^\n]*\n\s+(chk_[0-9a-f]{64})/, 60_000);
      expect(m2[1]).to.equal(key);
      again.child.kill("SIGTERM");
      expect(await again.exited).to.equal(0);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill("SIGKILL");
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
