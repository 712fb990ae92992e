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
  const path = await preparedQuery<PathRow>(em, `${PATH_CTE} SELECT path.*, ${userEmojisColumn("path")} FROM path ORDER BY up DESC`, [messageId, userId]);
  return pathToConversation(path, userId, includeUnaccepted);
}

type PathRow = ConversationRow & { parent_id: string | null; review_result: boolean | null; deleted: boolean };

/** Root → message `$1` (the `path` CTE, `up` counting from the message), for `conversation` and `rankingConversation`. */
const PATH_CTE = `WITH RECURSIVE path AS (
       SELECT ${CONVERSATION_COLUMNS}, m.parent_id, m.review_result, m.deleted, 0 AS up FROM message m WHERE m.id = $1
       UNION ALL
       SELECT ${CONVERSATION_COLUMNS}, m.parent_id, m.review_result, m.deleted, path.up + 1 FROM message m JOIN path ON m.id = path.parent_id
     )`;

/** The path's rows (root first) as the conversation; a break in the chain is BROKEN_CONVERSATION. */
function pathToConversation(path: PathRow[], userId: string | null, includeUnaccepted: boolean): StoredConversationMessage[] {
  if (path.length === 0 || path[0].parent_id !== null) throw err(ErrorCode.BROKEN_CONVERSATION, "The conversation is broken");
  const last = path.length - 1;
  return path
    .filter((m, i) => (i === last && includeUnaccepted ? !m.deleted : m.review_result === true && !m.deleted))
    .map((r) => toConversationMessage(r, userId));
}

/**
 * A ranking task's texts in one statement: the conversation up to the ranked parent (as `conversation` without the
 * unaccepted message) and the parent's accepted live replies of one role, by id, where two statements read them
 * before: a round trip less per ranking task handed out (issue 14: most cycles at scale are
 * rankings). The path's rows come first (root first), then the replies by id; `part` tells them apart.
 */
export async function rankingConversation(
  em: EntityManager,
  parentId: string,
  role: string,
  userId: string | null,
): Promise<{ conversation: StoredConversationMessage[]; replies: StoredConversationMessage[] }> {
  const rows = await preparedQuery<PathRow & { part: number }>(
    em,
    `${PATH_CTE}
     SELECT * FROM (
       SELECT 0 AS part, path.id, path.user_id, path.frontend_message_id, path.text, path.lang, path.role, path.emojis, path.synthetic,
              path.parent_id, path.review_result, path.deleted, -path.up AS k, ${userEmojisColumn("path")} FROM path
       UNION ALL
       SELECT 1, m.id, m.user_id, m.frontend_message_id, m.text, m.lang, m.role, m.emojis, m.synthetic, m.parent_id, m.review_result, m.deleted, 0,
              ${userEmojisColumn("m")}
       FROM message m WHERE m.parent_id = $1 AND m.review_result AND NOT m.deleted AND m.role = $3
     ) x ORDER BY part, k, id`,
    [parentId, userId, role],
  );
  const replies = rows.filter((r) => r.part === 1).map((r) => toConversationMessage(r, userId));
  return {
    conversation: pathToConversation(
      rows.filter((r) => r.part === 0),
      userId,
      false,
    ),
    replies,
  };
}
