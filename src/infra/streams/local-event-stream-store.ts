import {
  defaultFinishedTtlSeconds,
  defaultIdleTtlSeconds,
  type AppendOptions,
  type EventStreamStore,
  type EventStreamStoreTtlOptions,
  type StoredEvent,
  type SubscribeOptions,
} from "./event-stream-store.js";
import { StreamClosedError, StreamLostError, StreamMovedError } from "./errors.js";
import { StreamSubscription } from "./stream-subscription.js";

interface LocalStream {
  /** Events as JSON, so every reader gets its own copy, exactly as from Redis. */
  events: { seq: number; json: string; terminal: boolean }[];
  ended: boolean;
  subscriptions: Set<StreamSubscription<unknown>>;
  expiryTimer?: NodeJS.Timeout;
}

/** The in-process driver, for a single process without REDIS_URL. Same semantics as the Redis driver. */
export class LocalEventStreamStore<E extends object = Record<string, unknown>> implements EventStreamStore<E> {
  /** Holds streams with events, and empty placeholders while someone waits for a stream's first event. */
  private readonly streams = new Map<string, LocalStream>();
  private readonly idleTtlSeconds: number;
  private readonly finishedTtlSeconds: number;
  private closed = false;

  constructor(options: EventStreamStoreTtlOptions = {}) {
    this.idleTtlSeconds = options.idleTtlSeconds ?? defaultIdleTtlSeconds;
    this.finishedTtlSeconds = options.finishedTtlSeconds ?? defaultFinishedTtlSeconds;
  }

  async append(streamKey: string, event: E, options: AppendOptions = {}): Promise<number> {
    this.assertOpen();
    const stream = this.streamFor(streamKey);
    if (stream.ended) throw new StreamClosedError(streamKey);
    if (options.ifLastSeq !== undefined && options.ifLastSeq !== stream.events.length) {
      const lastSeq = stream.events.length;
      this.dropIfUnused(streamKey, stream);
      throw new StreamMovedError(streamKey, lastSeq);
    }
    const terminal = options.terminal === true;
    const stored = { seq: stream.events.length + 1, json: JSON.stringify(event), terminal };
    stream.events.push(stored);
    if (terminal) stream.ended = true;
    this.scheduleExpiry(streamKey, stream, options.ttlSeconds ?? (terminal ? this.finishedTtlSeconds : this.idleTtlSeconds));
    for (const subscription of stream.subscriptions) subscription.accept(this.decode(stored));
    return stored.seq;
  }

  async read(streamKey: string, afterSeq = 0, limit?: number): Promise<StoredEvent<E>[]> {
    this.assertOpen();
    const events = this.streams.get(streamKey)?.events ?? [];
    const end = limit === undefined ? events.length : Math.min(events.length, afterSeq + limit);
    return events.slice(afterSeq, end).map((stored) => this.decode(stored));
  }

  subscribe(streamKey: string, afterSeq = 0, options: SubscribeOptions = {}): AsyncIterableIterator<StoredEvent<E>> {
    this.assertOpen();
    const subscription = new StreamSubscription<E>(streamKey, afterSeq, options.signal);
    if (!subscription.isOpen) return subscription;
    const existing = this.streams.get(streamKey);
    const lastSeq = existing?.events.length ?? 0;
    if (existing?.ended && afterSeq === lastSeq) {
      // The subscriber saw the terminal event already: nothing is left to send.
      void subscription.return();
      return subscription;
    }
    if (afterSeq > lastSeq) {
      subscription.fail(new StreamLostError(streamKey, existing && lastSeq > 0 ? "replaced" : "vanished"));
      return subscription;
    }
    const stream = existing ?? this.streamFor(streamKey);
    for (const stored of stream.events.slice(afterSeq)) subscription.accept(this.decode(stored));
    if (!subscription.isOpen) return subscription;
    const untyped = subscription as StreamSubscription<unknown>;
    stream.subscriptions.add(untyped);
    subscription.onDetach(() => {
      stream.subscriptions.delete(untyped);
      this.dropIfUnused(streamKey, stream);
    });
    return subscription;
  }

  async lastSeq(streamKey: string): Promise<number> {
    this.assertOpen();
    return this.streams.get(streamKey)?.events.length ?? 0;
  }

  async expire(streamKey: string, seconds: number): Promise<void> {
    this.assertOpen();
    const stream = this.streams.get(streamKey);
    if (stream && stream.events.length > 0) this.scheduleExpiry(streamKey, stream, seconds);
  }

  async delete(streamKey: string): Promise<void> {
    this.assertOpen();
    this.remove(streamKey);
  }

  activeSubscriptions(): number {
    let count = 0;
    for (const stream of this.streams.values()) count += stream.subscriptions.size;
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const stream of this.streams.values()) {
      clearTimeout(stream.expiryTimer);
      for (const subscription of [...stream.subscriptions]) void subscription.return();
    }
    this.streams.clear();
  }

  private streamFor(streamKey: string): LocalStream {
    let stream = this.streams.get(streamKey);
    if (!stream) {
      stream = { events: [], ended: false, subscriptions: new Set() };
      this.streams.set(streamKey, stream);
    }
    return stream;
  }

  private decode(stored: { seq: number; json: string; terminal: boolean }): StoredEvent<E> {
    return { seq: stored.seq, event: JSON.parse(stored.json) as E, terminal: stored.terminal };
  }

  private scheduleExpiry(streamKey: string, stream: LocalStream, seconds: number): void {
    clearTimeout(stream.expiryTimer);
    stream.expiryTimer = setTimeout(() => this.remove(streamKey), Math.max(0, seconds * 1000));
    // An expiry must never keep the process alive.
    stream.expiryTimer.unref();
  }

  private remove(streamKey: string): void {
    const stream = this.streams.get(streamKey);
    // A placeholder has nothing to lose: its subscribers keep waiting for a first event, as with Redis.
    if (!stream || stream.events.length === 0) return;
    this.streams.delete(streamKey);
    clearTimeout(stream.expiryTimer);
    for (const subscription of [...stream.subscriptions]) {
      subscription.fail(new StreamLostError(streamKey, "vanished"));
    }
  }

  /** A placeholder made for a waiting subscriber goes when its last subscriber leaves. */
  private dropIfUnused(streamKey: string, stream: LocalStream): void {
    if (stream.events.length === 0 && stream.subscriptions.size === 0 && this.streams.get(streamKey) === stream) {
      this.streams.delete(streamKey);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The event stream store is closed");
  }
}
