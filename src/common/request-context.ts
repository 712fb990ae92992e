/**
 * The request context every migrated service method takes first (docs/architecture.md, "The request context"):
 * who calls and through which door, with what role and visibility, what the journal records as the actor, the
 * request id and its logger. Data only: no services, no loaders, no database handle. A service reaches other
 * services through its constructor, so the context no longer ties every module to the composition root.
 *
 * Built by server/context.ts for GraphQL operations (`ctx.request(actingUser?)`) and by `internalRequestContext`
 * for the command line and the server's own jobs.
 */
import crypto from "node:crypto";
import type { Logger } from "pino";
import type { ApiClient } from "../modules/api-clients/api-client.entity.js";
import type { User } from "../modules/users/user.entity.js";
import type { Role } from "../modules/users/role.js";
import { EVERYTHING, visibilityOfClient, type Visibility } from "./visibility.js";
import { unauthenticated, userNotSpecified } from "./errors.js";

/** The door a change came through: the API, the command line, or the server itself (start-up, jobs, tests). */
export type ActorVia = "graphql" | "cli" | "system";

/** Who acts, as the journal records it: the acting user (null when a client acts with no user, or for the CLI) and the API client. */
export interface Actor {
  userId: string | null;
  apiClientId: string | null;
  via: ActorVia;
}

/** How the caller came in: the credentials of a GraphQL request, or the command line / the server itself. */
export type CallerVia = "anonymous" | "api-key" | "user-token" | "cli" | "system";

export interface RequestIdentity {
  via: CallerVia;
  apiClient: ApiClient | null;
  /** The acting user, resolved before the service is called (the `user` argument, the header's or the token's). */
  user: User | null;
}

export interface RequestContext {
  readonly requestId: string;
  readonly log: Logger;
  readonly identity: Readonly<RequestIdentity>;
  /** The effective role (USER when anonymous); the resolver's decorators have checked it already. */
  readonly role: Role;
  readonly visibility: Visibility;
  readonly actor: Actor;
}

/**
 * A GraphQL caller's context, from the identity server/context.ts resolved. A snapshot: the identity it reads is
 * the one at the moment the resolver builds it, after any `user` argument was resolved.
 */
export function requestContext(parts: { requestId: string; log: Logger; identity: RequestIdentity; role: Role }): RequestContext {
  const { apiClient, user, via } = parts.identity;
  return Object.freeze({
    requestId: parts.requestId,
    log: parts.log,
    identity: Object.freeze({ via, apiClient, user }),
    role: parts.role,
    visibility: visibilityOfClient(apiClient),
    actor: Object.freeze({ userId: user?.id ?? null, apiClientId: apiClient?.id ?? null, via: via === "cli" || via === "system" ? via : ("graphql" as const) }),
  });
}

/**
 * The acting user of an operation that acts for the caller's own user (no `user` argument): what the GraphQL
 * context's `actingUser()` answers, with its errors: UNAUTHENTICATED without an API client, USER_NOT_SPECIFIED
 * without a user. A service calls it where it used to ask the context, so its checks keep their order.
 */
export function actingUserOf(rc: RequestContext): User {
  if (!rc.identity.apiClient) throw unauthenticated();
  if (rc.identity.user) return rc.identity.user;
  throw userNotSpecified();
}

/** What the journal records for the command line's operator or the server itself: the door, no user, no client. */
function internalActor(via: "cli" | "system"): Actor {
  return Object.freeze({ userId: null, apiClientId: null, via });
}

/**
 * The command line's operator (`via: "cli"`) or the server acting on its own (`via: "system"`: start-up, periodic
 * jobs): no API client, no user, every record visible, journaled with no user and no client. `role` is what the
 * caller grants (the CLI's operator is an ADMIN of the whole system).
 */
export function internalRequestContext(via: "cli" | "system", log: Logger, role: Role): RequestContext {
  const requestId = `${via}-${crypto.randomUUID()}`;
  return Object.freeze({
    requestId,
    log: log.child({ requestId }),
    identity: Object.freeze({ via, apiClient: null, user: null }),
    role,
    visibility: EVERYTHING,
    actor: internalActor(via),
  });
}
