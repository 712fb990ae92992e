/**
 * HTTP status codes of POST/GET /graphql, by the GraphQL-over-HTTP specification, for both `application/json` and
 * `application/graphql-response+json`:
 *
 * - a request that was executed (its response has `data`, even `null` or partial) answers **200**, whatever errors
 *   its fields raised: `extensions.code` is the contract, and Apollo Client, urql and Relay treat any non-2xx as a
 *   network error that hides the data and the codes;
 * - a request that fails before execution (no `data`) answers 4xx: the status comes from its error code
 *   (`REQUEST_ERROR_STATUS`); only a failure of the server itself answers 5xx (`SERVICE_UNAVAILABLE` 503,
 *   `INTERNAL_SERVER_ERROR` 500), never bad input.
 *
 * docs/errors.md (generated from ErrorCode, `npm run docs:errors`) lists the mapping.
 */
import { GraphQLError } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { ErrorCode } from "../common/errors.js";

/** The status of a request error (one raised before execution), by code; any other code is 400. */
export const REQUEST_ERROR_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.USER_DISABLED]: 403,
  [ErrorCode.API_CLIENT_NOT_AUTHORIZED]: 403,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.QUERY_TOO_LARGE]: 413,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.TOO_MANY_REQUESTS]: 429,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

export function requestErrorStatus(code: string | undefined): number {
  return REQUEST_ERROR_STATUS[code as ErrorCode] ?? (code ? 400 : 500);
}

/**
 * Gives an error thrown while the request's context is built (credentials, the acting-user header) the status of its
 * code: Apollo answers such an error with the status it carries, or 500. Errors without a code stay 500.
 */
export function withRequestErrorStatus(err: unknown): unknown {
  if (!(err instanceof GraphQLError)) return err;
  const code = err.extensions?.code as string | undefined;
  if (!code) return err;
  (err.extensions as Record<string, unknown>).http = { status: requestErrorStatus(code) };
  return err;
}

/** The plugin that applies the rule to every single (non-incremental) response. */
export function httpStatusPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const result = response.body.singleResult;
          if ("data" in result && result.data !== undefined) {
            // executed: field errors (a missing task, a rate limit) never change the status
            response.http.status = 200;
            return;
          }
          const current = response.http.status;
          if (current !== undefined && current >= 400 && current < 500) return; // a request error Apollo already classed (405, 415, ...)
          response.http.status = requestErrorStatus(result.errors?.[0]?.extensions?.code as string | undefined);
        },
      };
    },
  };
}
