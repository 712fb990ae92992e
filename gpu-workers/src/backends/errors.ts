/**
 * One error type for every backend failure, with a code the worker can act on: `retryable` failures
 * (overload, rate limit, network, server error) may be handed to another worker or retried later; the others
 * (bad request, unknown model, context too long) would fail the same way anywhere.
 */

export type BackendErrorCode =
  /** load() was not called, or close() was. */
  | "NOT_LOADED"
  /** The model files or the configured model are missing or unreadable. */
  | "MODEL_UNAVAILABLE"
  /** The prompt alone does not fit the model's context window. */
  | "CONTEXT_LENGTH_EXCEEDED"
  /** The request itself is invalid (HTTP 400/422, bad sampling values). */
  | "BAD_REQUEST"
  /** HTTP 401/403: the server refused the credentials. */
  | "UNAUTHORIZED"
  /** HTTP 404: unknown model or wrong URL. */
  | "NOT_FOUND"
  /** HTTP 429. */
  | "RATE_LIMITED"
  /** HTTP 503 or a server saying it is overloaded. */
  | "OVERLOADED"
  /** Other 5xx responses and error objects sent inside the stream. */
  | "SERVER_ERROR"
  /** The stream ended without a finish reason or [DONE]: the answer may be incomplete. */
  | "TRUNCATED_STREAM"
  /** The server sent something that is not the protocol (bad JSON, unexpected content type). */
  | "PROTOCOL_ERROR"
  /** The connection failed or dropped. */
  | "NETWORK_ERROR"
  /** No first byte, or no data for too long. */
  | "TIMEOUT"
  /** The model runtime failed while generating. */
  | "INFERENCE_FAILED"
  /**
   * Asked to continue a partial answer (`continueFrom`), which this backend cannot do without writing a whole new
   * answer after it; at load(), a server that does not look able to continue as configured. Retryable: another
   * worker whose backend can continue may take the job.
   */
  | "CONTINUATION_UNSUPPORTED";

const RETRYABLE: ReadonlySet<BackendErrorCode> = new Set<BackendErrorCode>([
  "RATE_LIMITED",
  "OVERLOADED",
  "SERVER_ERROR",
  "TRUNCATED_STREAM",
  "NETWORK_ERROR",
  "TIMEOUT",
  "CONTINUATION_UNSUPPORTED",
]);

export class BackendError extends Error {
  override readonly name = "BackendError";
  readonly retryable: boolean;

  constructor(
    readonly code: BackendErrorCode,
    message: string,
    readonly details: { status?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.retryable = RETRYABLE.has(code);
  }
}
