/**
 * Who may read a chat (docs/security.md, "Visibility"), for the services that take the request context: the chat's
 * owners, and whether the caller is one of its readers. The GraphQL context's `readableChats` loader applies the
 * same rule to the nested fields.
 */
import type { DataSource } from "typeorm";
import type { RequestContext } from "../../common/request-context.js";
import { chatReaderOf, mayReadChat, type ChatReader } from "../../server/visibility.js";
import { isUuid } from "../../db/rows.js";

export interface ChatOwner {
  chatId: string;
  userId: string;
  apiClientId: string;
}

/** Each chat's user and that user's API client, for the visibility rules. */
export async function chatOwners(ds: DataSource, chatIds: readonly string[]): Promise<ChatOwner[]> {
  const valid = chatIds.filter(isUuid);
  if (valid.length === 0) return [];
  return ds.query(
    `SELECT c.id AS "chatId", c.user_id AS "userId", u.api_client_id AS "apiClientId" FROM chat c JOIN "user" u ON u.id = c.user_id
       WHERE c.id = ANY($1::uuid[])`,
    [valid],
  );
}

/** The chats the caller reads besides its acting user's own. */
export function chatReaderOfRequest(rc: RequestContext): ChatReader {
  return chatReaderOf({ apiClient: rc.identity.apiClient, userId: rc.identity.user?.id ?? null }, rc.role);
}

/** Whether the caller may read the chat (false for a chat that does not exist). */
export async function mayReadChatById(ds: DataSource, rc: RequestContext, chatId: string): Promise<boolean> {
  const [owner] = await chatOwners(ds, [chatId]);
  return owner !== undefined && mayReadChat(chatReaderOfRequest(rc), owner.userId, owner.apiClientId);
}
