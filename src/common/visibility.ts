/**
 * Whose messages and users a caller may read, as data the request context carries (docs/security.md,
 * "Visibility"). The rules that read roles (chats, system admins) stay in server/visibility.ts.
 */
import type { ApiClient } from "../modules/api-clients/api-client.entity.js";

/** Whose messages and users a caller may read: null = every client's, else that client's only. */
export interface Visibility {
  apiClientId: string | null;
}

/** Untrusted clients read only their own client's messages and users (spec §7.1); trusted ones read everything. */
export function visibilityOfClient(client: ApiClient | null): Visibility {
  return { apiClientId: client && !client.trusted ? client.id : null };
}

/** What the server itself and the command line read: everything. */
export const EVERYTHING: Visibility = Object.freeze({ apiClientId: null });
