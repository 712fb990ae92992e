import crypto from "node:crypto";
import DataLoader from "dataloader";
import type { Logger } from "pino";
import type { AppServices } from "./services.js";
import type { ApiClient } from "../modules/api-clients/api-client.entity.js";
import type { KeyCheck } from "../modules/api-clients/api-client.service.js";
import type { User } from "../modules/users/user.entity.js";
import type { MessageBranch, MessageNode, MessageTreeStateNode } from "../modules/trees/message.types.js";
import { chatReaderOf, mayReadChat } from "./visibility.js";
import { visibilityOfClient, type Visibility } from "../common/visibility.js";
import type { ChatMessage } from "../modules/chat/chat.entity.js";
import type { WorkerConnection } from "../modules/workers/sessions/worker-connection.js";
import type { WorkerSession } from "../modules/workers/worker.service.js";
import type { ChatFeedback } from "../modules/chat/feedback/chat-feedback.service.js";
import { Role } from "../modules/users/role.js";
import { parseUserHeader, validateUserRef, type UserRef } from "../modules/users/user-ref.js";
import { effectiveRole } from "./auth.js";
import { ChorusError, ErrorCode, forbidden, unauthenticated, userNotSpecified } from "../common/errors.js";
import { looksLikeJwt } from "./user-token.js";
import type { AnnotatorQualityResult } from "../modules/agreement/annotator-quality.service.js";
import { requestContext, type RequestContext } from "../common/request-context.js";

export type Via = "anonymous" | "api-key" | "user-token";

/** What a request brings, from HTTP headers or graphql-ws connectionParams alike. */
export interface Credentials {
  authorization?: string | null;
  apiKey?: string | null;
  user?: string | null;
  userName?: string | null;
  requestId?: string | null;
}

export interface Loaders {
  userById: DataLoader<string, User | null>;
  messageById: DataLoader<string, MessageNode | null>;
  childrenByParent: DataLoader<string, MessageNode[]>;
  treeState: DataLoader<string, MessageTreeStateNode | null>;
  /** By tree id, within what the calling client may read. */
  longestConversation: DataLoader<string, MessageNode[]>;
  widestBranch: DataLoader<string, MessageBranch | null>;
  /** Emojis the acting user set, by message id. */
  userEmojis: DataLoader<string, string[]>;
  /** Whether the caller may read a chat, by chat id (its user's own, or a moderator's within its scope). */
  readableChats: DataLoader<string, boolean>;
  /** Chat messages by chat id, oldest first (none for a chat the caller may not read). */
  chatMessagesByChat: DataLoader<string, ChatMessage[]>;
  chatMessageById: DataLoader<string, ChatMessage | null>;
  /** Votes, reports and draft choices by chat id. */
  chatFeedbackByChat: DataLoader<string, ChatFeedback>;
  /**
   * Whether a chat holds a blind battle (models hidden until the vote), by chat id. Never cached: a subscription's
   * context lives on after the vote, and from then on the models show.
   */
  blindChat: DataLoader<string, boolean>;
  /** Annotator quality signals by user id (callers reach it only for users they may read). */
  annotatorQuality: DataLoader<string, AnnotatorQualityResult>;
}

/**
 * Who is calling. Mutable and shared by reference: Apollo shallow-copies the context object, so state that an
 * operation changes (the acting user chosen by a `user` argument) must live in an object, not a context field.
 */
export interface Identity {
  via: Via;
  apiClient: ApiClient | null;
  /** The acting user, from the header, the token or a `user` argument, once known. */
  user: User | null;
  /** For a user token: the epochs it was minted in and its expiry, to re-check open sockets (open-sockets.ts). */
  token?: { clientEpoch: number; userEpoch: number; expiresAt: Date } | null;
}

export interface Context {
  requestId: string;
  log: Logger;
  app: AppServices;
  /** Over a websocket: the worker sessions this connection opened (a worker's job reports must come through it). */
  workerConnection?: WorkerConnection<WorkerSession>;
  identity: Identity;
  /** The effective role of this request; USER when anonymous. */
  role(): Role;
  /**
   * The acting user for an operation that creates work: the `user` argument when given, else the header's
   * or the token's user. Creates the user on first sight. Throws USER_NOT_SPECIFIED when there is none.
   */
  actingUser(ref?: UserRef | null): Promise<User>;
  /**
   * The request context the services take first (src/common/request-context.ts): the caller as it stands now, or
   * with `actingUser` (from `actingUser(ref)`) as the acting user.
   */
  request(actingUser?: User): RequestContext;
  loaders: Loaders;
}

/**
 * The loaders behind every nested field. Each applies the visibility of the root query that would fetch its
 * records (src/server/visibility.ts): a hidden message or user loads as null and is left out of lists, and a chat's
 * messages and feedback load only for a chat the caller may read. A field built on a loader therefore shows no
 * more than the root queries, whoever wrote it.
 */
function createLoaders(app: AppServices, identity: Identity, role: () => Role, request: () => RequestContext): Loaders {
  const vis = (): Visibility => visibilityOfClient(identity.apiClient);
  const visible = <T extends { apiClientId: string }>(rows: T[]): T[] => {
    const only = vis().apiClientId;
    return only === null ? rows : rows.filter((r) => r.apiClientId === only);
  };
  const readableChats = new DataLoader<string, boolean>(async (ids) => {
    const reader = chatReaderOf({ apiClient: identity.apiClient, userId: identity.user?.id ?? null }, role());
    const owners = new Map((await app.chats.owners(ids)).map((o) => [o.chatId, o]));
    return ids.map((id) => {
      const o = owners.get(id);
      return o !== undefined && mayReadChat(reader, o.userId, o.apiClientId);
    });
  });
  return {
    messageById: new DataLoader(async (ids) => {
      const byId = new Map(visible(await app.messages.byIds(ids)).map((m) => [m.id, m]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    childrenByParent: new DataLoader(async (ids) => {
      const byParent = groupBy(visible(await app.messages.childrenOf(ids)), (m) => m.parentId);
      return ids.map((id) => byParent.get(id) ?? []);
    }),
    treeState: new DataLoader(async (ids) => {
      const rows = await app.messages.treeStates(ids);
      const byId = new Map(rows.map((s) => [s.messageTreeId, s]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    longestConversation: new DataLoader(async (ids) => {
      const byTree = await app.messages.longestConversations(request(), ids);
      return ids.map((id) => byTree.get(id)!);
    }),
    widestBranch: new DataLoader(async (ids) => {
      const byTree = await app.messages.widestBranches(request(), ids);
      return ids.map((id) => byTree.get(id)!);
    }),
    userEmojis: new DataLoader(async (ids) => {
      const userId = identity.user?.id;
      if (!userId) return ids.map(() => []);
      const byMessage = await app.emojis.ofUser(userId, ids);
      return ids.map((id) => byMessage.get(id) ?? []);
    }),
    readableChats,
    chatMessagesByChat: new DataLoader(async (ids) => {
      const readable = await readableChats.loadMany(ids);
      const byChat = groupBy(await app.chats.messagesOf(ids.filter((_, i) => readable[i] === true)), (m) => m.chatId);
      return ids.map((id) => byChat.get(id) ?? []);
    }),
    chatMessageById: new DataLoader(async (ids) => {
      const rows = await app.chats.messagesByIds(ids);
      const readable = new Set((await readableChats.loadMany(rows.map((m) => m.chatId))).flatMap((ok, i) => (ok === true ? [rows[i].chatId] : [])));
      const byId = new Map(rows.filter((m) => readable.has(m.chatId)).map((m) => [m.id, m]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    chatFeedbackByChat: new DataLoader(async (ids) => {
      const readable = await readableChats.loadMany(ids);
      const byChat = await app.chatFeedback.ofChats(ids.filter((_, i) => readable[i] === true));
      return ids.map((id) => byChat.get(id) ?? { votes: [], reports: [], draftChoices: [] });
    }),
    userById: new DataLoader(async (ids) => {
      const byId = new Map(visible(await app.users.findByIds(ids)).map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    annotatorQuality: new DataLoader(async (ids) => app.annotatorQuality.ofUsers(ids)),
    blindChat: new DataLoader(
      async (ids) => {
        const blind = await app.arena.blindChats(ids);
        return ids.map((id) => blind.has(id));
      },
      { cache: false },
    ),
  };
}

/** Rows grouped by a key, in their order (a loader's answer per key, without scanning every row per key). */
function groupBy<T>(rows: readonly T[], keyOf: (row: T) => string | null): Map<string | null, T[]> {
  const groups = new Map<string | null, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

function bearerOf(authorization?: string | null): string | null {
  if (!authorization) return null;
  const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  return m ? m[1].trim() : null;
}

/** Who a connection's credentials resolved to, for reuse by the connection's next operations. */
export type ResolvedIdentity = Identity;

/**
 * The one check that a user may act at all, made wherever the acting user is resolved (header, token, `user`
 * argument): disabled, deleted and banned users (a ban is disabled and deleted) are refused every operation,
 * before any resolver runs, with USER_DISABLED (the reference's 4001) and HTTP 403.
 */
export function assertUserMayAct(user: User): void {
  if (user.deleted || !user.enabled) {
    throw new ChorusError(ErrorCode.USER_DISABLED, user.deleted ? "This user was deleted" : "This user is disabled", { http: { status: 403 } });
  }
}

/**
 * Builds the per-request context; throws UNAUTHENTICATED for a key or token that is not valid.
 * `known`: the identity these same credentials resolved to a moment ago (a websocket's previous operation); the
 * key and user lookup is skipped. The caller bounds how old it may be.
 */
export async function buildContext(app: AppServices, creds: Credentials, known?: ResolvedIdentity): Promise<Context> {
  if (!app.isReady()) {
    throw new ChorusError(ErrorCode.SERVICE_UNAVAILABLE, "The server is starting or its database is unreachable; retry shortly", {
      http: { status: 503 },
    });
  }
  const requestId = sanitizeRequestId(creds.requestId) ?? crypto.randomUUID();
  const log = app.log.child({ requestId });
  const secret = bearerOf(creds.authorization) ?? creds.apiKey?.trim() ?? null;

  let via: Via = "anonymous";
  let apiClient: ApiClient | null = null;
  let user: User | null = null;
  let token: Identity["token"] = null;
  /** The identity counter this request's key lookup read (null: not through the cache). */
  let generation: bigint | null = null;

  if (known) {
    ({ via, apiClient, user } = known);
    token = known.token ?? null;
  } else if (secret) {
    if (looksLikeJwt(secret)) {
      const claims = await app.tokens().verify(secret);
      if (!claims) throw rejected("The user token is invalid or expired");
      // The client and the user: from the identity cache (one read of the identity counter) or in one query.
      const found = await app.identityCache.lookupToken(claims.apiClientId, claims.userId).catch(() => null);
      const client = found?.client ?? null;
      const check = client ? app.apiClients.checkClient(client) : null;
      if (!client || !check?.ok) throw rejected("The user token's API client is no longer valid");
      if (client.tokenEpoch !== claims.clientEpoch) throw rejected("The user token was ended by a rotation of its client's key");
      const tokenUser = found?.user ?? null;
      if (!tokenUser || tokenUser.apiClientId !== client.id) throw rejected("The user token's user no longer exists");
      if (tokenUser.tokenEpoch !== claims.userEpoch) throw rejected("The user token was revoked (logout everywhere)");
      assertUserMayAct(tokenUser);
      via = "user-token";
      apiClient = client;
      user = tokenUser;
      token = { clientEpoch: claims.clientEpoch, userEpoch: claims.userEpoch, expiresAt: claims.expiresAt };
    } else {
      // The key and the header's user: from the identity cache (one read of the identity counter) or in one
      // query; the user is created (or renamed) only when needed.
      const ref = creds.user ? parseUserHeader(creds.user, creds.userName) : null;
      const found = await app.identityCache.lookup(secret, ref);
      generation = found.generation;
      const check: KeyCheck = found.client ? app.apiClients.checkClient(found.client) : { ok: false, reason: "unknown" };
      if (!check.ok) throw rejected(`The API key is ${check.reason === "unknown" ? "not valid" : check.reason}`);
      via = "api-key";
      apiClient = check.client;
      if (ref) {
        const known = found.user;
        // Refused before anything is written for them (a banned user cannot even rename themselves).
        if (known) assertUserMayAct(known);
        const wantedName = ref.displayName?.trim();
        user = known && (!wantedName || wantedName === known.displayName) ? known : await app.users.findOrCreate(apiClient.id, ref);
        assertUserMayAct(user);
        if (user !== known) app.identityCache.rememberUser(user, generation);
      }
    }
  }

  const identity: Identity = { via, apiClient, user, token };
  const ctx: Context = {
    requestId,
    log,
    app,
    identity,
    role: () => (identity.apiClient ? effectiveRole(identity.apiClient, identity.user) : Role.USER),
    actingUser: async (ref) => {
      if (!identity.apiClient) throw unauthenticated();
      if (ref) {
        const valid = validateUserRef(ref);
        if (identity.via === "user-token") {
          const u = identity.user!;
          if (u.authMethod !== valid.authMethod || u.username !== valid.id) {
            throw forbidden("A user token may only act for its own user");
          }
          return u;
        }
        // A user read under this request's identity counter (or a later one) is that user as the row says.
        const wantedName = valid.displayName?.trim();
        const cached = generation === null ? null : app.identityCache.user(identity.apiClient.id, valid, generation);
        let named: User;
        if (cached && (!wantedName || wantedName === cached.displayName)) named = cached;
        else {
          named = await app.users.findOrCreate(identity.apiClient.id, valid);
          if (generation !== null) app.identityCache.rememberUser(named, generation);
        }
        assertUserMayAct(named);
        identity.user = named;
        return identity.user;
      }
      if (identity.user) return identity.user;
      throw userNotSpecified();
    },
    request: (acting) =>
      requestContext({
        requestId,
        log,
        identity: { via: identity.via, apiClient: identity.apiClient, user: acting ?? identity.user },
        role: acting && identity.apiClient ? effectiveRole(identity.apiClient, acting) : ctx.role(),
      }),
    loaders: createLoaders(
      app,
      identity,
      () => ctx.role(),
      () => ctx.request(),
    ),
  };
  return ctx;
}

function rejected(message: string): ChorusError {
  return new ChorusError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });
}

function sanitizeRequestId(value?: string | null): string | null {
  if (!value) return null;
  return /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : null;
}
