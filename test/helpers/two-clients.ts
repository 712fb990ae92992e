/**
 * Two untrusted API clients (both with the ADMIN role) whose data overlap everywhere one client's data can meet
 * another's: trees with replies of both clients at every depth, flagged and edited messages, rankings, chats with
 * drafts, votes and reports, leaderboard rows. Client A is the caller of the visibility tests; everything of
 * client B carries a marker (FOREIGN-B-… texts, fbu-… user names, fbfm-… frontend ids) so that any of it in an
 * answer to A is found, and every id of B's records can be listed from the database.
 */
import crypto from "node:crypto";
import { expect } from "chai";
import type { TestServer } from "./server.js";
import { World } from "./world.js";
import { Annotator } from "./annotator.js";
import { errorCode, gql, type RequestOptions } from "./graphql.js";
import { Role } from "../../src/modules/users/role.js";
import {
  ChatMessageDocument,
  ChooseDraftDocument,
  CreateChatDocument,
  EditMessageDocument,
  RefreshCachedStatsDocument,
  RefreshLeaderboardsDocument,
  ReportChatMessageDocument,
  SendChatMessageDocument,
  SetEmojiDocument,
  ViewerDocument,
  VoteChatMessageDocument,
} from "../../client/generated/graphql.js";

export interface ClientSeed {
  id: string;
  key: string;
}

export interface TwoClients {
  lang: string;
  A: ClientSeed;
  B: ClientSeed;
  /** A's users: a1 (the acting user of the tests), a2 (another user of A, with a chat), a3..a5 (spare). */
  users: Record<"a1" | "a2" | "a3" | "a4" | "a5" | "b1" | "b2", { id: string; header: string; name: string }>;
  /**
   * Messages. Tree TA (root A): rA1 (B) and rA2 (A) under the root, rA3 (A) under rA1, rA4 (B, unreviewed) under rA2.
   * Tree TB (root B): rB1 (A) and rB2 (B) under the root, rB3 (A) and rB4 (B, unreviewed) under rB1.
   * Tree TC: a root of A alone.
   */
  msg: Record<"taRoot" | "rA1" | "rA2" | "rA3" | "rA4" | "tbRoot" | "rB1" | "rB2" | "rB3" | "rB4" | "tcRoot", string>;
  frontendIdOf: Record<string, string>;
  /** a1's chat with two COMPLETE drafts (choice, vote, report), a2's chat, b1's chat with a report. */
  chats: {
    a1: { chatId: string; promptId: string; answers: string[]; reportId: string };
    a2: { chatId: string; promptId: string };
    b1: { chatId: string; promptId: string; answers: string[]; reportId: string };
  };
  as: {
    /** Client A acting for its user a1 (USER powers). */
    a1: RequestOptions;
    /** Client A acting with no user: its own role, ADMIN. */
    aAdmin: RequestOptions;
    b1: RequestOptions;
    bAdmin: RequestOptions;
  };
}

/** Server settings the seed needs: quick synthetic generations and drafts. */
export const TWO_CLIENTS_ENV = {
  LOCAL_WORKER_TOKENS_PER_SECOND: "2000",
  CHAT_RATE_LIMIT_GENERATIONS: "1000",
  CHAT_MAX_DRAFTS: "3",
};

function ok<T extends { errors?: unknown }>(res: T, what: string): T {
  expect(res.errors, `${what}: ${JSON.stringify(res.errors)}`).to.equal(undefined);
  return res;
}

export async function seedTwoClients(server: TestServer, lang: string): Promise<TwoClients> {
  const ds = server.chorus.app.ds;
  const tag = crypto.randomBytes(3).toString("hex");
  const A = await server.createClient({ name: `client A ${tag}`, trusted: false, role: Role.ADMIN });
  const B = await server.createClient({ name: `client B ${tag}`, trusted: false, role: Role.ADMIN });

  const names = {
    a1: `va1-${tag}`,
    a2: `va2-${tag}`,
    a3: `va3-${tag}`,
    a4: `va4-${tag}`,
    a5: `va5-${tag}`,
    b1: `fbu-${tag}-1`,
    b2: `fbu-${tag}-2`,
  } as const;
  const users = {} as TwoClients["users"];
  for (const [k, name] of Object.entries(names) as [keyof typeof names, string][]) {
    const key = k.startsWith("a") ? A.key : B.key;
    const v = ok(await gql(server.url, ViewerDocument, {}, { key, user: `local:${name}`, userName: name }), `user ${k}`);
    users[k] = { id: v.data!.viewer.user!.id, header: `local:${name}`, name };
  }
  const as = {
    a1: { key: A.key, user: users.a1.header },
    aAdmin: { key: A.key },
    b1: { key: B.key, user: users.b1.header },
    bAdmin: { key: B.key },
  };

  // Roots through the real task protocol; replies written straight into the trees, as the tree-shape tests do.
  const wA = new World(server, A.key, lang);
  const wB = new World(server, B.key, lang);
  const taRoot = await wA.prompt(new Annotator(server.url, A.key, names.a1), `A root prompt ${tag}`);
  const tbRoot = await wB.prompt(new Annotator(server.url, B.key, names.b1), `FOREIGN-B-MSG root prompt ${tag}`);
  const tcRoot = await wA.prompt(new Annotator(server.url, A.key, names.a1), `A lone prompt ${tag}`);
  await ds.query(`UPDATE message SET review_result = true, review_count = 3 WHERE id = ANY($1::uuid[])`, [[taRoot, tbRoot, tcRoot]]);
  await ds.query(`UPDATE message_tree_state SET state = 'growing', active = true WHERE message_tree_id = ANY($1::uuid[])`, [[taRoot, tbRoot]]);

  const frontendIdOf: Record<string, string> = {};
  const reply = async (parentId: string, client: ClientSeed, userId: string, text: string, accepted: boolean | null) => {
    const id = crypto.randomUUID();
    const foreign = client.id === B.id;
    const frontendId = `${foreign ? "fbfm" : "fm"}-${tag}-${id.slice(0, 8)}`;
    await ds.query(
      `INSERT INTO message (id, parent_id, message_tree_id, role, api_client_id, user_id, frontend_message_id, text, lang, depth, review_result, review_count)
       SELECT $1::uuid, p.id, p.message_tree_id, CASE WHEN p.role = 'prompter' THEN 'assistant' ELSE 'prompter' END, $2::uuid, $3::uuid, $4, $5,
              p.lang, p.depth + 1, $6::boolean, CASE WHEN $6::boolean IS NULL THEN 0 ELSE 3 END
       FROM message p WHERE p.id = $7`,
      [id, client.id, userId, frontendId, foreign ? `FOREIGN-B-MSG ${text} ${tag}` : `${text} ${tag}`, accepted, parentId],
    );
    frontendIdOf[id] = frontendId;
    return id;
  };
  const rA1 = await reply(taRoot, B, users.b1.id, "B answers A", true);
  const rA2 = await reply(taRoot, A, users.a2.id, "A answers A", true);
  const rA3 = await reply(rA1, A, users.a1.id, "A follows B", true);
  const rA4 = await reply(rA2, B, users.b2.id, "B follows A", null);
  const rB1 = await reply(tbRoot, A, users.a1.id, "A answers B", true);
  const rB2 = await reply(tbRoot, B, users.b2.id, "B answers B", true);
  const rB3 = await reply(rB1, A, users.a2.id, "A follows A in B's tree", true);
  const rB4 = await reply(rB1, B, users.b1.id, "B follows A in B's tree", null);
  await ds.query(
    `UPDATE message p SET children_count = (SELECT count(*) FROM message c WHERE c.parent_id = p.id AND NOT c.deleted)
     WHERE p.message_tree_id = ANY($1::uuid[])`,
    [[taRoot, tbRoot]],
  );
  for (const [id, row] of Object.entries(
    Object.fromEntries(
      (await ds.query(`SELECT id, frontend_message_id FROM message WHERE id = ANY($1::uuid[])`, [[taRoot, tbRoot, tcRoot]])).map(
        (r: { id: string; frontend_message_id: string }) => [r.id, r.frontend_message_id],
      ),
    ),
  )) {
    frontendIdOf[id] = row as string;
  }

  // Flags (red_flag puts a message in the moderators' queue) and edits (revisions and journal rows), each client on its own.
  ok(await gql(server.url, SetEmojiDocument, { input: { messageId: rA2, emoji: "red_flag", op: "ADD" } }, as.a1), "flag A");
  ok(await gql(server.url, SetEmojiDocument, { input: { messageId: rB2, emoji: "red_flag", op: "ADD" } }, as.b1), "flag B");
  ok(await gql(server.url, EditMessageDocument, { input: { messageId: rA2, text: `A answers A, edited ${tag}` } }, as.aAdmin), "edit A");
  ok(await gql(server.url, EditMessageDocument, { input: { messageId: rB2, text: `FOREIGN-B-MSG edited ${tag}` } }, as.bAdmin), "edit B");

  // Rankings of each root's replies by two users of the root's client (done tasks, as submitRanking leaves them).
  const rank = async (client: ClientSeed, userId: string, parentId: string, ranked: string[]) => {
    const taskId = crypto.randomUUID();
    await ds.query(
      `INSERT INTO task (id, user_id, payload_type, payload, api_client_id, ack, done, message_tree_id, parent_message_id)
       SELECT $1::uuid, $2::uuid, 'RankAssistantRepliesPayload', '{}'::jsonb, $3::uuid, true, true, m.message_tree_id, m.id FROM message m WHERE m.id = $4`,
      [taskId, userId, client.id, parentId],
    );
    await ds.query(
      `INSERT INTO message_reaction (task_id, user_id, payload_type, payload, api_client_id, message_id)
       VALUES ($1, $2, 'RankingReactionPayload', $3, $4, $5)`,
      [taskId, userId, JSON.stringify({ type: "message_ranking", ranked_message_ids: ranked }), client.id, parentId],
    );
  };
  // Reviews (spam) of one reply of each client by two of its users, as done label tasks leave them.
  const review = async (client: ClientSeed, userId: string, messageId: string) => {
    const taskId = crypto.randomUUID();
    await ds.query(
      `INSERT INTO task (id, user_id, payload_type, payload, api_client_id, ack, done, message_tree_id, parent_message_id)
       SELECT $1::uuid, $2::uuid, 'LabelAssistantReplyPayload', '{}'::jsonb, $3::uuid, true, true, m.message_tree_id, m.parent_id FROM message m WHERE m.id = $4`,
      [taskId, userId, client.id, messageId],
    );
    await ds.query(`INSERT INTO text_labels (id, user_id, api_client_id, message_id, labels, task_id) VALUES ($1, $2, $3, $4, $5, $6)`, [
      crypto.randomUUID(),
      userId,
      client.id,
      messageId,
      JSON.stringify({ spam: 0, quality: 0.75 }),
      taskId,
    ]);
  };
  await review(A, users.a3.id, rA2);
  await review(A, users.a4.id, rA2);
  await review(B, users.b1.id, rB2);
  await review(B, users.b2.id, rB2);
  await rank(A, users.a3.id, taRoot, [rA2, rA1]);
  await rank(A, users.a4.id, taRoot, [rA1, rA2]);
  await rank(B, users.b1.id, tbRoot, [rB2, rB1]);
  await rank(B, users.b2.id, tbRoot, [rB1, rB2]);

  // Chats: a1 with two drafts (chosen, voted on, reported), a2 with one prompt, b1 with a reported answer.
  const chat = async (who: RequestOptions, title: string, text: string, drafts: number) => {
    const c = ok(await gql(server.url, CreateChatDocument, { input: { title } }, who), `chat ${title}`);
    const chatId = c.data!.createChat.id;
    const sent = ok(
      await gql(server.url, SendChatMessageDocument, { input: { chatId, text, model: "synthetic", drafts, sampling: { maxNewTokens: 4 } } }, who),
      `send ${title}`,
    );
    const answers = sent.data!.sendChatMessage.assistantMessages.map((m) => m.id);
    for (const id of answers) await complete(server, who, id);
    return { chatId, promptId: sent.data!.sendChatMessage.prompterMessage.id, answers };
  };
  const a1Chat = await chat(as.a1, `A1 chat ${tag}`, `a1 asks ${tag}`, 2);
  const a2Chat = await chat({ key: A.key, user: users.a2.header }, `A2-PRIVATE-CHAT title ${tag}`, `A2-PRIVATE-CHAT asks ${tag}`, 1);
  const b1Chat = await chat(as.b1, `FOREIGN-B-CHAT title ${tag}`, `FOREIGN-B-CHAT asks ${tag}`, 2);
  ok(await gql(server.url, ChooseDraftDocument, { input: { messageId: a1Chat.answers[0] } }, as.a1), "choose A");
  ok(await gql(server.url, ChooseDraftDocument, { input: { messageId: b1Chat.answers[0] } }, as.b1), "choose B");
  ok(await gql(server.url, VoteChatMessageDocument, { input: { messageId: a1Chat.answers[1], score: 1 } }, as.a1), "vote A");
  ok(await gql(server.url, VoteChatMessageDocument, { input: { messageId: b1Chat.answers[1], score: -1 } }, as.b1), "vote B");
  const reportA = ok(
    await gql(server.url, ReportChatMessageDocument, { input: { messageId: a1Chat.answers[0], reportType: "FEEDBACK", reason: `a1 reports ${tag}` } }, as.a1),
    "report A",
  );
  const reportB = ok(
    await gql(
      server.url,
      ReportChatMessageDocument,
      { input: { messageId: b1Chat.answers[0], reportType: "SPAM", reason: `FOREIGN-B-CHAT report ${tag}` } },
      as.b1,
    ),
    "report B",
  );

  // Boards and cached stats computed by a trusted admin, so every board has rows of both clients.
  ok(await gql(server.url, RefreshLeaderboardsDocument, { input: {} }, { key: server.adminKey }), "refresh boards");
  ok(await gql(server.url, RefreshCachedStatsDocument, {}, { key: server.adminKey }), "refresh cached stats");

  return {
    lang,
    A,
    B,
    users,
    msg: { taRoot, rA1, rA2, rA3, rA4, tbRoot, rB1, rB2, rB3, rB4, tcRoot },
    frontendIdOf,
    chats: {
      a1: { ...a1Chat, reportId: reportA.data!.reportChatMessage.id },
      a2: { chatId: a2Chat.chatId, promptId: a2Chat.promptId },
      b1: { ...b1Chat, reportId: reportB.data!.reportChatMessage.id },
    },
    as,
  };
}

/** Waits until an answer's generation has ended (the in-process worker serves the synthetic model). */
async function complete(server: TestServer, who: RequestOptions, messageId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await gql(server.url, ChatMessageDocument, { id: messageId }, who);
    if (errorCode(res)) throw new Error(`reading ${messageId}: ${JSON.stringify(res.errors)}`);
    if (res.data!.chatMessage.state === "COMPLETE") return;
    if (Date.now() > deadline) throw new Error(`answer ${messageId} still ${res.data!.chatMessage.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Everything of client B (and, for a caller acting as a1, a2's chats) that an answer to client A must never hold:
 * the ids of the records, read from the database now (mutations made more), and the markers of their texts.
 * `kind` tells which rule allows a token where: message ids and texts may appear in a task (the shared pool) and
 * as references (`parentId`, `messageTreeId`); nothing else may appear anywhere.
 */
export async function foreignTokens(
  server: TestServer,
  seed: TwoClients,
  opts: { otherUsersChats: boolean },
): Promise<Map<string, "message" | "identity" | "chat">> {
  const ds = server.chorus.app.ds;
  const tokens = new Map<string, "message" | "identity" | "chat">();
  const ids = async (sql: string, params: unknown[]) => ((await ds.query(sql, params)) as { id: string }[]).map((r) => r.id);
  for (const id of await ids(`SELECT id FROM message WHERE api_client_id = $1`, [seed.B.id])) tokens.set(id, "message");
  tokens.set("FOREIGN-B-MSG", "message");
  for (const id of await ids(`SELECT frontend_message_id AS id FROM message WHERE api_client_id = $1`, [seed.B.id])) tokens.set(id, "identity");
  for (const id of await ids(`SELECT id FROM "user" WHERE api_client_id = $1`, [seed.B.id])) tokens.set(id, "identity");
  tokens.set(seed.B.id, "identity");
  tokens.set("fbu-", "identity");
  tokens.set("fbfm-", "identity");
  const chatOwners = opts.otherUsersChats ? `u.api_client_id = $1 OR (u.api_client_id = $2 AND u.id <> $3)` : `u.api_client_id = $1`;
  const chatParams = opts.otherUsersChats ? [seed.B.id, seed.A.id, seed.users.a1.id] : [seed.B.id];
  const chatIds = await ids(`SELECT c.id FROM chat c JOIN "user" u ON u.id = c.user_id WHERE ${chatOwners}`, chatParams);
  for (const id of chatIds) tokens.set(id, "chat");
  for (const table of ["chat_message", "chat_report", "chat_draft_choice"]) {
    for (const id of await ids(`SELECT id FROM ${table} WHERE chat_id = ANY($1::uuid[])`, [chatIds])) tokens.set(id, "chat");
  }
  tokens.set("FOREIGN-B-CHAT", "chat");
  if (opts.otherUsersChats) tokens.set("A2-PRIVATE-CHAT", "chat");
  return tokens;
}
