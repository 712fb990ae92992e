/**
 * The express routes: /healthz, /readyz, the JSONL exports, /metrics (when public), GraphiQL, and /graphql through
 * CORS, the JSON body parser, the HTTP gate and Apollo; then the error handler and the 404 answer.
 */
import express, { type Request, type Response, type NextFunction, type RequestHandler } from "express";
import cors from "cors";
import type { ApolloServer } from "@apollo/server";
import type { AppServices } from "./services.js";
import { buildContext, type Context } from "./context.js";
import { ErrorCode } from "../common/errors.js";
import { graphiqlPage, graphiqlAssets, GRAPHIQL_HEADERS } from "./graphiql.js";
import type { OperationGate } from "./operation-gate.js";
import { bodyErrorResponse, credentialsOf, gateHttpOperations, gatedContext, verifyUtf8 } from "./http-gate.js";
import { publicMetricsHandler } from "./metrics-endpoint.js";
import { withRequestErrorStatus } from "./http-status.js";
import { apolloMiddleware, postWithoutEtag } from "./apollo-http.js";
import { exportJsonlHandler } from "../modules/datasets/export.http.js";
import { chatExportHandler } from "../modules/chat/export/chat-export.http.js";
import { readiness } from "./readiness.js";
import { errorBody, logUnexpected } from "./error-format.js";

/**
 * Mounts every route on `expressApp`. `stopping` says whether the server is shutting down (/readyz answers 503 then).
 * Returns the CORS middleware of /graphql, which the direct POST path (src/server/graphql-post.ts) runs as well.
 */
export function mountHttpRoutes(
  expressApp: express.Express,
  app: AppServices,
  gate: OperationGate,
  apollo: ApolloServer<Context>,
  stopping: () => boolean,
): RequestHandler {
  const { config, log, metrics } = app;
  expressApp.get("/healthz", (_req, res) => {
    res.json({ status: "ok", uptimeSeconds: (Date.now() - app.startedAt.getTime()) / 1000 });
  });
  expressApp.get("/readyz", async (_req, res) => {
    const report = await readiness(app, stopping());
    res.status(report.ready ? 200 : 503).json(report);
  });
  expressApp.get("/export.jsonl", exportJsonlHandler(app));
  expressApp.get("/chats/export.jsonl", chatExportHandler(app));
  const metricsHandler = publicMetricsHandler(config, metrics);
  if (metricsHandler) expressApp.get("/metrics", metricsHandler);
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
  const corsHandler = cors(corsOptions);
  expressApp.use(
    "/graphql",
    corsHandler,
    postWithoutEtag(),
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
  return corsHandler;
}
