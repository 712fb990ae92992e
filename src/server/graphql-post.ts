/**
 * The direct path for the common POST /graphql: a JSON body with a `query`, an `accept` that names JSON (or none),
 * a query or mutation. It does what express's router and body parser, the HTTP gate and Apollo's request pipeline
 * do for such a request, without their per-request machinery (a profile of the task cycle put a fifth of the
 * server's CPU in express, body-parser, Apollo's pipeline and its plugin hooks):
 *
 * CORS (the same `cors` middleware and options), the body limit (MAX_BODY_BYTES), the UTF-8 check, identity and the
 * operation gate (size, parse, validation, depth, complexity: src/server/operation-gate.ts, with its document
 * cache), the operation's database budget, graphql-js's `execute`, Apollo's error normalisation and the project's
 * `formatError`, the status rule of src/server/http-status.ts, MAX_RESPONSE_BYTES, the operation metrics and the
 * x-request-id header.
 *
 * Anything else goes to express and Apollo as before, untouched: other methods and paths, another media type or
 * content encoding, a body without a declared length or over the limit, an `accept` that needs negotiating, a body
 * that is not one operation (a batch, no `query`, `extensions`), a subscription, and every request while the
 * server stops. A body read here is handed on parsed (body-parser leaves a finished request's body as it is).
 * test/integration/graphql-post.test.ts checks that both paths answer the same requests alike.
 */
import type http from "node:http";
import { isUtf8 } from "node:buffer";
import { GraphQLError, Kind, execute, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import type { AppServices } from "./services.js";
import { buildContext, type Context } from "./context.js";
import { ErrorCode, formatError } from "../common/errors.js";
import type { OperationGate, OperationRequest } from "./operation-gate.js";
import { credentialsOfHeaders, operationBudget, refuseWith } from "./http-gate.js";
import { requestErrorStatus } from "./http-status.js";
import { runWithBudget } from "../db/operation-budget.js";
import { errorBody, logUnexpected } from "./error-format.js";
import { operationLabel } from "./metrics.js";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, next: (err?: unknown) => void) => void;

export interface GraphqlPostOptions {
  app: AppServices;
  schema: GraphQLSchema;
  gate: OperationGate;
  /** The CORS middleware of /graphql (the same instance express runs). */
  cors: Handler;
  /** Where every request this path does not take goes: the express app. */
  fallback: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  stopping: () => boolean;
}

/** The two request media types body-parser reads as UTF-8 JSON that need no parsing of parameters. */
const JSON_TYPES = new Set(["application/json", "application/json; charset=utf-8", "application/json;charset=utf-8"]);

/**
 * The response media type for an `accept` header, as Apollo negotiates it, for the values that need no negotiating;
 * null for anything else (Apollo decides).
 */
function mediaTypeOf(accept: string | undefined): string | null {
  if (accept === undefined || accept === "" || accept === "*/*" || accept === "application/json") return "application/json; charset=utf-8";
  if (accept === "application/graphql-response+json") return "application/graphql-response+json; charset=utf-8";
  return null;
}

/** A request listener for the HTTP server: the direct path when it applies, else `fallback`. */
export function graphqlPostHandler(options: GraphqlPostOptions): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const { app, fallback } = options;
  const maxBodyBytes = app.config.maxBodyBytes;
  return (req, res) => {
    const h = req.headers;
    const length = h["content-length"] === undefined ? Number.NaN : Number(h["content-length"]);
    const mediaType = mediaTypeOf(h.accept);
    if (
      req.method !== "POST" ||
      req.url !== "/graphql" ||
      !JSON_TYPES.has(String(h["content-type"]).toLowerCase()) ||
      h["content-encoding"] !== undefined ||
      h["transfer-encoding"] !== undefined ||
      !(length > 0 && length <= maxBodyBytes) ||
      mediaType === null ||
      options.stopping()
    ) {
      fallback(req, res);
      return;
    }
    options.cors(req, res, (err) => {
      if (err) return fallback(req, res);
      readBody(req, (body) => {
        if (body === null) return; // the connection went away
        handleBody(options, req, res, body, mediaType);
      });
    });
  };
}

/** Reads the body (node's parser holds it to the declared length); null when the request is aborted. */
function readBody(req: http.IncomingMessage, done: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  const settle = (body: Buffer | null) => {
    if (!settled) {
      settled = true;
      done(body);
    }
  };
  req.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
  });
  req.once("end", () => settle(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)));
  req.once("error", () => settle(null));
}

function handleBody(options: GraphqlPostOptions, req: http.IncomingMessage, res: http.ServerResponse, buf: Buffer, mediaType: string): void {
  // express.json's answers for these, word for word (src/server/http-routes.ts, src/server/http-gate.ts).
  if (!isUtf8(buf)) {
    writeJson(res, 400, errorBody(ErrorCode.BAD_REQUEST, "The request body is not valid UTF-8"));
    return;
  }
  // body-parser decodes through iconv-lite, which drops a byte-order mark.
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const text = buf.toString("utf8", bom);
  let body: unknown;
  try {
    // body-parser's strict mode: only an object or an array is a body.
    if (!/^[ \t\n\r]*[[{]/.test(text)) throw new SyntaxError("not an object or array");
    body = JSON.parse(text);
  } catch {
    writeJson(res, 400, errorBody(ErrorCode.BAD_REQUEST, "The request body is not valid JSON"));
    return;
  }
  const request = body as OperationRequest & { extensions?: unknown };
  if (Array.isArray(body) || typeof request.query !== "string" || request.extensions !== undefined) {
    handOn(options, req, res, body);
    return;
  }
  const budget = operationBudget(options.app);
  res.once("close", () => {
    if (budget.peak > 0) options.app.metrics.operationConnections.observe(budget.peak);
  });
  runWithBudget(budget, () => {
    run(options, req, res, request, body, mediaType).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      refuseWith(options.app, res, (status, answer) => writeJson(res, status, answer), err);
    });
  });
}

/** Hands a request whose body was read here on to express: body-parser sees it finished and keeps `req.body`. */
function handOn(options: GraphqlPostOptions, req: http.IncomingMessage, res: http.ServerResponse, body: unknown): void {
  (req as http.IncomingMessage & { body?: unknown }).body = body;
  options.fallback(req, res);
}

async function run(
  options: GraphqlPostOptions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  request: OperationRequest,
  body: unknown,
  mediaType: string,
): Promise<void> {
  const { app, gate, schema } = options;
  const send = (status: number, answer: unknown) => writeJson(res, status, answer);
  let context: Context;
  try {
    context = await buildContext(app, credentialsOfHeaders(req.headers));
  } catch (err) {
    return refuseWith(app, res, send, err);
  }
  let admitted: ReturnType<OperationGate["admit"]>;
  try {
    admitted = gate.admit(context, request);
  } catch (err) {
    return refuseWith(app, res, send, err, context.requestId);
  }
  const { operation } = admitted;
  // Subscriptions over HTTP stay Apollo's to answer (the gate admits them again there).
  if (operation.operation !== "query" && operation.operation !== "mutation") return handOn(options, req, res, body);

  const started = process.hrtime.bigint();
  let result: ExecutionResult;
  let status: number | undefined;
  try {
    result = await execute({
      schema,
      document: admitted.document,
      contextValue: context,
      variableValues: admitted.variables,
      operationName: admitted.operationName,
    });
  } catch (err) {
    // What Apollo answers when execution itself throws: the error, 500 unless it names a status.
    result = { errors: [asGraphQLError(err)] };
    status = 500;
  }
  const errors = result.errors?.map((e) => (isBadUserInput(e) && e.extensions?.code == null ? userInputError(e) : e));
  let formatted: GraphQLFormattedError[] | undefined;
  const headers = new Map<string, string>();
  if (errors?.length) {
    // apollo-server.ts's didEncounterErrors, then Apollo's normalisation and the configured formatError.
    for (const e of errors) {
      app.metrics.errors.inc({ code: (e.extensions?.code as string | undefined) ?? ErrorCode.INTERNAL_SERVER_ERROR });
      (e as GraphQLError & { requestId?: string }).requestId = context.requestId;
    }
    let fromErrors: number | undefined;
    formatted = errors.map((e) => {
      try {
        const extensions: Record<string, unknown> = { ...e.extensions, code: e.extensions.code ?? ErrorCode.INTERNAL_SERVER_ERROR };
        const http = extensions.http as { status?: unknown; headers?: unknown } | undefined;
        if (
          http &&
          typeof http === "object" &&
          (!("status" in http) || typeof http.status === "number") &&
          (!("headers" in http) || http.headers instanceof Map)
        ) {
          if (typeof http.status === "number") fromErrors = http.status;
          if (http.headers instanceof Map) for (const [k, v] of http.headers as Map<string, string>) headers.set(k, v);
          delete extensions.http;
        }
        return formatError({ ...e.toJSON(), extensions }, e, (orig) => logUnexpected(app.log, orig, context.requestId));
      } catch {
        return { message: "Internal server error", extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
      }
    });
    if (fromErrors !== undefined) status = fromErrors;
    // Apollo's status400ForVariableCoercionErrors.
    if (status === undefined && result.data === undefined) status = 400;
  }
  // src/server/http-status.ts: an executed request is 200; otherwise a 4xx already set stays, else by the first code.
  if (result.data !== undefined) status = 200;
  else if (status === undefined || status < 400 || status >= 500) status = requestErrorStatus(formatted?.[0]?.extensions?.code as string | undefined);

  const ordered = { errors: formatted, data: result.data, extensions: result.extensions };
  let json = JSON.stringify(ordered);
  const tooLarge = gate.limitResponse(json);
  if (tooLarge) {
    app.metrics.errors.inc({ code: ErrorCode.RESPONSE_TOO_LARGE });
    json = tooLarge;
  }
  // apollo-server.ts's willSendResponse.
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const label = operationLabel(operation.name?.value ?? admitted.operationName);
  const failed = formatted !== undefined && formatted.length > 0;
  app.metrics.operations.inc({ operation: label, type: operation.operation, outcome: failed ? "error" : "ok" });
  app.metrics.durations.observe({ operation: label, type: operation.operation }, seconds);
  context.log.debug({ operation: label, type: operation.operation, ms: Math.round(seconds * 1000), errors: formatted?.length ?? 0 }, "operation");
  for (const [k, v] of headers) res.setHeader(k, v);
  res.setHeader("content-type", mediaType);
  res.setHeader("x-request-id", context.requestId);
  res.setHeader("content-length", Buffer.byteLength(json));
  res.statusCode = status;
  res.end(json);
}

/** Writes a JSON answer whole, with its length. */
function writeJson(res: http.ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(json));
  res.statusCode = status;
  res.end(json);
}

function asGraphQLError(err: unknown): GraphQLError {
  if (err instanceof GraphQLError) return err;
  const error = err instanceof Error ? err : new Error(`Unexpected error value: ${String(err)}`);
  return new GraphQLError(error.message, { originalError: error });
}

/** Apollo's test for a variable's coercion error (its UserInputError, BAD_USER_INPUT). */
function isBadUserInput(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const name = node.variable.name.value;
  return ["has invalid value", "got invalid value ", "of required type ", "of non-null type "].some((tail) =>
    error.message.startsWith(`Variable "$${name}" ${tail}`),
  );
}

function userInputError(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT },
  });
}
