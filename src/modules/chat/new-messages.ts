/**
 * The messages the request being answered has just created (sendChatMessage's prompt and answers). Nobody can have
 * voted on or reported them yet, so their `score` and `reports` are known without reading the chat's feedback, and whether their models are
 * hidden (a blind battle) was read with the send's lock: the
 * send's answer costs no statements beyond its transaction for them (the owner check and three feedback reads were
 * four statements on the path of every chat's first token). Kept by entity object, so it lives as long as the
 * response that holds them.
 */
import type { ChatMessage } from "./chat.entity.js";

/** Each one's chat's blindness (a blind arena battle), read in the send's transaction. */
const created = new WeakMap<ChatMessage, { blind: boolean }>();

/**
 * `blind`: whether the messages' chat holds a blind battle, read with the send's lock. It can only end (a vote)
 * between that read and the response, and hiding a model a moment longer than needed is the safe side; a chat never
 * becomes blind after its battle's creation, which commits before the battle's first send.
 */
export function markCreated(blind: boolean, ...messages: ChatMessage[]): void {
  for (const m of messages) created.set(m, { blind });
}

export function isJustCreated(message: ChatMessage): boolean {
  return created.has(message);
}

/** The blindness read when the message was created by the request being answered; undefined for any other. */
export function blindAtCreation(message: ChatMessage): boolean | undefined {
  return created.get(message)?.blind;
}
