/**
 * What keeps a battle blind: while a battle is OPEN and its voter has not asked to see the models, every path that
 * could name a model (a chat message's model, worker, sampling and error; generation events; chat exports) shows
 * nothing of it. One rule, used by the GraphQL field resolvers and the chat export alike.
 */
import type { DataSource } from "typeorm";
import type { ChatMessage } from "../chat/chat.entity.js";

/** The SQL condition of a blind battle, on alias `b`. */
export const BLIND_SQL = `b.winner IS NULL AND b.identities_seen_at IS NULL`;

/** The chats (of `chatIds`) that hold a blind battle. */
export async function blindChats(ds: DataSource, chatIds: readonly string[]): Promise<Set<string>> {
  if (chatIds.length === 0) return new Set();
  const rows: { chat_id: string }[] = await ds.query(`SELECT b.chat_id FROM arena_battle b WHERE b.chat_id = ANY($1::uuid[]) AND ${BLIND_SQL}`, [[...chatIds]]);
  return new Set(rows.map((r) => r.chat_id));
}

/** Said instead of a hidden worker name or failure reason (which often name the model). */
export const HIDDEN = "hidden until the vote";

/** A copy of an answer without what names its model. */
export function withoutIdentity(m: ChatMessage): ChatMessage {
  return Object.assign(Object.create(Object.getPrototypeOf(m)) as ChatMessage, m, {
    model: null,
    workerName: null,
    sampling: null,
    error: m.error === null ? null : HIDDEN,
  });
}
