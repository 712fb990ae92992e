import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { errorCode, gql, rawGql, type GqlResponse } from "../helpers/graphql.js";
import { Role } from "../../src/modules/users/role.js";
import {
  UsersDocument,
  type UserSortKey,
  UpdateUserDocument,
  DeleteUserDocument,
  type UsersQuery,
  type UsersQueryVariables,
} from "../../client/generated/graphql.js";

type UserNode = UsersQuery["users"]["edges"][number]["node"];

describe("moderators' user list and search (spec §9.2, §6.6)", function () {
  this.timeout(60_000);
  let server: TestServer;
  let frontend: { key: string; id: string };
  let modKey: string;
  let untrustedMod: { key: string; id: string };
  /** Users of the trusted frontend, by username. */
  const ids: Record<string, string> = {};
  const ds = () => server.chorus.app.ds;

  const ok = <T>(res: GqlResponse<T>): T => {
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    return res.data!;
  };
  const users = (key: string, variables: UsersQueryVariables, user?: string) => gql(server.url, UsersDocument, variables, { key, user });

  /** Every page of a listing, following endCursor; checks that only the last page says there is no more. */
  async function all(key: string, variables: UsersQueryVariables): Promise<UserNode[]> {
    const out: UserNode[] = [];
    let after: string | null = null;
    for (;;) {
      const page: UsersQuery["users"] = ok(await users(key, { ...variables, after })).users;
      out.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) return out;
      expect(page.edges).to.have.length(variables.first!);
      after = page.pageInfo.endCursor;
    }
  }

  async function makeUser(key: string, authMethod: string, username: string, displayName: string): Promise<string> {
    const res = ok(
      await rawGql<{ viewer: { user: { id: string } } }>(
        server.url,
        `query($u: UserRefInput) { viewer(user: $u) { user { id } } }`,
        {
          u: { authMethod, id: username, displayName },
        },
        { key },
      ),
    );
    return res.viewer.user.id;
  }

  before(async () => {
    server = await startTestServer();
    frontend = await server.createClient({ name: "frontend", trusted: true });
    ({ key: modKey } = await server.createClient({ name: "moderation console", trusted: true, role: Role.MODERATOR }));
    untrustedMod = await server.createClient({ name: "untrusted moderators", role: Role.MODERATOR });
    const people: [string, string, string][] = [
      ["local", "ul-u1", "UL Alice"],
      ["discord", "ul-u2", "ul alicia"],
      ["local", "ul-u3", "UL Bob"],
      ["google", "ul-u4", "UL 50%_off"],
      ["local", "ul-u5", "UL 50xoff"],
      ["discord", "UL-U6", "UL carol"],
      ["local", "ul-u7", "UL Bob"], // the same display name: ordered by id
      ["local", "ul-u8", "UL back\\slash"],
    ];
    for (const [am, u, dn] of people) ids[u] = await makeUser(frontend.key, am, u, dn);
    // users of the untrusted client, one with a name like the frontend's
    await makeUser(untrustedMod.key, "local", "ul-own1", "UL Alice too");
    await makeUser(untrustedMod.key, "local", "ul-own2", "UL Zed");
  });
  after(async () => {
    await server.stop();
  });

  /** The expected order, computed by PostgreSQL over the same rows (its collation decides name order). */
  async function expected(column: "display_name" | "username", where: string, params: unknown[], desc = false): Promise<string[]> {
    const dir = desc ? "DESC" : "ASC";
    const rows: { id: string }[] = await ds().query(`SELECT id FROM "user" WHERE ${where} ORDER BY ${column} ${dir}, id ${dir}`, params);
    return rows.map((r) => r.id);
  }

  it("pages through every matching user in (display name, id) order, either way, without gaps or repeats", async () => {
    const want = await expected("display_name", `display_name ILIKE 'UL %'`, []);
    expect(want).to.have.length(10);
    const got = await all(modKey, { filter: { displayName: "ul " }, first: 3 });
    expect(got.map((u) => u.id)).to.deep.equal(want);
    const bob = got.filter((u) => u.displayName === "UL Bob").map((u) => u.id);
    expect(bob).to.deep.equal([ids["ul-u3"], ids["ul-u7"]].sort());
    const desc = await all(modKey, { filter: { displayName: "ul " }, first: 4, desc: true });
    expect(desc.map((u) => u.id)).to.deep.equal(await expected("display_name", `display_name ILIKE 'UL %'`, [], true));
    // moderators see the notes
    expect(got.every((u) => u.notes === "")).to.equal(true);
  });

  it("orders by username when asked, and pages by it", async () => {
    const got = await all(modKey, { filter: { username: "UL-" }, sortKey: "USERNAME" as UserSortKey, first: 2 });
    expect(got.map((u) => u.id)).to.deep.equal(await expected("username", `username ILIKE 'ul-%'`, []));
    expect(got.map((u) => u.username)).to.include.members(["ul-u1", "UL-U6", "ul-own1"]);
  });

  it("matches substrings case-insensitively, taking % _ and \\ literally", async () => {
    const names = async (displayName: string) => (await all(modKey, { filter: { displayName }, first: 50 })).map((u) => u.displayName).sort();
    expect(await names("ALIC")).to.deep.equal(["UL Alice", "UL Alice too", "ul alicia"].sort());
    expect(await names("50%_")).to.deep.equal(["UL 50%_off"]);
    expect(await names("50%")).to.deep.equal(["UL 50%_off"]);
    expect(await names("_")).to.deep.equal(["UL 50%_off"]);
    expect(await names("k\\s")).to.deep.equal(["UL back\\slash"]);
    expect(await names("no such user")).to.deep.equal([]);
    // both names at once
    const both = await all(modKey, { filter: { displayName: "bob", username: "u7" }, first: 5 });
    expect(both.map((u) => u.id)).to.deep.equal([ids["ul-u7"]]);
  });

  it("filters by auth method, enabled and deleted", async () => {
    const discord = await all(modKey, { filter: { username: "ul-", authMethod: "discord" }, first: 10 });
    expect(discord.map((u) => u.username).sort()).to.deep.equal(["UL-U6", "ul-u2"].sort());
    ok(await gql(server.url, UpdateUserDocument, { input: { userId: ids["ul-u5"], enabled: false } }, { key: modKey }));
    const disabled = await all(modKey, { filter: { username: "ul-", enabled: false }, first: 10 });
    expect(disabled.map((u) => u.id)).to.deep.equal([ids["ul-u5"]]);
    const enabled = await all(modKey, { filter: { username: "ul-", enabled: true }, first: 10 });
    expect(enabled.map((u) => u.id)).to.not.include(ids["ul-u5"]);
    expect(enabled).to.have.length(9);
    ok(await gql(server.url, DeleteUserDocument, { input: { userId: ids["ul-u8"] } }, { key: server.adminKey }));
    const deleted = await all(modKey, { filter: { deleted: true }, first: 10 });
    expect(deleted.map((u) => u.id)).to.deep.equal([ids["ul-u8"]]);
    expect(deleted[0].displayName).to.equal("Deleted User");
    const live = await all(modKey, { filter: { username: "ul-", deleted: false }, first: 10 });
    expect(live.map((u) => u.id)).to.not.include(ids["ul-u8"]);
  });

  it("shows an untrusted moderator client only its own client's users", async () => {
    const got = await all(untrustedMod.key, { first: 1 });
    expect(got.map((u) => u.username).sort()).to.deep.equal(["ul-own1", "ul-own2"]);
    expect(got.every((u) => u.apiClientId === untrustedMod.id)).to.equal(true);
    const alice = await all(untrustedMod.key, { filter: { displayName: "alice" }, first: 5 });
    expect(alice.map((u) => u.username)).to.deep.equal(["ul-own1"]);
    // a trusted moderator sees both clients
    const everyone = await all(modKey, { filter: { displayName: "alic" }, first: 5 });
    expect(everyone.map((u) => u.username).sort()).to.deep.equal(["ul-own1", "ul-u1", "ul-u2"]);
  });

  it("refuses users without the moderator role (FORBIDDEN)", async () => {
    // a trusted frontend acting for a plain user, or for nobody, has USER powers
    expect(errorCode(await users(frontend.key, { first: 5 }, "local:ul-u1"))).to.equal("FORBIDDEN");
    expect(errorCode(await users(frontend.key, { first: 5 }))).to.equal("FORBIDDEN");
    const plain = await server.createClient({ name: "plain untrusted" });
    expect(errorCode(await users(plain.key, { first: 5 }))).to.equal("FORBIDDEN");
    expect(errorCode(await users("", { first: 5 }))).to.not.equal(undefined);
  });

  it("refuses forged cursors, cursors of the other sort key and page sizes out of range", async () => {
    const page = ok(await users(modKey, { filter: { displayName: "ul " }, first: 2 })).users;
    expect(page.pageInfo.hasNextPage).to.equal(true);
    expect(errorCode(await users(modKey, { first: 2, after: "garbage" }))).to.equal("INVALID_CURSOR_VALUE");
    expect(errorCode(await users(modKey, { first: 2, after: page.pageInfo.endCursor, sortKey: "USERNAME" as UserSortKey }))).to.equal("INVALID_CURSOR_VALUE");
    expect(errorCode(await users(modKey, { first: 0 }))).to.equal("BAD_USER_INPUT");
    expect(errorCode(await users(modKey, { first: 10_001 }))).to.be.oneOf(["BAD_USER_INPUT", "QUERY_TOO_COMPLEX"]);
  });

  it("has indexes for substring search and both orders", async () => {
    const indexes: { indexname: string; indexdef: string }[] = await ds().query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'user'`);
    const def = (name: string) => indexes.find((i) => i.indexname === name)?.indexdef ?? "";
    expect(def("ix_user_display_name_trgm")).to.match(/USING gin \(display_name gin_trgm_ops\)/);
    expect(def("ix_user_username_trgm")).to.match(/USING gin \(username gin_trgm_ops\)/);
    expect(def("ix_user_display_name_id")).to.match(/\(display_name, id\)/);
    expect(def("ix_user_username_id")).to.match(/\(username, id\)/);
    // the planner can answer a substring search from the trigram index (a seq scan is cheaper on a tiny table)
    const plan = await ds().transaction(async (em) => {
      await em.query(`SET LOCAL enable_seqscan = off`);
      const rows: { "QUERY PLAN": string }[] = await em.query(`EXPLAIN SELECT id FROM "user" WHERE display_name ILIKE '%alic%'`);
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(plan).to.include("ix_user_display_name_trgm");
  });
});
