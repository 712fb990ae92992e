export type StreamLossReason =
  /** The stream is gone: deleted, expired, or lost with Redis, and nobody has written to the key since. */
  | "vanished"
  /** A new stream was started under the same key, so the subscriber's position means nothing there. */
  | "replaced"
  /** Redis stayed unreachable longer than the store tolerates; whether the stream survived is unknown. */
  | "unavailable";

/**
 * The subscription cannot continue without losing or repeating events. The caller should tell its client that
 * the stream restarted and serve the message's persisted state instead.
 */
export class StreamLostError extends Error {
  override readonly name = "StreamLostError";
  constructor(
    readonly streamKey: string,
    readonly reason: StreamLossReason,
    options?: { cause?: unknown },
  ) {
    super(`Event stream "${streamKey}" was lost (${reason})`, options);
  }
}

/** An append to a stream that already ended with a terminal event. */
export class StreamClosedError extends Error {
  override readonly name = "StreamClosedError";
  constructor(readonly streamKey: string) {
    super(`Event stream "${streamKey}" has ended; nothing more can be appended`);
  }
}

/** A conditional append (`ifLastSeq`) found the stream at another seq: something was appended since. */
export class StreamMovedError extends Error {
  override readonly name = "StreamMovedError";
  constructor(
    readonly streamKey: string,
    readonly lastSeq: number,
  ) {
    super(`Event stream "${streamKey}" is at seq ${lastSeq}; the conditional append was not made`);
  }
}
