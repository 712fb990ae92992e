/**
 * The audit trail of moderation: every privileged change writes one journal row inside the transaction that makes
 * it, so a change without its row (or a row without its change) cannot exist, whichever door it came through
 * (GraphQL or the CLI). An action that changes nothing (deleting a deleted message, revoking a revoked key) writes
 * no row. `test/integration/journal-coverage.test.ts` walks every privileged mutation and CLI command.
 */
import type { EntityManager } from "typeorm";
import { uuid7 } from "../../db/uuid7.js";
import type { Actor } from "../../common/request-context.js";

// Defined with the request context (its `actor`, which every service hands the journal).
export type { Actor, ActorVia } from "../../common/request-context.js";

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
  USER_ROLE_CHANGED: "user_role_changed",
  /** "Logout everywhere": every user token of the user ends. */
  USER_TOKENS_REVOKED: "user_tokens_revoked",
  /** A user deleted their own account. */
  ACCOUNT_DELETED: "account_deleted",
  LEADERBOARD_VISIBILITY_CHANGED: "leaderboard_visibility_changed",
  API_CLIENT_CREATED: "api_client_created",
  API_CLIENT_KEY_ROTATED: "api_client_key_rotated",
  API_CLIENT_REVOKED: "api_client_revoked",
  WORKER_DRAINED: "worker_drained",
  CHAT_REPORT_RESOLVED: "chat_report_resolved",
  CACHED_STATS_REFRESHED: "cached_stats_refreshed",
  ARENA_VOTER_EXCLUDED: "arena_voter_excluded",
  ARENA_VOTER_READMITTED: "arena_voter_readmitted",
  ARENA_LEADERBOARD_REFRESHED: "arena_leaderboard_refreshed",
} as const;
export type ModerationAction = (typeof ModerationAction)[keyof typeof ModerationAction];

export interface JournalTarget {
  /** What was acted on: a message, tree, user or API client id (null when it is not a UUID: a worker session). */
  targetId: string | null;
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
  await em.query(`INSERT INTO journal (id, user_id, message_id, api_client_id, target_id, event_type, event_payload) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    uuid7(),
    actor.userId,
    target.messageId ?? null,
    actor.apiClientId,
    target.targetId,
    action,
    { type: action, user_id: actor.userId, api_client_id: actor.apiClientId, via: actor.via, target_id: target.targetId, ...payload },
  ]);
}
