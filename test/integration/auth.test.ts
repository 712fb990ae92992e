import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql, rawGql, wsClient, collect } from "../helpers/graphql.js";
import {
  ApiClientsDocument,
  CreateApiClientDocument,
  CreateUserTokenDocument,
  DeleteMyAccountDocument,
  HeartbeatDocument,
  PublicSettingsDocument,
  RevokeApiClientDocument,
  RevokeUserTokensDocument,
  RotateApiClientKeyDocument,
  SetUserRoleDocument,
  ViewerAsDocument,
  ViewerDocument,
} from "../../client/generated/graphql.js";
import { Role } from "../../src/modules/users/role.js";
import { internalRequestContext } from "../../src/common/request-context.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { UserTokenSigner } from "../../src/server/user-token.js";

describe("authentication and authorisation (HTTP and websocket)", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });

  describe("API keys", () => {
    it("accepts a key as Authorization: Bearer", async () => {
      const { key } = await server.createClient({ name: "bearer client" });
      const res = await gql(server.url, ViewerDocument, {}, { key });
      expect(res.errors).to.equal(undefined);
      expect(res.data!.viewer.via).to.equal("API_KEY");
      expect(res.data!.viewer.apiClient!.name).to.equal("bearer client");
    });

    it("accepts a key as x-api-key", async () => {
      const { key } = await server.createClient({ name: "x-api-key client" });
      const res = await gql(server.url, ViewerDocument, {}, { key, keyHeader: "x-api-key" });
      expect(res.data!.viewer.apiClient!.name).to.equal("x-api-key client");
    });

    it("refuses an unknown key with UNAUTHENTICATED and runs nothing", async () => {
      const res = await gql(server.url, ViewerDocument, {}, { key: "chk_" + "0".repeat(64) });
      expect(errorCode(res)).to.equal("UNAUTHENTICATED");
      expect(res.status).to.equal(401);
      expect(res.data ?? null).to.equal(null);
    });

    it("refuses a revoked key, and a rotated key's old value, but accepts the new one", async () => {
      const a = await server.createClient({ name: "to revoke" });
      const revoke = await gql(server.url, RevokeApiClientDocument, { input: { id: a.id } }, { key: server.adminKey });
      expect(revoke.data!.revokeApiClient.revokedAt).to.be.a("string");
      expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: a.key }))).to.equal("UNAUTHENTICATED");

      const b = await server.createClient({ name: "to rotate" });
      const rotated = await gql(server.url, RotateApiClientKeyDocument, { input: { id: b.id } }, { key: server.adminKey });
      const newKey = rotated.data!.rotateApiClientKey.key;
      expect(newKey)
        .to.match(/^chk_[0-9a-f]{64}$/)
        .and.not.equal(b.key);
      expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: b.key }))).to.equal("UNAUTHENTICATED");
      expect((await gql(server.url, ViewerDocument, {}, { key: newKey })).data!.viewer.apiClient!.id).to.equal(b.id);
    });

    it("refuses an expired key", async () => {
      const c = await server.createClient({ name: "expiring", expiresAt: new Date(Date.now() + 300) });
      expect((await gql(server.url, ViewerDocument, {}, { key: c.key })).errors).to.equal(undefined);
      await new Promise((r) => setTimeout(r, 400));
      expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: c.key }))).to.equal("UNAUTHENTICATED");
    });

    it("stores only a hash of the key", async () => {
      const c = await server.createClient();
      const rows: { key_hash: string; key_prefix: string }[] = await server.chorus.app.ds.query(`SELECT key_hash, key_prefix FROM api_client WHERE id = $1`, [
        c.id,
      ]);
      expect(rows[0].key_hash).to.have.length(64).and.not.equal(c.key.slice(4));
      expect(JSON.stringify(rows)).to.not.include(c.key);
    });

    it("creates, lists and pages API clients through the admin API, showing the key once", async () => {
      const created = await gql(
        server.url,
        CreateApiClientDocument,
        { input: { name: "made over GraphQL", trusted: true, role: "MODERATOR" } },
        { key: server.adminKey },
      );
      expect(created.errors).to.equal(undefined);
      const { key, apiClient } = created.data!.createApiClient;
      expect(apiClient.role).to.equal("MODERATOR");
      expect(key.startsWith(apiClient.keyPrefix!)).to.equal(true);
      const seen: string[] = [];
      let after: string | null | undefined = null;
      for (let i = 0; i < 50; i++) {
        const page: Awaited<ReturnType<typeof gql<import("../../client/generated/graphql.js").ApiClientsQuery, unknown>>> = await gql(
          server.url,
          ApiClientsDocument,
          { first: 2, after },
          { key: server.adminKey },
        );
        seen.push(...page.data!.apiClients.edges.map((e) => e.node.id));
        if (!page.data!.apiClients.pageInfo.hasNextPage) break;
        after = page.data!.apiClients.pageInfo.endCursor;
      }
      expect(seen).to.include(apiClient.id);
      expect(new Set(seen).size).to.equal(seen.length);
    });

    it("answers INVALID_CURSOR_VALUE for a forged cursor", async () => {
      const res = await gql(server.url, ApiClientsDocument, { first: 2, after: "not-a-cursor" }, { key: server.adminKey });
      expect(errorCode(res)).to.equal("INVALID_CURSOR_VALUE");
      expect(res.errors![0].extensions!.oaErrorCode).to.equal(101);
    });
  });

  describe("anonymous access", () => {
    it("runs __typename and public settings without a key; introspection only with one (INTROSPECTION=authenticated, the default with DATABASE_URL)", async () => {
      const t = await rawGql(server.url, "{ __typename }");
      expect(t.data).to.deep.equal({ __typename: "Query" });
      const i = await rawGql(server.url, "{ __schema { queryType { name } } }");
      expect(errorCode(i)).to.equal("GRAPHQL_VALIDATION_FAILED");
      const withKey = await rawGql(server.url, "{ __schema { queryType { name } } }", {}, { key: server.adminKey });
      expect(withKey.errors).to.equal(undefined);
      const p = await gql(server.url, PublicSettingsDocument, {});
      expect(p.data!.publicSettings.projectName).to.equal("Chorus");
    });

    it("refuses everything else with UNAUTHENTICATED, even hidden behind a fragment or next to a public field", async () => {
      expect(errorCode(await gql(server.url, ViewerDocument, {}))).to.equal("UNAUTHENTICATED");
      const mixed = await rawGql(server.url, "{ publicSettings { version } viewer { role } }");
      expect(errorCode(mixed)).to.equal("UNAUTHENTICATED");
      expect(mixed.data ?? null).to.equal(null);
      const viaFragment = await rawGql(server.url, "query { ...F } fragment F on Query { viewer { role } }");
      expect(errorCode(viaFragment)).to.equal("UNAUTHENTICATED");
      const mutation = await rawGql(server.url, 'mutation { revokeApiClient(input: { id: "x" }) { id } }');
      expect(errorCode(mutation)).to.equal("UNAUTHENTICATED");
    });
  });

  describe("acting user", () => {
    it("creates the user from x-chorus-user on first sight and updates the display name", async () => {
      const { key } = await server.createClient();
      const first = await gql(server.url, ViewerDocument, {}, { key, user: "discord:1234", userName: "Ada" });
      const u = first.data!.viewer.user!;
      expect(u).to.include({ authMethod: "discord", username: "1234", displayName: "Ada", role: "USER" });
      const again = await gql(server.url, ViewerDocument, {}, { key, user: "discord:1234", userName: "Ada L." });
      expect(again.data!.viewer.user!.id).to.equal(u.id);
      expect(again.data!.viewer.user!.displayName).to.equal("Ada L.");
      const noName = await gql(server.url, ViewerDocument, {}, { key, user: "discord:1234" });
      expect(noName.data!.viewer.user!.displayName).to.equal("Ada L.");
    });

    it("splits the header on the first colon and accepts x-oasst-user as an alias", async () => {
      const { key } = await server.createClient();
      const res = await gql(server.url, ViewerDocument, {}, { key, headers: { "x-oasst-user": "local:a:b" } });
      expect(res.data!.viewer.user).to.include({ authMethod: "local", username: "a:b" });
    });

    it("rejects a malformed header with BAD_USER_INPUT", async () => {
      const { key } = await server.createClient();
      const res = await gql(server.url, ViewerDocument, {}, { key, user: "no-colon" });
      expect(errorCode(res)).to.equal("BAD_USER_INPUT");
    });

    it("takes the user from the `user` argument, overriding the header", async () => {
      const { key } = await server.createClient();
      const res = await gql(server.url, ViewerAsDocument, { user: { authMethod: "google", id: "g-1", displayName: "Grace" } }, { key, user: "local:other" });
      expect(res.data!.viewer.user).to.include({ authMethod: "google", username: "g-1", displayName: "Grace" });
    });

    it("validates the `user` argument", async () => {
      const { key } = await server.createClient();
      const res = await gql(server.url, ViewerAsDocument, { user: { authMethod: "", id: "x" } }, { key });
      expect(errorCode(res)).to.equal("BAD_USER_INPUT");
    });

    it("scopes users per API client: the same frontend id under two clients is two users", async () => {
      const a = await server.createClient();
      const b = await server.createClient();
      const ua = await gql(server.url, ViewerDocument, {}, { key: a.key, user: "local:same" });
      const ub = await gql(server.url, ViewerDocument, {}, { key: b.key, user: "local:same" });
      expect(ua.data!.viewer.user!.id).to.not.equal(ub.data!.viewer.user!.id);
    });
  });

  describe("roles", () => {
    async function apiClientsAs(key: string, user?: string) {
      return errorCode(await gql(server.url, ApiClientsDocument, { first: 1 }, { key, user })) ?? "OK";
    }

    it("gives a trusted client acting for a user that user's role", async () => {
      const trusted = await server.createClient({ trusted: true });
      const mod = await gql(server.url, ViewerDocument, {}, { key: trusted.key, user: "local:mod" });
      const boss = await gql(server.url, ViewerDocument, {}, { key: trusted.key, user: "local:boss" });
      await gql(server.url, SetUserRoleDocument, { input: { userId: mod.data!.viewer.user!.id, role: "MODERATOR" } }, { key: server.adminKey });
      const set = await gql(server.url, SetUserRoleDocument, { input: { userId: boss.data!.viewer.user!.id, role: "ADMIN" } }, { key: server.adminKey });
      expect(set.data!.setUserRole.role).to.equal("ADMIN");

      expect(await apiClientsAs(trusted.key, "local:plain")).to.equal("FORBIDDEN");
      expect(await apiClientsAs(trusted.key, "local:mod")).to.equal("FORBIDDEN");
      expect(await apiClientsAs(trusted.key, "local:boss")).to.equal("OK");
      const v = await gql(server.url, ViewerDocument, {}, { key: trusted.key, user: "local:mod" });
      expect(v.data!.viewer.role).to.equal("MODERATOR");
    });

    it("gives an untrusted client acting for a user USER powers, whatever the user's role", async () => {
      const untrusted = await server.createClient({ trusted: false, role: Role.ADMIN });
      const u = await gql(server.url, ViewerDocument, {}, { key: untrusted.key, user: "local:wannabe" });
      await server.chorus.app.users.setRole(internalRequestContext("system", server.chorus.app.log, Role.ADMIN), u.data!.viewer.user!.id, Role.ADMIN);
      expect(await apiClientsAs(untrusted.key, "local:wannabe")).to.equal("FORBIDDEN");
      const v = await gql(server.url, ViewerDocument, {}, { key: untrusted.key, user: "local:wannabe" });
      expect(v.data!.viewer.role).to.equal("USER");
    });

    it("gives a client acting with no user the role it was created with", async () => {
      for (const [role, expected] of [
        [Role.USER, "FORBIDDEN"],
        [Role.MODERATOR, "FORBIDDEN"],
        [Role.ADMIN, "OK"],
      ] as const) {
        const c = await server.createClient({ role, trusted: true });
        expect(await apiClientsAs(c.key), role).to.equal(expected);
        expect((await gql(server.url, ViewerDocument, {}, { key: c.key })).data!.viewer.role).to.equal(role);
      }
    });

    it("keeps setUserRole for admins", async () => {
      const mod = await server.createClient({ role: Role.MODERATOR });
      const res = await gql(server.url, SetUserRoleDocument, { input: { userId: "00000000-0000-0000-0000-000000000000", role: "ADMIN" } }, { key: mod.key });
      expect(errorCode(res)).to.equal("FORBIDDEN");
      const notFound = await gql(
        server.url,
        SetUserRoleDocument,
        { input: { userId: "00000000-0000-0000-0000-000000000000", role: "ADMIN" } },
        { key: server.adminKey },
      );
      expect(errorCode(notFound)).to.equal("NOT_FOUND");
    });

    it("lets a worker key use nothing but the worker protocol", async () => {
      const worker = await server.createClient({ kind: ApiClientKind.WORKER, role: Role.ADMIN });
      expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: worker.key }))).to.equal("FORBIDDEN");
      expect(await apiClientsAs(worker.key)).to.equal("FORBIDDEN");
    });
  });

  describe("user tokens", () => {
    it("lets a trusted client mint a token that acts as the user over HTTP and websocket", async () => {
      const trusted = await server.createClient({ trusted: true });
      const minted = await gql(
        server.url,
        CreateUserTokenDocument,
        { input: { user: { authMethod: "local", id: "browser-user", displayName: "Bea" }, ttlSeconds: 120 } },
        { key: trusted.key },
      );
      expect(minted.errors).to.equal(undefined);
      const { token, expiresAt, user } = minted.data!.createUserToken;
      expect(new Date(expiresAt).getTime()).to.be.within(Date.now() + 100_000, Date.now() + 121_000);

      const viaHttp = await gql(server.url, ViewerDocument, {}, { key: token });
      expect(viaHttp.data!.viewer.via).to.equal("USER_TOKEN");
      expect(viaHttp.data!.viewer.user!.id).to.equal(user.id);

      // the token fixes the user: a header naming someone else is ignored, an argument is refused
      const other = await gql(server.url, ViewerDocument, {}, { key: token, user: "local:someone-else" });
      expect(other.data!.viewer.user!.id).to.equal(user.id);
      const arg = await gql(server.url, ViewerAsDocument, { user: { authMethod: "local", id: "someone-else" } }, { key: token });
      expect(errorCode(arg)).to.equal("FORBIDDEN");

      const client = wsClient(server.wsUrl, { authorization: `Bearer ${token}` });
      try {
        const got = await collect(client, HeartbeatDocument, { intervalMs: 250 }, 1);
        expect(got.error).to.equal(undefined);
        expect(got.results[0].data!.heartbeat.seq).to.equal(1);
      } finally {
        await client.dispose();
      }
    });

    it("refuses minting by an untrusted client and by a user token", async () => {
      const untrusted = await server.createClient({ trusted: false, role: Role.ADMIN });
      const res = await gql(server.url, CreateUserTokenDocument, { input: { user: { authMethod: "local", id: "x" } } }, { key: untrusted.key });
      expect(errorCode(res)).to.equal("FORBIDDEN");
      const trusted = await server.createClient({ trusted: true });
      const t = await gql(server.url, CreateUserTokenDocument, { input: { user: { authMethod: "local", id: "y" } } }, { key: trusted.key });
      const again = await gql(
        server.url,
        CreateUserTokenDocument,
        { input: { user: { authMethod: "local", id: "y" } } },
        { key: t.data!.createUserToken.token },
      );
      expect(errorCode(again)).to.equal("FORBIDDEN");
    });

    it("refuses forged, expired and revoked-client tokens", async () => {
      const trusted = await server.createClient({ trusted: true });
      const minted = await gql(server.url, CreateUserTokenDocument, { input: { user: { authMethod: "local", id: "z" } } }, { key: trusted.key });
      const { token, user } = minted.data!.createUserToken;

      const forged = await new UserTokenSigner("a-completely-different-secret-of-enough-length").sign(
        { userId: user.id, apiClientId: trusted.id, clientEpoch: 0, userEpoch: 0 },
        60,
      );
      expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: forged.token }))).to.equal("UNAUTHENTICATED");

      const expired = await server.chorus.app
        .tokens()
        .sign({ userId: user.id, apiClientId: trusted.id, clientEpoch: 0, userEpoch: 0 }, 60, new Date(Date.now() - 3600_000));
      expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: expired.token }))).to.equal("UNAUTHENTICATED");

      const tampered = token.slice(0, -3) + (token.endsWith("AAA") ? "BBB" : "AAA");
      expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: tampered }))).to.equal("UNAUTHENTICATED");

      await server.chorus.app.apiClients.revoke(internalRequestContext("system", server.chorus.app.log, Role.ADMIN), trusted.id);
      expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: token }))).to.equal("UNAUTHENTICATED");
    });
  });

  describe("websocket", () => {
    it("authenticates with connectionParams and runs a subscription", async () => {
      const { key } = await server.createClient();
      const client = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: "local:ws-user", userName: "Wes" });
      try {
        const got = await collect(client, HeartbeatDocument, { intervalMs: 250 }, 2);
        expect(got.error).to.equal(undefined);
        expect(got.results.map((r) => r.data!.heartbeat.seq)).to.deep.equal([1, 2]);
        expect(got.results[0].data!.heartbeat.ready).to.equal(true);
      } finally {
        await client.dispose();
      }
    });

    it("closes the connection with 4401 for an unknown key", async () => {
      let closed: { code: number; reason: string } | undefined;
      const client = wsClient(server.wsUrl, { authorization: "Bearer chk_nope" }, { onClose: (code, reason) => (closed = { code, reason }) });
      const got = await collect(client, HeartbeatDocument, {}, 1);
      await client.dispose();
      expect(got.results).to.have.length(0);
      expect(closed?.code).to.equal(4401);
      expect(closed?.reason).to.match(/^UNAUTHENTICATED/);
    });

    it("refuses a subscription from an anonymous connection with UNAUTHENTICATED", async () => {
      const client = wsClient(server.wsUrl, {});
      try {
        const got = await collect(client, HeartbeatDocument, {}, 1);
        const errors = got.error as { extensions?: { code?: string } }[];
        expect(errors[0].extensions?.code).to.equal("UNAUTHENTICATED");
      } finally {
        await client.dispose();
      }
    });
  });

  describe("revoking user tokens, deleting one's account, and what a token sees of its client", () => {
    async function mint(clientKey: string, id: string) {
      const minted = await gql(server.url, CreateUserTokenDocument, { input: { user: { authMethod: "local", id } } }, { key: clientKey });
      expect(minted.errors, JSON.stringify(minted.errors)).to.equal(undefined);
      return minted.data!.createUserToken;
    }

    it("a key rotation ends every user token the client minted; tokens minted with the new key work", async () => {
      const trusted = await server.createClient({ trusted: true });
      const { token } = await mint(trusted.key, "rotated-user");
      expect((await gql(server.url, ViewerDocument, {}, { key: token })).errors).to.equal(undefined);
      const rotated = await gql(server.url, RotateApiClientKeyDocument, { input: { id: trusted.id } }, { key: server.adminKey });
      const newKey = rotated.data!.rotateApiClientKey.key;
      const old = await gql(server.url, ViewerDocument, {}, { key: token });
      expect(errorCode(old)).to.equal("UNAUTHENTICATED");
      expect(old.status).to.equal(401);
      const { token: fresh } = await mint(newKey, "rotated-user");
      expect((await gql(server.url, ViewerDocument, {}, { key: fresh })).data!.viewer.via).to.equal("USER_TOKEN");
    });

    it("logout everywhere (revokeUserTokens) ends every token of the user, and only theirs; another user's needs MODERATOR", async () => {
      const trusted = await server.createClient({ trusted: true });
      const a1 = await mint(trusted.key, "logout-a");
      const a2 = await mint(trusted.key, "logout-a");
      const b = await mint(trusted.key, "logout-b");
      const refused = await gql(server.url, RevokeUserTokensDocument, { input: { userId: b.user.id } }, { key: a1.token });
      expect(errorCode(refused)).to.equal("FORBIDDEN");
      const done = await gql(server.url, RevokeUserTokensDocument, {}, { key: a1.token });
      expect(done.errors, JSON.stringify(done.errors)).to.equal(undefined);
      expect(done.data!.revokeUserTokens.user.id).to.equal(a1.user.id);
      for (const t of [a1.token, a2.token]) expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: t }))).to.equal("UNAUTHENTICATED");
      expect((await gql(server.url, ViewerDocument, {}, { key: b.token })).errors).to.equal(undefined);
      // The client still acts for the user with its key, and mints new tokens that work.
      expect((await gql(server.url, ViewerDocument, {}, { key: trusted.key, user: "local:logout-a" })).errors).to.equal(undefined);
      const again = await mint(trusted.key, "logout-a");
      expect((await gql(server.url, ViewerDocument, {}, { key: again.token })).errors).to.equal(undefined);
      // An ADMIN client revokes another user's tokens.
      expect((await gql(server.url, RevokeUserTokensDocument, { input: { userId: b.user.id } }, { key: server.adminKey })).errors).to.equal(undefined);
      expect(errorCode(await gql(server.url, ViewerDocument, {}, { key: b.token }))).to.equal("UNAUTHENTICATED");
    });

    it("deleteMyAccount: the user, by token or through a trusted client, anonymises their account; its tokens stop", async () => {
      const trusted = await server.createClient({ trusted: true });
      const untrusted = await server.createClient({ trusted: false });
      const { token, user } = await mint(trusted.key, "leaving-lea");
      expect(errorCode(await gql(server.url, DeleteMyAccountDocument, { input: { confirm: true } }, { key: untrusted.key, user: "local:lea" }))).to.equal(
        "FORBIDDEN",
      );
      expect(errorCode(await gql(server.url, DeleteMyAccountDocument, { input: { confirm: false } }, { key: token }))).to.equal("BAD_USER_INPUT");
      expect((await gql(server.url, ViewerDocument, {}, { key: token })).data!.viewer.user!.username).to.equal("leaving-lea");
      const del = await gql(server.url, DeleteMyAccountDocument, { input: { confirm: true } }, { key: token });
      expect(del.errors, JSON.stringify(del.errors)).to.equal(undefined);
      expect(del.data!.deleteMyAccount).to.deep.equal({ id: user.id, username: `deleted_${user.id}`, displayName: "Deleted User", deleted: true });
      const after = await gql(server.url, ViewerDocument, {}, { key: token });
      expect(errorCode(after)).to.equal("USER_DISABLED");
      expect(after.status).to.equal(403);
      const journal = await server.chorus.app.ds.query(`SELECT user_id, event_payload FROM journal WHERE event_type = 'account_deleted' AND target_id = $1`, [
        user.id,
      ]);
      expect(journal).to.have.length(1);
      expect(journal[0].user_id).to.equal(user.id);
      // Through a trusted client acting for its user, with its key.
      const byKey = await gql(server.url, DeleteMyAccountDocument, { input: { confirm: true } }, { key: trusted.key, user: "local:leaving-leo" });
      expect(byKey.errors, JSON.stringify(byKey.errors)).to.equal(undefined);
      expect(byKey.data!.deleteMyAccount.deleted).to.equal(true);
    });

    it("viewer.apiClient shows adminEmail and keyPrefix only to an ADMIN calling with an API key, never through a user token", async () => {
      const created = await gql(
        server.url,
        CreateApiClientDocument,
        { input: { name: "with contact", trusted: true, role: "ADMIN", adminEmail: "ops@example.org" } },
        { key: server.adminKey },
      );
      const { key, apiClient } = created.data!.createApiClient;
      const untrusted = await server.createClient({ trusted: false });
      const query = `{ viewer { apiClient { id adminEmail keyPrefix } } }`;
      type V = { viewer: { apiClient: { id: string; adminEmail: string | null; keyPrefix: string | null } } };
      const adminOwn = await rawGql<V>(server.url, query, {}, { key });
      expect(adminOwn.data!.viewer.apiClient).to.deep.equal({ id: apiClient.id, adminEmail: "ops@example.org", keyPrefix: key.slice(0, 12) });
      const admin = await gql(server.url, ViewerDocument, {}, { key, user: "local:an-admin" });
      await gql(server.url, SetUserRoleDocument, { input: { userId: admin.data!.viewer.user!.id, role: "ADMIN" } }, { key: server.adminKey });
      const { token } = await mint(key, "an-admin");
      const hidden = { adminEmail: null, keyPrefix: null };
      // A user token of an ADMIN user, a plain user acting through the key, and an untrusted client see neither.
      expect((await rawGql<V>(server.url, query, {}, { key: token })).data!.viewer.apiClient).to.include(hidden);
      expect((await rawGql<V>(server.url, query, {}, { key, user: "local:plain" })).data!.viewer.apiClient).to.include(hidden);
      expect((await rawGql<V>(server.url, query, {}, { key: untrusted.key })).data!.viewer.apiClient).to.include(hidden);
    });
  });
});
