/**
 * Apollo Server for GraphQL over HTTP: it runs the documents the operation gate admitted, counts and times every
 * operation, limits the size of its answers, and on stop drains the HTTP server and closes the websockets.
 */
import type http from "node:http";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import type { Disposable } from "graphql-ws";
import type { GraphQLError, GraphQLSchema } from "graphql";
import type { AppServices } from "./services.js";
import type { Context } from "./context.js";
import { ErrorCode, formatError } from "../common/errors.js";
import { operationLabel } from "./metrics.js";
import type { OperationGate } from "./operation-gate.js";
import { httpStatusPlugin } from "./http-status.js";
import { logUnexpected } from "./error-format.js";

/**
 * Starts Apollo on `schema`. `serverCleanup` is the websocket server's: Apollo's drain disposes of it, which closes
 * every websocket with 1001 Going Away.
 */
export async function startApolloServer(
  app: AppServices,
  schema: GraphQLSchema,
  httpServer: http.Server,
  gate: OperationGate,
  serverCleanup: Disposable,
): Promise<ApolloServer<Context>> {
  const { config, log, metrics } = app;
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
  return apollo;
}
