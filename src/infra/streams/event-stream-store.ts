/**
 * Replayable, append-only event streams, one per generation (keyed by the assistant message id).
 *
 * Every event gets a sequence number: the first is 1 and there are no gaps, whichever replica appended it. A
 * subscriber names the last number it saw and receives everything after it, then the live tail, so a client that
 * arrives late or reconnects misses nothing and two subscribers both get everything.
 *
 * A stream ends with a terminal event (`append(key, event, { terminal: true })`); every subscription ends after
 * yielding it, and later appends are refused with StreamClosedError.
 *
 * Streams are a cache of a generation in flight, not its record: PostgreSQL holds the finished message. A
 * subscriber should read the message first and subscribe only while it is still being generated, because a
 * stream that already expired looks exactly like one that has not started yet.
 */

export interface StoredEvent<E = Record<string, unknown>> {
  /** 1 for the first event of a stream, then +1 per event. */
  seq: number;
  event: E;
  /** True for the event that ends the stream. */
  terminal: boolean;
}

export interface AppendOptions {
  /** This event ends the stream: subscribers stop after it and further appends are refused. */
  terminal?: boolean;
  /**
   * Seconds this stream lives after this append unless another append or `expire` renews it. Defaults to the
   * store's `finishedTtlSeconds` for a terminal event and `idleTtlSeconds` otherwise.
   */
  ttlSeconds?: number;
  /**
   * Appends only while the stream's last seq is this one (0: no stream yet); otherwise throws StreamMovedError and
   * appends nothing. For events that are true only as long as nothing else happened since (a queue position).
   */
  ifLastSeq?: number;
  /**
   * Someone is waiting for this event (an answer's first tokens): a subscriber in this process gets it without the
   * short wait by which a store may gather several streams' events into one read. Stores without such a wait
   * ignore it.
   */
  readAtOnce?: boolean;
}

export interface SubscribeOptions {
  /** Aborting ends the subscription as `return()` does. */
  signal?: AbortSignal;
}

export interface EventStreamStore<E extends object = Record<string, unknown>> {
  /**
   * Appends `event` (stored as JSON) and resolves with its seq. Appends from any number of replicas to one
   * stream are serialised, so the seqs stay 1, 2, 3... without gaps. After the stream was lost (Redis restarted,
   * or it expired), the next append starts a new stream at seq 1, so a writer that gets 1 where it expected more
   * knows its stream restarted and can append what a subscriber needs to start over (the message so far, say).
   * @throws StreamClosedError when the stream already holds a terminal event.
   */
  append(streamKey: string, event: E, options?: AppendOptions): Promise<number>;

  /** Events with seq > afterSeq, oldest first, at most `limit` of them (all when omitted). */
  read(streamKey: string, afterSeq?: number, limit?: number): Promise<StoredEvent<E>[]>;

  /**
   * Every event with seq > afterSeq (the replay), then the live tail, in order, each exactly once. The iteration
   * ends after the terminal event, on `return()` (or abort), or when the store closes. It throws
   * StreamLostError when the stream cannot be continued: it vanished (deleted, expired, or lost with a Redis
   * restart), was replaced by a new stream under the same key, or Redis stayed unreachable too long. The caller
   * then reports a restart to its client and falls back to the persisted message.
   *
   * Subscribing to a key with no stream waits for its first event when afterSeq is 0, and throws
   * StreamLostError when afterSeq > 0 (the events the subscriber saw are gone).
   */
  subscribe(streamKey: string, afterSeq?: number, options?: SubscribeOptions): AsyncIterableIterator<StoredEvent<E>>;

  /** The seq of the stream's last event; 0 when there is no stream. */
  lastSeq(streamKey: string): Promise<number>;

  /** Removes the stream after `seconds` (fractions allowed), replacing any earlier expiry. */
  expire(streamKey: string, seconds: number): Promise<void>;

  /** Removes the stream now; its live subscribers get StreamLostError. */
  delete(streamKey: string): Promise<void>;

  /** Live subscriptions in this process (for metrics and leak checks). */
  activeSubscriptions(): number;

  /** Ends every subscription and releases connections and timers. */
  close(): Promise<void>;
}

export interface EventStreamStoreTtlOptions {
  /** Lifetime of an unfinished stream after its latest append (a generation whose writer died). Default 3600. */
  idleTtlSeconds?: number;
  /** Lifetime of a stream after its terminal event, long enough for late subscribers to replay it. Default 300. */
  finishedTtlSeconds?: number;
}

export const defaultIdleTtlSeconds = 3_600;
export const defaultFinishedTtlSeconds = 300;
