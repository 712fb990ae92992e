/**
 * The visibility class test (issue 12, "done when" (a)): every object-returning field reachable from a root field
 * is walked, from an untrusted client's own records, and never reaches another client's data or another user's
 * chats. The walk is generated from the built schema (test/helpers/schema-walk.ts), so a field added to any type
 * is walked as soon as it exists; only a new root operation needs a row in WALK below, which says how to reach it
 * from the caller's own records (or why it is never allowed to an untrusted client, or has nothing to walk).
 *
 * Client A (untrusted, ADMIN role) calls as its user a1 (USER powers) and as itself (ADMIN, no user). Client B's
 * trees, users, chats, reports, flags, edits and rankings overlap A's everywhere (test/helpers/two-clients.ts).
 * Every answer is checked twice: no string of B's (ids, texts, names, frontend ids, and a2's chats for a1) appears
 * outside the documented references, and every record of a known type in it belongs to A (read from the database).
 * The same walk as a trusted admin does reach B's data through the nested fields, so the seed can catch a leak.
 */
import crypto from "node:crypto";
import { expect } from "chai";
import type { GraphQLField, GraphQLSchema } from "graphql";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { rawGql, wsClient, type RequestOptions } from "../helpers/graphql.js";
import { minimalVariables, rootOperations, type OperationKind } from "../helpers/schema-ops.js";
import { edgesNeedingArguments, reachableEdges, walkDocument, type Edge } from "../helpers/schema-walk.js";
import { foreignTokens, seedTwoClients, TWO_CLIENTS_ENV, type TwoClients } from "../helpers/two-clients.js";
import { getSchema } from "../../src/server/schema.js";
import { TestWorker } from "../helpers/test-worker.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";

/** Object levels walked below each root: message { parent { children { user } } } is three. */
const DEPTH = 3;

type Caller = "a1" | "aAdmin";
/** Values produced by earlier calls (a task handed out, a chat created), for later rows. */
type State = Record<string, string>;
interface Call {
  as: Caller;
  vars: (s: TwoClients, state: State) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Keeps something of the answer for later rows. */
  keep?: (data: Record<string, unknown>, state: State) => void;
}
type Row = { calls: Call[] } | { never: string } | { leaf: string };

const call = (as: Caller, vars: Call["vars"] = () => ({}), keep?: Call["keep"]): Call => ({ as, vars, keep });
const NEVER_SYSTEM = "an operation over the whole system: ADMIN of a trusted client only (SYSTEM_ADMIN)";
const NEVER_WORKER = "worker protocol: worker keys only";
const NEVER_TRUSTED = "through a trusted client only";

/**
 * How the walk reaches each root operation from client A's own records. Rows run in this order (mutations after
 * queries, so the reads see the seed as it was). `never`: FORBIDDEN to both of A's callers, checked. `leaf`:
 * answers with no object-returning field (checked), so there is nothing to walk.
 */
const WALK: Record<string, Row> = {
  // queries
  "query apiClients": { never: NEVER_SYSTEM },
  "query viewer": { calls: [call("a1"), call("aAdmin")] },
  "query user": { calls: [call("a1", (s) => ({ id: s.users.a1.id })), call("aAdmin", (s) => ({ id: s.users.a2.id }))] },
  "query userByUsername": { calls: [call("a1", (s) => ({ authMethod: "local", username: s.users.a1.name }))] },
  "query publicSettings": { calls: [call("a1")] },
  "query availableTasks": { calls: [call("a1", (s) => ({ lang: s.lang }))] },
  "query message": {
    calls: [
      call("a1", (s) => ({ id: s.msg.rA3 })), // its parent is B's
      call("a1", (s) => ({ id: s.msg.rB1 })), // in B's tree, with children of both clients
      call("a1", (s) => ({ id: s.msg.taRoot })), // A's root with replies of both clients
      call("aAdmin", (s) => ({ id: s.msg.rB3 })),
    ],
  },
  "query messageByFrontendId": { calls: [call("a1", (s) => ({ frontendMessageId: s.frontendIdOf[s.msg.rB1] }))] },
  "query messageTree": { calls: [call("a1", (s) => ({ id: s.msg.rB1 })), call("a1", (s) => ({ id: s.msg.taRoot, includeDeleted: true }))] },
  "query messageTreeState": { calls: [call("a1", (s) => ({ id: s.msg.rB1 }))] },
  "query conversation": { calls: [call("a1", (s) => ({ messageId: s.msg.rB3 })), call("a1", (s) => ({ messageId: s.msg.rA3 }))] },
  "query messageChildren": { calls: [call("a1", (s) => ({ id: s.msg.taRoot })), call("a1", (s) => ({ id: s.msg.rB1 }))] },
  "query messageDescendants": { calls: [call("a1", (s) => ({ id: s.msg.taRoot })), call("a1", (s) => ({ id: s.msg.rB1 }))] },
  "query messages": {
    calls: [
      call("a1", (s) => ({ filter: { lang: s.lang }, first: 100 })),
      call("aAdmin", (s) => ({ filter: { lang: s.lang, apiClientId: s.B.id, includeDeleted: true }, first: 100 })),
    ],
  },
  "query validLabels": { calls: [call("a1", (s) => ({ messageId: s.msg.rB1 }))] },
  "query reportLabels": { calls: [call("a1")] },
  "query labelAgreement": { calls: [call("aAdmin", (s) => ({ label: "spam", lang: s.lang }))] },
  "query rankingAgreement": { calls: [call("aAdmin", (s) => ({ lang: s.lang }))] },
  "query chats": { calls: [call("a1", () => ({ first: 100, includeHidden: true }))] },
  "query chat": { calls: [call("a1", (s) => ({ id: s.chats.a1.chatId })), call("aAdmin", (s) => ({ id: s.chats.a2.chatId }))] },
  "query chatMessage": { calls: [call("a1", (s) => ({ id: s.chats.a1.answers[0] }))] },
  "query chatReports": { calls: [call("aAdmin", () => ({ first: 100 })), call("aAdmin", () => ({ first: 100, resolved: true }))] },
  "query models": { calls: [call("a1")] },
  "query workers": { never: NEVER_SYSTEM },
  "query workerPools": { never: NEVER_SYSTEM },
  "query messageHistory": { calls: [call("aAdmin", (s) => ({ messageId: s.msg.rA2 }))] },
  "query flaggedMessages": { calls: [call("aAdmin", () => ({ first: 100 }))] },
  "query users": { calls: [call("aAdmin", () => ({ first: 1000 }))] },
  "query systemStats": { calls: [call("aAdmin")] },
  "query treeManagerStats": { calls: [call("aAdmin", () => ({ onlyActive: false }))] },
  "query settings": { never: NEVER_SYSTEM },
  "query journal": { calls: [call("aAdmin", () => ({ first: 1000 }))] },
  "query leaderboard": { calls: [call("a1", () => ({ window: "TOTAL", first: 1000 })), call("aAdmin", () => ({ window: "TOTAL", first: 1000 }))] },
  "query userStats": { calls: [call("a1", (s) => ({ userId: s.users.a1.id }))] },
  "query leaderboardWindow": { calls: [call("a1", (s) => ({ userId: s.users.a1.id, window: "TOTAL", size: 100 }))] },
  "query trollboard": { calls: [call("aAdmin", () => ({ window: "TOTAL", first: 1000 }))] },
  "query cachedStats": { calls: [call("a1")] },
  "query annotatorQuality": { calls: [call("aAdmin", (s) => ({ userId: s.users.a1.id }))] },
  "query arenaBattle": { calls: [call("a1", (_s, st) => ({ id: st.seededBattle })), call("aAdmin", (_s, st) => ({ id: st.seededBattle }))] },
  "query arenaBattles": { calls: [call("a1", () => ({ first: 100 }))] },
  "query modelLeaderboard": { calls: [call("a1")] },
  // mutations
  "mutation createApiClient": { never: NEVER_SYSTEM },
  "mutation rotateApiClientKey": { never: NEVER_SYSTEM },
  "mutation revokeApiClient": { never: NEVER_SYSTEM },
  "mutation setUserRole": { calls: [call("aAdmin", (s) => ({ input: { userId: s.users.a2.id, role: "USER" } }))] },
  "mutation createUserToken": { never: NEVER_TRUSTED },
  "mutation requestTask": {
    // the pool is shared: a1 is handed B's unreviewed reply in B's tree (or A's in A's) to review
    calls: [
      call(
        "a1",
        (s) => ({ input: { type: "LABEL_PROMPTER_REPLY", lang: s.lang } }),
        (d, st) => (st.taskId = (d.requestTask as { id: string }).id),
      ),
    ],
  },
  "mutation ackTask": { leaf: "the caller's own task status" },
  "mutation nackTask": { leaf: "the caller's own task status" },
  "mutation submitReply": { leaf: "the caller's own submission result" },
  "mutation submitRanking": { leaf: "the caller's own submission result" },
  "mutation submitLabels": { leaf: "the caller's own submission result" },
  "mutation labelMessage": { leaf: "the caller's own submission result" },
  "mutation setEmoji": { calls: [call("a1", (s) => ({ input: { messageId: s.msg.rB1, emoji: "+1", op: "ADD" } }))] },
  "mutation createChat": {
    calls: [
      call(
        "a1",
        () => ({ input: { title: "walk" } }),
        (d, st) => (st.chatId = (d.createChat as { id: string }).id),
      ),
    ],
  },
  "mutation updateChat": { calls: [call("a1", (s) => ({ input: { id: s.chats.a1.chatId, title: "renamed" } }))] },
  "mutation deleteChat": { leaf: "a Boolean" },
  "mutation deleteAllChats": { leaf: "a count" },
  "mutation sendChatMessage": {
    calls: [
      call(
        "a1",
        (_s, st) => ({ input: { chatId: st.chatId, text: "walk prompt", model: "synthetic", sampling: { maxNewTokens: 4 } } }),
        (d, st) => {
          st.walkPromptId = (d.sendChatMessage as { prompterMessage: { id: string } }).prompterMessage.id;
        },
      ),
    ],
  },
  "mutation regenerate": {
    calls: [
      call(
        "a1",
        (s) => ({ input: { parentId: s.chats.a1.promptId, model: "synthetic", sampling: { maxNewTokens: 4 } } }),
        (d, st) => {
          st.regenerated = (d.regenerate as { assistantMessage: { id: string } }).assistantMessage.id;
        },
      ),
    ],
  },
  "mutation cancelGeneration": { calls: [call("a1", (_s, st) => ({ messageId: st.regenerated }))] },
  "mutation continueGeneration": { calls: [call("a1", (s) => ({ messageId: s.chats.a1.answers[0] }))] },
  "mutation chooseDraft": { leaf: "ids of the caller's own chat" },
  "mutation voteChatMessage": { calls: [call("a1", (s) => ({ input: { messageId: s.chats.a1.answers[1], score: -1 } }))] },
  "mutation reportChatMessage": { calls: [call("a1", (s) => ({ input: { messageId: s.chats.a1.answers[1], reportType: "SPAM", reason: "walk" } }))] },
  "mutation resolveChatReport": { calls: [call("aAdmin", (s) => ({ input: { reportId: s.chats.a1.reportId, resolution: "walked" } }))] },
  "mutation workerTokens": { never: NEVER_WORKER },
  "mutation workerFinish": { never: NEVER_WORKER },
  "mutation workerFail": { never: NEVER_WORKER },
  "mutation workerHeartbeat": { never: NEVER_WORKER },
  "mutation drainWorker": { never: NEVER_SYSTEM },
  "mutation setTreeHalted": { leaf: "the state of a tree of A's own messages" },
  "mutation retryScoring": { never: NEVER_SYSTEM },
  "mutation deleteMessage": { leaf: "ids of A's own messages" },
  "mutation undeleteMessage": { leaf: "ids of A's own messages" },
  "mutation editMessage": { calls: [call("aAdmin", (s) => ({ input: { messageId: s.msg.rB1, text: "A edits its own reply in B's tree" } }))] },
  "mutation markFlaggedProcessed": { calls: [call("aAdmin", (s) => ({ input: { messageId: s.msg.rA2 } }))] },
  "mutation deleteUserMessages": { leaf: "a count" },
  "mutation updateUser": { leaf: "a User, which leads nowhere" },
  "mutation acceptTermsOfService": { never: NEVER_TRUSTED },
  "mutation deleteMyAccount": { never: "the user's own act, through a user token (minted by a trusted client) or a trusted client" },
  // a1's own tokens (a1 calls with its client's key and a user header, so nothing later depends on them); and an
  // admin's call for one of A's users
  "mutation revokeUserTokens": { calls: [call("a1"), call("aAdmin", (s) => ({ input: { userId: s.users.a2.id } }))] },
  "mutation deleteUser": { leaf: "a User, which leads nowhere" },
  "mutation mergeUsers": { calls: [call("aAdmin", (s) => ({ input: { destinationUserId: s.users.a4.id, sourceUserIds: [s.users.a5.id] } }))] },
  "mutation purgeUser": { never: NEVER_SYSTEM },
  "mutation purgeUserMessages": { never: NEVER_SYSTEM },
  "mutation refreshLeaderboards": { never: NEVER_SYSTEM },
  "mutation setLeaderboardVisibility": { leaf: "a User, which leads nowhere" },
  "mutation refreshCachedStats": { never: NEVER_SYSTEM },
  // a battle of a1's, between the in-process worker's model and the walk's second worker's
  "mutation startBattle": {
    calls: [
      call(
        "a1",
        () => ({ input: { text: "walk battle" } }),
        (d, st) => {
          const p = d.startBattle as { battle: { id: string }; answerA: string; answerB: string };
          Object.assign(st, { battleId: p.battle.id, battleA: p.answerA, battleB: p.answerB });
        },
      ),
    ],
  },
  "mutation continueBattle": {
    calls: [
      call(
        "a1",
        async (s, st) => {
          await ended(st, s.as.a1, [st.battleA, st.battleB]);
          return { input: { battleId: st.battleId, text: "walk battle, again" } };
        },
        (d, st) => {
          const p = d.continueBattle as { answerA: string; answerB: string };
          Object.assign(st, { battleA2: p.answerA, battleB2: p.answerB });
        },
      ),
    ],
  },
  "mutation revealBattle": { calls: [call("a1", (_s, st) => ({ battleId: st.battleId }))] },
  "mutation voteBattle": {
    calls: [
      call("a1", async (s, st) => {
        await ended(st, s.as.a1, [st.battleA2, st.battleB2]);
        return { input: { battleId: st.battleId, winner: "TIE" } };
      }),
    ],
  },
  "mutation setArenaVoterExclusion": { leaf: "a voter's exclusion state" },
  "mutation refreshModelLeaderboard": { never: NEVER_SYSTEM },
  // subscriptions
  "subscription heartbeat": { leaf: "beats" },
  "subscription generation": { calls: [call("a1", (s) => ({ messageId: s.chats.a1.answers[1] }))] },
  "subscription workerJobs": { never: NEVER_WORKER },
  "subscription leaderboardUpdated": { leaf: "counts of a recomputation" },
  "subscription modelLeaderboardUpdated": { leaf: "the filter and time of a recomputation" },
};

/** Waits until the chat answers have ended (the walk's battle votes and continues only then). */
async function ended(st: State, as: RequestOptions, ids: string[]): Promise<void> {
  for (const id of ids) {
    for (;;) {
      const r = await rawGql<{ chatMessage: { state: string } }>(st.url, `query($id: ID!) { chatMessage(id: $id) { state } }`, { id }, as);
      if (r.data && !["PENDING", "IN_PROGRESS"].includes(r.data.chatMessage.state)) break;
      await new Promise((res) => setTimeout(res, 20));
    }
  }
}

/** References a visible record may hold to a hidden one: they name it, and nothing behind them can be read. */
const REFERENCES = new Set<Edge>([
  "Message.parentId",
  "Message.messageTreeId",
  "MessageTree.id",
  "MessageTreeStateInfo.messageTreeId",
  "TreeMessageCount.messageTreeId",
]);

/** Fields whose value names a record of a kind, for the check that every record shown is A's. */
type Kind = "message" | "user" | "chat" | "chatMessage" | "client" | "tree";
const OWNED: Record<Edge, Kind> = {
  "Message.id": "message",
  "Message.userId": "user",
  "User.id": "user",
  "User.apiClientId": "client",
  "ApiClient.id": "client",
  "Chat.id": "chat",
  "Chat.userId": "user",
  "ChatMessage.id": "chatMessage",
  "ChatMessage.chatId": "chat",
  "ChatReport.chatId": "chat",
  "ChatReport.messageId": "chatMessage",
  "ChatReport.userId": "user",
  "ChatDraftChoice.chatId": "chat",
  "ChatDraftChoice.userId": "user",
  "ArenaBattle.chatId": "chat",
  "AnnotatorQuality.userId": "user",
  "ArenaBattle.answersA": "chatMessage",
  "ArenaBattle.answersB": "chatMessage",
  "ConversationMessage.userId": "user",
  "FlaggedMessage.messageId": "message",
  "MessageRevisionNode.messageId": "message",
  "UserScore.userId": "user",
  "TrollScore.userId": "user",
  "UserStats.userId": "user",
  "JournalEntry.apiClientId": "client",
  "ParentRankingAgreement.parentId": "message",
  "TreeMessageCount.messageTreeId": "tree",
  "MessageTreeStateInfo.messageTreeId": "tree",
  "MessageDeletionResult.changedIds": "message",
};

interface Answer {
  root: string;
  as: Caller | "trusted";
  data: unknown;
}

describe("visibility: every nested field keeps the root queries' visibility for an untrusted client (class test)", function () {
  this.timeout(300_000);
  let server: TestServer;
  let schema: GraphQLSchema;
  let seed: TwoClients;
  const answers: Answer[] = [];
  const covered = new Set<Edge>();
  const failures: string[] = [];
  const state: State = {};
  let fields: Map<string, { kind: OperationKind; field: GraphQLField<unknown, unknown> }>;
  let arenaWorker: TestWorker | undefined;

  before(async () => {
    server = await startTestServer({ ...TWO_CLIENTS_ENV, MAX_QUERY_DEPTH: "30", MAX_QUERY_COMPLEXITY: "2000000000" }); // the walk nests every list three levels deep
    schema = await getSchema();
    fields = new Map(rootOperations(schema).map((o) => [`${o.kind} ${o.name}`, { kind: o.kind, field: o.field }]));
    seed = await seedTwoClients(server, `vw${crypto.randomBytes(2).toString("hex")}`);
    state.url = server.url;
    // A second model with a worker, so battles (the in-process worker's synthetic against it) can be walked.
    arenaWorker = new TestWorker(server.wsUrl, (await server.createClient({ name: "walk worker", kind: ApiClientKind.WORKER })).key, {
      name: "walk-worker",
      models: ["chorus-tiny"],
      batches: 1,
    });
    await arenaWorker.start();
    // A battle already there for the reads (as startBattle stores one), on a1's chat.
    state.seededBattle = crypto.randomUUID();
    await server.chorus.app.ds.query(
      `INSERT INTO arena_battle (id, chat_id, user_id, model_a, model_b, source, answers_a, answers_b) SELECT $1, c.id, c.user_id, 'synthetic', 'chorus-tiny', 'BATTLE', $3, $4 FROM chat c WHERE c.id = $2`,
      [state.seededBattle, seed.chats.a1.chatId, [seed.chats.a1.answers[0]], [seed.chats.a1.answers[1]]],
    );
  });
  after(async () => {
    await arenaWorker?.stop();
    await server?.stop();
  });

  const notOwned: string[] = [];
  let recordsChecked = 0;

  /** Every record of a known kind in an answer is A's (and a chat, for a1, a1's), read from the database at once. */
  async function checkOwnership(a: Answer): Promise<void> {
    const ds = server.chorus.app.ds;
    const found: { kind: Kind; id: string; where: string }[] = [];
    scan(a.data, "", null, null, (path, edge, value) => {
      const kind = edge ? OWNED[edge] : undefined;
      if (kind) found.push({ kind, id: value, where: `${a.root} as ${a.as}: ${path}` });
    });
    // a frontend id shown in a task belongs to one of A's messages
    for (const m of objects(a.data).filter((o) => o.__typename === "ConversationMessage" && o.frontendMessageId !== null)) {
      found.push({ kind: "message", id: String(m.id), where: `${a.root} as ${a.as}: a task's conversation shows the frontend id of ${String(m.id)}` });
    }
    recordsChecked += found.length;
    const sql: Record<Kind, string> = {
      message: `SELECT id::text FROM message WHERE id::text = ANY($1) AND api_client_id = $2`,
      user: `SELECT id::text FROM "user" WHERE id::text = ANY($1) AND api_client_id = $2`,
      chat: `SELECT c.id::text FROM chat c JOIN "user" u ON u.id = c.user_id WHERE c.id::text = ANY($1) AND u.api_client_id = $2 AND ($3::uuid IS NULL OR u.id = $3)`,
      chatMessage: `SELECT m.id::text FROM chat_message m JOIN chat c ON c.id = m.chat_id JOIN "user" u ON u.id = c.user_id
                    WHERE m.id::text = ANY($1) AND u.api_client_id = $2 AND ($3::uuid IS NULL OR u.id = $3)`,
      client: `SELECT id::text FROM api_client WHERE id::text = ANY($1) AND id = $2`,
      tree: `SELECT DISTINCT message_tree_id::text AS id FROM message WHERE message_tree_id::text = ANY($1) AND api_client_id = $2`,
    };
    for (const kind of Object.keys(sql) as Kind[]) {
      const mine = found.filter((f) => f.kind === kind);
      if (mine.length === 0) continue;
      // a1 reads only its own chats; A acting as itself (ADMIN) reads its users' chats
      const onlyUser = (kind === "chat" || kind === "chatMessage") && a.as === "a1" ? seed.users.a1.id : null;
      const params =
        kind === "chat" || kind === "chatMessage"
          ? [[...new Set(mine.map((f) => f.id))], seed.A.id, onlyUser]
          : [[...new Set(mine.map((f) => f.id))], seed.A.id];
      const ok = new Set(((await ds.query(sql[kind], params)) as { id: string }[]).map((r) => r.id));
      for (const f of mine) if (!ok.has(f.id)) notOwned.push(`${f.where}: ${kind} ${f.id} is not ${onlyUser ? "a1's" : "client A's"}`);
    }
  }

  const credsOf = (as: Caller | "trusted"): RequestOptions => (as === "trusted" ? { key: server.adminKey } : seed.as[as]);

  async function run(name: string, as: Caller | "trusted", vars: Record<string, unknown>, selected: Set<Edge>) {
    const { kind, field } = fields.get(name)!;
    const document = walkDocument(schema, kind, field, Object.keys(vars), DEPTH, selected);
    if (kind !== "subscription") {
      const res = await rawGql(server.url, document, vars, credsOf(as));
      return { data: res.data, errors: res.errors };
    }
    const c = credsOf(as);
    const client = wsClient(server.wsUrl, { authorization: `Bearer ${c.key}`, ...(c.user ? { user: c.user } : {}) });
    try {
      return await new Promise<{ data?: unknown; errors?: unknown[] }>((resolve) => {
        const events: unknown[] = [];
        const timer = setTimeout(() => resolve({ errors: [{ message: "no end within 20 s", events }] }), 20_000);
        client.subscribe(
          { query: document, variables: vars },
          {
            next: (r) => {
              if (!r.errors) return void events.push(r.data);
              clearTimeout(timer);
              resolve({ errors: [...r.errors] });
            },
            error: (e) => {
              clearTimeout(timer);
              resolve({ errors: Array.isArray(e) ? e : [{ message: String(e) }] });
            },
            complete: () => {
              clearTimeout(timer);
              resolve({ data: events });
            },
          },
        );
      });
    } finally {
      await client.dispose();
    }
  }

  it("has a row for every root operation of the schema, and every row names one", () => {
    const names = [...fields.keys()];
    const missing = names.filter((n) => !(n in WALK));
    const stale = Object.keys(WALK).filter((n) => !fields.has(n));
    expect(missing, `root operations without a row in WALK (test/integration/visibility.test.ts): ${missing.join(", ")}`).to.deep.equal([]);
    expect(stale, `WALK rows naming no operation: ${stale.join(", ")}`).to.deep.equal([]);
  });

  it("leaf rows answer with no object-returning field, so there is nothing to walk", () => {
    const wrong = Object.entries(WALK)
      .filter(([name, row]) => "leaf" in row && fields.has(name) && reachableEdges(schema, fields.get(name)!.field).size > 0)
      .map(([name]) => name);
    expect(wrong, `rows marked leaf whose answers lead to other records (walk them): ${wrong.join(", ")}`).to.deep.equal([]);
  });

  it("refuses an untrusted client every operation it may never do, whatever its role", async () => {
    const wrong: string[] = [];
    for (const [name, row] of Object.entries(WALK)) {
      if (!("never" in row) || !fields.has(name)) continue;
      for (const as of ["a1", "aAdmin"] as const) {
        const { kind, field } = fields.get(name)!;
        const vars = minimalVariables({ kind, name: field.name, field });
        const res = await run(name, as, vars, new Set());
        const code = (res.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code;
        if (code !== "FORBIDDEN") wrong.push(`${name} as ${as}: ${code ?? "data"} (${JSON.stringify(res.errors ?? res.data).slice(0, 200)})`);
      }
    }
    expect(wrong, wrong.join("\n")).to.deep.equal([]);
  });

  it("walks every root from A's own records, as A's user and as A itself, and every call answers", async () => {
    for (const [name, row] of Object.entries(WALK)) {
      if (!("calls" in row)) continue;
      for (const c of row.calls) {
        const selected = new Set<Edge>();
        const vars = await c.vars(seed, state);
        const res = await run(name, c.as, vars, selected);
        if (res.errors) {
          failures.push(`${name} as ${c.as} ${JSON.stringify(vars)}: ${JSON.stringify(res.errors).slice(0, 400)}`);
          continue;
        }
        for (const e of selected) covered.add(e);
        answers.push({ root: name, as: c.as, data: res.data });
        await checkOwnership({ root: name, as: c.as, data: res.data });
        c.keep?.(res.data as Record<string, unknown>, state);
      }
    }
    expect(failures, failures.join("\n")).to.deep.equal([]);
  });

  it("has walked every object-returning field reachable from the walked roots", () => {
    const reachable = new Set<Edge>();
    for (const [name, row] of Object.entries(WALK)) {
      if ("calls" in row && fields.has(name)) for (const e of reachableEdges(schema, fields.get(name)!.field)) reachable.add(e);
    }
    expect(edgesNeedingArguments(schema, reachable), "nested fields that need arguments cannot be walked").to.deep.equal([]);
    const missed = [...reachable].filter((e) => !covered.has(e)).sort();
    expect(missed, `fields never walked (walk deeper, or reach them from another root): ${missed.join(", ")}`).to.deep.equal([]);
    expect(covered.size).to.be.greaterThan(40);
  });

  it("never shows A another client's records, texts, names or frontend ids, nor a1 another user's chats", async () => {
    const hits: string[] = [];
    const tokensFor = {
      a1: await foreignTokens(server, seed, { otherUsersChats: true }),
      aAdmin: await foreignTokens(server, seed, { otherUsersChats: false }),
    };
    for (const a of answers) {
      const tokens = tokensFor[a.as as Caller];
      // a task shows the shared pool's conversation (texts and message ids), never who wrote it or their frontend ids
      const inTask = a.root === "mutation requestTask";
      scan(a.data, "", null, null, (path, edge, value) => {
        for (const [token, kind] of tokens) {
          if (!value.includes(token)) continue;
          if (kind === "message" && (inTask || (edge !== null && REFERENCES.has(edge)))) continue;
          hits.push(`${a.root} as ${a.as}: ${path} = ${JSON.stringify(value).slice(0, 120)} holds ${kind} ${token}`);
        }
      });
    }
    expect(hits, hits.join("\n")).to.deep.equal([]);
    // the walk did meet the overlap: B's message ids as references, and B's texts in the task
    const taskText = answers.some((a) => a.root === "mutation requestTask" && JSON.stringify(a.data).includes("FOREIGN-B-MSG"));
    const parentRef = answers.some((a) => a.root === "query message" && JSON.stringify(a.data).includes(seed.msg.rA1));
    expect({ taskText, parentRef }).to.deep.equal({ taskText: true, parentRef: true });
  });

  it("shows A only records that belong to A (and to a1, for a1's chats), read back from the database as each answer came", () => {
    expect(notOwned, notOwned.join("\n")).to.deep.equal([]);
    expect(recordsChecked, "records checked").to.be.greaterThan(100);
  });

  it("answers the reported attack: message(own) { parent { children { text } } } reads nothing of B's", async () => {
    const attack = `query($id: ID!) { message(id: $id) { id parentId parent { id text frontendMessageId children { id text frontendMessageId } } } }`;
    const res = await rawGql<{ message: { parentId: string; parent: unknown } }>(server.url, attack, { id: seed.msg.rA3 }, seed.as.a1);
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    expect(res.data!.message).to.deep.equal({ id: seed.msg.rA3, parentId: seed.msg.rA1, parent: null });
    const direct = await rawGql(server.url, `query($id: ID!) { message(id: $id) { id } }`, { id: seed.msg.rA1 }, seed.as.a1);
    expect(direct.errors?.[0]?.extensions?.code).to.equal("MESSAGE_NOT_FOUND");
    // from A's own root: only A's reply, and a count that matches it
    const root = await rawGql<{ message: { childrenCount: number; children: { id: string }[] } }>(
      server.url,
      `query($id: ID!) { message(id: $id) { childrenCount children { id } } }`,
      { id: seed.msg.taRoot },
      seed.as.a1,
    );
    expect(root.data!.message).to.deep.equal({ childrenCount: 1, children: [{ id: seed.msg.rA2 }] });
    const trusted = await rawGql<{ message: { childrenCount: number } }>(
      server.url,
      `query($id: ID!) { message(id: $id) { childrenCount } }`,
      { id: seed.msg.taRoot },
      { key: server.adminKey },
    );
    expect(trusted.data!.message.childrenCount).to.equal(2);
  });

  it("lets only trusted clients set the hidden _skip_* markers", async () => {
    const m = `mutation($input: SetEmojiInput!) { setEmoji(input: $input) { id emojis { emoji count } } }`;
    const input = { messageId: seed.msg.taRoot, emoji: "_skip_reply", op: "ADD" };
    const refused = await rawGql(server.url, m, { input }, seed.as.a1);
    expect(refused.errors?.[0]?.extensions?.code).to.equal("FORBIDDEN");
    const trusted = await server.createClient({ name: "trusted frontend", trusted: true });
    const set = await rawGql<{ setEmoji: { emojis: { emoji: string }[] } }>(server.url, m, { input }, { key: trusted.key, user: "local:trusted-user" });
    expect(set.errors, JSON.stringify(set.errors)).to.equal(undefined);
    expect(set.data!.setEmoji.emojis.map((e) => e.emoji)).to.include("_skip_reply");
  });

  it("as a trusted admin, the same walk does reach B's data through the nested fields (the seed overlaps)", async () => {
    const tokens = await foreignTokens(server, seed, { otherUsersChats: false });
    const reached = new Set<string>();
    for (const [name, row] of Object.entries(WALK)) {
      if (!("calls" in row) || !name.startsWith("query ")) continue;
      for (const c of row.calls) {
        const res = await run(name, "trusted", await c.vars(seed, state), new Set());
        if (res.errors) continue; // a query for an acting user: the trusted admin acts for none
        foreignEdges(res.data, null, [...tokens.keys()], reached);
      }
    }
    const expected = [
      "Message.parent",
      "Message.children",
      "Message.user",
      "Message.longestConversationInTree",
      "Message.maxChildrenInTree",
      "MessageBranch.replies",
      "MessageTree.messages",
      "MessageTree.root",
      "MessageTreeNode.replies",
      "MessageConnection.edges",
      "FlaggedMessage.message",
      "ChatReportEdge.node",
      "ChatReport.message",
      "JournalEntryEdge.node",
      "UserEdge.node",
      "UserScoreEdge.node",
      "TrollScoreEdge.node",
      "RankingAgreement.perParent",
    ];
    expect(
      expected.filter((e) => !reached.has(e)),
      `reached: ${[...reached].sort().join(", ")}`,
    ).to.deep.equal([]);
  });
});

/** Calls `visit` with every string of an answer, its path, and the `Type.field` it is the value of. */
function scan(
  value: unknown,
  path: string,
  typename: string | null,
  key: string | null,
  visit: (path: string, edge: Edge | null, value: string) => void,
): void {
  if (typeof value === "string") {
    visit(path, typename && key ? `${typename}.${key}` : null, value);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => scan(v, `${path}[${i}]`, typename, key, visit));
  } else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    // inside a JSON scalar (a journal payload) the owning field stays the one that holds the JSON
    const t = typeof o.__typename === "string" ? o.__typename : null;
    for (const [k, v] of Object.entries(o)) {
      if (k === "__typename") continue;
      scan(v, path ? `${path}.${k}` : k, t ?? typename, t ? k : key, visit);
    }
  }
}

function objects(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(objects);
  if (!value || typeof value !== "object") return [];
  const o = value as Record<string, unknown>;
  return [o, ...Object.values(o).flatMap(objects)];
}

/** Records `Type.field` for every object-valued field whose value holds one of the tokens; returns whether `value` does. */
function foreignEdges(value: unknown, typename: string | null, tokens: string[], reached: Set<string>): boolean {
  if (typeof value === "string") return tokens.some((t) => value.includes(t));
  if (Array.isArray(value)) return value.map((v) => foreignEdges(v, typename, tokens, reached)).some(Boolean);
  if (!value || typeof value !== "object") return false;
  const o = value as Record<string, unknown>;
  const t = typeof o.__typename === "string" ? o.__typename : typename;
  let any = false;
  for (const [k, v] of Object.entries(o)) {
    const has = foreignEdges(v, t, tokens, reached);
    if (has && v && typeof v === "object" && t) reached.add(`${t}.${k}`);
    any ||= has;
  }
  return any;
}
