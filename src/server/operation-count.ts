/**
 * How many operations a graphql-ws socket runs, in constant time. graphql-ws keeps them in `ctx.subscriptions`
 * (an id → iterator record it adds to, deletes from and, on close, replaces); counting its keys for every
 * operation cost a worker's socket, with a job subscription and up to hundreds of token batches in flight, an
 * array of ids per token batch (bench/RESULTS.md, branch wfast). The record made here counts as it changes.
 */
const counts = new WeakMap<object, { n: number }>();

/** An empty record for `ctx.subscriptions` that keeps count of its keys. */
export function countedOperations<T>(): Record<string, T> {
  const count = { n: 0 };
  const record = new Proxy(Object.create(null) as Record<string | symbol, T>, {
    set(target, key, value: T) {
      if (!(key in target)) count.n++;
      target[key] = value;
      return true;
    },
    deleteProperty(target, key) {
      if (key in target) {
        count.n--;
        delete target[key];
      }
      return true;
    },
  });
  counts.set(record, count);
  return record;
}

/** The number of operations in `record`: counted when it is one of countedOperations', else its keys. */
export function operationCount(record: object): number {
  return counts.get(record)?.n ?? Object.keys(record).length;
}
