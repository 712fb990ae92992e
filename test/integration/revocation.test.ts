/**
 * Class test (issue 12, item 4): every open socket of a revoked key, token or user closes within the promised 5 s,
 * with 4401 (the credentials no longer authenticate) or 4403 (they do, but the user may no longer act, or the role
 * dropped). One case per way an identity can be revoked, through GraphQL and through the real CLI; across replicas
 * (pub/sub); by the periodic re-check alone (a change nobody announced); and the job hand-out of a worker whose key
 * was revoked. Each socket is open with a live subscription when the revocation happens; the time is measured from
 * the moment the revoking call returned (or the CLI process exited) to the close frame.
 */
import crypto from "node:crypto";
import { expect } from "chai";
import pino from "pino";
import { print } from "graphql";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql, wsClient, type RequestOptions } from "../helpers/graphql.js";
import { CLI, runNode } from "../helpers/process.js";
import { buildGpuWorkers, startWorkerProcess } from "../helpers/gpu-worker-process.js";
import { createTestDatabase, testRedisUrl, type TestDatabase } from "../helpers/database.js";
import { loadConfig } from "../../src/config/index.js";
import { startChorus, type ChorusInstance } from "../../src/app.js";
import { Role } from "../../src/modules/users/role.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { internalRequestContext } from "../../src/common/request-context.js";
import {
  CreateChatDocument,
  CreateUserTokenDocument,
  DeleteMyAccountDocument,
  DeleteUserDocument,
  HeartbeatDocument,
  MergeUsersDocument,
  PurgeUserDocument,
  RevokeApiClientDocument,
  RevokeUserTokensDocument,
  RotateApiClientKeyDocument,
  SendChatMessageDocument,
  SetUserRoleDocument,
  UpdateUserDocument,
  ViewerDocument,
  WorkerJobsDocument,
  type WorkerJobsSubscription,
} from "../../client/generated/graphql.js";
import { deleteRedisPrefix, testRedisPrefix } from "../helpers/redis-keys.js";

/** The promise of README.md and docs/security.md. */
const PROMISED_MS = 5_000;

interface Closed {
  code: number;
  reason: string;
  at: number;
}

interface OpenSocket {
  closed: Promise<Closed>;
  /** Heartbeats (or worker jobs) received so far. */
  events(): number;
  errors: unknown[];
  jobs: WorkerJobsSubscription["workerJobs"][];
  dispose(): Promise<void>;
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

const WORKER_HELLO = { protocolVersion: 1, models: ["synthetic"], capacity: 2, hardware: { device: "test" }, name: "revocation-test-worker" };

/** Opens a socket with a live subscription: heartbeats, or a worker's job stream; resolves once it is running. */
async function openSocket(wsUrl: string, params: Record<string, unknown>, kind: "heartbeat" | "worker" = "heartbeat"): Promise<OpenSocket> {
  let resolveClosed!: (c: Closed) => void;
  const closed = new Promise<Closed>((r) => (resolveClosed = r));
  const client = wsClient(wsUrl, params, { onClose: (code, reason) => resolveClosed({ code, reason, at: Date.now() }) });
  let events = 0;
  const errors: unknown[] = [];
  const jobs: WorkerJobsSubscription["workerJobs"][] = [];
  const running = new Promise<void>((resolve, reject) => {
    if (kind === "worker") client.on("connected", () => setTimeout(resolve, 200));
    client.subscribe(
      kind === "worker"
        ? { query: print(WorkerJobsDocument), variables: { input: WORKER_HELLO } }
        : { query: print(HeartbeatDocument), variables: { intervalMs: 250 } },
      {
        next: (r) => {
          if (r.errors) {
            errors.push(r.errors);
            return reject(new Error(JSON.stringify(r.errors)));
          }
          events++;
          if (kind === "worker") jobs.push((r.data as WorkerJobsSubscription).workerJobs);
          resolve();
        },
        error: (e) => {
          errors.push(e);
          reject(e instanceof Error ? e : new Error(`closed before it ran: ${JSON.stringify(e)}`));
        },
        complete: () => undefined,
      },
    );
  });
  await within(running, 10_000, "the subscription to start");
  return { closed, events: () => events, errors, jobs, dispose: async () => void (await client.dispose()) };
}

/** Revokes, then waits for the close; returns how long after the revocation returned the socket closed. */
async function expectClosed(socket: OpenSocket, revoke: () => Promise<void>, code: number, what: string): Promise<number> {
  await revoke();
  const revokedAt = Date.now();
  const closed = await within(socket.closed, PROMISED_MS + 5_000, `${what}: the socket to close`);
  const ms = closed.at - revokedAt;
  expect(closed.code, `${what}: close code (${closed.reason})`).to.equal(code);
  expect(ms, `${what}: closed ${ms} ms after the revocation`).to.be.below(PROMISED_MS);
  await socket.dispose();
  return ms;
}

const timings: string[] = [];
after(() => {
  if (process.env.REVOCATION_TIMINGS && timings.length) console.log(`revocation → close:\n  ${timings.join("\n  ")}`);
});

describe("revocation closes every open socket of the identity within 5 s (class test)", function () {
  this.timeout(180_000);
  let server: TestServer;
  let admin: RequestOptions;
  let bystander: OpenSocket;

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false" });
    admin = { key: server.adminKey };
    // A socket of another client that nothing below revokes: it must stay open throughout.
    const other = await server.createClient({ name: "bystander", trusted: true });
    bystander = await openSocket(server.wsUrl, { authorization: `Bearer ${other.key}`, user: "local:bystander" });
  });
  after(async () => {
    await bystander?.dispose();
    await server?.stop();
  });

  const bearer = (key: string, user?: string) => (user ? { authorization: `Bearer ${key}`, user } : { authorization: `Bearer ${key}` });
  let n = 0;
  const fresh = (prefix: string) => `${prefix}-${++n}-${crypto.randomBytes(2).toString("hex")}`;

  async function trustedWithToken(userName = fresh("u")) {
    const client = await server.createClient({ name: fresh("web"), trusted: true });
    const minted = await gql(server.url, CreateUserTokenDocument, { input: { user: { authMethod: "local", id: userName } } }, { key: client.key });
    expect(minted.errors, JSON.stringify(minted.errors)).to.equal(undefined);
    const { token, user } = minted.data!.createUserToken;
    return { client, token, userId: user.id, header: `local:${userName}` };
  }

  async function ok<T extends { errors?: unknown }>(p: Promise<T>): Promise<T> {
    const r = await p;
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    return r;
  }

  /**
   * The class: each way to revoke an identity, with the socket it must close and the code. `open` makes a fresh
   * identity and its socket; `revoke` revokes it the way an operator or user would.
   */
  const CASES: { name: string; code: number; run: () => Promise<{ socket: OpenSocket; revoke: () => Promise<void> }> }[] = [
    {
      name: "API client key, revokeApiClient",
      code: 4401,
      run: async () => {
        const c = await server.createClient({ name: fresh("script") });
        return {
          socket: await openSocket(server.wsUrl, bearer(c.key)),
          revoke: async () => void (await ok(gql(server.url, RevokeApiClientDocument, { input: { id: c.id } }, admin))),
        };
      },
    },
    {
      name: "API client key acting for a user, revokeApiClient",
      code: 4401,
      run: async () => {
        const c = await server.createClient({ name: fresh("web"), trusted: true });
        return {
          socket: await openSocket(server.wsUrl, bearer(c.key, `local:${fresh("u")}`)),
          revoke: async () => void (await ok(gql(server.url, RevokeApiClientDocument, { input: { id: c.id } }, admin))),
        };
      },
    },
    {
      name: "API client key rotated away, rotateApiClientKey",
      code: 4401,
      run: async () => {
        const c = await server.createClient({ name: fresh("script") });
        return {
          socket: await openSocket(server.wsUrl, bearer(c.key)),
          revoke: async () => void (await ok(gql(server.url, RotateApiClientKeyDocument, { input: { id: c.id } }, admin))),
        };
      },
    },
    {
      name: "API client key that expires",
      code: 4401,
      run: async () => {
        const expiresAt = Date.now() + 3_000;
        const c = await server.createClient({ name: fresh("short-lived"), expiresAt: new Date(expiresAt) });
        const socket = await openSocket(server.wsUrl, bearer(c.key));
        // "Revoked" by time: measured from the instant of expiry.
        return { socket, revoke: () => new Promise<void>((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()))) };
      },
    },
    {
      name: "worker key, revokeApiClient",
      code: 4401,
      run: async () => {
        const w = await server.createClient({ name: fresh("gpu"), kind: ApiClientKind.WORKER });
        return {
          socket: await openSocket(server.wsUrl, bearer(w.key), "worker"),
          revoke: async () => void (await ok(gql(server.url, RevokeApiClientDocument, { input: { id: w.id } }, admin))),
        };
      },
    },
    {
      name: "user token of a revoked client",
      code: 4401,
      run: async () => {
        const t = await trustedWithToken();
        return {
          socket: await openSocket(server.wsUrl, bearer(t.token)),
          revoke: async () => void (await ok(gql(server.url, RevokeApiClientDocument, { input: { id: t.client.id } }, admin))),
        };
      },
    },
    {
      name: "user token of a client whose key was rotated",
      code: 4401,
      run: async () => {
        const t = await trustedWithToken();
        return {
          socket: await openSocket(server.wsUrl, bearer(t.token)),
          revoke: async () => void (await ok(gql(server.url, RotateApiClientKeyDocument, { input: { id: t.client.id } }, admin))),
        };
      },
    },
    {
      name: "user token after logout everywhere (revokeUserTokens, by the user)",
      code: 4401,
      run: async () => {
        const t = await trustedWithToken();
        return {
          socket: await openSocket(server.wsUrl, bearer(t.token)),
          revoke: async () => void (await ok(gql(server.url, RevokeUserTokensDocument, {}, { key: t.token }))),
        };
      },
    },
    {
      name: "user token after logout everywhere by a moderator (revokeUserTokens with userId)",
      code: 4401,
      run: async () => {
        const t = await trustedWithToken();
        return {
          socket: await openSocket(server.wsUrl, bearer(t.token)),
          revoke: async () => void (await ok(gql(server.url, RevokeUserTokensDocument, { input: { userId: t.userId } }, admin))),
        };
      },
    },
    {
      name: "deleted user (deleteUser), token",
      code: 4403,
      run: async () => {
        const t = await trustedWithToken();
        return {
          socket: await openSocket(server.wsUrl, bearer(t.token)),
          revoke: async () => void (await ok(gql(server.url, DeleteUserDocument, { input: { userId: t.userId } }, admin))),
        };
      },
    },
    {
      name: "deleted user (deleteUser), header",
      code: 4403,
      run: async () => {
        const t = await trustedWithToken();
        return {
          socket: await openSocket(server.wsUrl, bearer(t.client.key, t.header)),
          revoke: async () => void (await ok(gql(server.url, DeleteUserDocument, { input: { userId: t.userId } }, admin))),
        };
      },
    },
    {
      name: "own account deleted (deleteMyAccount through a user token)",
      code: 4403,
      run: async () => {
        const t = await trustedWithToken();
        return {
          socket: await openSocket(server.wsUrl, bearer(t.token)),
          revoke: async () => void (await ok(gql(server.url, DeleteMyAccountDocument, { input: { confirm: true } }, { key: t.token }))),
        };
      },
    },
    {
      name: "disabled user (updateUser enabled: false), header",
      code: 4403,
      run: async () => {
        const t = await trustedWithToken();
        return {
          socket: await openSocket(server.wsUrl, bearer(t.client.key, t.header)),
          revoke: async () => void (await ok(gql(server.url, UpdateUserDocument, { input: { userId: t.userId, enabled: false } }, admin))),
        };
      },
    },
    {
      name: "banned user (purgeUser ban: true), token",
      code: 4403,
      run: async () => {
        const t = await trustedWithToken();
        return {
          socket: await openSocket(server.wsUrl, bearer(t.token)),
          revoke: async () => void (await ok(gql(server.url, PurgeUserDocument, { input: { userId: t.userId, ban: true, preview: false } }, admin))),
        };
      },
    },
    {
      name: "user merged away (mergeUsers), token",
      code: 4401,
      run: async () => {
        const t = await trustedWithToken();
        const dest = await gql(server.url, ViewerDocument, {}, { key: t.client.key, user: `local:${fresh("dest")}` });
        return {
          socket: await openSocket(server.wsUrl, bearer(t.token)),
          revoke: async () =>
            void (await ok(
              gql(server.url, MergeUsersDocument, { input: { destinationUserId: dest.data!.viewer.user!.id, sourceUserIds: [t.userId] } }, admin),
            )),
        };
      },
    },
    {
      name: "role dropped (setUserRole MODERATOR → USER), header",
      code: 4403,
      run: async () => {
        const t = await trustedWithToken();
        await ok(gql(server.url, SetUserRoleDocument, { input: { userId: t.userId, role: "MODERATOR" } }, admin));
        return {
          socket: await openSocket(server.wsUrl, bearer(t.client.key, t.header)),
          revoke: async () => void (await ok(gql(server.url, SetUserRoleDocument, { input: { userId: t.userId, role: "USER" } }, admin))),
        };
      },
    },
    {
      name: "API client revoked from the CLI (api-client revoke, real bin; no Redis: the periodic re-check)",
      code: 4401,
      run: async () => {
        const c = await server.createClient({ name: fresh("script") });
        return {
          socket: await openSocket(server.wsUrl, bearer(c.key)),
          revoke: async () => {
            const r = await runNode(CLI, ["api-client", "revoke", c.id], { DATABASE_URL: server.db.url });
            expect(r.code, r.stderr).to.equal(0);
          },
        };
      },
    },
    {
      name: "role dropped from the CLI (user set-role, real bin)",
      code: 4403,
      run: async () => {
        const t = await trustedWithToken();
        await ok(gql(server.url, SetUserRoleDocument, { input: { userId: t.userId, role: "ADMIN" } }, admin));
        return {
          socket: await openSocket(server.wsUrl, bearer(t.token)),
          revoke: async () => {
            const [, id] = t.header.split(":");
            const r = await runNode(CLI, ["user", "set-role", "--auth-method", "local", "--id", id, "--role", "moderator"], { DATABASE_URL: server.db.url });
            expect(r.code, r.stderr).to.equal(0);
          },
        };
      },
    },
    {
      name: "user tokens revoked from the CLI (user revoke-tokens, real bin)",
      code: 4401,
      run: async () => {
        const t = await trustedWithToken();
        return {
          socket: await openSocket(server.wsUrl, bearer(t.token)),
          revoke: async () => {
            const [, id] = t.header.split(":");
            const r = await runNode(CLI, ["user", "revoke-tokens", "--auth-method", "local", "--id", id], { DATABASE_URL: server.db.url });
            expect(r.code, r.stderr).to.equal(0);
          },
        };
      },
    },
    {
      name: "a revocation written straight into the database, announced by nobody (the periodic re-check)",
      code: 4401,
      run: async () => {
        const c = await server.createClient({ name: fresh("script") });
        return {
          socket: await openSocket(server.wsUrl, bearer(c.key)),
          revoke: async () => void (await server.chorus.app.ds.query(`UPDATE api_client SET revoked_at = now(), enabled = false WHERE id = $1`, [c.id])),
        };
      },
    },
  ];

  for (const c of CASES) {
    it(`${c.name}: closes with ${c.code}`, async () => {
      const { socket, revoke } = await c.run();
      const ms = await expectClosed(socket, revoke, c.code, c.name);
      timings.push(`${ms} ms  ${c.name}`);
    });
  }

  it("a revoked identity's new connections are refused too, and sockets of identities nothing revoked stay open", async () => {
    const t = await trustedWithToken();
    await ok(gql(server.url, RevokeUserTokensDocument, {}, { key: t.token }));
    let code: number | undefined;
    const c = wsClient(server.wsUrl, bearer(t.token), { onClose: (x) => (code = x) });
    await new Promise<void>((resolve) =>
      c.subscribe(
        { query: print(HeartbeatDocument), variables: { intervalMs: 250 } },
        { next: () => resolve(), error: () => resolve(), complete: () => resolve() },
      ),
    );
    await c.dispose();
    expect(code).to.equal(4401);
    expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: t.token }))).to.equal("UNAUTHENTICATED");
    // The user's own client, acting for the user with its key, is not a token: still fine.
    expect((await gql(server.url, ViewerDocument, {}, { key: t.client.key, user: t.header })).errors).to.equal(undefined);
    const before = bystander.events();
    await new Promise((r) => setTimeout(r, 600));
    expect(bystander.events()).to.be.greaterThan(before);
  });

  it("a role that rises keeps the socket open, and its next operation has the new role", async () => {
    const t = await trustedWithToken();
    const socket = await openSocket(server.wsUrl, bearer(t.token));
    await ok(gql(server.url, SetUserRoleDocument, { input: { userId: t.userId, role: "MODERATOR" } }, admin));
    await server.chorus.app.openSockets.recheck();
    const beats = socket.events();
    await new Promise((r) => setTimeout(r, 600));
    expect(socket.events()).to.be.greaterThan(beats);
    await socket.dispose();
  });
});

describe("revocation across replicas, and the job hand-out of a revoked worker", function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let a: ChorusInstance;
  let b: ChorusInstance;
  const prefix = testRedisPrefix("revoke");

  async function replica(): Promise<ChorusInstance> {
    // A re-check period far beyond the promise: within 5 s, only the pub/sub announcement (or the hand-out's own
    // check) can do it.
    const config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: "4",
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      LOCAL_WORKER: "false",
      IDENTITY_RECHECK_SECONDS: "60",
    });
    const chorus = await startChorus(config, { log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }), defaultMetrics: false, jobs: false });
    await chorus.ready;
    return chorus;
  }
  const wsUrlOf = (c: ChorusInstance) => `ws://127.0.0.1:${c.http.port}/graphql`;

  before(async () => {
    db = await createTestDatabase();
    a = await replica();
    b = await replica();
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
    await deleteRedisPrefix(prefix);
  });

  async function client(opts: { trusted?: boolean; kind?: ApiClientKind } = {}) {
    const { apiClient, key } = await a.app.apiClients.create(internalRequestContext("system", a.app.log, Role.ADMIN), {
      name: `c-${crypto.randomBytes(2).toString("hex")}`,
      trusted: opts.trusted ?? false,
      role: Role.ADMIN,
      kind: opts.kind ?? ApiClientKind.CLIENT,
    });
    return { id: apiClient.id, key };
  }

  it("a key revoked on replica A closes its socket on replica B (Redis pub/sub)", async () => {
    const admin = await client({ trusted: true });
    const victim = await client();
    const socket = await openSocket(wsUrlOf(b), { authorization: `Bearer ${victim.key}` });
    const ms = await expectClosed(
      socket,
      async () => void (await gql(a.url, RevokeApiClientDocument, { input: { id: victim.id } }, { key: admin.key })),
      4401,
      "revoked on another replica",
    );
    timings.push(`${ms} ms  revoked on replica A, socket on replica B`);
  });

  it("a user token revoked from the CLI with REDIS_URL closes its socket on both replicas at once", async () => {
    const web = await client({ trusted: true });
    const userId = `cli-${crypto.randomBytes(2).toString("hex")}`;
    const minted = await gql(a.url, CreateUserTokenDocument, { input: { user: { authMethod: "local", id: userId } } }, { key: web.key });
    const token = minted.data!.createUserToken.token;
    const onA = await openSocket(wsUrlOf(a), { authorization: `Bearer ${token}` });
    const onB = await openSocket(wsUrlOf(b), { authorization: `Bearer ${token}` });
    const r = await runNode(CLI, ["user", "revoke-tokens", "--auth-method", "local", "--id", userId], {
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
    });
    expect(r.code, r.stderr).to.equal(0);
    const exited = Date.now();
    for (const [name, s] of [
      ["A", onA],
      ["B", onB],
    ] as const) {
      const closed = await within(s.closed, PROMISED_MS + 5_000, `replica ${name}`);
      expect(closed.code).to.equal(4401);
      expect(closed.at - exited).to.be.below(PROMISED_MS);
      timings.push(`${closed.at - exited} ms  CLI user revoke-tokens (Redis), socket on replica ${name}`);
      await s.dispose();
    }
  });

  it("a worker whose key was revoked unannounced gets no new job: the hand-out checks the key, and the job goes to a valid worker", async () => {
    const web = await client({ trusted: true });
    const revokedWorker = await client({ kind: ApiClientKind.WORKER });
    const goodWorker = await client({ kind: ApiClientKind.WORKER });
    const worker = await openSocket(wsUrlOf(b), { authorization: `Bearer ${revokedWorker.key}` }, "worker");
    // Revoked behind the server's back: no announcement, and the periodic re-check is a minute away.
    await a.app.ds.query(`UPDATE api_client SET revoked_at = now(), enabled = false WHERE id = $1`, [revokedWorker.id]);
    const as = { key: web.key, user: "local:prompter" };
    const chat = await gql(a.url, CreateChatDocument, { input: {} }, as);
    const sent = await gql(a.url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text: "a private prompt", model: "synthetic" } }, as);
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    const messageId = sent.data!.sendChatMessage.assistantMessage.id;
    const closed = await within(worker.closed, PROMISED_MS + 5_000, "the revoked worker's socket");
    expect(worker.jobs, "the revoked worker received a job").to.deep.equal([]);
    // The worker is told: the server closes its socket with 4401 as soon as the hand-out finds the key revoked, or
    // its job subscription ends with UNAUTHENTICATED first (and the client, with nothing left open, closes).
    expect(
      closed.code === 4401 || JSON.stringify(worker.errors).includes("UNAUTHENTICATED"),
      `closed ${closed.code}, ${JSON.stringify(worker.errors)}`,
    ).to.equal(true);
    await worker.dispose();
    // The job was not lost: a valid worker gets it.
    const good = await openSocket(wsUrlOf(a), { authorization: `Bearer ${goodWorker.key}` }, "worker");
    const deadline = Date.now() + 15_000;
    while (good.jobs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(good.jobs.map((j) => j.messageId)).to.deep.equal([messageId]);
    expect(good.jobs[0].messages.at(-1)!.content).to.equal("a private prompt");
    await good.dispose();
  });
});

describe("the worker program when its key is revoked", function () {
  this.timeout(180_000);
  let server: TestServer;
  before(async () => {
    buildGpuWorkers();
    server = await startTestServer({ LOCAL_WORKER: "false" });
  });
  after(async () => {
    await server?.stop();
  });

  it("stops with exit status 3 (refused) instead of reconnecting forever", async () => {
    const w = await server.createClient({ name: "gpu", kind: ApiClientKind.WORKER });
    const proc = startWorkerProcess({
      CHORUS_API_URL: server.wsUrl,
      CHORUS_WORKER_KEY: w.key,
      CHORUS_WORKER_BACKEND: "synthetic",
      CHORUS_WORKER_MODELS: "synthetic",
    });
    try {
      await proc.waitFor(/"connected"/, 60_000);
      await server.chorus.app.apiClients.revoke(internalRequestContext("system", server.chorus.app.log, Role.ADMIN), w.id);
      expect(await within(proc.exited, 20_000, "the worker to exit")).to.equal(3);
      expect(proc.output().stdout).to.match(/refused the key/);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill("SIGKILL");
    }
  });
});
