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
import { errorCode, gql, rawGql, wsClient, type RequestOptions } from "../helpers/graphql.js";
import { documentFor, minimalVariables, rootOperations, type RootOperation } from "../helpers/schema-ops.js";
import { getSchema } from "../../src/server/schema.js";
import { Role } from "../../src/modules/users/role.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { World } from "../helpers/world.js";
import {
  ChatDocument,
  ChatMessageDocument,
  CreateChatDocument,
  MessageDocument,
  MessagesDocument,
  MessageTreeDocument,
  RevokeApiClientDocument,
  SendChatMessageDocument,
  SetUserRoleDocument,
  ViewerDocument,
} from "../../client/generated/graphql.js";

/** The callers, in the order of the table's columns. */
export const IDENTITIES = ["none", "revoked", "untrusted", "user", "moderator", "admin", "worker"] as const;
type Identity = (typeof IDENTITIES)[number];
type Outcome = "A" | "U" | "F";

/**
 * The policy. Columns: no key | revoked key | untrusted client (acting for a user) | trusted client acting as a
 * USER | as a MODERATOR | as an ADMIN | worker key. One line per operation, `kind name`.
 */
export const POLICY: Record<string, string> = {
  // queries: columns none revoked untrusted user moderator admin worker
  "query apiClients":           "U U F F F A F",
  "query availableTasks":       "U U A A A A F",
  "query cachedStats":          "U U A A A A F",
  "query chat":                 "U U A A A A F",
  "query chatMessage":          "U U A A A A F",
  "query chatReports":          "U U F F A A F",
  "query chats":                "U U A A A A F",
  "query conversation":         "U U A A A A F",
  "query flaggedMessages":      "U U F F A A F",
  "query journal":              "U U F F F A F",
  "query labelAgreement":       "U U F F A A F",
  "query leaderboard":          "U U A A A A F",
  "query leaderboardWindow":    "U U A A A A F",
  "query message":              "U U A A A A F",
  "query messageByFrontendId":  "U U A A A A F",
  "query messageChildren":      "U U A A A A F",
  "query messageDescendants":   "U U A A A A F",
  "query messageHistory":       "U U F F A A F",
  "query messageTree":          "U U A A A A F",
  "query messageTreeState":     "U U A A A A F",
  "query messages":             "U U A A A A F",
  "query models":               "U U A A A A F",
  "query publicSettings":       "A U A A A A A",
  "query rankingAgreement":     "U U F F A A F",
  "query reportLabels":         "A U A A A A A",
  "query settings":             "U U F F F A F",
  "query systemStats":          "U U F F A A F",
  "query treeManagerStats":     "U U F F A A F",
  "query trollboard":           "U U F F A A F",
  "query user":                 "U U A A A A F",
  "query userByUsername":       "U U A A A A F",
  "query userStats":            "U U A A A A F",
  "query validLabels":          "U U A A A A F",
  "query users":                "U U F F A A F",
  "query viewer":               "U U A A A A F",
  "query workerPools":          "U U F F F A F",
  "query workers":              "U U F F F A F",
  // mutations
  "mutation acceptTermsOfService":      "U U F A A A F",
  "mutation ackTask":                   "U U A A A A F",
  "mutation cancelGeneration":          "U U A A A A F",
  "mutation chooseDraft":               "U U A A A A F",
  "mutation continueGeneration":        "U U A A A A F",
  "mutation createApiClient":           "U U F F F A F",
  "mutation createChat":                "U U A A A A F",
  "mutation createUserToken":           "U U F A A A F",
  "mutation deleteAllChats":            "U U A A A A F",
  "mutation deleteChat":                "U U A A A A F",
  "mutation deleteMyAccount":           "U U F A A A F",
  "mutation deleteMessage":             "U U F F A A F",
  "mutation deleteUser":                "U U F F F A F",
  "mutation deleteUserMessages":        "U U F F A A F",
  "mutation drainWorker":               "U U F F F A F",
  "mutation editMessage":               "U U F F A A F",
  "mutation labelMessage":              "U U A A A A F",
  "mutation markFlaggedProcessed":      "U U F F A A F",
  "mutation mergeUsers":                "U U F F F A F",
  "mutation nackTask":                  "U U A A A A F",
  "mutation purgeUser":                 "U U F F F A F",
  "mutation purgeUserMessages":         "U U F F F A F",
  "mutation refreshCachedStats":        "U U F F F A F",
  "mutation refreshLeaderboards":       "U U F F F A F",
  "mutation regenerate":                "U U A A A A F",
  "mutation reportChatMessage":         "U U A A A A F",
  "mutation requestTask":               "U U A A A A F",
  "mutation resolveChatReport":         "U U F F A A F",
  "mutation revokeUserTokens":          "U U A A A A F",
  "mutation retryScoring":              "U U F F F A F",
  "mutation revokeApiClient":           "U U F F F A F",
  "mutation rotateApiClientKey":        "U U F F F A F",
  "mutation sendChatMessage":           "U U A A A A F",
  "mutation setEmoji":                  "U U A A A A F",
  "mutation setLeaderboardVisibility":  "U U A A A A F",
  "mutation setTreeHalted":             "U U F F A A F",
  "mutation setUserRole":               "U U F F F A F",
  "mutation submitLabels":              "U U A A A A F",
  "mutation submitRanking":             "U U A A A A F",
  "mutation submitReply":               "U U A A A A F",
  "mutation undeleteMessage":           "U U F F A A F",
  "mutation updateChat":                "U U A A A A F",
  "mutation updateUser":                "U U F F A A F",
  "mutation voteChatMessage":           "U U A A A A F",
  "mutation workerFail":                "U U F F F F A",
  "mutation workerFinish":              "U U F F F F A",
  "mutation workerHeartbeat":           "U U F F F F A",
  "mutation workerTokens":              "U U F F F F A",
  // subscriptions (over graphql-ws)
  "subscription generation":          "U U A A A A F",
  "subscription heartbeat":           "U U A A A A F",
  "subscription leaderboardUpdated":  "U U A A A A F",
  "subscription workerJobs":          "U U F F F F A",
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
    const trusted = await server.createClient({ name: "trusted frontend", trusted: true, role: Role.USER });
    const worker = await server.createClient({ name: "worker", kind: ApiClientKind.WORKER });
    creds.none = {};
    creds.revoked = { key: revoked.key, user: "local:revoked-user" };
    creds.untrusted = { key: untrusted.key, user: "local:untrusted-user" };
    creds.user = { key: trusted.key, user: "local:plain-user" };
    creds.moderator = { key: trusted.key, user: "local:mod-user" };
    creds.admin = { key: trusted.key, user: "local:admin-user" };
    creds.worker = { key: worker.key };
    for (const [who, role] of [["moderator", "MODERATOR"], ["admin", "ADMIN"]] as const) {
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
    expect(missing, `operations missing from the authorisation table (test/integration/authz-matrix.test.ts and docs/security.md): ${missing.join(", ")}`).to.deep.equal([]);
    expect(stale, `table rows naming no operation of the schema: ${stale.join(", ")}`).to.deep.equal([]);
    for (const row of Object.values(POLICY)) expected(row);
  });

  it("is the table of docs/security.md, row for row (the policy people read is the one tested)", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "security.md"), "utf8");
    const documented: Record<string, string> = {};
    for (const line of doc.split("\n")) {
      const m = /^\| ((?:query|mutation|subscription) \w+) \| (.+) \|$/.exec(line);
      if (m) documented[m[1]] = m[2].split("|").map((c) => c.trim()).join(" ");
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
