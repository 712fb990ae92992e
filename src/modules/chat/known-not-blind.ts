/**
 * Messages whose chat was found to hold no blind arena battle in the statement that read them (ChatService.message).
 * That stays true: a battle's chat gets its battle before its first message (ArenaBattles.start) and imported
 * battles have no chat, so a chat with messages never becomes blind. Their model fields and their generation
 * events' fields then need no read of the battle (a chat found blind is read again each time, as its vote may end
 * it). Kept by entity object, so it lives as long as whoever holds the message.
 */
import type { ChatMessage } from "./chat.entity.js";

const notBlind = new WeakSet<ChatMessage>();

export function markNotBlind(message: ChatMessage): void {
  notBlind.add(message);
}

export function isKnownNotBlind(message: ChatMessage): boolean {
  return notBlind.has(message);
}
