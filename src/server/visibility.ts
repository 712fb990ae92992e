/**
 * Who may read which records (docs/security.md, "Visibility"). One rule per kind of record, used by the root
 * queries and by the per-request loaders behind every nested field, so a field that leads to another record
 * cannot show more than the root query that would fetch that record:
 * - messages and users: a trusted client reads every client's; an untrusted client only its own client's;
 * - chats (with their messages, votes, reports and draft choices): their user; and moderators, of every client
 *   through a trusted client, of their own client's users through an untrusted one.
 * Privileged operations of an untrusted client act on its own client's data only; operations over the whole
 * system (keys, settings, workers, purges, recomputations, full exports) need an ADMIN of a trusted client.
 */
import type { ApiClient } from "../modules/api-clients/api-client.entity.js";
import { Role, roleAtLeast } from "../modules/users/role.js";
import { visibilityOfClient, type Visibility } from "../common/visibility.js";

/** The part of the request context the rules read (the context and a loader's identity both have it). */
interface Caller {
  apiClient: ApiClient | null;
}

/** The visibility of a request (its context, or the identity a loader reads). */
export function visibilityOf(ctx: { identity: Caller }): Visibility {
  return visibilityOfClient(ctx.identity.apiClient);
}

/** Which chats a caller may read besides its acting user's own. */
export interface ChatReader {
  /** The acting user, whose own chats are readable; null when the client acts with no user. */
  userId: string | null;
  /** Moderators read other users' chats: null = none, "all" = every client's, else one client's users'. */
  moderates: "all" | string | null;
}

export function chatReaderOf(caller: Caller & { userId: string | null }, role: Role): ChatReader {
  const client = caller.apiClient;
  const moderator = client !== null && roleAtLeast(role, Role.MODERATOR);
  return { userId: caller.userId, moderates: !moderator ? null : client.trusted ? "all" : client.id };
}

/** Whether a chat of `ownerId` (a user of `ownerClientId`) is readable by `reader`. */
export function mayReadChat(reader: ChatReader, ownerId: string, ownerClientId: string): boolean {
  if (reader.userId !== null && reader.userId === ownerId) return true;
  return reader.moderates === "all" || (reader.moderates !== null && reader.moderates === ownerClientId);
}

/**
 * ADMIN through a trusted client (its key, or a user token it minted for an ADMIN user): operations over the whole
 * system, which an untrusted client may never do whatever its role.
 */
export function isSystemAdmin(client: ApiClient | null, role: Role): boolean {
  return client?.trusted === true && roleAtLeast(role, Role.ADMIN);
}
