/**
 * The audit trail of moderation: every moderator or admin action writes one journal row inside the transaction
 * that makes the change, so a change without its row (or a row without its change) cannot exist.
 */
import type { EntityManager } from "typeorm";
import { uuid7 } from "../../db/uuid7.js";
import type { Context } from "../../server/context.js";

/** Who acts: the acting user (null when a client acts with no user) and the API client. */
export interface Actor {
  userId: string | null;
  apiClientId: string;
}

export function actorOf(ctx: Context): Actor {
  return { userId: ctx.identity.user?.id ?? null, apiClientId: ctx.identity.apiClient!.id };
}

/** Moderation actions, as stored in `journal.event_type`. */
export const ModerationAction = {
  TREE_HALTED: "tree_halted",
  TREE_RESUMED: "tree_resumed",
  SCORING_RETRIED: "scoring_retried",
  MESSAGE_DELETED: "message_deleted",
  MESSAGE_UNDELETED: "message_undeleted",
  MESSAGE_EDITED: "message_edited",
  USER_MESSAGES_DELETED: "user_messages_deleted",
  FLAG_PROCESSED: "flag_processed",
  USER_UPDATED: "user_updated",
  USER_DELETED: "user_deleted",
  USERS_MERGED: "users_merged",
  USER_PURGED: "user_purged",
  USER_MESSAGES_PURGED: "user_messages_purged",
  TOS_ACCEPTED: "tos_accepted",
} as const;
export type ModerationAction = (typeof ModerationAction)[keyof typeof ModerationAction];

export interface JournalTarget {
  /** What was acted on: a message, tree or user id. */
  targetId: string;
  /** The message concerned, when the target is a message or a tree (tree id = root id). */
  messageId?: string | null;
}

/** Writes one journal row in the caller's transaction; `payload` carries `before` and `after`. */
export async function writeJournal(
  em: EntityManager,
  actor: Actor,
  action: ModerationAction,
  target: JournalTarget,
  payload: Record<string, unknown>,
): Promise<void> {
  await em.query(
    `INSERT INTO journal (id, user_id, message_id, api_client_id, target_id, event_type, event_payload) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      uuid7(),
      actor.userId,
      target.messageId ?? null,
      actor.apiClientId,
      target.targetId,
      action,
      { type: action, user_id: actor.userId, api_client_id: actor.apiClientId, target_id: target.targetId, ...payload },
    ],
  );
}
