/**
 * The websocket server: graphql-ws on the HTTP server's port at /graphql. It resolves a connection's identity once
 * (onConnect) and watches it while open, lets each operation through the operation gate or, for a worker's token
 * batch, through the token fast path (onSubscribe; from a connection's third batch on, before graphql-ws parses the
 * message: takeTokenBatch), and formats what it sends back.
 */
import type http from "node:http";
import crypto from "node:crypto";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { useServer } from "graphql-ws/use/ws";
import type { Context as WsContext, Disposable } from "graphql-ws";
import { GraphQLError, execute, subscribe, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from "graphql";
import type { AppServices } from "./services.js";
import { buildContext, type Context, type Credentials, type Identity, type ResolvedIdentity } from "./context.js";
import { ChorusError, ErrorCode, formatError } from "../common/errors.js";
import { operationLabel } from "./metrics.js";
import type { OperationGate } from "./operation-gate.js";
import { operationBudget } from "./http-gate.js";
import { runWithBudget } from "../db/operation-budget.js";
import { ApiClientKind } from "../modules/api-clients/api-client.entity.js";
import { heldIdentityOf } from "./open-sockets.js";
import { WS_CLOSE_FORBIDDEN, WS_CLOSE_UNAUTHENTICATED } from "./identity-verdict.js";
import { WorkerConnection } from "../modules/workers/sessions/worker-connection.js";
import type { WorkerSession } from "../modules/workers/worker.service.js";
import { SerialisedResult, subscribeSerialised, type DirectSend } from "../modules/chat/generation/generation-fan-out.js";
import { serialisedSender, type SerialisedSender } from "./serialised-send.js";
import { ackResultJson, recogniseTokenOperation, runTokenBatch, tokenBatchOf, type TokenOperation } from "../modules/workers/token-fast-path.js";
import { formatResult, logUnexpected, toGraphQLError } from "./error-format.js";
import { coalesceWrites } from "./coalesced-writes.js";
import { eventsUnderBudget } from "./subscription-budget.js";
import { addOperation, countedOperations, deleteOperation, hasOperation, operationCount } from "./operation-count.js";
import { completeMessage, nextMessage, nextMessageOfJson, offerMessagesFirst, tokenBatchMessage } from "./token-batch-messages.js";

/**
 * How long a websocket reuses the identity its credentials resolved to for its next operations, so a worker's
 * token batches do not look its key up each time. Revocation does not wait for it: `app.openSockets` re-checks every
 * open socket when an identity changes (and periodically) and closes the revoked ones.
 */
const WS_IDENTITY_REUSE_MS = 5_000;

/**
 * Whether a socket keeps its identity until the registry drops it, without the periodic look-up above: a worker's
 * socket that `app.openSockets` watches. Its operations need only its role (WORKER) and its key's validity, and the
 * registry checks exactly those against PostgreSQL for every watched socket every IDENTITY_RECHECK_SECONDS (one
 * statement for all of them) and at once on an announced change: a revoked key closes the socket, a changed role
 * drops the identity kept here (`refreshed`). The look-up every 5 s per socket was a database round trip on the
 * token path: under a saturated pool, token batches failed on it (bench/RESULTS.md, issue 13).
 */
export function keepsIdentity(identity: Identity, watched: boolean): boolean {
  return watched && identity.apiClient?.kind === ApiClientKind.WORKER && identity.via === "api-key";
}

/**
 * A worker's socket carries, for each of up to 256 parallel jobs (its largest capacity), a token batch and a
 * heartbeat or finish in flight, besides its job subscription: it may run this many operations at once.
 */
const WORKER_MAX_OPERATIONS = 2 * 256 + 16;

/** graphql-ws's close code for an unexpected server failure (clients do not retry it). */
const WS_CLOSE_INTERNAL_ERROR = 4500;

/** WebSocket close code sent to clients when the server shuts down (RFC 6455 "going away"). */
export const WS_CLOSE_GOING_AWAY = 1001;

/**
 * A token batch admitted by the fast path, on the execution arguments onSubscribe returned (graphql-ws hands the
 * same object to execute), for execute to run. A property rather than a WeakMap entry: an entry per batch in a
 * WeakMap was a tenth of onSubscribe's own time, and more work for the garbage collector.
 */
const TOKEN_BATCH = Symbol("tokenBatch");
type TokenBatchArgs = ExecutionArgs & { [TOKEN_BATCH]?: () => Promise<ExecutionResult> };

type CachedIdentity = { resolved: ResolvedIdentity; at: number; lasting: boolean };

/** What Chorus keeps on each graphql-ws connection (`ctx.extra`, besides useServer's socket and request). */
interface SocketExtra extends Record<PropertyKey, unknown> {
  socket: WebSocket;
  creds?: Credentials;
  subs?: Set<string>;
  /** The identity the socket's operations reuse; `lasting`: until the registry drops it (keepsIdentity). */
  identity?: CachedIdentity;
  watched?: boolean;
  unwatch?: () => void;
  workerConnection?: WorkerConnection<WorkerSession>;
  sender?: SerialisedSender;
  /** The worker's token operation, once its first batch passed the gate (token-fast-path.ts). */
  tokenOperation?: TokenOperation;
  /** The context the token batches share, built for the identity object it names (batchContext). */
  tokenContext?: { identity: CachedIdentity; context: Context };
}

/** Each subscription's socket and id, by the execution arguments onSubscribe returned (for subscribe to find). */
const directSends = new WeakMap<ExecutionArgs, DirectSend>();

export interface WebsocketServer {
  wsServer: WebSocketServer;
  /** Closes every websocket with 1001 Going Away (Apollo's drain calls it). */
  serverCleanup: Disposable;
}

/**
 * Starts graphql-ws on `httpServer`. `stopping` says whether the server is shutting down: a connection opened then
 * is closed with 1001 Going Away.
 */
export function startWebsocketServer(
  app: AppServices,
  schema: GraphQLSchema,
  httpServer: http.Server,
  gate: OperationGate,
  stopping: () => boolean,
): WebsocketServer {
  const { config, log, metrics } = app;
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: config.maxBodyBytes });
  const maxOperationsOf = (context: Context) =>
    context.identity.apiClient?.kind === ApiClientKind.WORKER ? Math.max(config.maxOperationsPerSocket, WORKER_MAX_OPERATIONS) : config.maxOperationsPerSocket;

  /**
   * The identity a token batch of this socket may reuse to skip the general path: the socket's cached one while fresh
   * (as every operation reuses it) on a ready server; undefined sends the batch the general way.
   */
  const reusedIdentity = (extra: SocketExtra): CachedIdentity | undefined => {
    const cached = extra.identity;
    return cached && (cached.lasting || Date.now() - cached.at < WS_IDENTITY_REUSE_MS) && app.isReady() ? cached : undefined;
  };

  const onNext = (_ctx: unknown, _id: string, _payload: unknown, args: ExecutionArgs, result: ExecutionResult | SerialisedResult) => {
    // Serialised already, within MAX_RESPONSE_BYTES, without errors: the same bytes for every subscriber.
    if (result instanceof SerialisedResult) {
      const extra = (_ctx as { extra: SocketExtra }).extra;
      return (extra.sender ? extra.sender.payloadOf(result.json) : JSON.parse(result.json)) as FormattedExecutionResult;
    }
    const tooLarge = gate.responseTooLarge(result);
    if (tooLarge) {
      metrics.errors.inc({ code: ErrorCode.RESPONSE_TOO_LARGE });
      return { data: null, errors: [tooLarge.toJSON()] } as FormattedExecutionResult;
    }
    return formatResult(result as ExecutionResult, args.contextValue as Context | undefined, log, app);
  };

  /**
   * The operations counter's series for a token operation's batches (the operation name is the operation's: tokenBatchOf
   * checks it): looked up once, where an `inc` with labels validated and hashed them for every batch.
   */
  const tokenBatchCounters = new WeakMap<TokenOperation, { inc(): void }>();
  const tokenBatchesCounted = (op: TokenOperation) => {
    let counter = tokenBatchCounters.get(op);
    if (!counter) {
      counter = metrics.operations.labels({ operation: operationLabel(op.operationName), type: "mutation", outcome: "ok" });
      tokenBatchCounters.set(op, counter);
    }
    return counter;
  };

  const onComplete = (ctx: { extra: SocketExtra }, id: string) => {
    if (ctx.extra.subs?.delete(id)) metrics.openSubscriptions.dec();
  };

  /**
   * A token batch taken off the socket before graphql-ws (token-batch-messages.ts): true when this handles the
   * message, false to leave it to graphql-ws. Runs as graphql-ws would run the batch on the fast path of
   * onSubscribe: the id recorded while it runs, the socket's operation limit, the batch under an operation budget,
   * its `next` through onNext and its `complete`.
   */
  const takeTokenBatch = (ctx: WsContext<Record<string, unknown>, SocketExtra>, data: RawData): boolean => {
    const op = ctx.extra.tokenOperation;
    if (!op || !ctx.acknowledged || !Buffer.isBuffer(data)) return false;
    // The connection's token context for the identity reused now (made on the general path, by the first batch
    // after a refresh or a lapse).
    const cached = reusedIdentity(ctx.extra);
    const shared = cached && ctx.extra.tokenContext?.identity === cached ? ctx.extra.tokenContext.context : undefined;
    if (!shared) return false;
    const message = tokenBatchMessage(data.toString(), op);
    if (!message) return false;
    const { id, payload, batch } = message;
    const subscriptions = ctx.subscriptions;
    // A duplicate id (graphql-ws closes the socket) or one over the limit (refused): graphql-ws's way.
    if (hasOperation(subscriptions, id) || operationCount(subscriptions) + 1 > maxOperationsOf(shared)) return false;
    addOperation(subscriptions, id, null);
    const context = batchContext(shared);
    tokenBatchesCounted(op).inc();
    const socket = ctx.extra.socket;
    const failed = (err: unknown) => {
      // What graphql-ws does with a failure of its message handling (runTokenBatch answers the batch's own).
      log.error({ err }, "websocket: token batch handling failed");
      socket.close(WS_CLOSE_INTERNAL_ERROR, "Internal server error");
    };
    /** `listed`: whether the id is still listed, when the caller has just looked (a keyed `in` on a large record). */
    const complete = (listed = hasOperation(ctx.subscriptions, id)) => {
      onComplete(ctx, id);
      if (listed && socket.readyState === socket.OPEN) socket.send(completeMessage(id));
    };
    const answer = (result: ExecutionResult) => {
      // As graphql-ws: a batch the client completed meanwhile (or whose socket closed) is not answered.
      if (hasOperation(ctx.subscriptions, id) && socket.readyState === socket.OPEN) {
        // An ack (no errors) within MAX_RESPONSE_BYTES: what onNext would leave to graphql-ws, serialised once.
        const ackJson = ackResultJson(result);
        if (ackJson !== undefined && ackJson.length * 3 <= config.maxResponseBytes) {
          socket.send(nextMessageOfJson(id, ackJson));
          // Still listed: nothing between the look above and here can complete it.
          return void complete(true);
        }
        const { errors, ...withoutErrors } = result;
        const args: ExecutionArgs = {
          schema,
          document: op.document,
          variableValues: payload.variables,
          operationName: op.operationName,
          contextValue: context,
        };
        const formatted = onNext(ctx, id, payload, args, result) ?? { ...withoutErrors, ...(errors ? { errors: errors.map((e) => e.toJSON()) } : {}) };
        socket.send(nextMessage(id, formatted));
      }
      complete();
    };
    runWithBudget(operationBudget(app), () => runTokenBatch(op, context, batch)).then(
      (result) => {
        try {
          answer(result);
        } catch (err) {
          failed(err);
        } finally {
          if (ctx.subscriptions === subscriptions) deleteOperation(subscriptions, id);
        }
      },
      (err: unknown) => {
        failed(err);
        if (ctx.subscriptions === subscriptions) deleteOperation(subscriptions, id);
      },
    );
    return true;
  };

  // biome-ignore lint/correctness/useHookAtTopLevel: graphql-ws's useServer is not a React hook
  const serverCleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      // Each operation holds a bounded share of the database pool (src/db/operation-budget.ts).
      execute: (args: ExecutionArgs) => {
        const budget = operationBudget(app);
        const batch = (args as TokenBatchArgs)[TOKEN_BATCH];
        if (batch) return runWithBudget(budget, batch);
        return runWithBudget(budget, async () => {
          try {
            return await execute(args);
          } finally {
            if (budget.peak > 0) metrics.operationConnections.observe(budget.peak);
          }
        });
      },
      // The generation subscription's events are serialised once per stream and selection (generation-fan-out.ts);
      // those executed still are each under a budget of their own (subscription-budget.ts).
      subscribe: (args: ExecutionArgs) =>
        runWithBudget(operationBudget(app), async () =>
          eventsUnderBudget((await subscribeSerialised(args, config.maxResponseBytes, directSends.get(args))) ?? (await subscribe(args)), () =>
            operationBudget(app),
          ),
        ),
      onConnect: async (ctx) => {
        if (stopping()) {
          ctx.extra.socket.close(WS_CLOSE_GOING_AWAY, "Server is shutting down");
          return false;
        }
        const params = ctx.connectionParams ?? {};
        const creds: Credentials = {
          authorization: stringParam(params.authorization) ?? stringParam(params.Authorization),
          apiKey: stringParam(params.apiKey) ?? stringParam(params["x-api-key"]),
          user: stringParam(params.user) ?? stringParam(params["x-chorus-user"]) ?? stringParam(params["x-oasst-user"]),
          userName: stringParam(params.userName) ?? stringParam(params["x-chorus-user-name"]),
        };
        try {
          const checked = await buildContext(app, creds);
          // Watched while open: a revocation of its key, token or user closes it (4401/4403) within 5 s.
          const held = heldIdentityOf(checked.identity, checked.role());
          ctx.extra.watched = held !== null;
          ctx.extra.identity = { resolved: { ...checked.identity }, at: Date.now(), lasting: keepsIdentity(checked.identity, held !== null) };
          if (held) {
            const socket = ctx.extra.socket;
            ctx.extra.unwatch = app.openSockets.add(held, {
              close: (code, reason) => socket.close(code, reason),
              refreshed: () => {
                ctx.extra.identity = undefined;
              },
            });
            // Closed while it was being checked: onClose has run already and would not forget it.
            if (socket.readyState !== socket.OPEN) ctx.extra.unwatch();
          }
        } catch (err) {
          // The identity check's refusals keep their codes; any other failure is classified as an operation's
          // would be: a saturated pool or an unreachable database is SERVICE_UNAVAILABLE (retry), never a verdict
          // on the credentials (a 4401 makes graphql-ws clients give up for good).
          const known = err instanceof GraphQLError && typeof err.extensions?.code === "string";
          const formatted = known ? err.toJSON() : formatError({ message: String(err) }, err, (orig) => logUnexpected(app.log, orig));
          const message = formatted.message;
          const code = String(formatted.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
          // 4401 Unauthorized, 4403 Forbidden (a disabled, deleted or banned user), 4503 "try again" (the server is
          // not ready, or its database is busy or unreachable), 4500 an unexpected failure
          const closeCode =
            code === ErrorCode.SERVICE_UNAVAILABLE
              ? 4503
              : code === ErrorCode.USER_DISABLED || code === ErrorCode.FORBIDDEN
                ? WS_CLOSE_FORBIDDEN
                : code === ErrorCode.INTERNAL_SERVER_ERROR
                  ? WS_CLOSE_INTERNAL_ERROR
                  : WS_CLOSE_UNAUTHENTICATED;
          ctx.extra.socket.close(closeCode, `${code}: ${message}`.slice(0, 120));
          return false;
        }
        ctx.extra.creds = creds;
        ctx.extra.subs = new Set();
        // No operation has started yet (graphql-ws runs none before onConnect allows the socket).
        (ctx as { subscriptions: unknown }).subscriptions = countedOperations();
        ctx.extra.sender = serialisedSender(ctx.extra.socket);
        coalesceWrites(ctx.extra.socket);
        offerMessagesFirst(ctx.extra.socket, (data) => takeTokenBatch(ctx, data));
        metrics.wsConnections.inc();
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        try {
          // A connection's credentials do not change: the key and user it resolved to are reused for a few
          // seconds, so a worker sending many token batches over its socket does not look its key up for each.
          const cached = ctx.extra.identity;
          const fresh = cached && (cached.lasting || Date.now() - cached.at < WS_IDENTITY_REUSE_MS) ? cached.resolved : undefined;
          // A worker's token batch in the document its connection sent before: no parse, validation or complexity.
          const tokenOperation = ctx.extra.tokenOperation;
          const batch = tokenOperation ? tokenBatchOf(tokenOperation, payload) : null;
          let context: Context;
          const reused = batch ? reusedIdentity(ctx.extra) : undefined;
          if (batch && reused) {
            // ... and no new context either: the connection's token context while its identity is the one reused
            // here (a refresh or a lapse makes a new one), with the batch's own request id.
            let shared = ctx.extra.tokenContext?.identity === reused ? ctx.extra.tokenContext.context : undefined;
            if (!shared) {
              shared = await buildContext(app, { ...ctx.extra.creds }, reused.resolved);
              shared.workerConnection = ctx.extra.workerConnection ??= new WorkerConnection();
              ctx.extra.tokenContext = { identity: reused, context: shared };
            }
            context = batchContext(shared);
          } else {
            context = await buildContext(app, { ...ctx.extra.creds, requestId: crypto.randomUUID() }, fresh);
            if (!fresh) {
              ctx.extra.identity = {
                resolved: { ...context.identity },
                at: Date.now(),
                lasting: keepsIdentity(context.identity, Boolean(ctx.extra.watched)),
              };
            }
            context.workerConnection = ctx.extra.workerConnection ??= new WorkerConnection();
          }
          // The operations a socket runs at once (graphql-ws lists this one already): 10,000 heartbeats on one
          // socket used half a core.
          const maxOperations = maxOperationsOf(context);
          if (operationCount(ctx.subscriptions) > maxOperations) {
            return [
              new ChorusError(
                ErrorCode.TOO_MANY_OPERATIONS,
                `This socket already runs ${maxOperations} operations (MAX_OPERATIONS_PER_SOCKET): complete one first`,
                { maxOperationsPerSocket: maxOperations },
              ),
            ];
          }
          if (tokenOperation && batch && reused) {
            const args: TokenBatchArgs = {
              schema,
              document: tokenOperation.document,
              variableValues: payload.variables,
              operationName: tokenOperation.operationName,
              contextValue: context,
              [TOKEN_BATCH]: () => runTokenBatch(tokenOperation, context, batch),
            };
            metrics.operations.inc({ operation: operationLabel(payload.operationName), type: "mutation", outcome: "ok" });
            return args;
          }
          const admitted = gate.admit(context, payload);
          if (!ctx.extra.tokenOperation && admitted.operation.operation === "mutation" && context.identity.apiClient?.kind === ApiClientKind.WORKER) {
            ctx.extra.tokenOperation = recogniseTokenOperation(payload.query as string, admitted.operationName, admitted.document) ?? undefined;
          }
          const document = admitted.document;
          const op = admitted.operation;
          if (op?.operation === "subscription") {
            ctx.extra.subs?.add(id);
            metrics.openSubscriptions.inc();
          }
          metrics.operations.inc({ operation: operationLabel(payload.operationName), type: op?.operation ?? "unknown", outcome: "ok" });
          const args: ExecutionArgs = { schema, document, variableValues: admitted.variables, operationName: admitted.operationName, contextValue: context };
          if (op?.operation === "subscription") directSends.set(args, directSend(ctx.extra.socket, id));
          return args;
        } catch (err) {
          return [toGraphQLError(err, log)];
        }
      },
      onNext,
      onError: (_ctx, _id, _payload, errors) => {
        for (const e of errors) metrics.errors.inc({ code: String(e.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR) });
        return errors.map((e) => formatError(e.toJSON(), e, (orig) => logUnexpected(log, orig)));
      },
      onComplete,
      onClose: (ctx) => {
        ctx.extra.unwatch?.();
        if (ctx.extra.subs) {
          metrics.openSubscriptions.dec(ctx.extra.subs.size);
          ctx.extra.subs.clear();
          metrics.wsConnections.dec();
        }
      },
    },
    wsServer,
  );
  return { wsServer, serverCleanup };
}

/**
 * A token batch's context: the connection's shared one with the batch's own request id (and a logger carrying it,
 * made only if something logs). A context per batch, with its dozen loaders and its child logger, was a large share
 * of the allocations per token on the token path; a batch uses none of them.
 */
function batchContext(shared: Context): Context {
  // One prototype per shared context carries the lazy logger, so a batch is one plain object with its request id
  // (Object.create with property descriptors took V8's slow path for every batch).
  let prototype = batchPrototypes.get(shared);
  if (!prototype) {
    prototype = Object.create(shared, {
      // Made when first read (an error's log line, a log call): a batch that succeeds quietly needs none.
      requestId: {
        get(this: { batchRequestId?: string }) {
          return (this.batchRequestId ??= crypto.randomUUID());
        },
        enumerable: true,
      },
      log: {
        get(this: { requestId: string; batchLog?: Context["log"] }) {
          return (this.batchLog ??= shared.app.log.child({ requestId: this.requestId }));
        },
        enumerable: true,
      },
    }) as object;
    batchPrototypes.set(shared, prototype);
  }
  return Object.create(prototype) as Context;
}

const batchPrototypes = new WeakMap<Context, object>();

/**
 * Sends a graphql-ws `next` message for subscription `id` with a payload serialised already: the bytes graphql-ws
 * writes for it (`{"id":…,"type":"next","payload":…}`), dropped as graphql-ws drops them once the socket is closing.
 */
function directSend(socket: WebSocket, id: string): DirectSend {
  const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  return {
    next(payloadJson: string): void {
      if (socket.readyState === socket.OPEN) socket.send(`${head}${payloadJson}}`);
    },
  };
}

function stringParam(v: unknown): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}
