/**
 * Whether an identity that authenticated a while ago (an open websocket, a worker session) may still act, given its
 * API client and user as they are now. A pure rule, used for every open socket and before every job hand-out.
 */
import type { ApiClient } from "../modules/api-clients/api-client.entity.js";
import type { User } from "../modules/users/user.entity.js";
import { Role, roleAtLeast } from "../modules/users/role.js";
import { effectiveRole } from "./auth.js";

/** Websocket close codes: the credentials no longer authenticate / they do, but may no longer do what they did. */
export const WS_CLOSE_UNAUTHENTICATED = 4401;
export const WS_CLOSE_FORBIDDEN = 4403;

/** What an open connection authenticated as, kept to re-check it. */
export interface HeldIdentity {
  via: "api-key" | "user-token";
  apiClientId: string;
  /** The digest of the key the connection presented (api-key): a rotation replaces it. */
  keyHash: string | null;
  /** The user token's epochs and expiry (user-token). */
  token: { clientEpoch: number; userEpoch: number; expiresAt: Date } | null;
  /** The acting user, when there is one. */
  userId: string | null;
  /** The effective role the connection had when it authenticated (or was last re-checked). */
  role: Role;
}

export type ClientState = Pick<ApiClient, "id" | "keyHash" | "enabled" | "revokedAt" | "expiresAt" | "tokenEpoch" | "trusted" | "role">;
export type UserState = Pick<User, "id" | "apiClientId" | "enabled" | "deleted" | "tokenEpoch" | "role">;

export type Verdict = { ok: true; role: Role } | { ok: false; closeCode: number; reason: string };

const unauthenticated = (reason: string): Verdict => ({ ok: false, closeCode: WS_CLOSE_UNAUTHENTICATED, reason });
const forbidden = (reason: string): Verdict => ({ ok: false, closeCode: WS_CLOSE_FORBIDDEN, reason });

/**
 * The rule, in order: the client must exist and be usable (not revoked, disabled or expired); a key connection's
 * key must still be the client's key (rotation ends it); a token must not have expired nor predate a rotation of
 * its client's key or a "logout everywhere" of its user; the user must still exist in that client and be enabled
 * and not deleted (banned users are both); and the effective role must not have dropped below the one the
 * connection had (a higher role is fine: it is re-read for each new operation).
 */
export function judgeIdentity(held: HeldIdentity, client: ClientState | null, user: UserState | null, now: Date): Verdict {
  if (!client) return unauthenticated("UNAUTHENTICATED: the API client no longer exists");
  if (client.revokedAt) return unauthenticated("UNAUTHENTICATED: the API key was revoked");
  if (!client.enabled) return unauthenticated("UNAUTHENTICATED: the API client is disabled");
  if (client.expiresAt && client.expiresAt.getTime() <= now.getTime()) return unauthenticated("UNAUTHENTICATED: the API key expired");
  if (held.via === "api-key" && held.keyHash !== client.keyHash) return unauthenticated("UNAUTHENTICATED: the API key was rotated");
  if (held.via === "user-token") {
    const token = held.token;
    if (!token || token.expiresAt.getTime() <= now.getTime()) return unauthenticated("UNAUTHENTICATED: the user token expired");
    if (token.clientEpoch !== client.tokenEpoch) return unauthenticated("UNAUTHENTICATED: the client's key was rotated, ending its user tokens");
  }
  if (held.userId) {
    if (!user || user.id !== held.userId || user.apiClientId !== client.id) return unauthenticated("UNAUTHENTICATED: the user no longer exists");
    if (held.via === "user-token" && held.token!.userEpoch !== user.tokenEpoch) {
      return unauthenticated("UNAUTHENTICATED: the user's tokens were revoked (logout everywhere)");
    }
    if (user.deleted) return forbidden("USER_DISABLED: the user was deleted");
    if (!user.enabled) return forbidden("USER_DISABLED: the user is disabled");
  }
  const role = effectiveRole(client as ApiClient, held.userId ? (user as User) : null);
  if (!roleAtLeast(role, held.role)) return forbidden(`FORBIDDEN: the role changed from ${held.role} to ${role}`);
  return { ok: true, role };
}
