/**
 * The messages the request being answered has just created (sendChatMessage's prompt and answers). Nobody can have
 * voted on or reported them yet, so their `score` and `reports` are known without reading the chat's feedback: the
 * send's answer costs no statements beyond its transaction for them (the owner check and three feedback reads were
 * four statements on the path of every chat's first token). Kept by entity object, so it lives as long as the
 * response that holds them.
 */
import type { ChatMessage } from "./chat.entity.js";

const created = new WeakSet<ChatMessage>();

export function markCreated(...messages: ChatMessage[]): void {
  for (const m of messages) created.add(m);
}

export function isJustCreated(message: ChatMessage): boolean {
  return created.has(message);
}
