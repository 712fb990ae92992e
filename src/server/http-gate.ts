/**
 * The HTTP side of the operation gate: an express middleware in front of Apollo that identifies the caller, admits
 * the operation (src/server/operation-gate.ts) and runs the rest of the request under the operation's database
 * budget (src/db/operation-budget.ts). A refused request is answered here; Apollo never sees it.
 */
import crypto from "node:crypto";
import type http from "node:http";
import { isUtf8 } from "node:buffer";
import type { Request, Response, NextFunction, RequestHandler } from "express";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { AppServices } from "./services.js";
import { buildContext, type Context, type Credentials } from "./context.js";
import { ChorusError, ErrorCode, formatError, POOL_RETRY_AFTER_SECONDS } from "../common/errors.js";
import type { OperationGate, OperationRequest } from "./operation-gate.js";
import { requestErrorStatus } from "./http-status.js";
import { OperationBudget, runWithBudget } from "../db/operation-budget.js";

/** The context the gate built for this request, for Apollo's context function. */
export function gatedContext(res: Response): Context | undefined {
  return res.locals.chorusContext as Context | undefined;
}

export function credentialsOf(req: Request): Credentials {
  return credentialsOfHeaders(req.headers);
}

/** The credentials of a request's headers (node's, names in lower case; what express's `req.header` reads). */
export function credentialsOfHeaders(headers: http.IncomingHttpHeaders): Credentials {
  return {
    authorization: headers.authorization,
    apiKey: header(headers, "x-api-key"),
    user: header(headers, "x-chorus-user") ?? header(headers, "x-oasst-user"),
    userName: header(headers, "x-chorus-user-name") ?? header(headers, "x-oasst-user-name"),
    requestId: header(headers, "x-request-id"),
  };
}

function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

/** A new budget for one operation, with the configured share of the pool, observed in the metrics when done. */
export function operationBudget(app: AppServices): OperationBudget {
  return new OperationBudget(app.config.databaseConnectionsPerOperation, app.config.operationStatementTimeoutMs);
}

export function gateHttpOperations(app: AppServices, gate: OperationGate): RequestHandler {
  return (req, res, next) => {
    const budget = operationBudget(app);
    res.once("close", () => {
      if (budget.peak > 0) app.metrics.operationConnections.observe(budget.peak);
    });
    runWithBudget(budget, () => {
      admit(app, gate, req, res, next).catch(next);
    });
  };
}

async function admit(app: AppServices, gate: OperationGate, req: Request, res: Response, next: NextFunction): Promise<void> {
  let request: OperationRequest | undefined;
  try {
    request = operationRequestOf(req);
  } catch (err) {
    return refuse(app, res, err);
  }
  // No document at all (a batch, an empty body, a form post): Apollo refuses it without parsing anything.
  if (!request) return next();
  let context: Context;
  try {
    context = await buildContext(app, credentialsOf(req));
  } catch (err) {
    return refuse(app, res, err);
  }
  let admitted: ReturnType<OperationGate["admit"]>;
  try {
    admitted = gate.admit(context, request);
  } catch (err) {
    return refuse(app, res, err, context.requestId);
  }
  res.locals.chorusContext = context;
  gate.runAdmitted(admitted, () => next());
}

function operationRequestOf(req: Request): OperationRequest | undefined {
  if (req.method === "POST") {
    const body = req.body as unknown;
    if (!body || typeof body !== "object" || Array.isArray(body) || typeof (body as OperationRequest).query !== "string") return undefined;
    return body as OperationRequest;
  }
  if (req.method === "GET") {
    const q = req.query as Record<string, unknown>;
    if (typeof q.query !== "string") return undefined;
    return { query: q.query, operationName: q.operationName, variables: jsonParameter(q.variables, "variables") };
  }
  return undefined;
}

function jsonParameter(value: unknown, name: string): unknown {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw new ChorusError(ErrorCode.BAD_REQUEST, `\`${name}\` must be a JSON object`, { http: { status: 400 } });
  try {
    return JSON.parse(value);
  } catch {
    throw new ChorusError(ErrorCode.BAD_REQUEST, `\`${name}\` is not valid JSON`, { http: { status: 400 } });
  }
}

/** Answers a refused request the way Apollo answers a request error: `{ errors: [...] }` with the error's status. */
function refuse(app: AppServices, res: Response, err: unknown, requestId?: string): void {
  refuseWith(app, res, (status, body) => res.status(status).json(body), err, requestId);
}

/** `refuse` for any response: `write` sends the status and JSON body (express's `res.json`, or written whole). */
export function refuseWith(
  app: AppServices,
  res: http.ServerResponse,
  write: (status: number, body: { errors: GraphQLFormattedError[] }) => void,
  err: unknown,
  requestId?: string,
): void {
  const error = err instanceof GraphQLError ? err : new GraphQLError("unexpected", { originalError: err as Error });
  const formatted = formatError(error.toJSON(), error, (orig) => {
    const id = requestId ?? crypto.randomUUID();
    app.log.error({ err: orig, requestId: id }, "unexpected error");
    return id;
  });
  const code = String(formatted.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
  app.metrics.errors.inc({ code });
  const http = formatted.extensions?.http as { status?: number } | undefined;
  const status = http?.status ?? statusOf(code);
  const { http: _http, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  const body: { errors: GraphQLFormattedError[] } = { errors: [{ ...formatted, extensions }] };
  if (code === ErrorCode.SERVICE_UNAVAILABLE) res.setHeader("retry-after", String(extensions.retryAfterSeconds ?? POOL_RETRY_AFTER_SECONDS));
  if (requestId) res.setHeader("x-request-id", requestId);
  write(status, body);
}

/** One mapping of codes to statuses for every request error, wherever it is raised (src/server/http-status.ts). */
function statusOf(code: string): number {
  return requestErrorStatus(code);
}

/**
 * Body-parser failures that are the client's: an unsupported charset or content encoding (415), a body that is not
 * valid UTF-8 (400). Null for anything else.
 */
export function bodyErrorResponse(err: unknown): { status: number; code: ErrorCode; message: string } | null {
  const e = err as { type?: string; charset?: string; encoding?: string } | undefined;
  if (e?.type === "charset.unsupported") {
    return { status: 415, code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: `The charset "${String(e.charset).slice(0, 40)}" is not supported: send UTF-8` };
  }
  if (e?.type === "encoding.unsupported") {
    return { status: 415, code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: `The content encoding "${String(e.encoding).slice(0, 40)}" is not supported` };
  }
  if (e?.type === "entity.verify.failed" && err instanceof InvalidUtf8Error) {
    return { status: 400, code: ErrorCode.BAD_REQUEST, message: err.message };
  }
  return null;
}

class InvalidUtf8Error extends Error {
  readonly status = 400;
}

/**
 * express.json's `verify`: a body that is not valid UTF-8 is refused instead of having its bad bytes silently
 * replaced by U+FFFD.
 */
export function verifyUtf8(_req: unknown, _res: unknown, buf: Buffer): void {
  if (!isUtf8(buf)) throw new InvalidUtf8Error("The request body is not valid UTF-8");
}
