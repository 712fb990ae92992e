/**
 * The reads the reference's API offered that Chorus had dropped (issue 11 item 18), through the real GraphQL
 * endpoint: a tree's longest conversation and widest branching (by message id and by frontend id), the exact user
 * lookup by auth method and username, the cached statistics with their refresh, and Relay paging both ways
 * (`last`/`before`) on messages and chats.
 */
import crypto from "node:crypto";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { World } from "../helpers/world.js";
import { errorCode, gql, rawGql } from "../helpers/graphql.js";
import {
  AcceptTermsOfServiceDocument,
  CachedStatsDocument,
  ChatsDocument,
  CreateChatDocument,
  LongestConversationInTreeDocument,
  MaxChildrenInTreeDocument,
  MessagesDocument,
  RefreshCachedStatsDocument,
  TreeShapeByFrontendIdDocument,
  UserByUsernameDocument,
  ViewerDocument,
} from "../../client/generated/graphql.js";

describe("the reference's reads: tree shape, user lookup, cached stats, paging both ways", function () {
  this.timeout(120_000);
  let server: TestServer;
  let key: string;
  let frontendId: string;
  const ds = () => server.chorus.app.ds;

  before(async () => {
    server = await startTestServer({ TREE_MANAGER__GOAL_TREE_SIZE: "4", LOCAL_WORKER: "false" });
    const frontend = await server.createClient({ name: "frontend", trusted: true });
    key = frontend.key;
    frontendId = frontend.id;
  });
  after(async () => {
    await server?.stop();
  });

  /** A reply written straight into the tree, with the review state and time a test needs. */
  async function reply(parentId: string, opts: { accepted: boolean | null; deleted?: boolean; apiClientId?: string; at?: string }): Promise<string> {
    const id = crypto.randomUUID();
    await ds().query(
      `INSERT INTO message (id, parent_id, message_tree_id, role, api_client_id, frontend_message_id, text, lang, depth, review_result, review_count, deleted, created_date)
       SELECT $1::uuid, p.id, p.message_tree_id, CASE WHEN p.role = 'prompter' THEN 'assistant' ELSE 'prompter' END, $2::uuid, $3, 'reply ' || $1::text, p.lang, p.depth + 1, $4::boolean, 3, $5::boolean,
              COALESCE($6::timestamptz, now())
       FROM message p WHERE p.id = $7`,
      [id, opts.apiClientId ?? frontendId, `fm-${id}`, opts.accepted, opts.deleted ?? false, opts.at ?? null, parentId],
    );
    return id;
  }

  async function recountChildren(treeId: string): Promise<void> {
    await ds().query(
      `UPDATE message p SET children_count = (SELECT count(*) FROM message c WHERE c.parent_id = p.id AND NOT c.deleted) WHERE p.message_tree_id = $1`,
      [treeId],
    );
  }

  async function acceptedRoot(w: World): Promise<string> {
    const root = await w.prompt(w.annotator());
    await ds().query(`UPDATE message SET review_result = true, review_count = 3 WHERE id = $1`, [root]);
    return root;
  }

  describe("longest conversation and widest branching of a tree", () => {
    let root: string, a: string, a1: string, a1x: string, a2: string, a3: string, b: string, b1: string;
    before(async () => {
      const w = new World(server, key, "ts");
      root = await acceptedRoot(w);
      a = await reply(root, { accepted: true, at: "2026-01-01T00:00:01Z" });
      b = await reply(root, { accepted: true, at: "2026-01-01T00:00:02Z" });
      a1 = await reply(a, { accepted: true, at: "2026-01-01T00:00:03Z" });
      a2 = await reply(a, { accepted: true, at: "2026-01-01T00:00:04Z" });
      a3 = await reply(a, { accepted: false, at: "2026-01-01T00:00:05Z" }); // rejected: counted in childrenCount, never returned
      b1 = await reply(b, { accepted: true, at: "2026-01-01T00:00:06Z" });
      a1x = await reply(a1, { accepted: true, at: "2026-01-01T00:00:07Z" });
      await reply(b1, { accepted: true, at: "2026-01-01T00:00:08Z" }); // as deep as a1x, but younger
      await reply(a1x, { accepted: false }); // deeper, rejected
      const b1xDeep = (await ds().query(`SELECT id FROM message WHERE parent_id = $1`, [b1]))[0].id as string;
      await reply(b1xDeep, { accepted: true, deleted: true }); // deeper, deleted
      await reply(b1xDeep, { accepted: null }); // deeper, not reviewed yet
      await recountChildren(root);
    });

    it("by message id: the deepest accepted live path, root first (the oldest of equally deep), from any message of the tree", async () => {
      for (const from of [root, a2, b1]) {
        const res = await gql(server.url, LongestConversationInTreeDocument, { id: from }, { key });
        expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
        expect(res.data!.message.longestConversationInTree.map((m) => m.id)).to.deep.equal([root, a, a1, a1x]);
      }
      const res = await gql(server.url, LongestConversationInTreeDocument, { id: a1x }, { key });
      expect(res.data!.message.longestConversationInTree.map((m) => m.depth)).to.deep.equal([0, 1, 2, 3]);
    });

    it("by message id: the accepted live message with the most replies, with its accepted live replies", async () => {
      const res = await gql(server.url, MaxChildrenInTreeDocument, { id: a1x }, { key });
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      const branch = res.data!.message.maxChildrenInTree!;
      expect(branch.message).to.include({ id: a, childrenCount: 3, depth: 1 });
      expect(branch.replies.map((r) => r.id)).to.deep.equal([a1, a2]);
      expect(branch.replies.map((r) => r.id)).to.not.include(a3);
    });

    it("by the calling client's frontend id", async () => {
      const [{ frontend_message_id: fid }] = await ds().query(`SELECT frontend_message_id FROM message WHERE id = $1`, [b1]);
      const res = await gql(server.url, TreeShapeByFrontendIdDocument, { frontendMessageId: fid }, { key });
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      expect(res.data!.messageByFrontendId.longestConversationInTree.map((m) => m.id)).to.deep.equal([root, a, a1, a1x]);
      expect(res.data!.messageByFrontendId.maxChildrenInTree!.message.id).to.equal(a);
    });

    it("is empty (null) while the root is not accepted", async () => {
      const w = new World(server, key, "tu");
      const fresh = await w.prompt(w.annotator());
      const longest = await gql(server.url, LongestConversationInTreeDocument, { id: fresh }, { key });
      expect(longest.data!.message.longestConversationInTree).to.deep.equal([]);
      const widest = await gql(server.url, MaxChildrenInTreeDocument, { id: fresh }, { key });
      expect(widest.data!.message.maxChildrenInTree).to.equal(null);
    });

    it("an untrusted client sees only its own client's messages in both, as in every other read", async () => {
      const untrusted = await server.createClient({ name: "untrusted frontend", trusted: false });
      const w = new World(server, untrusted.key, "tv");
      const own = await acceptedRoot(w);
      const foreign = await reply(own, { accepted: true, apiClientId: frontendId });
      const ownBelow = await reply(foreign, { accepted: true, apiClientId: untrusted.id });
      await recountChildren(own);
      const asUntrusted = await gql(server.url, LongestConversationInTreeDocument, { id: own }, { key: untrusted.key });
      expect(asUntrusted.data!.message.longestConversationInTree.map((m) => m.id)).to.deep.equal([own]);
      const widestUntrusted = await gql(server.url, MaxChildrenInTreeDocument, { id: own }, { key: untrusted.key });
      expect(widestUntrusted.data!.message.maxChildrenInTree!.message.id).to.equal(own);
      expect(widestUntrusted.data!.message.maxChildrenInTree!.replies).to.deep.equal([]);
      const asTrusted = await gql(server.url, LongestConversationInTreeDocument, { id: own }, { key });
      expect(asTrusted.data!.message.longestConversationInTree.map((m) => m.id)).to.deep.equal([own, foreign, ownBelow]);
      const widestTrusted = await gql(server.url, MaxChildrenInTreeDocument, { id: own }, { key });
      expect(widestTrusted.data!.message.maxChildrenInTree!.replies.map((r) => r.id)).to.deep.equal([foreign]);
    });

    it("costs the same statements for a page of trees as for one tree (batched per request)", async () => {
      const counts: number[] = [];
      for (const lang of ["tw1", "tw4"]) {
        const w = new World(server, key, lang);
        for (let i = 0; i < (lang === "tw1" ? 1 : 4); i++) await reply(await acceptedRoot(w), { accepted: true });
        const counter = server.chorus.queryCounter;
        counter.recent = [];
        const res = await rawGql<{ messages: { edges: { node: { longestConversationInTree: unknown[] } }[] } }>(
          server.url,
          `query($lang: String) { messages(filter: { lang: $lang, onlyRoots: true }, first: 10) { edges { node { longestConversationInTree { id } maxChildrenInTree { message { id } replies { id } } } } } }`,
          { lang },
          { key },
        );
        expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
        expect(res.data!.messages.edges.every((e) => e.node.longestConversationInTree.length === 2)).to.equal(true);
        counts.push(counter.recent.filter((q) => /WITH RECURSIVE path|DISTINCT ON \(m\.message_tree_id\)|m\.parent_id = ANY|m\.id = ANY/.test(q)).length);
        counter.recent = null;
      }
      expect(counts[1], `statements for 1 tree, then 4: ${counts}`).to.equal(counts[0]);
    });
  });

  describe("exact user lookup by auth method and username", () => {
    it("finds exactly the user of the calling client; another client's only for trusted clients; creates nobody", async () => {
      const other = await server.createClient({ name: "other frontend", trusted: false });
      await gql(server.url, ViewerDocument, {}, { key, user: "discord:alice" });
      await gql(server.url, ViewerDocument, {}, { key, user: "discord:alice2" });
      await gql(server.url, ViewerDocument, {}, { key: other.key, user: "discord:alice" });
      const [{ n: usersBefore }] = await ds().query(`SELECT count(*)::int AS n FROM "user"`);

      const mine = await gql(server.url, UserByUsernameDocument, { authMethod: "discord", username: "alice" }, { key });
      expect(mine.errors, JSON.stringify(mine.errors)).to.equal(undefined);
      expect(mine.data!.userByUsername).to.include({ username: "alice", authMethod: "discord", apiClientId: frontendId });
      // exact: neither a substring, nor another case, nor another auth method
      for (const [authMethod, username] of [
        ["discord", "alic"],
        ["discord", "ALICE"],
        ["google", "alice"],
        ["discord", "nobody"],
      ]) {
        const res = await gql(server.url, UserByUsernameDocument, { authMethod, username }, { key });
        expect(errorCode(res), `${authMethod}:${username}`).to.equal("USER_NOT_FOUND");
        expect(res.errors![0].extensions!.oaErrorCode).to.equal(4002);
      }
      // a plain USER acting through the trusted client may look up (no moderator role needed)
      const asUser = await gql(server.url, UserByUsernameDocument, { authMethod: "discord", username: "alice2" }, { key, user: "local:plain" });
      expect(asUser.data!.userByUsername.username).to.equal("alice2");
      // another client's namespace: trusted clients may, untrusted ones are refused
      const theirs = await gql(server.url, UserByUsernameDocument, { authMethod: "discord", username: "alice", apiClientId: other.id }, { key });
      expect(theirs.data!.userByUsername.apiClientId).to.equal(other.id);
      const refused = await gql(server.url, UserByUsernameDocument, { authMethod: "discord", username: "alice", apiClientId: frontendId }, { key: other.key });
      expect(errorCode(refused)).to.equal("FORBIDDEN");
      const ownUntrusted = await gql(server.url, UserByUsernameDocument, { authMethod: "discord", username: "alice" }, { key: other.key });
      expect(ownUntrusted.data!.userByUsername.apiClientId).to.equal(other.id);
      expect(errorCode(await gql(server.url, UserByUsernameDocument, { authMethod: "discord", username: "x".repeat(129) }, { key }))).to.equal(
        "BAD_USER_INPUT",
      );
      const [{ n: usersAfter }] = await ds().query(`SELECT count(*)::int AS n FROM "user"`);
      expect(usersAfter - usersBefore, "the lookups created nobody (the plain acting user aside)").to.equal(1);
    });
  });

  describe("cached statistics", () => {
    async function asAdmin(): Promise<{ key: string; user: string }> {
      const admin = { key, user: "local:stats-admin" };
      const me = await gql(server.url, ViewerDocument, {}, admin);
      await rawGql(
        server.url,
        `mutation($id: ID!) { setUserRole(input: { userId: $id, role: ADMIN }) { id } }`,
        { id: me.data!.viewer.user!.id },
        { key: server.adminKey },
      );
      return admin;
    }

    it("answers CACHED_STATS_NOT_AVAILABLE before the first computation; an admin's refresh computes the reference's five figures", async () => {
      await ds().query(`DELETE FROM cached_stats`);
      expect(errorCode(await gql(server.url, CachedStatsDocument, {}, { key }))).to.equal("CACHED_STATS_NOT_AVAILABLE");
      const w = new World(server, key, "sx");
      const r1 = await acceptedRoot(w);
      await acceptedRoot(w);
      await reply(r1, { accepted: true });
      await reply(r1, { accepted: true, deleted: true });
      await reply(r1, { accepted: false });
      const synthetic = await reply(r1, { accepted: true });
      await ds().query(`UPDATE message SET synthetic = true WHERE id = $1`, [synthetic]);
      const tos = await gql(server.url, AcceptTermsOfServiceDocument, {}, { key, user: "local:tos-reader" });
      expect(tos.errors, JSON.stringify(tos.errors)).to.equal(undefined);

      expect(errorCode(await gql(server.url, RefreshCachedStatsDocument, {}, { key, user: "local:not-admin" }))).to.equal("FORBIDDEN");
      const refreshed = await gql(server.url, RefreshCachedStatsDocument, {}, await asAdmin());
      expect(refreshed.errors, JSON.stringify(refreshed.errors)).to.equal(undefined);
      const read = await gql(server.url, CachedStatsDocument, {}, { key: (await server.createClient({ name: "any", trusted: false })).key });
      expect(read.errors, JSON.stringify(read.errors)).to.equal(undefined);
      const stats = read.data!.cachedStats;
      expect(stats).to.deep.equal(refreshed.data!.refreshCachedStats);
      // "sx": two accepted roots and one accepted live human reply; the deleted, rejected and synthetic ones do not count
      expect(stats.humanMessagesByLang.find((c) => c.lang === "sx")).to.deep.equal({ lang: "sx", count: 3 });
      // the whole database, by the reference's definitions
      const byLang: { lang: string; count: number }[] = await ds().query(
        `SELECT lang, count(*)::int AS count FROM message WHERE NOT deleted AND review_result AND NOT synthetic GROUP BY lang ORDER BY lang`,
      );
      const byCodePoint =
        <T extends Record<K, string>, K extends string>(k: K) =>
        (a: T, b: T) =>
          a[k] < b[k] ? -1 : a[k] > b[k] ? 1 : 0;
      expect(stats.humanMessagesByLang).to.deep.equal(byLang.sort(byCodePoint("lang")));
      const byRole: { role: string; count: number }[] = await ds().query(
        `SELECT upper(role) AS role, count(*)::int AS count FROM message WHERE NOT deleted AND review_result AND NOT synthetic GROUP BY role ORDER BY role`,
      );
      expect(stats.humanMessagesByRole).to.deep.equal(byRole.sort(byCodePoint("role")));
      const byState: { state: string; count: number }[] = await ds().query(
        `SELECT upper(state) AS state, count(*)::int AS count FROM message_tree_state GROUP BY state ORDER BY state`,
      );
      expect(stats.messageTreesByState).to.deep.equal(byState.sort(byCodePoint("state")));
      const byLangState: { lang: string; state: string; count: number }[] = await ds().query(
        `SELECT m.lang, upper(s.state) AS state, count(*)::int AS count FROM message_tree_state s JOIN message m ON m.id = s.message_tree_id GROUP BY m.lang, s.state ORDER BY m.lang, s.state`,
      );
      expect(stats.messageTreesStatesByLang).to.deep.equal(byLangState);
      expect(stats.messageTreesStatesByLang.filter((r) => r.lang === "sx")).to.deep.equal([{ lang: "sx", state: "INITIAL_PROMPT_REVIEW", count: 2 }]);
      expect(stats.usersAcceptedTermsOfService).to.equal(1);
      // the admin's refresh is journaled once, in its transaction; the periodic job's is not
      const journaled: { n: number }[] = await ds().query(`SELECT count(*)::int AS n FROM journal WHERE event_type = 'cached_stats_refreshed'`);
      expect(journaled[0].n).to.equal(1);
      // the stored rows keep the reference's names and shapes
      const names: { name: string }[] = await ds().query(`SELECT name FROM cached_stats ORDER BY name`);
      expect(names.map((n) => n.name)).to.deep.equal([
        "human_messages_by_lang",
        "human_messages_by_role",
        "message_trees_by_state",
        "message_trees_states_by_lang",
        "users_accepted_tos",
      ]);
    });

    it("the periodic job recomputes a stale snapshot and leaves a fresh one alone", async () => {
      await gql(server.url, RefreshCachedStatsDocument, {}, await asAdmin());
      const fresh = (await gql(server.url, CachedStatsDocument, {}, { key })).data!.cachedStats;
      const w = new World(server, key, "sy");
      await acceptedRoot(w);
      await server.chorus.runJob("cached-stats");
      const untouched = (await gql(server.url, CachedStatsDocument, {}, { key })).data!.cachedStats;
      expect(untouched.lastUpdated).to.equal(fresh.lastUpdated);
      expect(untouched.humanMessagesByLang.find((c) => c.lang === "sy")).to.equal(undefined);
      await ds().query(`UPDATE cached_stats SET modified_date = now() - interval '2 hours'`);
      await server.chorus.runJob("cached-stats");
      const recomputed = (await gql(server.url, CachedStatsDocument, {}, { key })).data!.cachedStats;
      expect(new Date(recomputed.lastUpdated).getTime()).to.be.greaterThan(new Date(fresh.lastUpdated).getTime());
      expect(recomputed.humanMessagesByLang.find((c) => c.lang === "sy")).to.deep.equal({ lang: "sy", count: 1 });
    });
  });

  describe("paging both ways (Relay first/after and last/before)", () => {
    type Page = { ids: string[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string | null; endCursor?: string | null } };

    async function messagesPage(vars: Record<string, unknown>, lang: string, desc = false): Promise<Page> {
      const res = await gql(server.url, MessagesDocument, { filter: { lang, onlyRoots: true, desc }, ...vars }, { key });
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      return { ids: res.data!.messages.edges.map((e) => e.node.id), pageInfo: res.data!.messages.pageInfo };
    }

    /** Walks a whole list backwards with `last`/`before` and forwards with `first`/`after`; both must give `all`. */
    async function walkBothWays(fetchPage: (vars: Record<string, unknown>) => Promise<Page>, all: string[], size: number): Promise<void> {
      const forward: string[] = [];
      let after: string | null | undefined = null;
      for (let i = 0; ; i++) {
        const page = await fetchPage({ first: size, after });
        expect(page.pageInfo.hasPreviousPage, `forward page ${i}: hasPreviousPage`).to.equal(i > 0);
        forward.push(...page.ids);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(forward).to.deep.equal(all);
      const backward: string[] = [];
      let before: string | null | undefined = null;
      for (let i = 0; ; i++) {
        const page = await fetchPage({ last: size, before });
        expect(page.pageInfo.hasNextPage, `backward page ${i}: hasNextPage`).to.equal(i > 0);
        expect(page.ids.length).to.be.at.most(size);
        backward.unshift(...page.ids);
        if (!page.pageInfo.hasPreviousPage) break;
        before = page.pageInfo.startCursor;
      }
      expect(backward).to.deep.equal(all);
    }

    it("messages: every page forward and back, ascending and descending, with a correct pageInfo", async () => {
      const w = new World(server, key, "pg");
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await w.prompt(w.annotator()));
      await walkBothWays((v) => messagesPage(v, "pg"), ids, 3);
      await walkBothWays((v) => messagesPage(v, "pg", true), [...ids].reverse(), 2);
      // the last two, then the two before them
      const tail = await messagesPage({ last: 2 }, "pg");
      expect(tail.ids).to.deep.equal(ids.slice(5));
      expect(tail.pageInfo).to.include({ hasNextPage: false, hasPreviousPage: true });
      const before = await messagesPage({ last: 2, before: tail.pageInfo.startCursor }, "pg");
      expect(before.ids).to.deep.equal(ids.slice(3, 5));
      expect(before.pageInfo).to.include({ hasNextPage: true, hasPreviousPage: true });
      // a range between two cursors
      const all = await messagesPage({ first: 7 }, "pg");
      expect(all.pageInfo).to.include({ hasNextPage: false, hasPreviousPage: false, startCursor: all.pageInfo.startCursor });
      const edges = (await gql(server.url, MessagesDocument, { filter: { lang: "pg", onlyRoots: true }, first: 7 }, { key })).data!.messages.edges;
      const range = await messagesPage({ after: edges[1].cursor, before: edges[5].cursor }, "pg");
      expect(range.ids).to.deep.equal(ids.slice(2, 5));
      expect(range.pageInfo).to.include({ hasPreviousPage: true, hasNextPage: false });
      // an empty page still answers pageInfo
      const beyond = await messagesPage({ after: edges[6].cursor }, "pg");
      expect(beyond).to.deep.equal({ ids: [], pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null } });
    });

    it("refuses first with last, sizes out of range and bad cursors with a typed error", async () => {
      expect(errorCode(await gql(server.url, MessagesDocument, { first: 2, last: 2 }, { key }))).to.equal("BAD_USER_INPUT");
      expect(errorCode(await gql(server.url, MessagesDocument, { last: 0 }, { key }))).to.equal("BAD_USER_INPUT");
      // 1,001 full messages also cost more than MAX_QUERY_COMPLEXITY (lists are weighed by their size), refused first
      expect(["BAD_USER_INPUT", "QUERY_TOO_COMPLEX"]).to.include(errorCode(await gql(server.url, MessagesDocument, { last: 1001 }, { key })));
      expect(errorCode(await gql(server.url, MessagesDocument, { last: 2, before: "not-a-cursor" }, { key }))).to.equal("INVALID_CURSOR_VALUE");
      expect(errorCode(await gql(server.url, ChatsDocument, { first: 1, last: 1 }, { key, user: "local:pager" }))).to.equal("BAD_USER_INPUT");
      expect(errorCode(await gql(server.url, ChatsDocument, { last: 101 }, { key, user: "local:pager" }))).to.equal("BAD_USER_INPUT");
    });

    it("chats: newest first, every page forward and back; chats created within one millisecond are neither skipped nor repeated", async () => {
      const as = { key, user: `local:pager-${crypto.randomBytes(3).toString("hex")}` };
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await gql(server.url, CreateChatDocument, { input: { title: `chat ${i}` } }, as)).data!.createChat.id);
      // Four chats inside one millisecond, as a busy server writes them: a cursor cut to milliseconds loses some.
      await ds().query(
        `UPDATE chat SET created_at = '2026-03-01T10:00:00.123000Z'::timestamptz + make_interval(secs => (array_position($1::uuid[], id) * 100)::double precision / 1e6)
          WHERE id = ANY($1::uuid[])`,
        [ids.slice(1, 5)],
      );
      const newestFirst: { id: string }[] = await ds().query(`SELECT id FROM chat WHERE id = ANY($1::uuid[]) ORDER BY created_at DESC, id DESC`, [ids]);
      await walkBothWays(
        async (vars) => {
          const res = await gql(server.url, ChatsDocument, vars, as);
          expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
          return { ids: res.data!.chats.edges.map((e) => e.node.id), pageInfo: res.data!.chats.pageInfo };
        },
        newestFirst.map((r) => r.id),
        1,
      );
    });
  });
});
