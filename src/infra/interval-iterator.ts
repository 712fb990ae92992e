/**
 * An AsyncIterableIterator that produces `make(seq)` every `intervalMs`, starting at once, and stops the
 * moment the consumer returns (an async generator parked in a sleep would hold the unsubscribe until it woke).
 */
export function intervalIterator<T>(intervalMs: number, make: (seq: number) => T): AsyncIterableIterator<T> {
  let seq = 0;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: ((r: IteratorResult<T>) => void) | undefined;

  const finish = (): IteratorResult<T> => {
    done = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    wake?.({ value: undefined, done: true });
    wake = undefined;
    return { value: undefined, done: true };
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (done) return Promise.resolve({ value: undefined, done: true });
      seq += 1;
      if (seq === 1) return Promise.resolve({ value: make(seq), done: false });
      return new Promise((resolve) => {
        wake = resolve;
        timer = setTimeout(() => {
          timer = undefined;
          wake = undefined;
          resolve({ value: make(seq), done: false });
        }, intervalMs);
      });
    },
    return() {
      return Promise.resolve(finish());
    },
    throw(err?: unknown) {
      finish();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
