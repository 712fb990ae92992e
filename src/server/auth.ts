/**
 * Who may call what. Identities: anonymous, an API client (key), or a user token minted by a trusted client.
 * Roles: a trusted client acting for a user has that user's role; an untrusted client acting for a user has
 * USER powers; a client acting with no user has the role it was created with.
 */
import type { AuthChecker, AuthCheckerFn, ResolverData } from "type-graphql";
import { Kind, type DocumentNode, type OperationDefinitionNode, type FieldNode } from "graphql";
import type { ApiClient } from "../modules/api-clients/api-client.entity.js";
import { ApiClientKind } from "../modules/api-clients/api-client.entity.js";
import type { User } from "../modules/users/user.entity.js";
import { Role, roleAtLeast } from "../modules/users/role.js";
import { ChorusError, ErrorCode, forbidden, unauthenticated } from "../common/errors.js";
import type { Context } from "./context.js";
import { isSystemAdmin } from "./visibility.js";

/** Requirements usable in `@Authorized(...)` besides the roles. */
export enum Requirement {
  /** The caller is a trusted API client using its key (not a user token). */
  TRUSTED_CLIENT = "TRUSTED_CLIENT",
  /** The caller is a GPU worker key. */
  WORKER = "WORKER",
  /**
   * ADMIN through a trusted client: operations over the whole system (API keys, settings, workers, purges,
   * recomputations), which an untrusted client may never do whatever its role (src/server/visibility.ts).
   */
  SYSTEM_ADMIN = "SYSTEM_ADMIN",
}

export type AuthRequirement = Role | Requirement;

export function effectiveRole(client: ApiClient, user: User | null): Role {
  if (!user) return client.role;
  return client.trusted ? user.role : Role.USER;
}

/**
 * Decides `@Authorized(...)`: no argument means any authenticated caller that is not a worker; a role means at
 * least that role; TRUSTED_CLIENT, SYSTEM_ADMIN and WORKER are kinds of caller. Several arguments: any one suffices.
 */
export const authChecker: AuthChecker<Context, AuthRequirement> = ({ context }, requirements) => {
  const ctx = context;
  const client = ctx.identity.apiClient;
  if (!client) throw unauthenticated();
  const isWorker = client.kind === ApiClientKind.WORKER;
  if (requirements.length === 0) {
    if (isWorker) throw forbidden("Worker keys may only use the worker protocol");
    return true;
  }
  for (const req of requirements) {
    if (req === Requirement.WORKER) {
      if (isWorker) return true;
      continue;
    }
    if (isWorker) continue;
    if (req === Requirement.TRUSTED_CLIENT) {
      if (client.trusted && ctx.identity.via === "api-key") return true;
      continue;
    }
    if (req === Requirement.SYSTEM_ADMIN) {
      if (isSystemAdmin(client, ctx.role())) return true;
      continue;
    }
    if (roleAtLeast(ctx.role(), req)) return true;
  }
  const needs = requirements.map((r) => (r === Requirement.SYSTEM_ADMIN ? "an ADMIN of a trusted API client" : r));
  throw forbidden(`This operation requires ${needs.join(" or ")}`);
};

/**
 * The same decision for a subscription's `subscribe` function, which type-graphql's `@Authorized` does not guard
 * (it checks each event, after the subscription has started).
 */
export function assertAuthorized(ctx: Context, requirements: AuthRequirement[] = []): void {
  (authChecker as AuthCheckerFn<Context, AuthRequirement>)({ context: ctx } as ResolverData<Context>, requirements);
}

/** Root fields anyone may call without a key, filled by `@Public()`. */
const PUBLIC_FIELDS = new Set<string>();

/** Marks a root query or mutation as callable without a key. Put it next to the resolver decorator. */
export function Public(): MethodDecorator {
  return (_target, propertyKey) => {
    PUBLIC_FIELDS.add(String(propertyKey));
  };
}

export function isPublicRootField(name: string): boolean {
  return name.startsWith("__") || PUBLIC_FIELDS.has(name);
}

/**
 * Anonymous callers may run only introspection, `__typename` and public operations. Checked before execution,
 * so nothing runs for a rejected request.
 */
export function assertAnonymousMayRun(document: DocumentNode, operationName?: string | null): void {
  const op = pickOperation(document, operationName);
  if (!op) return; // graphql's own validation reports the missing operation
  for (const selection of op.selectionSet.selections) {
    const names = rootFieldNames(selection, document);
    for (const name of names) {
      if (!isPublicRootField(name)) {
        // Thrown from a request hook, so the HTTP status must be given or Apollo answers 500.
        throw new ChorusError(ErrorCode.UNAUTHENTICATED, `"${name}" needs an API key or user token`, { http: { status: 401 } });
      }
    }
  }
}

function pickOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return ops.find((o) => o.name?.value === operationName);
  return ops.length === 1 ? ops[0] : undefined;
}

function rootFieldNames(selection: OperationDefinitionNode["selectionSet"]["selections"][number], document: DocumentNode, depth = 0): string[] {
  if (depth > 20) return ["(fragment cycle)"];
  if (selection.kind === Kind.FIELD) return [(selection as FieldNode).name.value];
  if (selection.kind === Kind.INLINE_FRAGMENT) {
    return selection.selectionSet.selections.flatMap((s) => rootFieldNames(s, document, depth + 1));
  }
  const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
  if (!fragment || fragment.kind !== Kind.FRAGMENT_DEFINITION) return [];
  return fragment.selectionSet.selections.flatMap((s) => rootFieldNames(s, document, depth + 1));
}
