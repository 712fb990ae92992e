/**
 * The conversation a worker gets for one answer: the chat's system prompt, then the thread from the root to the
 * answer's prompt, cut to the model's context window (oldest turns first, system prompt kept). A continued answer
 * ends the conversation with its own text so far, as an assistant turn for the worker to extend.
 */
import type { DataSource } from "typeorm";
import { rowsOf } from "../../db/rows.js";
import type { ChatMessage } from "./chat.entity.js";
import type { ModelDeclaration } from "./models.js";
import { estimateTokens, fitToContext, type Turn } from "./context-window.js";

export async function jobConversation(ds: DataSource, message: ChatMessage, model: ModelDeclaration | undefined): Promise<Turn[]> {
  // The thread and the system prompt are read concurrently: this is on the path of every hand-out to a worker.
  const [threadRows, chatRows] = await Promise.all([
    ds.query(
      `WITH RECURSIVE thread AS (
         SELECT id, parent_id, role, text, 0 AS depth FROM chat_message WHERE id = $1
         UNION ALL
         SELECT m.id, m.parent_id, m.role, m.text, t.depth + 1 FROM chat_message m JOIN thread t ON m.id = t.parent_id
       ) SELECT role, text FROM thread ORDER BY depth DESC`,
      [message.parentId],
    ),
    ds.query(`SELECT system_prompt FROM chat WHERE id = $1`, [message.chatId]),
  ]);
  const rows = rowsOf<{ role: string; text: string }>(threadRows);
  const [chat] = rowsOf<{ system_prompt: string | null }>(chatRows);
  const turns: Turn[] = rows.map((r) => ({ role: r.role === "ASSISTANT" ? "assistant" : "user", content: r.text }));
  // Only a continuation starts with text: a first generation (and its retries) is empty until it ends.
  if (message.text) turns.push({ role: "assistant", content: message.text });
  const systemPrompt = chat?.system_prompt || null;
  if (!model) return systemPrompt ? [{ role: "system", content: systemPrompt }, ...turns] : turns;
  return fitToContext(systemPrompt, turns, {
    maxInputTokens: model.maxInputLength,
    countTokens: (text) => estimateTokens(text, model.charsPerToken),
  });
}
