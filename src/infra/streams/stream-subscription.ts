import type { StoredEvent } from "./event-stream-store.js";
import { StreamLostError } from "./errors.js";

type Waiter<E> = { resolve: (r: IteratorResult<StoredEvent<E>>) => void; reject: (e: unknown) => void };

/**
 * The consumer side of one subscription, shared by both drivers: a driver `accept`s events in order and the
 * consumer pulls them with `next()`. Events beyond the consumer's pace wait in a buffer; a generation's stream is
 * bounded, so the buffer is too.
 *
 * The driver's detach hook runs exactly once, as soon as the subscription needs no more events (terminal event
 * accepted, failure, return, abort), not when the consumer finally drains the buffer.
 */
export class StreamSubscription<E> implements AsyncIterableIterator<StoredEvent<E>> {
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
    const waiter = this.waiters.shift();
    if (waiter) {
      // With a waiter present the buffer was empty: the error is next in line.
      this.finish();
      waiter.reject(error);
    }
  }

  next(): Promise<IteratorResult<StoredEvent<E>>> {
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

  private finish(): void {
    this.state = "done";
    this.buffered.length = 0;
    this.failure = undefined;
    if (this.signal && this.abortListener) this.signal.removeEventListener("abort", this.abortListener);
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ value: undefined, done: true });
  }
}
