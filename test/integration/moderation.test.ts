import crypto from "node:crypto";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { collect, errorCode, gql, rawGql, wsClient, type GqlResponse } from "../helpers/graphql.js";
import { Role } from "../../src/modules/users/role.js";
import {
  AcceptTermsOfServiceDocument,
  DeleteMessageDocument,
  DeleteUserDocument,
  DeleteUserMessagesDocument,
  EditMessageDocument,
  FlaggedMessagesDocument,
  JournalDocument,
  MarkFlaggedProcessedDocument,
  MergeUsersDocument,
  MessageHistoryDocument,
  PurgeUserDocument,
  PurgeUserMessagesDocument,
  SettingsDocument,
  SystemStatsDocument,
  TreeManagerStatsDocument,
  UndeleteMessageDocument,
  UpdateUserDocument,
  type FlaggedMessagesQuery,
  type JournalQuery,
} from "../../client/generated/graphql.js";

/** Every table a moderation action could touch; a digest of each tells whether anything changed. */
const TABLES = [
  "message",
  "message_tree_state",
  "message_emoji",
  "flagged_message",
  "message_revision",
  "journal",
  "task",
  "text_labels",
  "message_reaction",
  "user_stats",
  '"user"',
  "chat",
];

interface JournalRow {
  event_type: string;
  user_id: string | null;
  api_client_id: string;
  target_id: string;
  message_id: string | null;
  event_payload: { before: Record<string, unknown>; after: Record<string, unknown>; [k: string]: unknown };
}

describe("moderation and admin (spec §4.5, §6.6, §7.2, §7.3, §9.3-§9.5)", function () {
  this.timeout(60_000);
  let server: TestServer;
  /** A trusted frontend: acting for its users, or for nobody, it has USER powers. */
  let key: string;
  let clientId: string;
  /** A moderators' console: a trusted client with role MODERATOR acting for nobody. */
  let modKey: string;
  let modClientId: string;
  let adminKey: string;
  const ds = () => server.chorus.app.ds;

  before(async () => {
    server = await startTestServer();
    ({ key, id: clientId } = await server.createClient({ name: "frontend", trusted: true }));
    ({ key: modKey, id: modClientId } = await server.createClient({ name: "moderation console", trusted: true, role: Role.MODERATOR }));
    adminKey = server.adminKey;
  });
  after(async () => {
    await server.stop();
  });

  const call = <T = Record<string, unknown>>(k: string, query: string, variables: Record<string, unknown> = {}, user?: string) =>
    rawGql<T>(server.url, query, variables, { key: k, user });
  /** A typed document from schema/operations, as a frontend sends it. */
  const op = <T, V>(k: string, doc: TypedDocumentNode<T, V>, variables: V, user?: string) => gql(server.url, doc, variables, { key: k, user });
  const ok = <T>(res: GqlResponse<T>): T => {
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    return res.data!;
  };

  /** A user of the frontend, created through the API (find-or-create). */
  async function makeUser(name: string): Promise<string> {
    const res = ok(
      await call<{ viewer: { user: { id: string } } }>(key, `query($u: UserRefInput) { viewer(user: $u) { user { id } } }`, {
        u: { authMethod: "local", id: name, displayName: name },
      }),
    );
    return res.viewer.user.id;
  }

  let seq = 0;
  /** A message inserted directly (set-up only), with its tree state when it is a root. */
  async function insertMessage(opts: { parent?: string | null; user: string; created?: Date; lang?: string; treeState?: string }): Promise<string> {
    const id = crypto.randomUUID();
    let tree = id;
    let depth = 0;
    if (opts.parent) {
      const [p] = await ds().query(`SELECT message_tree_id, depth FROM message WHERE id = $1`, [opts.parent]);
      tree = p.message_tree_id;
      depth = p.depth + 1;
      await ds().query(`UPDATE message SET children_count = children_count + 1 WHERE id = $1`, [opts.parent]);
    }
    await ds().query(
      `INSERT INTO message (id, parent_id, message_tree_id, user_id, role, api_client_id, frontend_message_id, text, lang, depth, review_result, review_count, created_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, true, 3, $11)`,
      [
        id,
        opts.parent ?? null,
        tree,
        opts.user,
        depth % 2 === 1 ? "assistant" : "prompter",
        clientId,
        `mod-${++seq}-${id}`,
        `text ${seq}`,
        opts.lang ?? "mo",
        depth,
        opts.created ?? new Date(),
      ],
    );
    if (!opts.parent) {
      await ds().query(
        `INSERT INTO message_tree_state (message_tree_id, goal_tree_size, max_depth, max_children_count, state, active, lang, won_prompt_lottery_date)
         VALUES ($1, 12, 3, 3, $2, $3, $4, now())`,
        [id, opts.treeState ?? "growing", (opts.treeState ?? "growing") === "growing", opts.lang ?? "mo"],
      );
    }
    return id;
  }

  /** A digest of every table: equal digests mean nothing changed. */
  async function snapshot(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const t of TABLES) {
      const [r] = await ds().query(`SELECT count(*)::int AS n, coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS h FROM ${t} x`);
      out[t] = `${r.n}:${r.h}`;
    }
    return out;
  }

  async function journalFor(targetId: string, eventType: string): Promise<JournalRow[]> {
    return ds().query(
      `SELECT event_type, user_id, api_client_id, target_id, message_id, event_payload FROM journal WHERE target_id = $1 AND event_type = $2 ORDER BY id`,
      [targetId, eventType],
    );
  }

  const deleted = async (ids: string[]) =>
    Object.fromEntries(
      ((await ds().query(`SELECT id, deleted FROM message WHERE id = ANY($1::uuid[])`, [ids])) as { id: string; deleted: boolean }[]).map((r) => [
        r.id,
        r.deleted,
      ]),
    );

  // --- privileges -----------------------------------------------------------------------------

  it("refuses every moderation mutation to a caller without the role, changing nothing (undelete included: the reference's missing check is fixed)", async () => {
    const author = await makeUser("priv-author");
    const other = await makeUser("priv-other");
    const root = await insertMessage({ user: author });
    const reply = await insertMessage({ parent: root, user: other });
    await ds().query(`UPDATE message SET deleted = true WHERE id = $1`, [reply]);
    await ds().query(`INSERT INTO flagged_message (message_id) VALUES ($1)`, [root]);
    const m = { input: { messageId: reply } };
    const u = { input: { userId: author } };
    const cases: [string, string, Record<string, unknown>, string][] = [
      // [what, document, variables, key of a caller one role short]
      ["deleteMessage", `mutation($input: MessageIdInput!) { deleteMessage(input: $input) { changedIds } }`, { input: { messageId: root } }, key],
      ["undeleteMessage", `mutation($input: MessageIdInput!) { undeleteMessage(input: $input) { changedIds } }`, m, key],
      ["editMessage", `mutation($input: EditMessageInput!) { editMessage(input: $input) { id } }`, { input: { messageId: root, text: "vandalised" } }, key],
      ["markFlaggedProcessed", `mutation($input: MessageIdInput!) { markFlaggedProcessed(input: $input) { processed } }`, { input: { messageId: root } }, key],
      ["deleteUserMessages", `mutation($input: UserIdInput!) { deleteUserMessages(input: $input) { deletedCount } }`, u, key],
      ["updateUser", `mutation($input: UpdateUserInput!) { updateUser(input: $input) { id } }`, { input: { userId: author, enabled: false, notes: "x" } }, key],
      ["setTreeHalted", `mutation($m: ID!) { setTreeHalted(input: { messageId: $m, halt: true }) { state } }`, { m: root }, key],
      ["deleteUser", `mutation($input: UserIdInput!) { deleteUser(input: $input) { id } }`, u, modKey],
      [
        "mergeUsers",
        `mutation($input: MergeUsersInput!) { mergeUsers(input: $input) { mergedUserIds } }`,
        { input: { destinationUserId: author, sourceUserIds: [other] } },
        modKey,
      ],
      ["purgeUser", `mutation($input: PurgeUserInput!) { purgeUser(input: $input) { preview } }`, { input: { userId: author, preview: false } }, modKey],
      [
        "purgeUserMessages",
        `mutation($input: PurgeUserMessagesInput!) { purgeUserMessages(input: $input) { preview } }`,
        { input: { userId: author, preview: false } },
        modKey,
      ],
      ["retryScoring", `mutation { retryScoring { treeId } }`, {}, modKey],
    ];
    const before = await snapshot();
    for (const [name, doc, vars, k] of cases) {
      const res = await call(k, doc, vars);
      expect(errorCode(res), name).to.equal("FORBIDDEN");
      expect(res.data, name).to.equal(null);
    }
    // a user of the trusted frontend, acting for themselves, is refused as well
    expect(errorCode(await call(key, cases[1][1], m, "local:priv-other"))).to.equal("FORBIDDEN");
    // the reads are guarded too
    for (const q of [
      `{ flaggedMessages { edges { cursor } } }`,
      `{ systemStats { all } }`,
      `{ treeManagerStats { stateCounts { state } } }`,
      `query($m: ID!) { messageHistory(messageId: $m) { id } }`,
    ]) {
      expect(errorCode(await call(key, q, { m: root })), q).to.equal("FORBIDDEN");
    }
    for (const q of [`{ settings { name } }`, `{ journal { edges { cursor } } }`]) expect(errorCode(await call(modKey, q)), q).to.equal("FORBIDDEN");
    expect(await snapshot()).to.deep.equal(before);
    // an untrusted client cannot record a ToS acceptance
    const untrusted = await server.createClient({ name: "untrusted" });
    expect(errorCode(await rawGql(server.url, `mutation { acceptTermsOfService { id } }`, {}, { key: untrusted.key, user: "local:someone" }))).to.equal(
      "FORBIDDEN",
    );
  });

  it("an untrusted client with a moderator role acts only on its own client's messages and users", async () => {
    const u = await makeUser("scope-u");
    const m = await insertMessage({ user: u });
    const outsider = await server.createClient({ name: "untrusted moderators", role: Role.MODERATOR });
    const before = await snapshot();
    expect(errorCode(await op(outsider.key, DeleteMessageDocument, { input: { messageId: m } }))).to.equal("MESSAGE_NOT_FOUND");
    expect(errorCode(await op(outsider.key, UpdateUserDocument, { input: { userId: u, enabled: false } }))).to.equal("NOT_FOUND");
    expect(await snapshot()).to.deep.equal(before);
  });

  it("answers NOT_FOUND (MESSAGE_NOT_FOUND for messages) for missing targets and changes nothing", async () => {
    const someone = await makeUser("nf-someone");
    const live = await insertMessage({ user: someone });
    const missing = crypto.randomUUID();
    const before = await snapshot();
    const messageCases: [string, Record<string, unknown>][] = [
      [`mutation($input: MessageIdInput!) { deleteMessage(input: $input) { changedIds } }`, { input: { messageId: missing } }],
      [`mutation($input: MessageIdInput!) { undeleteMessage(input: $input) { changedIds } }`, { input: { messageId: "not-a-uuid" } }],
      [`mutation($input: EditMessageInput!) { editMessage(input: $input) { id } }`, { input: { messageId: missing, text: "x" } }],
      [`query($m: ID!) { messageHistory(messageId: $m) { id } }`, { m: missing }],
    ];
    for (const [doc, vars] of messageCases) expect(errorCode(await call(modKey, doc, vars)), doc).to.equal("MESSAGE_NOT_FOUND");
    const notFound: [string, Record<string, unknown>][] = [
      [`mutation($input: MessageIdInput!) { markFlaggedProcessed(input: $input) { processed } }`, { input: { messageId: live } }], // exists, never flagged
      [`mutation($input: MessageIdInput!) { markFlaggedProcessed(input: $input) { processed } }`, { input: { messageId: missing } }],
      [`mutation($input: UserIdInput!) { deleteUserMessages(input: $input) { deletedCount } }`, { input: { userId: missing } }],
      [`mutation($input: UpdateUserInput!) { updateUser(input: $input) { id } }`, { input: { userId: missing, enabled: false } }],
      // An empty id is missing too (it was an internal error: the fuzzer found it through setLeaderboardVisibility).
      [`mutation($input: UpdateUserInput!) { updateUser(input: $input) { id } }`, { input: { userId: "", enabled: false } }],
      [`mutation($input: SetLeaderboardVisibilityInput!) { setLeaderboardVisibility(input: $input) { id } }`, { input: { userId: "", show: false } }],
      [`mutation($input: UserIdInput!) { deleteUser(input: $input) { id } }`, { input: { userId: missing } }],
      [
        `mutation($input: MergeUsersInput!) { mergeUsers(input: $input) { mergedUserIds } }`,
        { input: { destinationUserId: missing, sourceUserIds: [someone] } },
      ],
      [
        `mutation($input: MergeUsersInput!) { mergeUsers(input: $input) { mergedUserIds } }`,
        { input: { destinationUserId: someone, sourceUserIds: [missing] } },
      ],
      [`mutation($input: PurgeUserInput!) { purgeUser(input: $input) { preview } }`, { input: { userId: missing, preview: false } }],
      [`mutation($input: PurgeUserMessagesInput!) { purgeUserMessages(input: $input) { preview } }`, { input: { userId: missing, preview: false } }],
      [`query($id: ID!) { user(id: $id) { id } }`, { id: missing }],
    ];
    for (const [doc, vars] of notFound) expect(errorCode(await call(adminKey, doc, vars)), doc).to.equal("NOT_FOUND");
    expect(
      errorCode(
        await call(adminKey, `mutation($input: MergeUsersInput!) { mergeUsers(input: $input) { mergedUserIds } }`, {
          input: { destinationUserId: someone, sourceUserIds: [someone] },
        }),
      ),
    ).to.equal("BAD_USER_INPUT");
    expect(
      errorCode(await call(modKey, `mutation($input: EditMessageInput!) { editMessage(input: $input) { id } }`, { input: { messageId: live, text: "   " } })),
    ).to.equal("BAD_USER_INPUT");
    expect(await snapshot()).to.deep.equal(before);
  });

  // --- messages -------------------------------------------------------------------------------

  it("deletes a message with its whole subtree and undeletes one with its ancestors, journaled", async () => {
    const u = await makeUser("del-u");
    const root = await insertMessage({ user: u });
    const a = await insertMessage({ parent: root, user: u });
    const b = await insertMessage({ parent: a, user: u });
    const c = await insertMessage({ parent: b, user: u });
    const sibling = await insertMessage({ parent: root, user: u });
    const del = ok(await op(modKey, DeleteMessageDocument, { input: { messageId: a } }));
    expect(del.deleteMessage.changedIds).to.have.members([a, b, c]);
    expect(await deleted([root, a, b, c, sibling])).to.deep.equal({ [root]: false, [a]: true, [b]: true, [c]: true, [sibling]: false });
    const [dj] = await journalFor(a, "message_deleted");
    expect(dj).to.include({ user_id: null, api_client_id: modClientId, message_id: a });
    expect(dj.event_payload.before).to.deep.equal({ deleted: false });
    expect(dj.event_payload.after).to.deep.equal({ deleted: true });
    expect(dj.event_payload.changed_ids).to.have.members([a, b, c]);
    // the tree's state and counts stay as they were (spec §4.5)
    expect((await ds().query(`SELECT children_count FROM message WHERE id = $1`, [root]))[0].children_count).to.equal(2);

    // undelete the deepest: it and its ancestors come back, the rest of the subtree does not move
    await ds().query(`UPDATE message SET deleted = true WHERE id = $1`, [root]);
    const un = ok(await op(modKey, UndeleteMessageDocument, { input: { messageId: b } }));
    expect(un.undeleteMessage.changedIds).to.have.members([b, a, root]);
    expect(await deleted([root, a, b, c])).to.deep.equal({ [root]: false, [a]: false, [b]: false, [c]: true });
    const [uj] = await journalFor(b, "message_undeleted");
    expect(uj.event_payload.before).to.deep.equal({ deleted: true });
    expect(uj.event_payload.changed_ids).to.have.members([b, a, root]);
  });

  it("works the same over graphql-ws: a moderator deletes, a plain caller is refused", async () => {
    const u = await makeUser("ws-u");
    const m = await insertMessage({ user: u });
    const plain = wsClient(server.wsUrl, { authorization: `Bearer ${key}` });
    const mod = wsClient(server.wsUrl, { authorization: `Bearer ${modKey}` });
    try {
      const refused = await collect(plain, DeleteMessageDocument, { input: { messageId: m } }, 1);
      expect(refused.results[0].errors?.[0].extensions?.code).to.equal("FORBIDDEN");
      expect(await deleted([m])).to.deep.equal({ [m]: false });
      const done = await collect(mod, DeleteMessageDocument, { input: { messageId: m } }, 1);
      expect(done.results[0].data?.deleteMessage.changedIds).to.deep.equal([m]);
      expect(await journalFor(m, "message_deleted")).to.have.length(1);
    } finally {
      await plain.dispose();
      await mod.dispose();
    }
  });

  it("soft-deletes every message of a user with their subtrees (deleteUserMessages), journaled", async () => {
    const u = await makeUser("dum-u");
    const other = await makeUser("dum-other");
    const root = await insertMessage({ user: other });
    const mine = await insertMessage({ parent: root, user: u });
    const below = await insertMessage({ parent: mine, user: other });
    const kept = await insertMessage({ parent: root, user: other });
    const res = ok(await op(modKey, DeleteUserMessagesDocument, { input: { userId: u } }));
    expect(res.deleteUserMessages.deletedCount).to.equal(2);
    expect(await deleted([root, mine, below, kept])).to.deep.equal({ [root]: false, [mine]: true, [below]: true, [kept]: false });
    const [j] = await journalFor(u, "user_messages_deleted");
    expect(j.event_payload.after).to.deep.equal({ deleted_count: 2 });
  });

  it("edits keep every revision: the original (author, date) first, then each edit (editor); messageHistory lists them oldest first", async () => {
    const author = await makeUser("edit-author");
    const modUser = await makeUser("edit-mod");
    ok(await call(adminKey, `mutation($input: SetUserRoleInput!) { setUserRole(input: $input) { id } }`, { input: { userId: modUser, role: "MODERATOR" } }));
    const created = new Date("2026-01-02T03:04:05.000Z");
    const m = await insertMessage({ user: author, created });
    const original = (await ds().query(`SELECT text FROM message WHERE id = $1`, [m]))[0].text as string;
    const history = () => op(modKey, MessageHistoryDocument, { messageId: m });
    expect(ok(await history()).messageHistory).to.deep.equal([]);
    const edit = (text: string) => op(key, EditMessageDocument, { input: { messageId: m, text } }, "local:edit-mod");
    expect(ok(await edit("first edit")).editMessage).to.deep.equal({ id: m, text: "first edit", edited: true });
    expect(ok(await edit("second edit")).editMessage.text).to.equal("second edit");
    const revs = ok(await history()).messageHistory;
    expect(revs.map((r) => [r.text, r.userId, r.userIsAuthor])).to.deep.equal([
      [original, author, true],
      ["first edit", modUser, false],
      ["second edit", modUser, false],
    ]);
    expect(revs[0].createdDate).to.equal(created.toISOString());
    const journal = await journalFor(m, "message_edited");
    expect(journal.map((j) => [j.user_id, j.event_payload.before.text, j.event_payload.after.text])).to.deep.equal([
      [modUser, original, "first edit"],
      [modUser, "first edit", "second edit"],
    ]);
    // the search vector follows the new text
    const found: unknown[] = await ds().query(`SELECT 1 FROM message WHERE id = $1 AND search_vector @@ plainto_tsquery('simple', 'second')`, [m]);
    expect(found).to.have.length(1);
  });

  it("flagged queue: red flags and reports fill it; keyset pages in flag order; markFlaggedProcessed takes one out of the unprocessed view, journaled", async () => {
    const author = await makeUser("flag-author");
    await makeUser("flag-reporter");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await insertMessage({ user: author, lang: "fq" }));
    // the real flagging paths: a red_flag emoji, and a report (which adds the reporter's red_flag)
    for (const id of ids.slice(0, 4)) {
      ok(
        await call(
          key,
          `mutation($input: SetEmojiInput!) { setEmoji(input: $input) { id } }`,
          { input: { messageId: id, op: "ADD", emoji: "red_flag" } },
          "local:flag-reporter",
        ),
      );
    }
    const report = ok(
      await call(
        key,
        `mutation($input: LabelMessageInput!) { labelMessage(input: $input) { taskId replayed } }`,
        { input: { messageId: ids[4], labels: [{ name: "spam", value: 1 }], text: "spam", isReport: true } },
        "local:flag-reporter",
      ),
    );
    // free labels answer no task: no invented task id
    expect(report.labelMessage).to.deep.equal({ taskId: null, replayed: false });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: FlaggedMessagesQuery = ok(await op(modKey, FlaggedMessagesDocument, { first: 2, after, processed: false }));
      pages += 1;
      for (const e of page.flaggedMessages.edges) {
        expect(e.node.message!.id).to.equal(e.node.messageId);
        if (ids.includes(e.node.messageId)) seen.push(e.node.messageId);
      }
      if (!page.flaggedMessages.pageInfo.hasNextPage) break;
      after = page.flaggedMessages.pageInfo.endCursor;
    }
    expect(seen).to.deep.equal(ids); // in the order they were flagged, each once
    expect(pages).to.be.greaterThanOrEqual(3);

    const marked = ok(await op(modKey, MarkFlaggedProcessedDocument, { input: { messageId: ids[1] } }));
    expect(marked.markFlaggedProcessed).to.deep.equal({ messageId: ids[1], processed: true });
    const unprocessed = ok(await op(modKey, FlaggedMessagesDocument, { first: 100, processed: false })).flaggedMessages.edges.map((e) => e.node.messageId);
    expect(unprocessed).to.not.include(ids[1]);
    expect(unprocessed).to.include(ids[0]);
    const processed = ok(await op(modKey, FlaggedMessagesDocument, { first: 100, processed: true })).flaggedMessages.edges.map((e) => e.node.messageId);
    expect(processed).to.deep.equal([ids[1]]);
    // a new red flag puts it back in the queue (spec §1.9: the upsert resets processed)
    await makeUser("flag-second");
    ok(
      await call(
        key,
        `mutation($input: SetEmojiInput!) { setEmoji(input: $input) { id } }`,
        { input: { messageId: ids[1], op: "ADD", emoji: "red_flag" } },
        "local:flag-second",
      ),
    );
    const again = ok(await op(modKey, FlaggedMessagesDocument, { first: 100, processed: false })).flaggedMessages.edges.map((e) => e.node.messageId);
    expect(again[again.length - 1]).to.equal(ids[1]);
    const [j] = await journalFor(ids[1], "flag_processed");
    expect(j.event_payload).to.deep.include({ before: { processed: false }, after: { processed: true } });
    expect(errorCode(await op(modKey, FlaggedMessagesDocument, { first: 2, after: "garbage" }))).to.equal("INVALID_CURSOR_VALUE");
  });

  // --- users ----------------------------------------------------------------------------------

  it("updates a user's fields (ToS stamped now, every time) and journals what changed", async () => {
    const u = await makeUser("upd-u");
    const res = ok(
      await op(modKey, UpdateUserDocument, {
        input: { userId: u, displayName: "Renamed", enabled: false, notes: "spammer?", showOnLeaderboard: false, tosAcceptance: true },
      }),
    );
    expect(res.updateUser).to.include({ displayName: "Renamed", enabled: false, notes: "spammer?", showOnLeaderboard: false });
    expect(res.updateUser.tosAcceptanceDate).to.be.a("string");
    const [j] = await journalFor(u, "user_updated");
    expect(j.event_payload.before).to.include({ displayName: "upd-u", enabled: true, notes: "", showOnLeaderboard: true, tosAcceptanceDate: null });
    expect(j.event_payload.after).to.include({ displayName: "Renamed", enabled: false, notes: "spammer?", showOnLeaderboard: false });
    // a disabled user can do no work
    const task = await call(key, `mutation { requestTask(input: { type: INITIAL_PROMPT, lang: "mo" }) { __typename } }`, {}, "local:upd-u");
    expect(errorCode(task)).to.equal("USER_DISABLED");
    // only the given fields change
    ok(await op(modKey, UpdateUserDocument, { input: { userId: u, enabled: true } }));
    const [row] = await ds().query(`SELECT display_name, enabled, notes FROM "user" WHERE id = $1`, [u]);
    expect(row).to.deep.equal({ display_name: "Renamed", enabled: true, notes: "spammer?" });
    // the notes are for moderators: the frontend acting for the user (or for nobody) reads null
    const notesOf = async (k: string, user?: string) =>
      ok(await call<{ user: { notes: string | null } }>(k, `query($id: ID!) { user(id: $id) { notes } }`, { id: u }, user)).user.notes;
    expect(await notesOf(modKey)).to.equal("spammer?");
    expect(await notesOf(key)).to.equal(null);
    expect(await notesOf(key, "local:upd-u")).to.equal(null);
  });

  it("a trusted frontend records its user's ToS acceptance (acceptTermsOfService), journaled", async () => {
    const res = ok(await op(key, AcceptTermsOfServiceDocument, {}, "local:tos-u"));
    expect(Date.parse(res.acceptTermsOfService.tosAcceptanceDate ?? "")).to.be.greaterThan(0);
    const [j] = await journalFor(res.acceptTermsOfService.id, "tos_accepted");
    expect(j.user_id).to.equal(res.acceptTermsOfService.id);
    expect(j.event_payload.before).to.deep.equal({ tosAcceptanceDate: null });
  });

  it("deleteUser anonymises the user and keeps their contributions; the journal does not keep the old identity", async () => {
    const u = await makeUser("anon-u");
    const m = await insertMessage({ user: u });
    const res = ok(await op(adminKey, DeleteUserDocument, { input: { userId: u } }));
    expect(res.deleteUser).to.deep.equal({ id: u, username: `deleted_${u}`, displayName: "Deleted User", deleted: true });
    expect((await ds().query(`SELECT show_on_leaderboard FROM "user" WHERE id = $1`, [u]))[0].show_on_leaderboard).to.equal(false);
    const [msg] = await ds().query(`SELECT user_id, deleted FROM message WHERE id = $1`, [m]);
    expect(msg).to.deep.equal({ user_id: u, deleted: false });
    const [j] = await journalFor(u, "user_deleted");
    expect(JSON.stringify(j.event_payload)).to.not.contain("anon-u");
    expect(j.event_payload.after).to.include({ deleted: true });
    // the same frontend id now makes a new, different user
    expect(await makeUser("anon-u")).to.not.equal(u);
  });

  it("mergeUsers moves every contribution to the destination, drops duplicate emojis with their counts, deletes the sources", async () => {
    const dest = await makeUser("merge-dest");
    const src1 = await makeUser("merge-src1");
    const src2 = await makeUser("merge-src2");
    const root = await insertMessage({ user: dest });
    const s1a = await insertMessage({ parent: root, user: src1 });
    const s1b = await insertMessage({ parent: s1a, user: src1 });
    const s2a = await insertMessage({ parent: root, user: src2 });
    const target = await insertMessage({ parent: s2a, user: dest });
    // dest and src1 both gave `+1` to s2a... the duplicate goes, with its count
    for (const who of ["merge-dest", "merge-src1"]) {
      ok(
        await call(
          key,
          `mutation($input: SetEmojiInput!) { setEmoji(input: $input) { id } }`,
          { input: { messageId: s2a, op: "ADD", emoji: "+1" } },
          `local:${who}`,
        ),
      );
    }
    ok(
      await call(
        key,
        `mutation($input: SetEmojiInput!) { setEmoji(input: $input) { id } }`,
        { input: { messageId: target, op: "ADD", emoji: "heart_eyes" } },
        "local:merge-src2",
      ),
    );
    ok(
      await call(
        key,
        `mutation($input: LabelMessageInput!) { labelMessage(input: $input) { taskId } }`,
        { input: { messageId: root, labels: [{ name: "quality", value: 1 }] } },
        "local:merge-src2",
      ),
    );
    await ds().query(`INSERT INTO user_stats (time_frame, user_id) VALUES ('total', $1)`, [src1]);
    const count = async (table: string, user: string) =>
      (await ds().query(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [user]))[0].n as number;
    const messagesBefore = (await count("message", dest)) + (await count("message", src1)) + (await count("message", src2));
    const res = ok(await op(adminKey, MergeUsersDocument, { input: { destinationUserId: dest, sourceUserIds: [src1, src2] } }));
    expect(res.mergeUsers.destination.id).to.equal(dest);
    expect(res.mergeUsers.mergedUserIds).to.deep.equal([src1, src2]);
    const moved = Object.fromEntries(res.mergeUsers.moved.map((m) => [m.table, m.count]));
    expect(moved).to.include({ message: 3, message_emoji: 1, text_labels: 1 });
    expect(Object.fromEntries(res.mergeUsers.droppedDuplicates.map((d) => [d.table, d.count]))).to.deep.equal({ message_emoji: 1, text_labels: 0 });
    expect(await count("message", dest)).to.equal(messagesBefore);
    expect(await count("message", src1)).to.equal(0);
    expect(await count("message_emoji", dest)).to.equal(2);
    expect((await ds().query(`SELECT emojis FROM message WHERE id = $1`, [s2a]))[0].emojis).to.deep.equal({ "+1": 1 });
    expect(await count("text_labels", dest)).to.equal(1);
    expect(await count("user_stats", src1)).to.equal(0);
    expect((await ds().query(`SELECT count(*)::int AS n FROM "user" WHERE id = ANY($1::uuid[])`, [[src1, src2]]))[0].n).to.equal(0);
    const [j] = await journalFor(dest, "users_merged");
    expect(j.event_payload.before).to.deep.equal({ source_user_ids: [src1, src2] });
    expect((j.event_payload.after as { moved: Record<string, number> }).moved).to.include({ message: 3 });
    expect((await ds().query(`SELECT user_id FROM message WHERE id = $1`, [s1b]))[0].user_id).to.equal(dest);
  });

  // --- purge ----------------------------------------------------------------------------------

  it("purge preview reports before/after counts and changes nothing; the real purge then does exactly that", async () => {
    const troll = await makeUser("purge-troll");
    const good = await makeUser("purge-good");
    // the troll's own tree, with a good user's reply below
    const trollRoot = await insertMessage({ user: troll, lang: "pu" });
    await insertMessage({ parent: trollRoot, user: good, lang: "pu" });
    // a good tree with the troll's reply (and a good reply below it), and a good sibling that was ranked with it
    const goodRoot = await insertMessage({ user: good, lang: "pu" });
    const trollReply = await insertMessage({ parent: goodRoot, user: troll, lang: "pu" });
    await insertMessage({ parent: trollReply, user: good, lang: "pu" });
    const sibling = await insertMessage({ parent: goodRoot, user: good, lang: "pu" });
    const otherSibling = await insertMessage({ parent: goodRoot, user: good, lang: "pu" });
    const rankTask = crypto.randomUUID();
    const cleanRankTask = crypto.randomUUID();
    await ds().query(
      `INSERT INTO task (id, user_id, payload_type, payload, api_client_id, message_tree_id, parent_message_id, done) VALUES ($1, $2, 'RankAssistantRepliesPayload', '{}', $3, $4, $4, true), ($5, $2, 'RankAssistantRepliesPayload', '{}', $3, $4, $4, true)`,
      [rankTask, good, clientId, goodRoot, cleanRankTask],
    );
    await ds().query(
      `INSERT INTO message_reaction (task_id, user_id, payload_type, payload, api_client_id, message_id) VALUES
         ($1, $2, 'RankingReactionPayload', $3, $4, $5), ($6, $2, 'RankingReactionPayload', $7, $4, $5)`,
      [
        rankTask,
        good,
        { ranked_message_ids: [trollReply, sibling, otherSibling] },
        clientId,
        goodRoot,
        cleanRankTask,
        { ranked_message_ids: [sibling, otherSibling] },
      ],
    );
    await ds().query(`UPDATE message SET ranking_count = 2 WHERE id = ANY($1::uuid[])`, [[sibling, otherSibling]]);
    // the troll's emoji on a good message
    ok(
      await call(
        key,
        `mutation($input: SetEmojiInput!) { setEmoji(input: $input) { id } }`,
        { input: { messageId: sibling, op: "ADD", emoji: "poop" } },
        "local:purge-troll",
      ),
    );

    // a moderator's earlier action on the troll's reply, and a task event of it
    ok(await op(modKey, EditMessageDocument, { input: { messageId: trollReply, text: "toned down" } }));
    await ds().query(
      `INSERT INTO journal (id, user_id, message_id, api_client_id, event_type, event_payload) VALUES ($1, $2, $3, $4, 'text_reply_to_message', '{}')`,
      [crypto.randomUUID(), troll, trollReply, clientId],
    );
    type Stats = { activeByLang: { lang: string; count: number }[] };
    const before = await snapshot();
    const preview = ok(await op(adminKey, PurgeUserDocument, { input: { userId: troll } })).purgeUser; // preview is the default
    expect(await snapshot()).to.deep.equal(before);
    expect(preview.preview).to.equal(true);
    expect(preview.purgedMessages).to.equal(4); // the troll's tree (2) and the troll's reply with the reply below it (2)
    expect(preview.purgedTrees).to.equal(1);
    expect(preview.before.all - preview.after.all).to.equal(4);
    expect(preview.before.messageTrees - preview.after.messageTrees).to.equal(1);
    const lang = (s: Stats) => s.activeByLang.find((l) => l.lang === "pu")?.count ?? 0;
    expect(lang(preview.before) - lang(preview.after)).to.equal(4);

    const real = ok(await op(adminKey, PurgeUserDocument, { input: { userId: troll, preview: false, ban: true } })).purgeUser;
    expect(real.preview).to.equal(false);
    expect(real.after).to.deep.equal(preview.after);
    const left: { id: string }[] = await ds().query(`SELECT id FROM message WHERE user_id = $1`, [troll]);
    expect(left).to.deep.equal([]);
    expect(await ds().query(`SELECT 1 FROM message_tree_state WHERE message_tree_id = $1`, [trollRoot])).to.deep.equal([]);
    // the ranking that included the troll's reply is gone; the siblings' counts follow; children counted again
    const [{ n: reactions }] = await ds().query(`SELECT count(*)::int AS n FROM message_reaction WHERE message_id = $1`, [goodRoot]);
    expect(reactions).to.equal(1);
    const counts: { id: string; ranking_count: number }[] = await ds().query(`SELECT id, ranking_count FROM message WHERE id = ANY($1::uuid[]) ORDER BY id`, [
      [sibling, otherSibling],
    ]);
    expect(counts.map((c) => c.ranking_count)).to.deep.equal([1, 1]);
    expect((await ds().query(`SELECT children_count FROM message WHERE id = $1`, [goodRoot]))[0].children_count).to.equal(2);
    // the troll's emoji is gone with its count; the troll is banned
    expect((await ds().query(`SELECT emojis FROM message WHERE id = $1`, [sibling]))[0].emojis).to.deep.equal({});
    expect((await ds().query(`SELECT deleted, enabled FROM "user" WHERE id = $1`, [troll]))[0]).to.deep.equal({ deleted: true, enabled: false });
    // the audit trail survives the purge; the troll's task events do not
    const trail: { event_type: string }[] = await ds().query(`SELECT event_type FROM journal WHERE message_id = $1 ORDER BY id`, [trollReply]);
    expect(trail.map((t) => t.event_type)).to.deep.equal(["message_edited"]);
    expect(await ds().query(`SELECT 1 FROM message_revision WHERE message_id = $1`, [trollReply])).to.deep.equal([]);
    const [j] = await journalFor(troll, "user_purged");
    expect(j.event_payload.after).to.deep.equal({ purgedMessages: 4, purgedTrees: 1, banned: true });
  });

  it("purgeUserMessages purges only the messages in the date range, and only replies unless asked for prompts", async () => {
    const u = await makeUser("range-u");
    const other = await makeUser("range-other");
    const oldRoot = await insertMessage({ user: u, created: new Date("2026-01-01T00:00:00Z"), lang: "ra" });
    const host = await insertMessage({ user: other, created: new Date("2026-01-01T00:00:00Z"), lang: "ra" });
    const oldReply = await insertMessage({ parent: host, user: u, created: new Date("2026-01-05T00:00:00Z"), lang: "ra" });
    const newReply = await insertMessage({ parent: host, user: u, created: new Date("2026-03-01T00:00:00Z"), lang: "ra" });
    const range = { since: "2026-01-01T00:00:00.000Z", until: "2026-02-01T00:00:00.000Z" };
    const before = await snapshot();
    const preview = ok(await op(adminKey, PurgeUserMessagesDocument, { input: { userId: u, ...range } }));
    expect(preview.purgeUserMessages.purgedMessages).to.equal(1);
    expect(await snapshot()).to.deep.equal(before);
    const res = ok(await op(adminKey, PurgeUserMessagesDocument, { input: { userId: u, ...range, preview: false } }));
    expect(res.purgeUserMessages).to.deep.include({ preview: false, purgedMessages: 1, purgedTrees: 0 });
    const left = (await ds().query(`SELECT id FROM message WHERE id = ANY($1::uuid[])`, [[oldRoot, oldReply, newReply]])).map((r: { id: string }) => r.id);
    expect(left).to.have.members([oldRoot, newReply]);
    const withPrompts = ok(await op(adminKey, PurgeUserMessagesDocument, { input: { userId: u, ...range, purgeInitialPrompts: true, preview: false } }));
    expect(withPrompts.purgeUserMessages).to.deep.include({ purgedMessages: 1, purgedTrees: 1 });
    expect(await journalFor(u, "user_messages_purged")).to.have.length(2);
  });

  // --- stats, settings, journal ---------------------------------------------------------------

  it("systemStats and treeManagerStats count messages and trees as spec §9.5 says", async () => {
    const u = await makeUser("stats-u");
    const root = await insertMessage({ user: u, lang: "st" });
    const r1 = await insertMessage({ parent: root, user: u, lang: "st" });
    await insertMessage({ parent: r1, user: u, lang: "st" });
    const gone = await insertMessage({ parent: root, user: u, lang: "st" });
    await ds().query(`UPDATE message SET deleted = true WHERE id = $1`, [gone]);
    const halted = await insertMessage({ user: u, lang: "st", treeState: "halted_by_moderator" });
    const [totals] = await ds().query(
      `SELECT count(*)::int AS all, count(*) FILTER (WHERE deleted)::int AS deleted, count(*) FILTER (WHERE parent_id IS NULL)::int AS trees FROM message`,
    );
    const s = ok(await op(modKey, SystemStatsDocument, {})).systemStats;
    expect(s).to.deep.include({ all: totals.all, deleted: totals.deleted, active: totals.all - totals.deleted, messageTrees: totals.trees });
    expect(s.activeByLang.find((l) => l.lang === "st")).to.deep.equal({ lang: "st", count: 4 });

    const active = ok(await op(modKey, TreeManagerStatsDocument, { onlyActive: true })).treeManagerStats;
    expect(active.messageCounts.find((t) => t.messageTreeId === root)).to.deep.include({ state: "GROWING", depth: 2, count: 3, goalTreeSize: 12 });
    expect(active.messageCounts.find((t) => t.messageTreeId === halted)).to.equal(undefined);
    const all = ok(await op(modKey, TreeManagerStatsDocument, { onlyActive: false })).treeManagerStats;
    expect(all.messageCounts.find((t) => t.messageTreeId === halted)).to.deep.include({ state: "HALTED_BY_MODERATOR", count: 1 });
    const dbStates: { state: string; n: number }[] = await ds().query(`SELECT state, count(*)::int AS n FROM message_tree_state GROUP BY state`);
    expect(Object.fromEntries(all.stateCounts.map((c) => [c.state, c.count]))).to.deep.equal(
      Object.fromEntries(dbStates.map((d) => [d.state.toUpperCase(), d.n])),
    );
  });

  it("settings lists every configuration variable for admins, never a secret's value", async () => {
    const s = ok(await op(adminKey, SettingsDocument, {})).settings;
    const byName = Object.fromEntries(s.map((e) => [e.name, e]));
    expect(byName.USER_TOKEN_SECRET).to.deep.include({ value: null, secret: true });
    expect(byName.MESSAGE_SIZE_LIMIT.value).to.equal("2000");
    expect(byName.TREE_MANAGER__GOAL_TREE_SIZE.value).to.equal("12");
    expect(byName.DATABASE_URL.isSet).to.equal(true);
  });

  it("journal: admins read it newest first in keyset pages, filtered by actor, action, target and time", async () => {
    const u = await makeUser("jr-u");
    const m = await insertMessage({ user: u });
    const since = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 3; i++) {
      ok(await call(modKey, `mutation($input: MessageIdInput!) { deleteMessage(input: $input) { changedIds } }`, { input: { messageId: m } }));
      ok(await call(modKey, `mutation($input: MessageIdInput!) { undeleteMessage(input: $input) { changedIds } }`, { input: { messageId: m } }));
    }
    const ids: string[] = [];
    const actions: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: JournalQuery = ok(await op(adminKey, JournalDocument, { filter: { targetId: m }, first: 4, after }));
      for (const e of page.journal.edges) {
        ids.push(e.node.id);
        actions.push(e.node.action);
        expect(e.node.targetId).to.equal(m);
        expect(e.node.apiClientId).to.equal(modClientId);
      }
      if (!page.journal.pageInfo.hasNextPage) break;
      after = page.journal.pageInfo.endCursor;
    }
    expect(actions).to.deep.equal(["message_undeleted", "message_deleted", "message_undeleted", "message_deleted", "message_undeleted", "message_deleted"]);
    expect([...ids].sort().reverse()).to.deep.equal(ids);
    const deletes = ok(await op(adminKey, JournalDocument, { filter: { targetId: m, action: "message_deleted", since } })).journal.edges;
    expect(deletes).to.have.length(3);
    expect((deletes[0].node.payload as { before: unknown }).before).to.deep.equal({ deleted: false });
    expect(ok(await op(adminKey, JournalDocument, { filter: { targetId: m, until: since } })).journal.edges).to.have.length(0);
    // a moderator acting as themselves through the frontend is the actor
    const jrMod = await makeUser("jr-mod");
    ok(await call(adminKey, `mutation($input: SetUserRoleInput!) { setUserRole(input: $input) { id } }`, { input: { userId: jrMod, role: "MODERATOR" } }));
    ok(await call(key, `mutation($input: MessageIdInput!) { deleteMessage(input: $input) { changedIds } }`, { input: { messageId: m } }, "local:jr-mod"));
    const byActor = ok(await op(adminKey, JournalDocument, { filter: { actorId: jrMod } })).journal.edges;
    expect(byActor.map((e) => [e.node.action, e.node.targetId])).to.deep.equal([["message_deleted", m]]);
    expect(errorCode(await op(adminKey, JournalDocument, { after: "bogus" }))).to.equal("INVALID_CURSOR_VALUE");
  });
});

describe("terms of service when enforced (spec §6.6, ENFORCE_TOS)", function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ ENFORCE_TOS: "true" });
  });
  after(async () => {
    await server.stop();
  });

  it("a user who has not accepted gets USER_HAS_NOT_ACCEPTED_TOS (4003) until acceptTermsOfService records it", async () => {
    const { key } = await server.createClient({ name: "frontend", trusted: true });
    const request = () =>
      rawGql(server.url, `mutation { requestTask(input: { type: INITIAL_PROMPT, lang: "tos" }) { __typename } }`, {}, { key, user: "local:newcomer" });
    const refused = await request();
    expect(errorCode(refused)).to.equal("USER_HAS_NOT_ACCEPTED_TOS");
    expect(refused.errors![0].extensions!.oaErrorCode).to.equal(4003);
    const accepted = await gql(server.url, AcceptTermsOfServiceDocument, { user: { authMethod: "local", id: "newcomer" } }, { key });
    expect(accepted.errors).to.equal(undefined);
    const res = await request();
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
  });
});
