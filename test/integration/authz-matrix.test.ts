/**
 * The authorisation matrix (docs/security.md): every root operation of the built schema, called with minimal
 * valid-looking arguments by each kind of caller, must end as the policy table says. "A" (allowed) means the
 * answer is data or an error that is not an authorisation error; "U" is UNAUTHENTICATED, "F" FORBIDDEN.
 * An operation missing from the table, or a table row naming no operation, fails the test by name.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import type { GraphQLSchema } from "graphql";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, errorCode, gql, rawGql, wsClient, type RequestOptions } from "../helpers/graphql.js";
import { seedTwoClients, TWO_CLIENTS_ENV, type TwoClients } from "../helpers/two-clients.js";
import { documentFor, minimalVariables, rootOperations, type RootOperation } from "../helpers/schema-ops.js";
import { getSchema } from "../../src/server/schema.js";
import { Role } from "../../src/modules/users/role.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { World } from "../helpers/world.js";
import {
  ChatDocument,
  ChatMessageDocument,
  CreateChatDocument,
  GenerationDocument,
  MessageDocument,
  MessagesDocument,
  MessageTreeDocument,
  RevokeApiClientDocument,
  SendChatMessageDocument,
  SetUserRoleDocument,
  ViewerDocument,
} from "../../client/generated/graphql.js";

/** The callers, in the order of the table's columns. */
const IDENTITIES = ["none", "revoked", "untrusted", "untrustedMod", "untrustedAdmin", "user", "moderator", "admin", "worker"] as const;
type Identity = (typeof IDENTITIES)[number];
type Outcome = "A" | "U" | "F";

/**
 * The policy. Columns: no key | revoked key | untrusted client (acting for a user) | untrusted client created with
 * the MODERATOR role | with the ADMIN role (both acting with no user, so with their own role) | trusted client
 * acting as a USER | as a MODERATOR | as an ADMIN | worker key. One line per operation, `kind name`.
 * What the untrusted moderator and admin may do acts on their own client's data only: see "untrusted moderators
 * and admins" below, which checks that for every operation they are allowed beyond a plain user's.
 */
const POLICY: Record<string, string> = {
  // queries: columns none revoked untrusted untrustedMod untrustedAdmin user moderator admin worker
  "query apiClients": "U U F F F F F A F",
  "query availableTasks": "U U A A A A A A F",
  "query cachedStats": "U U A A A A A A F",
  "query chat": "U U A A A A A A F",
  "query chatMessage": "U U A A A A A A F",
  "query chatReports": "U U F A A F A A F",
  "query chats": "U U A A A A A A F",
  "query conversation": "U U A A A A A A F",
  "query flaggedMessages": "U U F A A F A A F",
  "query journal": "U U F F A F F A F",
  "query labelAgreement": "U U F A A F A A F",
  "query leaderboard": "U U A A A A A A F",
  "query leaderboardWindow": "U U A A A A A A F",
  "query message": "U U A A A A A A F",
  "query messageByFrontendId": "U U A A A A A A F",
  "query messageChildren": "U U A A A A A A F",
  "query messageDescendants": "U U A A A A A A F",
  "query messageHistory": "U U F A A F A A F",
  "query messageTree": "U U A A A A A A F",
  "query messageTreeState": "U U A A A A A A F",
  "query messages": "U U A A A A A A F",
  "query models": "U U A A A A A A F",
  "query publicSettings": "A U A A A A A A A",
  "query rankingAgreement": "U U F A A F A A F",
  "query reportLabels": "A U A A A A A A A",
  "query settings": "U U F F F F F A F",
  "query systemStats": "U U F A A F A A F",
  "query treeManagerStats": "U U F A A F A A F",
  "query trollboard": "U U F A A F A A F",
  "query user": "U U A A A A A A F",
  "query userByUsername": "U U A A A A A A F",
  "query userStats": "U U A A A A A A F",
  "query validLabels": "U U A A A A A A F",
  "query users": "U U F A A F A A F",
  "query viewer": "U U A A A A A A F",
  "query workerPools": "U U F F F F F A F",
  "query workers": "U U F F F F F A F",
  "query annotatorQuality": "U U F A A F A A F",
  "query arenaBattle": "U U A A A A A A F",
  "query arenaBattles": "U U A A A A A A F",
  "query modelLeaderboard": "U U A A A A A A F",
  // mutations
  "mutation acceptTermsOfService": "U U F F F A A A F",
  "mutation ackTask": "U U A A A A A A F",
  "mutation cancelGeneration": "U U A A A A A A F",
  "mutation chooseDraft": "U U A A A A A A F",
  "mutation continueGeneration": "U U A A A A A A F",
  "mutation createApiClient": "U U F F F F F A F",
  "mutation createChat": "U U A A A A A A F",
  "mutation createUserToken": "U U F F F A A A F",
  "mutation deleteAllChats": "U U A A A A A A F",
  "mutation deleteChat": "U U A A A A A A F",
  "mutation deleteMyAccount": "U U F F F A A A F",
  "mutation deleteMessage": "U U F A A F A A F",
  "mutation deleteUser": "U U F F A F F A F",
  "mutation deleteUserMessages": "U U F A A F A A F",
  "mutation drainWorker": "U U F F F F F A F",
  "mutation editMessage": "U U F A A F A A F",
  "mutation labelMessage": "U U A A A A A A F",
  "mutation markFlaggedProcessed": "U U F A A F A A F",
  "mutation mergeUsers": "U U F F A F F A F",
  "mutation nackTask": "U U A A A A A A F",
  "mutation purgeUser": "U U F F F F F A F",
  "mutation purgeUserMessages": "U U F F F F F A F",
  "mutation refreshCachedStats": "U U F F F F F A F",
  "mutation refreshLeaderboards": "U U F F F F F A F",
  "mutation regenerate": "U U A A A A A A F",
  "mutation reportChatMessage": "U U A A A A A A F",
  "mutation requestTask": "U U A A A A A A F",
  "mutation resolveChatReport": "U U F A A F A A F",
  "mutation revokeUserTokens": "U U A A A A A A F",
  "mutation retryScoring": "U U F F F F F A F",
  "mutation revokeApiClient": "U U F F F F F A F",
  "mutation rotateApiClientKey": "U U F F F F F A F",
  "mutation sendChatMessage": "U U A A A A A A F",
  "mutation setEmoji": "U U A A A A A A F",
  "mutation setLeaderboardVisibility": "U U A A A A A A F",
  "mutation setTreeHalted": "U U F A A F A A F",
  "mutation setUserRole": "U U F F A F F A F",
  "mutation submitLabels": "U U A A A A A A F",
  "mutation submitRanking": "U U A A A A A A F",
  "mutation submitReply": "U U A A A A A A F",
  "mutation undeleteMessage": "U U F A A F A A F",
  "mutation updateChat": "U U A A A A A A F",
  "mutation updateUser": "U U F A A F A A F",
  "mutation voteChatMessage": "U U A A A A A A F",
  "mutation workerFail": "U U F F F F F F A",
  "mutation workerFinish": "U U F F F F F F A",
  "mutation workerHeartbeat": "U U F F F F F F A",
  "mutation workerTokens": "U U F F F F F F A",
  "mutation continueBattle": "U U A A A A A A F",
  "mutation refreshModelLeaderboard": "U U F F F F F A F",
  "mutation revealBattle": "U U A A A A A A F",
  "mutation setArenaVoterExclusion": "U U F A A F A A F",
  "mutation startBattle": "U U A A A A A A F",
  "mutation voteBattle": "U U A A A A A A F",
  // subscriptions (over graphql-ws)
  "subscription generation": "U U A A A A A A F",
  "subscription heartbeat": "U U A A A A A A F",
  "subscription leaderboardUpdated": "U U A A A A A A F",
  "subscription workerJobs": "U U F F F F F F A",
  "subscription modelLeaderboardUpdated": "U U A A A A A A F",
};

function expected(row: string): Record<Identity, Outcome> {
  const cells = row.trim().split(/\s+/) as Outcome[];
  if (cells.length !== IDENTITIES.length || cells.some((c) => !["A", "U", "F"].includes(c))) throw new Error(`bad policy row "${row}"`);
  return Object.fromEntries(IDENTITIES.map((id, i) => [id, cells[i]])) as Record<Identity, Outcome>;
}

function outcomeOf(code: string | undefined): Outcome {
  if (code === "UNAUTHENTICATED") return "U";
  if (code === "FORBIDDEN") return "F";
  return "A";
}

describe("authorisation matrix: every operation of the schema against every kind of caller", function () {
  this.timeout(120_000);
  let server: TestServer;
  let schema: GraphQLSchema;
  const creds = {} as Record<Identity, RequestOptions>;

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false" });
    schema = await getSchema();
    const revoked = await server.createClient({ name: "revoked" });
    await gql(server.url, RevokeApiClientDocument, { input: { id: revoked.id } }, { key: server.adminKey });
    const untrusted = await server.createClient({ name: "untrusted", trusted: false, role: Role.USER });
    const untrustedMod = await server.createClient({ name: "untrusted moderators", trusted: false, role: Role.MODERATOR });
    const untrustedAdmin = await server.createClient({ name: "untrusted admins", trusted: false, role: Role.ADMIN });
    const trusted = await server.createClient({ name: "trusted frontend", trusted: true, role: Role.USER });
    const worker = await server.createClient({ name: "worker", kind: ApiClientKind.WORKER });
    creds.none = {};
    creds.revoked = { key: revoked.key, user: "local:revoked-user" };
    creds.untrusted = { key: untrusted.key, user: "local:untrusted-user" };
    creds.untrustedMod = { key: untrustedMod.key };
    creds.untrustedAdmin = { key: untrustedAdmin.key };
    creds.user = { key: trusted.key, user: "local:plain-user" };
    creds.moderator = { key: trusted.key, user: "local:mod-user" };
    creds.admin = { key: trusted.key, user: "local:admin-user" };
    creds.worker = { key: worker.key };
    for (const [who, role] of [
      ["moderator", "MODERATOR"],
      ["admin", "ADMIN"],
    ] as const) {
      const v = await gql(server.url, ViewerDocument, {}, creds[who]);
      const set = await gql(server.url, SetUserRoleDocument, { input: { userId: v.data!.viewer.user!.id, role } }, { key: server.adminKey });
      expect(set.errors, JSON.stringify(set.errors)).to.equal(undefined);
    }
  });
  after(async () => {
    await server?.stop();
  });

  it("has exactly one policy row per operation of the schema", () => {
    const names = rootOperations(schema).map((o) => `${o.kind} ${o.name}`);
    const missing = names.filter((n) => !(n in POLICY));
    const stale = Object.keys(POLICY).filter((n) => !names.includes(n));
    expect(
      missing,
      `operations missing from the authorisation table (test/integration/authz-matrix.test.ts and docs/security.md): ${missing.join(", ")}`,
    ).to.deep.equal([]);
    expect(stale, `table rows naming no operation of the schema: ${stale.join(", ")}`).to.deep.equal([]);
    for (const row of Object.values(POLICY)) expected(row);
  });

  it("is the table of docs/security.md, row for row (the policy people read is the one tested)", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "security.md"), "utf8");
    const documented: Record<string, string> = {};
    for (const line of doc.split("\n")) {
      const m = /^\| ((?:query|mutation|subscription) \w+) \| (.+) \|$/.exec(line);
      if (m)
        documented[m[1]] = m[2]
          .split("|")
          .map((c) => c.trim())
          .join(" ");
    }
    expect(documented).to.deep.equal(Object.fromEntries(Object.entries(POLICY).map(([k, v]) => [k, v.trim().split(/\s+/).join(" ")])));
  });

  async function overHttp(op: RootOperation, who: Identity): Promise<{ outcome: Outcome; detail: string }> {
    const vars = minimalVariables(op);
    const res = await rawGql(server.url, documentFor(op, Object.keys(vars)), vars, creds[who]);
    expect(res.status, `${op.name} as ${who}: HTTP ${res.status}`).to.be.below(500);
    const code = errorCode(res);
    return { outcome: outcomeOf(code), detail: code ?? "data" };
  }

  /** A subscription: its first event, its error, a close of the socket, or silence (accepted, nothing to send yet). */
  async function overWs(op: RootOperation, who: Identity): Promise<{ outcome: Outcome; detail: string }> {
    const c = creds[who];
    const params: Record<string, unknown> = {};
    if (c.key) params.authorization = `Bearer ${c.key}`;
    if (c.user) params.user = c.user;
    let closeCode: number | undefined;
    const client = wsClient(server.wsUrl, params, { onClose: (code) => (closeCode = code) });
    try {
      const detail = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve("silent"), 1_500);
        const done = (d: string) => {
          clearTimeout(timer);
          resolve(d);
        };
        const vars = minimalVariables(op, op.name === "heartbeat" ? { intervalMs: 250 } : {});
        client.subscribe(
          { query: documentFor(op, Object.keys(vars)), variables: vars },
          {
            next: (r) => done(r.errors ? String(r.errors[0].extensions?.code) : "data"),
            error: (err) => {
              if (Array.isArray(err)) return done(String((err[0] as { extensions?: { code?: string } }).extensions?.code));
              done(closeCode === 4401 ? "UNAUTHENTICATED" : `closed ${closeCode ?? String(err)}`);
            },
            complete: () => done("complete"),
          },
        );
      });
      return { outcome: outcomeOf(detail), detail };
    } finally {
      await client.dispose();
    }
  }

  it("answers every (operation, caller) pair as the table says", async () => {
    const wrong: string[] = [];
    const seen: string[] = [];
    for (const op of rootOperations(schema)) {
      const row = POLICY[`${op.kind} ${op.name}`];
      if (!row) continue; // reported by the test above
      const want = expected(row);
      for (const who of IDENTITIES) {
        const got = op.kind === "subscription" ? await overWs(op, who) : await overHttp(op, who);
        seen.push(`${op.name}/${who}=${got.detail}`);
        if (got.outcome !== want[who]) wrong.push(`${op.kind} ${op.name} as ${who}: expected ${want[who]}, got ${got.outcome} (${got.detail})`);
      }
    }
    if (process.env.AUTHZ_DEBUG) console.log(seen.join("\n"));
    expect(wrong, wrong.join("\n")).to.deep.equal([]);
    // Allowed calls reached the resolvers: some answered with data, not only with errors.
    expect(seen.filter((s) => s.endsWith("=data")).length).to.be.greaterThan(10);
  });

  describe("reading across API clients and users", () => {
    let frontendA: string;
    let frontendB: string;
    let trustedC: string;
    let aMessage: string;
    before(async () => {
      frontendA = (await server.createClient({ name: "untrusted A" })).key;
      frontendB = (await server.createClient({ name: "untrusted B" })).key;
      trustedC = (await server.createClient({ name: "trusted C", trusted: true })).key;
      const w = new World(server, frontendA, "xa");
      aMessage = await w.prompt(w.annotator("alice"));
    });

    it("an untrusted client reads neither another client's messages nor their authors; a trusted client reads both", async () => {
      const asB = { key: frontendB, user: "local:bob" };
      expect(errorCode(await gql(server.url, MessageDocument, { id: aMessage }, asB))).to.be.oneOf(["NOT_FOUND", "MESSAGE_NOT_FOUND"]);
      expect(errorCode(await gql(server.url, MessageTreeDocument, { id: aMessage }, asB))).to.be.oneOf(["NOT_FOUND", "MESSAGE_NOT_FOUND"]);
      const listB = await gql(server.url, MessagesDocument, { filter: { lang: "xa" }, first: 50 }, asB);
      expect(listB.data!.messages.edges).to.have.length(0);
      const rawAuthor = `query($id: ID!) { message(id: $id) { id user { id username } } }`;
      const ownA = await rawGql<{ message: { user: { username: string } | null } }>(server.url, rawAuthor, { id: aMessage }, { key: frontendA });
      expect(ownA.data!.message.user!.username).to.equal("alice");
      const byC = await rawGql<{ message: { user: { username: string } | null } }>(server.url, rawAuthor, { id: aMessage }, { key: trustedC });
      expect(byC.errors).to.equal(undefined);
      expect(byC.data!.message.user!.username).to.equal("alice");
      const listC = await gql(server.url, MessagesDocument, { filter: { lang: "xa" }, first: 50 }, { key: trustedC });
      expect(listC.data!.messages.edges.map((e) => e.node.id)).to.include(aMessage);
    });

    it("no one reads another user's chat unless a moderator, not even through the same client", async () => {
      const owner = { key: creds.user.key!, user: `local:chat-owner-${crypto.randomBytes(3).toString("hex")}` };
      const chat = await gql(server.url, CreateChatDocument, { input: { title: "private" } }, owner);
      const chatId = chat.data!.createChat.id;
      const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId, text: "secret", model: "synthetic" } }, owner);
      expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
      const promptId = sent.data!.sendChatMessage.prompterMessage.id;
      expect((await gql(server.url, ChatDocument, { id: chatId }, owner)).data!.chat.id).to.equal(chatId);
      for (const who of ["user", "untrusted"] as const) {
        const other = await gql(server.url, ChatDocument, { id: chatId }, creds[who]);
        expect(other.data ?? null, who).to.equal(null);
        expect(errorCode(other), who).to.equal("NOT_FOUND");
        const msg = await gql(server.url, ChatMessageDocument, { id: promptId }, creds[who]);
        expect(msg.data ?? null, who).to.equal(null);
      }
      for (const who of ["moderator", "admin"] as const) {
        const mod = await gql(server.url, ChatDocument, { id: chatId }, creds[who]);
        expect(mod.errors, JSON.stringify(mod.errors)).to.equal(undefined);
        expect(mod.data!.chat.id).to.equal(chatId);
      }
    });
  });
});

/**
 * Every operation an untrusted moderator or admin may call beyond a plain user's acts on its own client's data only
 * (docs/security.md, "Untrusted moderators and admins"). Each row calls the operation on client B's records as
 * client A (untrusted, ADMIN role, acting as itself) and as an untrusted MODERATOR client where the matrix allows it:
 * B's record is not found, left out or refused, and nothing of B's changes; then the same call on A's own record
 * works, so the scope, not a blanket refusal, is what stops it. A new such operation fails the test until it has a row.
 */
describe("untrusted moderators and admins act on their own client's data only", function () {
  this.timeout(180_000);
  let server: TestServer;
  let s: TwoClients;
  let umod: RequestOptions;
  const ds = () => server.chorus.app.ds;
  const q = <T = Record<string, unknown>>(query: string, vars: Record<string, unknown>, who: RequestOptions) => rawGql<T>(server.url, query, vars, who);
  const one = async (sql: string, params: unknown[]) => ((await ds().query(sql, params)) as Record<string, unknown>[])[0];
  const refused = (res: { errors?: { extensions?: Record<string, unknown> }[] }, codes = ["NOT_FOUND", "MESSAGE_NOT_FOUND", "FORBIDDEN"]) =>
    expect(errorCode(res), JSON.stringify(res.errors)).to.be.oneOf(codes);
  const okRes = <T>(res: { errors?: unknown; data?: T | null }) => {
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    return res.data!;
  };
  /** The untrusted callers the matrix allows an operation to: A acting as itself (ADMIN), and an untrusted MODERATOR. */
  const callers = (op: string) => [s.as.aAdmin, ...(expected(POLICY[op]).untrustedMod === "A" ? [umod] : [])];

  /** Operations where a moderator's or admin's power reaches beyond the caller's own user (not marked F for users). */
  const MODERATOR_POWERS_IN_USER_OPERATIONS = [
    "query chat",
    "query chatMessage",
    "query arenaBattle",
    "mutation setLeaderboardVisibility",
    "subscription generation",
  ];

  const SCOPING: Record<string, () => Promise<void>> = {
    "query arenaBattle": async () => {
      // A battle on each client's chat (the fixture's chats), as startBattle would have stored it.
      const battleOn = async (chatId: string) => {
        const id = crypto.randomUUID();
        await ds().query(
          `INSERT INTO arena_battle (id, chat_id, user_id, model_a, model_b, source) SELECT $1, c.id, c.user_id, 'm1', 'm2', 'BATTLE' FROM chat c WHERE c.id = $2`,
          [id, chatId],
        );
        return id;
      };
      const ofB = await battleOn(s.chats.b1.chatId);
      const ofA = await battleOn(s.chats.a2.chatId);
      for (const who of callers("query arenaBattle")) refused(await q(`query($id: ID!) { arenaBattle(id: $id) { id } }`, { id: ofB }, who));
      okRes(await q(`query($id: ID!) { arenaBattle(id: $id) { id } }`, { id: ofA }, s.as.aAdmin));
    },
    "query annotatorQuality": async () => {
      const query = `query($id: ID!) { annotatorQuality(userId: $id) { userId } }`;
      for (const who of callers("query annotatorQuality")) refused(await q(query, { id: s.users.b1.id }, who));
      okRes(await q(query, { id: s.users.a1.id }, s.as.aAdmin));
    },
    "mutation setArenaVoterExclusion": async () => {
      const m = `mutation($input: SetArenaVoterExclusionInput!) { setArenaVoterExclusion(input: $input) { userId excluded } }`;
      for (const who of callers("mutation setArenaVoterExclusion"))
        refused(await q(m, { input: { userId: s.users.b1.id, excluded: true, reason: "not yours" } }, who));
      expect(await one(`SELECT count(*)::int AS n FROM arena_voter_exclusion WHERE user_id = $1`, [s.users.b1.id])).to.deep.equal({ n: 0 });
      okRes(await q(m, { input: { userId: s.users.a2.id, excluded: true, reason: "noisy" } }, s.as.aAdmin));
    },
    "query chat": async () => {
      for (const who of callers("query chat")) refused(await q(`query($id: ID!) { chat(id: $id) { id } }`, { id: s.chats.b1.chatId }, who));
      okRes(await q(`query($id: ID!) { chat(id: $id) { id } }`, { id: s.chats.a2.chatId }, s.as.aAdmin));
    },
    "query chatMessage": async () => {
      for (const who of callers("query chatMessage")) refused(await q(`query($id: ID!) { chatMessage(id: $id) { id } }`, { id: s.chats.b1.answers[0] }, who));
      okRes(await q(`query($id: ID!) { chatMessage(id: $id) { id } }`, { id: s.chats.a1.answers[0] }, s.as.aAdmin));
    },
    "subscription generation": async () => {
      for (const [id, expectOk] of [
        [s.chats.b1.answers[0], false],
        [s.chats.a1.answers[1], true],
      ] as const) {
        const client = wsClient(server.wsUrl, { authorization: `Bearer ${s.A.key}` });
        const got = await collect(client, GenerationDocument, { messageId: id }, 1, 10_000);
        await client.dispose();
        if (expectOk) expect(got.results[0]?.errors, JSON.stringify(got)).to.equal(undefined);
        else expect(JSON.stringify(got.error ?? got.results[0]?.errors)).to.include("NOT_FOUND");
      }
    },
    "mutation setLeaderboardVisibility": async () => {
      const m = `mutation($input: SetLeaderboardVisibilityInput!) { setLeaderboardVisibility(input: $input) { id showOnLeaderboard } }`;
      for (const who of callers("mutation setLeaderboardVisibility")) refused(await q(m, { input: { userId: s.users.b1.id, show: false } }, who));
      expect((await one(`SELECT show_on_leaderboard FROM "user" WHERE id = $1`, [s.users.b1.id])).show_on_leaderboard).to.equal(true);
      okRes(await q(m, { input: { userId: s.users.a2.id, show: true } }, s.as.aAdmin));
    },
    "query chatReports": async () => {
      for (const who of callers("query chatReports")) {
        const ids = okRes(
          await q<{ chatReports: { edges: { node: { id: string } }[] } }>(`{ chatReports(first: 100) { edges { node { id } } } }`, {}, who),
        ).chatReports.edges.map((e) => e.node.id);
        expect(ids).to.not.include(s.chats.b1.reportId);
        if (who === s.as.aAdmin) expect(ids).to.include(s.chats.a1.reportId);
      }
    },
    "mutation resolveChatReport": async () => {
      const m = `mutation($input: ResolveChatReportInput!) { resolveChatReport(input: $input) { id resolvedAt } }`;
      for (const who of callers("mutation resolveChatReport")) refused(await q(m, { input: { reportId: s.chats.b1.reportId, resolution: "not yours" } }, who));
      expect((await one(`SELECT resolved_at FROM chat_report WHERE id = $1`, [s.chats.b1.reportId])).resolved_at).to.equal(null);
      expect(
        okRes(await q<{ resolveChatReport: { resolvedAt: string } }>(m, { input: { reportId: s.chats.a1.reportId, resolution: "ok" } }, s.as.aAdmin))
          .resolveChatReport.resolvedAt,
      ).to.be.a("string");
    },
    "query flaggedMessages": async () => {
      for (const who of callers("query flaggedMessages")) {
        const ids = okRes(
          await q<{ flaggedMessages: { edges: { node: { messageId: string } }[] } }>(
            `{ flaggedMessages(first: 100) { edges { node { messageId } } } }`,
            {},
            who,
          ),
        ).flaggedMessages.edges.map((e) => e.node.messageId);
        expect(ids).to.not.include(s.msg.rB2);
        if (who === s.as.aAdmin) expect(ids).to.include(s.msg.rA2);
      }
    },
    "mutation markFlaggedProcessed": async () => {
      const m = `mutation($input: MessageIdInput!) { markFlaggedProcessed(input: $input) { messageId processed } }`;
      for (const who of callers("mutation markFlaggedProcessed")) refused(await q(m, { input: { messageId: s.msg.rB2 } }, who));
      expect((await one(`SELECT processed FROM flagged_message WHERE message_id = $1`, [s.msg.rB2])).processed).to.equal(false);
      okRes(await q(m, { input: { messageId: s.msg.rA2 } }, s.as.aAdmin));
    },
    "query journal": async () => {
      for (const who of callers("query journal")) {
        const rows = okRes(
          await q<{ journal: { edges: { node: { apiClientId: string; targetId: string | null } }[] } }>(
            `{ journal(first: 1000) { edges { node { apiClientId targetId } } } }`,
            {},
            who,
          ),
        ).journal.edges.map((e) => e.node);
        expect(rows.filter((r) => r.apiClientId !== s.A.id)).to.deep.equal([]);
        expect(rows.map((r) => r.targetId)).to.not.include(s.msg.rB2); // B's own edit
        if (who === s.as.aAdmin) expect(rows.map((r) => r.targetId)).to.include(s.msg.rA2);
      }
    },
    "query labelAgreement": async () => {
      const query = `query($lang: String) { labelAgreement(label: "spam", lang: $lang) { items raters } }`;
      const all = okRes(await q<{ labelAgreement: { items: number } }>(query, { lang: s.lang }, { key: server.adminKey })).labelAgreement;
      expect(all.items).to.equal(2); // rA2 and rB2, two reviews each
      for (const who of callers("query labelAgreement")) {
        const own = okRes(await q<{ labelAgreement: { items: number; raters: number } }>(query, { lang: s.lang }, who)).labelAgreement;
        expect(own).to.deep.equal(who === s.as.aAdmin ? { items: 1, raters: 2 } : { items: 0, raters: 0 });
      }
    },
    "query rankingAgreement": async () => {
      const query = `query($lang: String) { rankingAgreement(lang: $lang) { rankings perParent { parentId } } }`;
      const all = okRes(
        await q<{ rankingAgreement: { perParent: { parentId: string }[] } }>(query, { lang: s.lang }, { key: server.adminKey }),
      ).rankingAgreement;
      expect(all.perParent.map((p) => p.parentId)).to.include.members([s.msg.taRoot, s.msg.tbRoot]);
      for (const who of callers("query rankingAgreement")) {
        const own = okRes(
          await q<{ rankingAgreement: { rankings: number; perParent: { parentId: string }[] } }>(query, { lang: s.lang }, who),
        ).rankingAgreement;
        expect(own.perParent.map((p) => p.parentId)).to.deep.equal(who === s.as.aAdmin ? [s.msg.taRoot] : []);
      }
    },
    "query messageHistory": async () => {
      const query = `query($id: ID!) { messageHistory(messageId: $id) { text } }`;
      for (const who of callers("query messageHistory")) refused(await q(query, { id: s.msg.rB2 }, who));
      expect(okRes(await q<{ messageHistory: unknown[] }>(query, { id: s.msg.rA2 }, s.as.aAdmin)).messageHistory).to.have.length(2);
    },
    "query systemStats": async () => {
      const query = `{ systemStats { all active deleted messageTrees } }`;
      const mine = await one(
        `SELECT count(*)::int AS all, count(*) FILTER (WHERE NOT deleted)::int AS active, count(*) FILTER (WHERE deleted)::int AS deleted,
                count(*) FILTER (WHERE parent_id IS NULL)::int AS "messageTrees" FROM message WHERE api_client_id = $1`,
        [s.A.id],
      );
      expect(okRes(await q<{ systemStats: unknown }>(query, {}, s.as.aAdmin)).systemStats).to.deep.equal(mine);
      for (const who of callers("query systemStats").slice(1))
        expect(okRes(await q<{ systemStats: { all: number } }>(query, {}, who)).systemStats.all).to.equal(0);
    },
    "query treeManagerStats": async () => {
      const query = `{ treeManagerStats(onlyActive: false) { messageCounts { messageTreeId count } stateCounts { count } } }`;
      const stats = okRes(
        await q<{ treeManagerStats: { messageCounts: { messageTreeId: string; count: number }[] } }>(query, {}, s.as.aAdmin),
      ).treeManagerStats;
      const byTree = Object.fromEntries(stats.messageCounts.map((c) => [c.messageTreeId, c.count]));
      // B's tree holds two of A's messages (rB1, rB3): it is listed, counting those two only
      expect(byTree[s.msg.tbRoot]).to.equal(2);
      expect(byTree[s.msg.taRoot]).to.equal(3);
      for (const who of callers("query treeManagerStats").slice(1)) {
        expect(okRes(await q<{ treeManagerStats: { messageCounts: unknown[] } }>(query, {}, who)).treeManagerStats.messageCounts).to.deep.equal([]);
      }
    },
    "query trollboard": async () => {
      const query = `{ trollboard(window: TOTAL, first: 1000) { edges { node { userId } } } }`;
      const everyone = okRes(await q<{ trollboard: { edges: { node: { userId: string } }[] } }>(query, {}, { key: server.adminKey })).trollboard.edges.map(
        (e) => e.node.userId,
      );
      expect(everyone).to.include(s.users.b1.id);
      const users = new Set(((await ds().query(`SELECT id FROM "user" WHERE api_client_id = $1`, [s.A.id])) as { id: string }[]).map((r) => r.id));
      for (const who of callers("query trollboard")) {
        const ids = okRes(await q<{ trollboard: { edges: { node: { userId: string } }[] } }>(query, {}, who)).trollboard.edges.map((e) => e.node.userId);
        expect(ids.filter((id) => !users.has(id))).to.deep.equal([]);
        if (who === s.as.aAdmin) expect(ids).to.include(s.users.a1.id);
      }
    },
    "query users": async () => {
      for (const who of callers("query users")) {
        const rows = okRes(
          await q<{ users: { edges: { node: { apiClientId: string } }[] } }>(`{ users(first: 1000) { edges { node { apiClientId } } } }`, {}, who),
        ).users.edges;
        expect(rows.filter((e) => e.node.apiClientId !== (who === s.as.aAdmin ? s.A.id : umodId))).to.deep.equal([]);
        if (who === s.as.aAdmin) expect(rows.length).to.be.at.least(5);
      }
    },
    "mutation updateUser": async () => {
      const m = `mutation($input: UpdateUserInput!) { updateUser(input: $input) { id notes } }`;
      const before = await one(`SELECT notes, enabled FROM "user" WHERE id = $1`, [s.users.b1.id]);
      for (const who of callers("mutation updateUser")) refused(await q(m, { input: { userId: s.users.b1.id, notes: "gotcha", enabled: false } }, who));
      expect(await one(`SELECT notes, enabled FROM "user" WHERE id = $1`, [s.users.b1.id])).to.deep.equal(before);
      expect(before.enabled).to.equal(true);
      okRes(await q(m, { input: { userId: s.users.a2.id, notes: "fine" } }, s.as.aAdmin));
    },
    "mutation deleteUser": async () => {
      const m = `mutation($input: UserIdInput!) { deleteUser(input: $input) { id deleted } }`;
      for (const who of callers("mutation deleteUser")) refused(await q(m, { input: { userId: s.users.b2.id } }, who));
      expect((await one(`SELECT deleted FROM "user" WHERE id = $1`, [s.users.b2.id])).deleted).to.equal(false);
      okRes(await q(m, { input: { userId: s.users.a3.id } }, s.as.aAdmin));
    },
    "mutation mergeUsers": async () => {
      const m = `mutation($input: MergeUsersInput!) { mergeUsers(input: $input) { destination { id } } }`;
      for (const who of callers("mutation mergeUsers"))
        refused(await q(m, { input: { destinationUserId: s.users.a4.id, sourceUserIds: [s.users.b1.id] } }, who));
      expect(await one(`SELECT count(*)::int AS n FROM "user" WHERE id = $1`, [s.users.b1.id])).to.deep.equal({ n: 1 });
      expect(await one(`SELECT count(*)::int AS n FROM message WHERE user_id = $1`, [s.users.b1.id])).to.not.deep.equal({ n: 0 });
      okRes(await q(m, { input: { destinationUserId: s.users.a4.id, sourceUserIds: [s.users.a5.id] } }, s.as.aAdmin));
    },
    "mutation setUserRole": async () => {
      const m = `mutation($input: SetUserRoleInput!) { setUserRole(input: $input) { id role } }`;
      for (const who of callers("mutation setUserRole")) refused(await q(m, { input: { userId: s.users.b1.id, role: "ADMIN" } }, who));
      expect((await one(`SELECT role FROM "user" WHERE id = $1`, [s.users.b1.id])).role).to.equal("USER");
      okRes(await q(m, { input: { userId: s.users.a2.id, role: "MODERATOR" } }, s.as.aAdmin));
    },
    "mutation editMessage": async () => {
      const m = `mutation($input: EditMessageInput!) { editMessage(input: $input) { id text } }`;
      const before = await one(`SELECT text FROM message WHERE id = $1`, [s.msg.rB4]);
      for (const who of callers("mutation editMessage")) refused(await q(m, { input: { messageId: s.msg.rB4, text: "overwritten" } }, who));
      expect(await one(`SELECT text FROM message WHERE id = $1`, [s.msg.rB4])).to.deep.equal(before);
      okRes(await q(m, { input: { messageId: s.msg.rB1, text: "A's own reply, edited by A" } }, s.as.aAdmin));
    },
    "mutation deleteMessage": async () => {
      const m = `mutation($input: MessageIdInput!) { deleteMessage(input: $input) { changedIds } }`;
      for (const who of callers("mutation deleteMessage")) {
        refused(await q(m, { input: { messageId: s.msg.rB2 } }, who));
        // A's own reply in B's tree has a reply of B's below it: deleting the subtree would delete B's message
        refused(await q(m, { input: { messageId: s.msg.rB1 } }, who));
      }
      expect(await one(`SELECT count(*)::int AS n FROM message WHERE deleted AND message_tree_id = $1`, [s.msg.tbRoot])).to.deep.equal({ n: 0 });
      expect(
        okRes(await q<{ deleteMessage: { changedIds: string[] } }>(m, { input: { messageId: s.msg.rA3 } }, s.as.aAdmin)).deleteMessage.changedIds,
      ).to.deep.equal([s.msg.rA3]);
    },
    "mutation undeleteMessage": async () => {
      const m = `mutation($input: MessageIdInput!) { undeleteMessage(input: $input) { changedIds } }`;
      // rA3 (A's, deleted above) hangs below rA1 (B's): with rA1 deleted too, undeleting rA3 would undelete B's message
      await ds().query(`UPDATE message SET deleted = true WHERE id = ANY($1::uuid[])`, [[s.msg.rA1, s.msg.rB2]]);
      for (const who of callers("mutation undeleteMessage")) {
        refused(await q(m, { input: { messageId: s.msg.rB2 } }, who));
        refused(await q(m, { input: { messageId: s.msg.rA3 } }, who));
      }
      expect(await one(`SELECT count(*)::int AS n FROM message WHERE deleted AND id = ANY($1::uuid[])`, [[s.msg.rA1, s.msg.rB2, s.msg.rA3]])).to.deep.equal({
        n: 3,
      });
      await ds().query(`UPDATE message SET deleted = false WHERE id = ANY($1::uuid[])`, [[s.msg.rA1, s.msg.rB2]]);
      expect(
        okRes(await q<{ undeleteMessage: { changedIds: string[] } }>(m, { input: { messageId: s.msg.rA3 } }, s.as.aAdmin)).undeleteMessage.changedIds,
      ).to.deep.equal([s.msg.rA3]);
    },
    "mutation deleteUserMessages": async () => {
      const m = `mutation($input: UserIdInput!) { deleteUserMessages(input: $input) { deletedCount } }`;
      for (const who of callers("mutation deleteUserMessages")) {
        refused(await q(m, { input: { userId: s.users.b1.id } }, who));
        // a2's reply rA2 has B's rA4 below it
        refused(await q(m, { input: { userId: s.users.a2.id } }, who));
      }
      expect(await one(`SELECT count(*)::int AS n FROM message WHERE deleted`, [])).to.deep.equal({ n: 0 });
      expect(
        okRes(await q<{ deleteUserMessages: { deletedCount: number } }>(m, { input: { userId: s.users.a4.id } }, s.as.aAdmin)).deleteUserMessages.deletedCount,
      ).to.equal(0);
    },
    "mutation setTreeHalted": async () => {
      const m = `mutation($input: SetTreeHaltedInput!) { setTreeHalted(input: $input) { state } }`;
      for (const who of callers("mutation setTreeHalted")) {
        refused(await q(m, { input: { messageId: s.msg.rB2, halt: true } }, who));
        refused(await q(m, { input: { messageId: s.msg.rB1, halt: true } }, who)); // A's message, but B's messages share the tree
      }
      expect((await one(`SELECT state FROM message_tree_state WHERE message_tree_id = $1`, [s.msg.tbRoot])).state).to.equal("growing");
      expect(
        okRes(await q<{ setTreeHalted: { state: string } }>(m, { input: { messageId: s.msg.tcRoot, halt: true } }, s.as.aAdmin)).setTreeHalted.state,
      ).to.equal("HALTED_BY_MODERATOR");
      okRes(await q(m, { input: { messageId: s.msg.tcRoot, halt: false } }, s.as.aAdmin));
    },
  };

  let umodId: string;
  before(async () => {
    server = await startTestServer(TWO_CLIENTS_ENV);
    s = await seedTwoClients(server, `sc${crypto.randomBytes(2).toString("hex")}`);
    const mod = await server.createClient({ name: "untrusted moderators", trusted: false, role: Role.MODERATOR });
    umod = { key: mod.key };
    umodId = mod.id;
  });
  after(async () => {
    await server?.stop();
  });

  it("has a scoping row for every operation an untrusted moderator or admin may call beyond a user's", () => {
    const privileged = Object.entries(POLICY)
      .filter(([, row]) => {
        const e = expected(row);
        return e.user === "F" && (e.untrustedMod === "A" || e.untrustedAdmin === "A");
      })
      .map(([op]) => op);
    const needed = [...privileged, ...MODERATOR_POWERS_IN_USER_OPERATIONS].sort();
    expect(Object.keys(SCOPING).sort(), "SCOPING rows must be exactly the privileged operations open to untrusted clients").to.deep.equal(needed);
  });

  for (const [op, check] of Object.entries(SCOPING)) {
    it(`${op}: another client's records are out of reach, its own are not`, check);
  }

  it("answers the reported attacks: an untrusted ADMIN mints no key (trusted or not) and changes no other client's role", async () => {
    const before = await one(`SELECT count(*)::int AS n FROM api_client`, []);
    for (const input of [
      { name: "escalated", trusted: true, role: "ADMIN" },
      { name: "plain", trusted: false, role: "USER" },
    ]) {
      const res = await q(`mutation($input: CreateApiClientInput!) { createApiClient(input: $input) { key } }`, { input }, s.as.aAdmin);
      expect(errorCode(res)).to.equal("FORBIDDEN");
    }
    expect(await one(`SELECT count(*)::int AS n FROM api_client`, [])).to.deep.equal(before);
    const role = await q(
      `mutation($input: SetUserRoleInput!) { setUserRole(input: $input) { id } }`,
      { input: { userId: s.users.b2.id, role: "ADMIN" } },
      s.as.aAdmin,
    );
    expect(errorCode(role)).to.equal("NOT_FOUND");
    expect((await one(`SELECT role FROM "user" WHERE id = $1`, [s.users.b2.id])).role).to.equal("USER");
  });

  it("GET /export.jsonl, the full export, is for admins of trusted clients only", async () => {
    for (const key of [s.A.key, umod.key!]) {
      const res = await fetch(`${server.origin}/export.jsonl`, { headers: { "x-api-key": key } });
      expect(res.status).to.equal(403);
      expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).to.equal("FORBIDDEN");
    }
    const trusted = await fetch(`${server.origin}/export.jsonl`, { headers: { "x-api-key": server.adminKey } });
    expect(trusted.status).to.equal(200);
    await trusted.text();
  });
});
