/**
 * The HTTP and websocket server: Apollo Server on express 5 and graphql-ws on the same port and path,
 * sharing one schema, one context factory, one set of limits and one error model.
 * It listens at once; GraphQL answers SERVICE_UNAVAILABLE and /readyz is false until the database is ready.
 */
import http from "node:http";
import crypto from "node:crypto";
import express, { type Request, type Response, type NextFunction } from "express";
import cors from "cors";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import {
  GraphQLError,
  execute,
  subscribe,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";
import type { Logger } from "pino";
import type { AppServices } from "./services.js";
import { buildContext, type Context, type Credentials, type ResolvedIdentity } from "./context.js";
import { ChorusError, ErrorCode, formatError } from "../common/errors.js";
import { operationLabel, watchDocumentCache } from "./metrics.js";
import { graphiqlPage, graphiqlAssets, GRAPHIQL_HEADERS } from "./graphiql.js";
import { OperationGate } from "./operation-gate.js";
import { bodyErrorResponse, credentialsOf, gateHttpOperations, gatedContext, operationBudget, verifyUtf8 } from "./http-gate.js";
import { publicMetricsHandler, startMetricsServer } from "./metrics-endpoint.js";
import { runWithBudget } from "../db/operation-budget.js";
import { ApiClientKind } from "../modules/api-clients/api-client.entity.js";
import { httpStatusPlugin, withRequestErrorStatus } from "./http-status.js";
import { apolloMiddleware } from "./apollo-http.js";
import { heldIdentityOf } from "./open-sockets.js";
import { WS_CLOSE_FORBIDDEN, WS_CLOSE_UNAUTHENTICATED } from "./identity-verdict.js";
import { exportJsonlHandler } from "../modules/datasets/export.http.js";
import { chatExportHandler } from "../modules/chat/chat-export.http.js";
import { WorkerConnection } from "../modules/workers/worker-connection.js";
import type { WorkerSession } from "../modules/workers/worker.service.js";
import { SerialisedResult, subscribeSerialised } from "../modules/chat/generation-fan-out.js";
import { serialisedSender, type SerialisedSender } from "./serialised-send.js";
import { recogniseTokenOperation, runTokenBatch, tokenBatchOf, type TokenOperation } from "../modules/workers/token-fast-path.js";

export interface HttpServerHandle {
  server: http.Server;
  url: string;
  port: number;
  /** The port /metrics is served on when METRICS_PORT is set. */
  metricsPort?: number;
  stop(): Promise<void>;
}

/**
 * How long a websocket reuses the identity its credentials resolved to for its next operations, so a worker's
 * token batches do not look its key up each time. Revocation does not wait for it: `app.openSockets` re-checks every
 * open socket when an identity changes (and periodically) and closes the revoked ones.
 */
const WS_IDENTITY_REUSE_MS = 5_000;

/**
 * A worker's socket carries, for each of up to 256 parallel jobs (its largest capacity), a token batch and a
 * heartbeat or finish in flight, besides its job subscription: it may run this many operations at once.
 */
const WORKER_MAX_OPERATIONS = 2 * 256 + 16;

/** WebSocket close code sent to clients when the server shuts down (RFC 6455 "going away"). */
export const WS_CLOSE_GOING_AWAY = 1001;

/** Token batches admitted by the fast path, by their operation's context, for graphql-ws's execute to run. */
const tokenBatches = new WeakMap<Context, () => Promise<ExecutionResult>>();

export async function startHttpServer(app: AppServices, schema: GraphQLSchema): Promise<HttpServerHandle> {
  const { config, log, metrics } = app;
  const expressApp = express();
  expressApp.disable("x-powered-by");
  const httpServer = http.createServer(expressApp);
  let stopping = false;

  // --- websocket (graphql-ws) --------------------------------------------------------------
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: config.maxBodyBytes });
  // One door for HTTP and websocket operations: identity, size, parse, validation, depth, complexity, then cache.
  const gate = new OperationGate(schema, config);
  watchDocumentCache(metrics, gate.cache);
  // biome-ignore lint/correctness/useHookAtTopLevel: graphql-ws's useServer is not a React hook
  const serverCleanup = useServer<
    Record<string, unknown>,
    {
      creds?: Credentials;
      subs?: Set<string>;
      identity?: { resolved: ResolvedIdentity; at: number };
      unwatch?: () => void;
      workerConnection?: WorkerConnection<WorkerSession>;
      sender?: SerialisedSender;
      /** The worker's token operation, once its first batch passed the gate (token-fast-path.ts). */
      tokenOperation?: TokenOperation;
    }
  >(
    {
      schema,
      // Each operation holds a bounded share of the database pool (src/db/operation-budget.ts).
      execute: (args: ExecutionArgs) => {
        const budget = operationBudget(app);
        const batch = tokenBatches.get(args.contextValue as Context);
        if (batch) return runWithBudget(budget, batch);
        return runWithBudget(budget, async () => {
          try {
            return await execute(args);
          } finally {
            if (budget.peak > 0) metrics.operationConnections.observe(budget.peak);
          }
        });
      },
      // The generation subscription's events are serialised once per stream and selection (generation-fan-out.ts).
      subscribe: (args: ExecutionArgs) =>
        runWithBudget(operationBudget(app), async () => (await subscribeSerialised(args, config.maxResponseBytes)) ?? subscribe(args)),
      onConnect: async (ctx) => {
        if (stopping) {
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
          ctx.extra.identity = { resolved: { ...checked.identity }, at: Date.now() };
          // Watched while open: a revocation of its key, token or user closes it (4401/4403) within 5 s.
          const held = heldIdentityOf(checked.identity, checked.role());
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
          const message = err instanceof GraphQLError ? err.message : "Authentication failed";
          const code = err instanceof GraphQLError ? String(err.extensions.code) : ErrorCode.UNAUTHENTICATED;
          // 4401 Unauthorized, 4403 Forbidden (a disabled, deleted or banned user), or 4503 "try again" when the
          // server is not ready yet
          const closeCode =
            code === ErrorCode.SERVICE_UNAVAILABLE
              ? 4503
              : code === ErrorCode.USER_DISABLED || code === ErrorCode.FORBIDDEN
                ? WS_CLOSE_FORBIDDEN
                : WS_CLOSE_UNAUTHENTICATED;
          ctx.extra.socket.close(closeCode, `${code}: ${message}`.slice(0, 120));
          return false;
        }
        ctx.extra.creds = creds;
        ctx.extra.subs = new Set();
        ctx.extra.sender = serialisedSender(ctx.extra.socket);
        metrics.wsConnections.inc();
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        try {
          // A connection's credentials do not change: the key and user it resolved to are reused for a few
          // seconds, so a worker sending many token batches over its socket does not look its key up for each.
          const cached = ctx.extra.identity;
          const fresh = cached && Date.now() - cached.at < WS_IDENTITY_REUSE_MS ? cached.resolved : undefined;
          const context = await buildContext(app, { ...ctx.extra.creds, requestId: crypto.randomUUID() }, fresh);
          if (!fresh) ctx.extra.identity = { resolved: { ...context.identity }, at: Date.now() };
          context.workerConnection = ctx.extra.workerConnection ??= new WorkerConnection();
          // The operations a socket runs at once (graphql-ws lists this one already): 10,000 heartbeats on one
          // socket used half a core.
          const maxOperations =
            context.identity.apiClient?.kind === ApiClientKind.WORKER
              ? Math.max(config.maxOperationsPerSocket, WORKER_MAX_OPERATIONS)
              : config.maxOperationsPerSocket;
          if (Object.keys(ctx.subscriptions).length > maxOperations) {
            return [
              new ChorusError(
                ErrorCode.TOO_MANY_OPERATIONS,
                `This socket already runs ${maxOperations} operations (MAX_OPERATIONS_PER_SOCKET): complete one first`,
                { maxOperationsPerSocket: maxOperations },
              ),
            ];
          }
          // A worker's token batch in the document its connection sent before: no parse, validation or complexity.
          const tokenOperation = ctx.extra.tokenOperation;
          const batch = tokenOperation ? tokenBatchOf(tokenOperation, payload) : null;
          if (tokenOperation && batch) {
            tokenBatches.set(context, () => runTokenBatch(tokenOperation, context, batch));
            metrics.operations.inc({ operation: operationLabel(payload.operationName), type: "mutation", outcome: "ok" });
            return {
              schema,
              document: tokenOperation.document,
              variableValues: payload.variables,
              operationName: tokenOperation.operationName,
              contextValue: context,
            };
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
          return { schema, document, variableValues: admitted.variables, operationName: admitted.operationName, contextValue: context };
        } catch (err) {
          return [toGraphQLError(err, log)];
        }
      },
      onNext: (ctx, _id, _payload, args, result) => {
        // Serialised already, within MAX_RESPONSE_BYTES, without errors: the same bytes for every subscriber.
        if (result instanceof SerialisedResult) {
          return (ctx.extra.sender ? ctx.extra.sender.payloadOf(result.json) : JSON.parse(result.json)) as FormattedExecutionResult;
        }
        const tooLarge = gate.responseTooLarge(result);
        if (tooLarge) {
          metrics.errors.inc({ code: ErrorCode.RESPONSE_TOO_LARGE });
          return { data: null, errors: [tooLarge.toJSON()] } as FormattedExecutionResult;
        }
        return formatResult(result as ExecutionResult, args.contextValue as Context | undefined, log, app);
      },
      onError: (_ctx, _id, _payload, errors) => {
        for (const e of errors) metrics.errors.inc({ code: String(e.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR) });
        return errors.map((e) => formatError(e.toJSON(), e, (orig) => logUnexpected(log, orig)));
      },
      onComplete: (ctx, id) => {
        if (ctx.extra.subs?.delete(id)) metrics.openSubscriptions.dec();
      },
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

  // --- Apollo (HTTP) ------------------------------------------------------------------------
  const observe: ApolloServerPlugin<Context> = {
    async requestDidStart(rc) {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation(r) {
          // The gate admitted this request's document before Apollo saw it; a document Apollo parsed itself (which
          // the gate's document store should make impossible) goes through every limit here.
          if (gate.admittedNow()?.document !== r.document) gate.admit(r.contextValue, r.request);
        },
        async didEncounterErrors(r) {
          for (const e of r.errors) {
            const code = (e.extensions?.code as string | undefined) ?? ErrorCode.INTERNAL_SERVER_ERROR;
            metrics.errors.inc({ code });
            (e as GraphQLError & { requestId?: string }).requestId = r.contextValue?.requestId;
          }
        },
        async willSendResponse(r) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const operation = operationLabel(r.operationName ?? rc.request.operationName);
          const type = r.operation?.operation ?? "unknown";
          const failed = r.errors !== undefined && r.errors.length > 0;
          metrics.operations.inc({ operation, type, outcome: failed ? "error" : "ok" });
          metrics.durations.observe({ operation, type }, seconds);
          r.contextValue?.log?.debug({ operation, type, ms: Math.round(seconds * 1000), errors: r.errors?.length ?? 0 }, "operation");
          if (r.contextValue?.requestId) r.response.http.headers.set("x-request-id", r.contextValue.requestId);
        },
      };
    },
  };

  const apollo = new ApolloServer<Context>({
    schema,
    // The gate decides who may introspect (INTROSPECTION) and hands Apollo the document it admitted.
    introspection: true,
    documentStore: gate.documentStore(),
    // Registering documents by hash would keep what a caller sent before the gate saw it.
    persistedQueries: false,
    stringifyResult: (value) => {
      const json = JSON.stringify(value);
      const tooLarge = gate.limitResponse(json);
      if (tooLarge) metrics.errors.inc({ code: ErrorCode.RESPONSE_TOO_LARGE });
      return tooLarge ?? json;
    },
    csrfPrevention: true,
    // main.ts owns signal handling and stops everything in order.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => formatError(formatted, error, (orig) => logUnexpected(log, orig, (error as { requestId?: string })?.requestId)),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownTimeoutMs }),
      ApolloServerPluginLandingPageDisabled(),
      // Chorus sets no cache hints and sends no traces; left on, both wrap every field of every response.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await serverCleanup.dispose();
            },
          };
        },
      },
      observe,
      httpStatusPlugin<Context>(),
    ],
  });
  await apollo.start();

  // --- routes ---------------------------------------------------------------------------------
  expressApp.get("/healthz", (_req, res) => {
    res.json({ status: "ok", uptimeSeconds: (Date.now() - app.startedAt.getTime()) / 1000 });
  });
  expressApp.get("/readyz", async (_req, res) => {
    const report = await readiness(app, stopping);
    res.status(report.ready ? 200 : 503).json(report);
  });
  expressApp.get("/export.jsonl", exportJsonlHandler(app));
  expressApp.get("/chats/export.jsonl", chatExportHandler(app));
  const metricsHandler = publicMetricsHandler(config, metrics);
  if (metricsHandler) expressApp.get("/metrics", metricsHandler);
  const metricsServer = await startMetricsServer(config, metrics);
  if (config.graphiql) {
    expressApp.use("/graphiql-assets", graphiqlAssets());
    expressApp.get("/graphql", (req, res, next) => {
      if (req.accepts(["application/json", "application/graphql-response+json", "text/html"]) !== "text/html" || req.query.query) {
        return next();
      }
      res.type("html").set(GRAPHIQL_HEADERS).send(graphiqlPage());
    });
  }
  const corsOptions: cors.CorsOptions = {
    origin: config.corsOrigins.includes("*") ? true : config.corsOrigins.length ? config.corsOrigins : false,
    credentials: false,
    exposedHeaders: ["x-request-id"],
  };
  expressApp.use(
    "/graphql",
    cors(corsOptions),
    express.json({ limit: config.maxBodyBytes, verify: verifyUtf8 }),
    gateHttpOperations(app, gate),
    // The gate identified the caller already; a request it let through without a document (Apollo refuses it) is
    // identified here, and a bad identity answers the 4xx status of its code.
    apolloMiddleware(
      apollo,
      async ({ req, res }) =>
        gatedContext(res) ??
        buildContext(app, credentialsOf(req)).catch((err: unknown) => {
          throw withRequestErrorStatus(err);
        }),
    ),
  );
  expressApp.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number; message?: string };
    const refused = bodyErrorResponse(err);
    if (refused) return res.status(refused.status).json(errorBody(refused.code, refused.message));
    if (e.type === "entity.too.large") {
      return res.status(413).json(errorBody(ErrorCode.PAYLOAD_TOO_LARGE, `The request body is larger than ${config.maxBodyBytes} bytes`));
    }
    if (e.type === "entity.parse.failed") {
      return res.status(400).json(errorBody(ErrorCode.BAD_REQUEST, "The request body is not valid JSON"));
    }
    const requestId = logUnexpected(log, err);
    res.status(e.status && e.status < 500 ? e.status : 500).json(errorBody(ErrorCode.INTERNAL_SERVER_ERROR, `Internal server error (request ${requestId})`));
  });
  expressApp.use((_req, res) => {
    res.status(404).json({ error: "not found", see: ["/graphql", "/healthz", "/readyz", "/metrics", "/export.jsonl", "/chats/export.jsonl"] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as { port: number }).port;
  const hostForUrl = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;

  return {
    server: httpServer,
    port,
    url: `http://${hostForUrl}:${port}/graphql`,
    ...(metricsServer ? { metricsPort: metricsServer.port } : {}),
    stop: async () => {
      stopping = true;
      // Apollo's drain closes the listener, waits for in-flight requests (up to the grace period),
      // and our drainServer hook closes every websocket with 1001 Going Away.
      await apollo.stop();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      await metricsServer?.stop();
    },
  };
}

function stringParam(v: unknown): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

function errorBody(code: ErrorCode, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

function logUnexpected(log: Logger, error: unknown, requestId?: string): string {
  const id = requestId ?? crypto.randomUUID();
  log.error({ err: error, requestId: id }, "unexpected error");
  return id;
}

function toGraphQLError(err: unknown, log: Logger): GraphQLError {
  if (err instanceof ChorusError) return err;
  if (err instanceof GraphQLError && typeof err.extensions?.code === "string") return err;
  const requestId = logUnexpected(log, err);
  return new GraphQLError(`Internal server error (request ${requestId})`, {
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
  });
}

function formatResult(result: ExecutionResult, ctx: Context | undefined, log: Logger, app: AppServices) {
  if (!result.errors?.length) return undefined;
  const errors: GraphQLFormattedError[] = result.errors.map((e) => {
    app.metrics.errors.inc({ code: String(e.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR) });
    return formatError(e.toJSON(), e, (orig) => logUnexpected(log, orig, ctx?.requestId));
  });
  return { ...result, errors } as FormattedExecutionResult;
}

export interface Readiness {
  ready: boolean;
  database: "ok" | "down" | "starting";
  redis: "ok" | "down" | "not configured";
}

async function readiness(app: AppServices, stopping: boolean): Promise<Readiness & { stopping?: boolean }> {
  let database: Readiness["database"] = "starting";
  if (app.isReady()) {
    try {
      await withTimeout(app.ds.query("SELECT 1"), 2000);
      database = "ok";
    } catch {
      database = "down";
    }
  }
  let redis: Readiness["redis"] = "not configured";
  if (app.redis) {
    try {
      await withTimeout(app.redis.ping(), 2000);
      redis = "ok";
    } catch {
      redis = "down";
    }
  }
  const ready = !stopping && database === "ok" && redis !== "down";
  return stopping ? { ready, database, redis, stopping } : { ready, database, redis };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timeout")), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
