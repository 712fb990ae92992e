/**
 * The HTTP and websocket server: Apollo Server on express 5 and graphql-ws on the same port and path,
 * sharing one schema, one context factory, one set of limits and one error model.
 * It listens at once; GraphQL answers SERVICE_UNAVAILABLE and /readyz is false until the database is ready.
 */
import http from "node:http";
import express from "express";
import type { GraphQLSchema } from "graphql";
import type { AppServices } from "./services.js";
import { watchDocumentCache } from "./metrics.js";
import { OperationGate } from "./operation-gate.js";
import { startMetricsServer } from "./metrics-endpoint.js";
import { startWebsocketServer } from "./websocket-server.js";
import { startApolloServer } from "./apollo-server.js";
import { mountHttpRoutes } from "./http-routes.js";
import { graphqlPostHandler } from "./graphql-post.js";

/** The listening socket's accept queue (connections the kernel completed that the server has not accepted yet). */
export const LISTEN_BACKLOG = 4096;

export interface HttpServerHandle {
  server: http.Server;
  url: string;
  port: number;
  /** The port /metrics is served on when METRICS_PORT is set. */
  metricsPort?: number;
  stop(): Promise<void>;
}

export async function startHttpServer(app: AppServices, schema: GraphQLSchema): Promise<HttpServerHandle> {
  const { config, metrics } = app;
  const expressApp = express();
  expressApp.disable("x-powered-by");
  // POST /graphql's common case takes the direct path (graphql-post.ts); everything else goes to express.
  let handle: (req: http.IncomingMessage, res: http.ServerResponse) => void = expressApp;
  const httpServer = http.createServer((req, res) => handle(req, res));
  let stopping = false;
  const isStopping = () => stopping;

  // One door for HTTP and websocket operations: identity, size, parse, validation, depth, complexity, then cache.
  const gate = new OperationGate(schema, config);
  watchDocumentCache(metrics, gate.cache);
  const { wsServer, serverCleanup } = startWebsocketServer(app, schema, httpServer, gate, isStopping);
  const apollo = await startApolloServer(app, schema, httpServer, gate, serverCleanup);
  const corsHandler = mountHttpRoutes(expressApp, app, gate, apollo, isStopping);
  handle = graphqlPostHandler({
    app,
    schema,
    gate,
    cors: corsHandler as unknown as Parameters<typeof graphqlPostHandler>[0]["cors"],
    fallback: expressApp,
    stopping: isStopping,
  });
  const metricsServer = await startMetricsServer(config, metrics);

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    // A deep accept queue: a thousand clients that connect within a second wait in the kernel's queue until the
    // event loop accepts them, instead of being reset or timing out at connect once Node's default 511 is full
    // (measured: at 1,000 chats started within a second 96 sends failed with ECONNRESET and 16 with a connect timeout,
    // none of them refused by Chorus). The kernel caps it at net.core.somaxconn.
    httpServer.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => resolve());
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
      // and its drainServer hook (apollo-server.ts) closes every websocket with 1001 Going Away.
      await apollo.stop();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      await metricsServer?.stop();
    },
  };
}
