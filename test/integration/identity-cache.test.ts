/**
 * The identity cache (src/server/identity-cache.ts) on two replicas sharing PostgreSQL and Redis: with replica B's
 * cache warm (its metrics show the lookups served from it), a key revoked or rotated, a user demoted or disabled
 * through replica A, or by SQL that announces nothing, is refused on B's very next request. And the cache stays
 * bounded: unknown keys leave nothing behind, and each map keeps at most its limit.
 */
import crypto from "node:crypto";
import { expect } from "chai";
import { startCluster, metricValue, type Cluster, type Replica } from "../helpers/replicas.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql, rawGql } from "../helpers/graphql.js";
import { Role } from "../../src/modules/users/role.js";
import { IdentityCache } from "../../src/server/identity-cache.js";
import { hashApiKey } from "../../src/common/keys.js";
import {
  AnnotatorQualityDocument,
  CreateUserTokenDocument,
  RevokeApiClientDocument,
  RevokeUserTokensDocument,
  RotateApiClientKeyDocument,
  SetUserRoleDocument,
  UpdateUserDocument,
  ViewerDocument,
} from "../../client/generated/graphql.js";

const WHO = `{ viewer { via role } }`;

describe("identity cache: exact on every replica, bounded", function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let A: Replica;
  let B: Replica;
  let admin: string;

  before(async () => {
    cluster = await startCluster(2);
    [A, B] = cluster.replicas;
    admin = await cluster.createClient({ name: "admin", trusted: true, role: Role.ADMIN });
  });
  after(async () => {
    await cluster?.stop();
  });

  const hits = async (r: Replica) => metricValue(await r.metrics(), "chorus_identity_lookups_total", { outcome: "hit" });

  /** A fresh trusted client, its key and a user of it, known to B's cache (B served the user from it once). */
  async function warm(): Promise<{ key: string; clientId: string; user: string; userId: string }> {
    const key = await cluster.createClient({ name: `c-${crypto.randomUUID()}`, trusted: true });
    const user = `local:${crypto.randomUUID()}`;
    const first = await gql(B.url, ViewerDocument, {}, { key, user });
    expect(first.errors, JSON.stringify(first.errors)).to.equal(undefined);
    const before = await hits(B);
    const again = await rawGql(B.url, WHO, {}, { key, user });
    expect(again.errors, JSON.stringify(again.errors)).to.equal(undefined);
    expect(await hits(B), "B served the key and user from its cache").to.equal(before + 1);
    return { key, clientId: first.data!.viewer.apiClient!.id, user, userId: first.data!.viewer.user!.id };
  }

  async function onA<T>(res: Promise<{ errors?: unknown[]; data?: T | null }>): Promise<T> {
    const r = await res;
    expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
    return r.data!;
  }

  it("a key revoked on A is refused on B's next request", async () => {
    const w = await warm();
    await onA(gql(A.url, RevokeApiClientDocument, { input: { id: w.clientId } }, { key: admin }));
    expect(errorCode(await rawGql(B.url, WHO, {}, { key: w.key, user: w.user }))).to.equal("UNAUTHENTICATED");
  });

  it("a key rotated on A: the old key is refused on B's next request, the new one works there", async () => {
    const w = await warm();
    const rotated = await onA(gql(A.url, RotateApiClientKeyDocument, { input: { id: w.clientId } }, { key: admin }));
    expect(errorCode(await rawGql(B.url, WHO, {}, { key: w.key, user: w.user }))).to.equal("UNAUTHENTICATED");
    const fresh = await rawGql<{ viewer: { via: string } }>(B.url, WHO, {}, { key: rotated.rotateApiClientKey.key, user: w.user });
    expect(fresh.errors, JSON.stringify(fresh.errors)).to.equal(undefined);
  });

  it("a user demoted on A acts as a USER on B's next request", async () => {
    const w = await warm();
    await onA(gql(A.url, SetUserRoleDocument, { input: { userId: w.userId, role: Role.MODERATOR } }, { key: admin }));
    // Warm again as a moderator (the role change emptied B's cache).
    await onA(rawGql(B.url, WHO, {}, { key: w.key, user: w.user }));
    const before = await hits(B);
    const asModerator = await onA(rawGql<{ viewer: { role: string } }>(B.url, WHO, {}, { key: w.key, user: w.user }));
    expect(asModerator.viewer.role).to.equal("MODERATOR");
    expect(await hits(B)).to.equal(before + 1);
    expect((await gql(B.url, AnnotatorQualityDocument, { userId: w.userId }, { key: w.key, user: w.user })).errors).to.equal(undefined);

    await onA(gql(A.url, SetUserRoleDocument, { input: { userId: w.userId, role: Role.USER } }, { key: admin }));
    expect(errorCode(await gql(B.url, AnnotatorQualityDocument, { userId: w.userId }, { key: w.key, user: w.user }))).to.equal("FORBIDDEN");
  });

  it("a user disabled on A is refused on B's next request", async () => {
    const w = await warm();
    await onA(gql(A.url, UpdateUserDocument, { input: { userId: w.userId, enabled: false } }, { key: admin }));
    expect(errorCode(await rawGql(B.url, WHO, {}, { key: w.key, user: w.user }))).to.equal("USER_DISABLED");
  });

  it("changes made by SQL, which announce nothing, count from B's next request as well", async () => {
    const w = await warm();
    await cluster.ds.query(`UPDATE "user" SET enabled = false WHERE id = $1`, [w.userId]);
    expect(errorCode(await rawGql(B.url, WHO, {}, { key: w.key, user: w.user }))).to.equal("USER_DISABLED");
    await cluster.ds.query(`UPDATE "user" SET enabled = true WHERE id = $1`, [w.userId]);
    await onA(rawGql(B.url, WHO, {}, { key: w.key, user: w.user }));
    await cluster.ds.query(`UPDATE api_client SET revoked_at = now(), enabled = false WHERE id = $1`, [w.clientId]);
    expect(errorCode(await rawGql(B.url, WHO, {}, { key: w.key, user: w.user }))).to.equal("UNAUTHENTICATED");
  });

  describe("user tokens", () => {
    /** A fresh trusted client, a token minted on A for a user of it, and the token known to B's cache. */
    async function warmToken(): Promise<{ key: string; clientId: string; token: string; userId: string }> {
      const key = await cluster.createClient({ name: `t-${crypto.randomUUID()}`, trusted: true });
      const minted = await onA(gql(A.url, CreateUserTokenDocument, { input: { user: { authMethod: "local", id: crypto.randomUUID() } } }, { key }));
      const { token, user } = minted.createUserToken;
      const first = await onA(rawGql<{ viewer: { via: string; apiClient: { id: string } } }>(B.url, `{ viewer { via apiClient { id } } }`, {}, { key: token }));
      expect(first.viewer.via).to.equal("USER_TOKEN");
      const before = await hits(B);
      await onA(rawGql(B.url, WHO, {}, { key: token }));
      expect(await hits(B), "B served the token's client and user from its cache").to.equal(before + 1);
      return { key, clientId: first.viewer.apiClient.id, token, userId: user.id };
    }

    it("a token ended by logout everywhere on A is refused on B's next request", async () => {
      const w = await warmToken();
      await onA(gql(A.url, RevokeUserTokensDocument, {}, { key: w.token }));
      expect(errorCode(await rawGql(B.url, WHO, {}, { key: w.token }))).to.equal("UNAUTHENTICATED");
    });

    it("a token whose client's key was rotated or revoked on A is refused on B's next request", async () => {
      const w = await warmToken();
      await onA(gql(A.url, RotateApiClientKeyDocument, { input: { id: w.clientId } }, { key: admin }));
      expect(errorCode(await rawGql(B.url, WHO, {}, { key: w.token }))).to.equal("UNAUTHENTICATED");
      const v = await warmToken();
      await onA(gql(A.url, RevokeApiClientDocument, { input: { id: v.clientId } }, { key: admin }));
      expect(errorCode(await rawGql(B.url, WHO, {}, { key: v.token }))).to.equal("UNAUTHENTICATED");
    });

    it("a token's user disabled on A, or demoted, counts on B's next request", async () => {
      const w = await warmToken();
      await onA(gql(A.url, SetUserRoleDocument, { input: { userId: w.userId, role: Role.MODERATOR } }, { key: admin }));
      expect((await onA(rawGql<{ viewer: { role: string } }>(B.url, WHO, {}, { key: w.token }))).viewer.role).to.equal("MODERATOR");
      await onA(gql(A.url, SetUserRoleDocument, { input: { userId: w.userId, role: Role.USER } }, { key: admin }));
      expect((await onA(rawGql<{ viewer: { role: string } }>(B.url, WHO, {}, { key: w.token }))).viewer.role).to.equal("USER");
      await onA(gql(A.url, UpdateUserDocument, { input: { userId: w.userId, enabled: false } }, { key: admin }));
      expect(errorCode(await rawGql(B.url, WHO, {}, { key: w.token }))).to.equal("USER_DISABLED");
    });

    it("changes made by SQL, which announce nothing, count from B's next request as well", async () => {
      const w = await warmToken();
      await cluster.ds.query(`UPDATE "user" SET token_epoch = token_epoch + 1 WHERE id = $1`, [w.userId]);
      expect(errorCode(await rawGql(B.url, WHO, {}, { key: w.token }))).to.equal("UNAUTHENTICATED");
      const v = await warmToken();
      await cluster.ds.query(`UPDATE api_client SET token_epoch = token_epoch + 1 WHERE id = $1`, [v.clientId]);
      expect(errorCode(await rawGql(B.url, WHO, {}, { key: v.token }))).to.equal("UNAUTHENTICATED");
      const u = await warmToken();
      await cluster.ds.query(`UPDATE "user" SET deleted = true WHERE id = $1`, [u.userId]);
      expect(errorCode(await rawGql(B.url, WHO, {}, { key: u.token }))).to.equal("USER_DISABLED");
    });
  });

  describe("bounds", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ LOCAL_WORKER: "false" });
    });
    after(async () => {
      await server?.stop();
    });

    it("keeps nothing for unknown keys, however many are tried", async () => {
      const known = (await server.createClient({ name: "known", trusted: true })).key;
      await onA(rawGql(server.url, WHO, {}, { key: known, user: "local:someone" }));
      const before = server.chorus.app.identityCache.size;
      expect(before).to.deep.equal({ clients: 1, users: 1, tokens: 0 });
      for (let i = 0; i < 200; i++) {
        expect(errorCode(await rawGql(server.url, WHO, {}, { key: `ck_${crypto.randomBytes(24).toString("hex")}`, user: `local:u${i}` }))).to.equal(
          "UNAUTHENTICATED",
        );
      }
      expect(server.chorus.app.identityCache.size).to.deep.equal(before);
    });

    it("lookups that arrive together share one read of the counter; one after a change reads it afresh", async () => {
      const ds = server.chorus.app.ds;
      const cache = new IdentityCache(ds);
      const key = (await server.createClient({ name: "shared-reads", trusted: true })).key;
      const first = await cache.lookup(key, null);
      const counter = server.chorus.queryCounter;
      counter.recent = [];
      const together = await Promise.all(Array.from({ length: 20 }, () => cache.lookup(key, null)));
      const statements = counter.recent;
      counter.recent = null;
      expect(together.every((r) => r.client !== null && r.generation === first.generation)).to.equal(true);
      expect(
        statements.filter((q) => q.includes("FROM identity_generation")),
        statements.join("\n"),
      ).to.have.length(1);
      await ds.query(`UPDATE api_client SET name = name || ' (renamed)' WHERE key_hash = $1`, [hashApiKey(key)]);
      const after = await cache.lookup(key, null);
      expect(after.generation > first.generation, "the change is seen").to.equal(true);
    });

    it("holds at most its limits, the least recently used going first", async () => {
      const cache = new IdentityCache(server.chorus.app.ds, { clients: 2, users: 3 });
      const keys: string[] = [];
      for (let i = 0; i < 4; i++) keys.push((await server.createClient({ name: `bounded-${i}` })).key);
      await server.chorus.app.ds.query(
        `INSERT INTO "user" (api_client_id, username, auth_method, display_name)
         SELECT id, 'u', 'local', 'u' FROM api_client WHERE name LIKE 'bounded-%'`,
      );
      for (const key of keys) {
        const found = await cache.lookup(key, { authMethod: "local", id: "u" });
        expect(found.client, "the key is found").to.not.equal(null);
        expect(found.user, "and its user").to.not.equal(null);
        expect(cache.size.clients).to.be.at.most(2);
        expect(cache.size.users).to.be.at.most(3);
      }
      expect(cache.size).to.deep.equal({ clients: 2, users: 3, tokens: 0 });
    });

    it("keeps nothing for a token naming a client or user that does not exist, and at most its limit of tokens", async () => {
      const cache = new IdentityCache(server.chorus.app.ds, { clients: 2, users: 3 });
      expect((await cache.lookupToken(crypto.randomUUID(), crypto.randomUUID())).client).to.equal(null);
      expect((await cache.lookupToken("not-a-uuid", crypto.randomUUID())).client).to.equal(null);
      expect(cache.size.tokens).to.equal(0);
      const users: { id: string; api_client_id: string }[] = await server.chorus.app.ds.query(`SELECT id, api_client_id FROM "user"`);
      expect(users.length).to.be.at.least(4);
      for (const u of users) {
        const found = await cache.lookupToken(u.api_client_id, u.id);
        expect(found.user?.id).to.equal(u.id);
        expect(cache.size.tokens).to.be.at.most(3);
      }
      expect(cache.size.tokens).to.equal(3);
    });
  });
});
