/**
 * The conversation a worker gets for one answer: the chat's system prompt, then the thread from the root to the
 * answer's prompt, cut to the model's context window (oldest turns first, system prompt kept). A continued answer
 * ends the conversation with its own text so far, as an assistant turn for the worker to extend.
 */
import type { DataSource } from "typeorm";
import { rowsOf } from "../../../db/rows.js";
import type { ChatMessage } from "../chat.entity.js";
import type { ModelDeclaration } from "../models.js";
import { estimateTokens, fitToContext, type Turn } from "./context-window.js";
import { TickBatcher } from "../../../infra/tick-batcher.js";

/** What the conversation is made of, read from the database (two reads, made concurrently). */
export interface ConversationSource {
  rows: { role: string; text: string }[];
  systemPrompt: string | null;
}

/**
 * What a generation job carries in the queue. `conversation` and `sampling` are set by a send, which has both at hand
 * (the prompt, the thread its tree rule read, the locked chat's system prompt): the first hand-out of such a job
 * reads nothing before the worker has it. Jobs without them (regenerate, continue, the reconciler's) read the
 * conversation at hand-out.
 */
export type GenerationJobPayload = {
  chatId?: string;
  parentId?: string | null;
  conversation?: ConversationSource;
  sampling?: ChatMessage["sampling"];
};

/** A message and its ancestors, root first (depth: how far above the message; 0 is the message itself). */
export const THREAD_SQL = `WITH RECURSIVE thread AS (
    SELECT id, chat_id, parent_id, role, state, text, 0 AS depth FROM chat_message WHERE id = $1
    UNION ALL
    SELECT m.id, m.chat_id, m.parent_id, m.role, m.state, m.text, t.depth + 1 FROM chat_message m JOIN thread t ON m.id = t.parent_id
  ) SELECT id, chat_id, role, state, text, depth FROM thread ORDER BY depth DESC`;

export interface ThreadRow {
  id: string;
  chat_id: string;
  role: string;
  state: string;
  text: string;
  depth: number;
}

/**
 * Reads the thread up to `parentId` and the chat's system prompt. It needs no claim on the answer, so a hand-out
 * starts it together with the claim and waits for both at once (the hand-out is on the path of every first token).
 */
export async function loadConversation(ds: DataSource, parentId: string | null, chatId: string): Promise<ConversationSource> {
  return (await loadConversations(ds, [{ parentId, chatId }]))[0];
}

/** The conversations of several answers in the same two reads (a wave of hand-outs, see ConversationLoader). */
export async function loadConversations(ds: DataSource, items: readonly { parentId: string | null; chatId: string }[]): Promise<ConversationSource[]> {
  const leaves = [...new Set(items.flatMap((i) => (i.parentId ? [i.parentId] : [])))];
  const chats = [...new Set(items.map((i) => i.chatId))];
  const [threadRows, chatRows] = await Promise.all([
    leaves.length === 0
      ? []
      : ds.query(
          `WITH RECURSIVE thread AS (
             SELECT id AS leaf, id, parent_id, role, text, 0 AS depth FROM chat_message WHERE id = ANY($1::uuid[])
             UNION ALL
             SELECT t.leaf, m.id, m.parent_id, m.role, m.text, t.depth + 1 FROM chat_message m JOIN thread t ON m.id = t.parent_id
           ) SELECT leaf, role, text FROM thread ORDER BY leaf, depth DESC`,
          [leaves],
        ),
    ds.query(`SELECT id, system_prompt FROM chat WHERE id = ANY($1::uuid[])`, [chats]),
  ]);
  const threads = new Map<string, { role: string; text: string }[]>();
  for (const r of rowsOf<{ leaf: string; role: string; text: string }>(threadRows)) {
    let rows = threads.get(r.leaf);
    if (!rows) threads.set(r.leaf, (rows = []));
    rows.push({ role: r.role, text: r.text });
  }
  const prompts = new Map(rowsOf<{ id: string; system_prompt: string | null }>(chatRows).map((c) => [c.id, c.system_prompt]));
  return items.map((i) => ({ rows: (i.parentId ? threads.get(i.parentId) : undefined) ?? [], systemPrompt: prompts.get(i.chatId) || null }));
}

/** Conversations asked for within one turn of the event loop are read together. */
export class ConversationLoader {
  private readonly batcher: TickBatcher<{ parentId: string | null; chatId: string }, ConversationSource>;

  constructor(ds: DataSource) {
    this.batcher = new TickBatcher((items) => loadConversations(ds, items));
  }

  load(parentId: string | null, chatId: string): Promise<ConversationSource> {
    return this.batcher.call({ parentId, chatId });
  }
}

/** The conversation of an answer whose text so far is `answerText` (non-empty only for a continuation). */
export function buildConversation(source: ConversationSource, answerText: string, model: ModelDeclaration | undefined): Turn[] {
  const turns: Turn[] = source.rows.map((r) => ({ role: r.role === "ASSISTANT" ? "assistant" : "user", content: r.text }));
  // Only a continuation starts with text: a first generation (and its retries) is empty until it ends.
  if (answerText) turns.push({ role: "assistant", content: answerText });
  const systemPrompt = source.systemPrompt;
  if (!model) return systemPrompt ? [{ role: "system", content: systemPrompt }, ...turns] : turns;
  return fitToContext(systemPrompt, turns, {
    maxInputTokens: model.maxInputLength,
    countTokens: (text) => estimateTokens(text, model.charsPerToken),
  });
}

export async function jobConversation(ds: DataSource, message: ChatMessage, model: ModelDeclaration | undefined): Promise<Turn[]> {
  return buildConversation(await loadConversation(ds, message.parentId, message.chatId), message.text, model);
}
