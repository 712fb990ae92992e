/**
 * Error formatting shared by the HTTP and websocket doors: an unexpected error is logged with a request id and
 * answered as INTERNAL_SERVER_ERROR naming that id, never with its own message.
 */
import crypto from "node:crypto";
import { GraphQLError, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError } from "graphql";
import type { Logger } from "pino";
import type { AppServices } from "./services.js";
import type { Context } from "./context.js";
import { ChorusError, ErrorCode, formatError } from "../common/errors.js";

export function errorBody(code: ErrorCode, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

export function logUnexpected(log: Logger, error: unknown, requestId?: string): string {
  const id = requestId ?? crypto.randomUUID();
  log.error({ err: error, requestId: id }, "unexpected error");
  return id;
}

export function toGraphQLError(err: unknown, log: Logger): GraphQLError {
  if (err instanceof ChorusError) return err;
  if (err instanceof GraphQLError && typeof err.extensions?.code === "string") return err;
  const requestId = logUnexpected(log, err);
  return new GraphQLError(`Internal server error (request ${requestId})`, {
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
  });
}

export function formatResult(result: ExecutionResult, ctx: Context | undefined, log: Logger, app: AppServices) {
  if (!result.errors?.length) return undefined;
  const errors: GraphQLFormattedError[] = result.errors.map((e) => {
    app.metrics.errors.inc({ code: String(e.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR) });
    return formatError(e.toJSON(), e, (orig) => logUnexpected(log, orig, ctx?.requestId));
  });
  return { ...result, errors } as FormattedExecutionResult;
}
