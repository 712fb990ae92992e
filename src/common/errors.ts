/**
 * One error model for the whole API: every failure is a GraphQLError whose `extensions.code` is one of
 * `ErrorCode`; errors the Open-Assistant reference names also carry its number in `extensions.oaErrorCode`.
 * Anything else that escapes a resolver is logged with the request id and returned as INTERNAL_SERVER_ERROR,
 * without its message or stack.
 */
import { GraphQLError, type GraphQLFormattedError } from "graphql";

export enum ErrorCode {
  // Apollo's standard codes
  UNAUTHENTICATED = "UNAUTHENTICATED",
  FORBIDDEN = "FORBIDDEN",
  BAD_USER_INPUT = "BAD_USER_INPUT",
  GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED",
  GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED",
  PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND",
  OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE",
  BAD_REQUEST = "BAD_REQUEST",
  INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR",
  // ours
  NOT_FOUND = "NOT_FOUND",
  RATE_LIMITED = "RATE_LIMITED",
  QUEUE_FULL = "QUEUE_FULL",
  QUERY_TOO_DEEP = "QUERY_TOO_DEEP",
  QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX",
  PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE",
  SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE",
  CONFLICT = "CONFLICT",
  TOKEN_QUOTA_EXCEEDED = "TOKEN_QUOTA_EXCEEDED",
  QUERY_TOO_LARGE = "QUERY_TOO_LARGE",
  RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE",
  TOO_MANY_OPERATIONS = "TOO_MANY_OPERATIONS",
  QUERY_TIMEOUT = "QUERY_TIMEOUT",
  UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE",
  // the reference's named errors (number in extensions.oaErrorCode)
  API_CLIENT_NOT_AUTHORIZED = "API_CLIENT_NOT_AUTHORIZED",
  SORT_KEY_UNSUPPORTED = "SORT_KEY_UNSUPPORTED",
  INVALID_CURSOR_VALUE = "INVALID_CURSOR_VALUE",
  TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS",
  TASK_INVALID_REQUEST_TYPE = "TASK_INVALID_REQUEST_TYPE",
  TASK_ACK_FAILED = "TASK_ACK_FAILED",
  TASK_NACK_FAILED = "TASK_NACK_FAILED",
  TASK_INVALID_RESPONSE_TYPE = "TASK_INVALID_RESPONSE_TYPE",
  TASK_INTERACTION_REQUEST_FAILED = "TASK_INTERACTION_REQUEST_FAILED",
  TASK_GENERATION_FAILED = "TASK_GENERATION_FAILED",
  TASK_REQUESTED_TYPE_NOT_AVAILABLE = "TASK_REQUESTED_TYPE_NOT_AVAILABLE",
  TASK_AVAILABILITY_QUERY_FAILED = "TASK_AVAILABILITY_QUERY_FAILED",
  TASK_MESSAGE_TOO_LONG = "TASK_MESSAGE_TOO_LONG",
  TASK_MESSAGE_DUPLICATED = "TASK_MESSAGE_DUPLICATED",
  TASK_MESSAGE_TEXT_EMPTY = "TASK_MESSAGE_TEXT_EMPTY",
  TASK_MESSAGE_DUPLICATE_REPLY = "TASK_MESSAGE_DUPLICATE_REPLY",
  TASK_TOO_MANY_PENDING = "TASK_TOO_MANY_PENDING",
  INVALID_FRONTEND_MESSAGE_ID = "INVALID_FRONTEND_MESSAGE_ID",
  MESSAGE_NOT_FOUND = "MESSAGE_NOT_FOUND",
  RATING_OUT_OF_RANGE = "RATING_OUT_OF_RANGE",
  INVALID_RANKING_VALUE = "INVALID_RANKING_VALUE",
  INVALID_TASK_TYPE = "INVALID_TASK_TYPE",
  NO_MESSAGE_TREE_FOUND = "NO_MESSAGE_TREE_FOUND",
  NO_REPLIES_FOUND = "NO_REPLIES_FOUND",
  INVALID_MESSAGE = "INVALID_MESSAGE",
  BROKEN_CONVERSATION = "BROKEN_CONVERSATION",
  TREE_IN_ABORTED_STATE = "TREE_IN_ABORTED_STATE",
  CORRUPT_RANKING_RESULT = "CORRUPT_RANKING_RESULT",
  AUTH_AND_USERNAME_REQUIRED = "AUTH_AND_USERNAME_REQUIRED",
  TEXT_LABELS_WRONG_MESSAGE_ID = "TEXT_LABELS_WRONG_MESSAGE_ID",
  INVALID_LABEL = "INVALID_LABEL",
  MANDATORY_LABEL_MISSING = "MANDATORY_LABEL_MISSING",
  NO_SELF_LABELING = "NO_SELF_LABELING",
  TASK_NOT_FOUND = "TASK_NOT_FOUND",
  TASK_EXPIRED = "TASK_EXPIRED",
  TASK_PAYLOAD_TYPE_MISMATCH = "TASK_PAYLOAD_TYPE_MISMATCH",
  TASK_ALREADY_UPDATED = "TASK_ALREADY_UPDATED",
  TASK_NOT_ACK = "TASK_NOT_ACK",
  TASK_ALREADY_DONE = "TASK_ALREADY_DONE",
  TASK_NOT_ASSIGNED_TO_USER = "TASK_NOT_ASSIGNED_TO_USER",
  TASK_UNEXPECTED_PAYLOAD_TYPE = "TASK_UNEXPECTED_PAYLOAD_TYPE",
  USER_NOT_SPECIFIED = "USER_NOT_SPECIFIED",
  USER_DISABLED = "USER_DISABLED",
  USER_NOT_FOUND = "USER_NOT_FOUND",
  USER_HAS_NOT_ACCEPTED_TOS = "USER_HAS_NOT_ACCEPTED_TOS",
  EMOJI_OP_UNSUPPORTED = "EMOJI_OP_UNSUPPORTED",
  CACHED_STATS_NOT_AVAILABLE = "CACHED_STATS_NOT_AVAILABLE",
}

/** The Open-Assistant error numbers (spec §9.6), carried as `extensions.oaErrorCode`. */
export const OA_ERROR_NUMBERS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.INTERNAL_SERVER_ERROR]: 0,
  [ErrorCode.API_CLIENT_NOT_AUTHORIZED]: 2,
  [ErrorCode.SORT_KEY_UNSUPPORTED]: 100,
  [ErrorCode.INVALID_CURSOR_VALUE]: 101,
  [ErrorCode.TOO_MANY_REQUESTS]: 429,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.TASK_INVALID_REQUEST_TYPE]: 1000,
  [ErrorCode.TASK_ACK_FAILED]: 1001,
  [ErrorCode.TASK_NACK_FAILED]: 1002,
  [ErrorCode.TASK_INVALID_RESPONSE_TYPE]: 1003,
  [ErrorCode.TASK_INTERACTION_REQUEST_FAILED]: 1004,
  [ErrorCode.TASK_GENERATION_FAILED]: 1005,
  [ErrorCode.TASK_REQUESTED_TYPE_NOT_AVAILABLE]: 1006,
  [ErrorCode.TASK_AVAILABILITY_QUERY_FAILED]: 1007,
  [ErrorCode.TASK_MESSAGE_TOO_LONG]: 1008,
  [ErrorCode.TASK_MESSAGE_DUPLICATED]: 1009,
  [ErrorCode.TASK_MESSAGE_TEXT_EMPTY]: 1010,
  [ErrorCode.TASK_MESSAGE_DUPLICATE_REPLY]: 1011,
  [ErrorCode.TASK_TOO_MANY_PENDING]: 1012,
  [ErrorCode.INVALID_FRONTEND_MESSAGE_ID]: 2000,
  [ErrorCode.MESSAGE_NOT_FOUND]: 2001,
  [ErrorCode.RATING_OUT_OF_RANGE]: 2002,
  [ErrorCode.INVALID_RANKING_VALUE]: 2003,
  [ErrorCode.INVALID_TASK_TYPE]: 2004,
  [ErrorCode.NO_MESSAGE_TREE_FOUND]: 2006,
  [ErrorCode.NO_REPLIES_FOUND]: 2007,
  [ErrorCode.INVALID_MESSAGE]: 2008,
  [ErrorCode.BROKEN_CONVERSATION]: 2009,
  [ErrorCode.TREE_IN_ABORTED_STATE]: 2010,
  [ErrorCode.CORRUPT_RANKING_RESULT]: 2011,
  [ErrorCode.AUTH_AND_USERNAME_REQUIRED]: 2012,
  [ErrorCode.TEXT_LABELS_WRONG_MESSAGE_ID]: 2050,
  [ErrorCode.INVALID_LABEL]: 2051,
  [ErrorCode.MANDATORY_LABEL_MISSING]: 2052,
  [ErrorCode.NO_SELF_LABELING]: 2053,
  [ErrorCode.TASK_NOT_FOUND]: 2100,
  [ErrorCode.TASK_EXPIRED]: 2101,
  [ErrorCode.TASK_PAYLOAD_TYPE_MISMATCH]: 2102,
  [ErrorCode.TASK_ALREADY_UPDATED]: 2103,
  [ErrorCode.TASK_NOT_ACK]: 2104,
  [ErrorCode.TASK_ALREADY_DONE]: 2105,
  [ErrorCode.TASK_NOT_ASSIGNED_TO_USER]: 2106,
  [ErrorCode.TASK_UNEXPECTED_PAYLOAD_TYPE]: 2107,
  [ErrorCode.USER_NOT_SPECIFIED]: 4000,
  [ErrorCode.USER_DISABLED]: 4001,
  [ErrorCode.USER_NOT_FOUND]: 4002,
  [ErrorCode.USER_HAS_NOT_ACCEPTED_TOS]: 4003,
  [ErrorCode.EMOJI_OP_UNSUPPORTED]: 5000,
  [ErrorCode.CACHED_STATS_NOT_AVAILABLE]: 6000,
};

/** Throw this from services: a failure the client caused or should know about. */
export class ChorusError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    const oaErrorCode = OA_ERROR_NUMBERS[code];
    super(message, {
      extensions: { code, ...(oaErrorCode !== undefined ? { oaErrorCode } : {}), ...extra },
    });
    this.name = "ChorusError";
  }
}

export const unauthenticated = (message = "A valid API key or user token is required") => new ChorusError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = "Not allowed") => new ChorusError(ErrorCode.FORBIDDEN, message);
export const badInput = (message: string, extra: Record<string, unknown> = {}) => new ChorusError(ErrorCode.BAD_USER_INPUT, message, extra);
export const notFound = (what: string, id?: string) => new ChorusError(ErrorCode.NOT_FOUND, id ? `${what} ${id} not found` : `${what} not found`);
export const userNotSpecified = () =>
  new ChorusError(ErrorCode.USER_NOT_SPECIFIED, "This operation acts for a user: pass a `user` argument or the x-chorus-user header");

/** Codes whose message is safe to show: everything in ErrorCode except internal failures. */
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR));

/**
 * Apollo's formatError: keeps known errors (with their code), rewrites class-validator failures to
 * BAD_USER_INPUT with the fields that failed, and masks everything else.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, onUnexpected: (error: unknown) => string | undefined): GraphQLFormattedError {
  const original = unwrap(error);
  const code = formatted.extensions?.code as string | undefined;

  // type-graphql's ArgumentValidationError (class-validator) carries `extensions.validationErrors`, which hold the
  // whole input object: report the failing fields and constraints only.
  const validationErrors = ((original as { extensions?: { validationErrors?: ValidationErrorLike[] } } | undefined)?.extensions?.validationErrors ??
    formatted.extensions?.validationErrors) as ValidationErrorLike[] | undefined;
  if (Array.isArray(validationErrors)) {
    return {
      message: "Argument validation failed: " + describeValidation(validationErrors).join("; "),
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.BAD_USER_INPUT, fields: describeValidation(validationErrors) },
    };
  }
  if (code && KNOWN_CODES.has(code)) {
    const { exception: _e, stacktrace: _s, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    return { ...formatted, extensions };
  }
  if (poolExhausted(original)) {
    // Not an internal failure: the server is busy. The client retries; nothing of the operation ran past this point.
    return {
      message: "The server's database connections are all in use; retry in a moment",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryAfterSeconds: POOL_RETRY_AFTER_SECONDS },
    };
  }
  if (statementTimedOut(original)) {
    return {
      message: "The operation's database work took longer than allowed (OPERATION_STATEMENT_TIMEOUT_MS): ask for less",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.QUERY_TIMEOUT },
    };
  }
  if (databaseUnreachable(original)) {
    const requestId = onUnexpected(original); // logged: operators want to see outages
    return {
      message: "The database was unreachable during this request; retry it (a retried submission that had been stored is answered as a replay)",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, ...(requestId ? { requestId } : {}) },
    };
  }
  const refused = databaseRefusal(original);
  if (refused) {
    return { message: refused, locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  }
  const requestId = onUnexpected(original ?? error);
  return {
    message: "Internal server error" + (requestId ? ` (request ${requestId})` : ""),
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, oaErrorCode: 0, ...(requestId ? { requestId } : {}) },
  };
}

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22) are caused by a value the client sent that a check upstream
 * let through: a NUL character, a string longer than its column, a malformed uuid, a number or date out of
 * range. The transaction is already rolled back, so they are the client's bad input, said without the SQL.
 */
const DATA_EXCEPTIONS: Record<string, string> = {
  "22001": "A text value is longer than allowed",
  "22003": "A number is out of range",
  "22007": "A date or time value is not valid",
  "22008": "A date or time value is out of range",
  "22021": "A text value contains a byte sequence that is not valid UTF-8",
  "22P02": "A value is not valid for its type (an id must be a UUID)",
  "22P05": "A text value contains a character that cannot be stored (such as NUL, \\u0000)",
};

function databaseRefusal(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const sqlState = typeof e?.driverError?.code === "string" ? e.driverError.code : typeof e?.code === "string" ? e.code : undefined;
  if (!sqlState || !/^22[0-9A-Z]{3}$/.test(sqlState)) return undefined;
  return DATA_EXCEPTIONS[sqlState] ?? "A value cannot be stored as sent";
}

/**
 * A lost or refused database connection (a restart, a failover): the client should retry, which is safe because
 * every submission is idempotent. SQLSTATE class 08 (connection) and 57P01-57P03 (shutdown, cannot connect now),
 * or the driver's own connection errors.
 */
function databaseUnreachable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; driverError?: { code?: unknown; message?: unknown } } | undefined;
  if (!e) return false;
  const code = String(e.driverError?.code ?? e.code ?? "");
  if (/^08[0-9A-Z]{3}$/.test(code) || ["57P01", "57P02", "57P03", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(code)) return true;
  const message = String(e.driverError?.message ?? e.message ?? "");
  return /Connection terminated|connection timeout|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command/i.test(
    message,
  );
}

/** What a client is told to wait when every pool connection is taken. */
export const POOL_RETRY_AFTER_SECONDS = 1;

/** node-postgres' pool gave no connection within connectionTimeoutMillis (or an operation waited for its own). */
export function poolExhausted(error: unknown): boolean {
  const message = String((error as { message?: unknown } | undefined)?.message ?? "");
  return /^timeout exceeded when trying to connect/.test(message);
}

/** SQLSTATE 57014: the statement was cancelled, here by the operation's statement_timeout. */
function statementTimedOut(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  return (e?.driverError?.code ?? e?.code) === "57014";
}

interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

function describeValidation(errors: ValidationErrorLike[], prefix = ""): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const name = prefix ? `${prefix}.${e.property}` : e.property;
    for (const msg of Object.values(e.constraints ?? {})) out.push(`${name}: ${msg}`);
    if (e.children?.length) out.push(...describeValidation(e.children, name));
  }
  return out;
}

function unwrap(error: unknown): unknown {
  let current = error;
  for (let i = 0; i < 5; i++) {
    const inner = (current as { originalError?: unknown } | undefined)?.originalError;
    if (!inner) break;
    current = inner;
  }
  return current;
}
