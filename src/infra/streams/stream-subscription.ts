import type { StoredEvent } from "./event-stream-store.js";
import { StreamLostError } from "./errors.js";

type Waiter<E> = { resolve: (r: IteratorResult<StoredEvent<E>>) => void; reject: (e: unknown) => void };

/**
 * Where a subscription hands its events when its consumer takes them as they come (`deliverTo`) instead of pulling
 * them with next(): each event in order, synchronously within the driver's dispatch, then the end exactly once
 * (`error`: the failure next() would have thrown; none: the terminal event was delivered, or the consumer returned).
 */
export interface EventSink<T> {
  event(value: T): void;
  end(error?: unknown): void;
}

/** An event iterator that can also push its events to a sink (see StreamSubscription.deliverTo). */
export interface PushableEvents<T> extends AsyncIterableIterator<T> {
  deliverTo(sink: EventSink<T>): void;
}

export function isPushable<T>(events: AsyncIterator<T>): events is PushableEvents<T> {
  return typeof (events as Partial<PushableEvents<T>>).deliverTo === "function";
}

/**
 * The consumer side of one subscription, shared by both drivers: a driver `accept`s events in order and the
 * consumer pulls them with `next()`. Events beyond the consumer's pace wait in a buffer; a generation's stream is
 * bounded, so the buffer is too.
 *
 * The driver's detach hook runs exactly once, as soon as the subscription needs no more events (terminal event
 * accepted, failure, return, abort), not when the consumer finally drains the buffer.
 *
 * A consumer may instead take the events as the driver accepts them (`deliverTo`): a live event then costs one
 * synchronous call, where next() costs a promise and its reactions per event for each subscriber of the stream.
 */
export class StreamSubscription<E> implements PushableEvents<StoredEvent<E>> {
  /** Seq of the last event accepted; the driver feeds events after it. */
  cursor: number;
  private readonly buffered: StoredEvent<E>[] = [];
  /** Calls to next() waiting for an event; the iterator protocol allows several at once. */
  private readonly waiters: Waiter<E>[] = [];
  /** open: accepting; draining: no more events, the buffer (then `failure`, if any) still to hand out; done. */
  private state: "open" | "draining" | "done" = "open";
  private failure?: Error;
  private detachFromDriver?: () => void;
  private readonly abortListener?: () => void;
  /** Set by deliverTo: events go there instead of to the buffer and next(). */
  private sink?: EventSink<StoredEvent<E>>;

  constructor(
    readonly streamKey: string,
    afterSeq: number,
    private readonly signal?: AbortSignal,
  ) {
    this.cursor = afterSeq;
    if (signal) {
      this.abortListener = () => void this.return();
      if (signal.aborted) this.state = "done";
      else signal.addEventListener("abort", this.abortListener, { once: true });
    }
  }

  /** True while the driver should keep feeding events. */
  get isOpen(): boolean {
    return this.state === "open";
  }

  /** Set by the driver once it feeds this subscription; runs at once if the subscription already closed. */
  onDetach(detach: () => void): void {
    if (this.state === "open") this.detachFromDriver = detach;
    else detach();
  }

  /** Takes the next event of the stream. Older seqs are ignored; a gap means events were lost. */
  accept(stored: StoredEvent<E>): void {
    if (this.state !== "open" || stored.seq <= this.cursor) return;
    if (stored.seq !== this.cursor + 1) {
      this.fail(new StreamLostError(this.streamKey, "replaced"));
      return;
    }
    this.cursor = stored.seq;
    if (stored.terminal) this.stopFeeding("draining");
    if (this.sink) {
      this.sink.event(stored);
      if (stored.terminal) this.finish();
      return;
    }
    const waiter = this.waiters.shift();
    if (!waiter) {
      this.buffered.push(stored);
      return;
    }
    waiter.resolve({ value: stored, done: false });
    // Nothing follows a terminal event, and with a waiter present the buffer was empty.
    if (stored.terminal) this.finish();
  }

  /** Ends the subscription with `error`, after the consumer has taken the events already accepted. */
  fail(error: Error): void {
    if (this.state !== "open") return;
    this.failure = error;
    this.stopFeeding("draining");
    if (this.sink) {
      this.finish(error);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      // With a waiter present the buffer was empty: the error is next in line.
      this.finish();
      waiter.reject(error);
    }
  }

  /**
   * Hands every event to `sink` from now on, those accepted already first, then the end. The consumer pulls no more
   * with next() (it answers done); return() still ends the subscription, and ends the sink.
   */
  deliverTo(sink: EventSink<StoredEvent<E>>): void {
    if (this.sink || this.waiters.length > 0) throw new Error("A subscription has one consumer: next() or deliverTo, not both");
    for (const stored of this.buffered.splice(0)) {
      if (this.state === "done") break;
      sink.event(stored);
    }
    if (this.state === "done") {
      sink.end();
      return;
    }
    if (this.state === "draining") {
      this.sink = sink;
      this.finish(this.failure);
      return;
    }
    this.sink = sink;
  }

  next(): Promise<IteratorResult<StoredEvent<E>>> {
    if (this.sink) return Promise.resolve({ value: undefined, done: true });
    const stored = this.buffered.shift();
    if (stored) {
      if (this.state === "draining" && this.buffered.length === 0 && !this.failure) this.finish();
      return Promise.resolve({ value: stored, done: false });
    }
    if (this.state === "draining" && this.failure) {
      const failure = this.failure;
      this.finish();
      return Promise.reject(failure);
    }
    if (this.state !== "open") {
      this.finish();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<StoredEvent<E>>> {
    this.stopFeeding("done");
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<StoredEvent<E>>> {
    this.stopFeeding("done");
    this.finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StoredEvent<E>> {
    return this;
  }

  private stopFeeding(next: "draining" | "done"): void {
    if (this.state === "open") {
      this.state = next;
      const detach = this.detachFromDriver;
      this.detachFromDriver = undefined;
      detach?.();
    }
  }

  /** Done: waiting next() calls get done; a sink gets its end (`error` when the subscription failed). */
  private finish(error?: unknown): void {
    this.state = "done";
    this.buffered.length = 0;
    this.failure = undefined;
    if (this.signal && this.abortListener) this.signal.removeEventListener("abort", this.abortListener);
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ value: undefined, done: true });
    const sink = this.sink;
    this.sink = undefined;
    sink?.end(error);
  }
}
