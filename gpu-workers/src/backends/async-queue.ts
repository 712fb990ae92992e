/**
 * A queue between a producer that is called back (a streamer, a timer) and a consumer that pulls with
 * `await next()`. The producer never waits; the buffer is bounded by what the producer can make (for a model,
 * maxNewTokens).
 */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | null = null;
  private closed = false;
  private failure: { error: unknown } | null = null;

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.wake();
  }

  /** No more items; the consumer drains what is buffered, then gets `done`. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** The consumer drains what is buffered, then `next()` rejects with `error`. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    this.close();
  }

  /** Resolves when an item is available (`done: false`) or the queue is closed and drained (`done: true`). */
  async next(): Promise<IteratorResult<T, undefined>> {
    while (this.items.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    if (this.items.length > 0) return { done: false, value: this.items.shift()! };
    if (this.failure) throw this.failure.error;
    return { done: true, value: undefined };
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}
