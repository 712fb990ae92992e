/**
 * Conversations as tasks show them (spec §2.2): the path from the root to a message, and a parent's replies, each
 * message with the requesting user's own emojis, read in one statement.
 */
import { preparedQuery } from "../../db/prepared.js";
import type { EntityManager } from "typeorm";
import { ErrorCode } from "../../common/errors.js";
import { err, type StoredConversationMessage } from "./task-common.js";

const CONVERSATION_COLUMNS = "m.id, m.user_id, m.frontend_message_id, m.text, m.lang, m.role, m.emojis, m.synthetic";

interface ConversationRow {
  id: string;
  user_id: string | null;
  frontend_message_id: string;
  text: string;
  lang: string;
  role: string;
  emojis: Record<string, number>;
  synthetic: boolean;
  user_emojis: string[];
}

/** The requesting user's emojis on each row, as a column (parameter `$n` is the user id, or null). */
function userEmojisColumn(alias: string, n = 2): string {
  return `ARRAY(SELECT e.emoji FROM message_emoji e WHERE e.message_id = ${alias}.id AND e.user_id = $${n}::uuid ORDER BY e.emoji) AS user_emojis`;
}

function toConversationMessage(r: ConversationRow, userId: string | null): StoredConversationMessage {
  return {
    id: r.id,
    user_id: r.user_id,
    frontend_message_id: r.frontend_message_id,
    text: r.text,
    lang: r.lang,
    is_assistant: r.role === "assistant",
    emojis: r.emojis ?? {},
    user_emojis: r.user_emojis,
    user_is_author: userId !== null && r.user_id === userId,
    synthetic: r.synthetic,
  };
}

/**
 * Root → message over accepted live ancestors; the message itself is included even when not yet accepted
 * (label tasks). A break in the chain is BROKEN_CONVERSATION.
 */
export async function conversation(
  em: EntityManager,
  messageId: string,
  userId: string | null,
  includeUnaccepted: boolean,
): Promise<StoredConversationMessage[]> {
  // One statement walks up the tree and brings each message with the user's emojis; ancestors count only when
  // accepted and live, the message itself (label tasks) when asked for.
  const path = await preparedQuery<ConversationRow & { parent_id: string | null; review_result: boolean | null; deleted: boolean }>(
    em,
    `WITH RECURSIVE path AS (
       SELECT ${CONVERSATION_COLUMNS}, m.parent_id, m.review_result, m.deleted, 0 AS up FROM message m WHERE m.id = $1
       UNION ALL
       SELECT ${CONVERSATION_COLUMNS}, m.parent_id, m.review_result, m.deleted, path.up + 1 FROM message m JOIN path ON m.id = path.parent_id
     )
     SELECT path.*, ${userEmojisColumn("path")} FROM path ORDER BY up DESC`,
    [messageId, userId],
  );
  if (path.length === 0 || path[0].parent_id !== null) throw err(ErrorCode.BROKEN_CONVERSATION, "The conversation is broken");
  const last = path.length - 1;
  return path
    .filter((m, i) => (i === last && includeUnaccepted ? !m.deleted : m.review_result === true && !m.deleted))
    .map((r) => toConversationMessage(r, userId));
}

/**
 * Messages as tasks show them: `ids` in that order, or the accepted live replies of one role to a parent. The
 * requesting user's own emojis come in the same statement.
 */
export async function conversationMessages(
  em: EntityManager,
  select: { repliesTo: string; role: string },
  userId: string | null,
): Promise<StoredConversationMessage[]> {
  const rows = await preparedQuery<ConversationRow>(
    em,
    `SELECT ${CONVERSATION_COLUMNS}, ${userEmojisColumn("m", 3)} FROM message m
     WHERE m.parent_id = $1 AND m.review_result AND NOT m.deleted AND m.role = $2 ORDER BY m.id`,
    [select.repliesTo, select.role, userId],
  );
  return rows.map((r) => toConversationMessage(r, userId));
}
