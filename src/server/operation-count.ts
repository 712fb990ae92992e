/**
 * How many operations a graphql-ws socket runs, in constant time. graphql-ws keeps them in `ctx.subscriptions`
 * (an id → iterator record it adds to, deletes from and, on close, replaces); counting its keys for every
 * operation cost a worker's socket, with a job subscription and up to hundreds of token batches in flight, an
 * array of ids per token batch (bench/RESULTS.md, branch wfast). The record made here counts as it changes.
 */
const counts = new WeakMap<object, { n: number; target: Record<string | symbol, unknown> }>();

/** An empty record for `ctx.subscriptions` that keeps count of its keys. */
export function countedOperations<T>(): Record<string, T> {
  const target = Object.create(null) as Record<string | symbol, T>;
  const count = { n: 0, target };
  const record = new Proxy(target, {
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

/*
 * The same changes and question without going through the proxy where `record` is a counted one: each operation on a
 * proxy takes V8's slow path (an `in` on it was most of the token fast path's own time, bench/RESULTS.md, branch
 * tok3). Any other record is changed as it is.
 */

/** Whether `record` lists operation `id`. */
export function hasOperation(record: Record<string, unknown>, id: string): boolean {
  const counted = counts.get(record);
  return counted ? id in counted.target : id in record;
}

/** Lists operation `id` in `record` with `value` (graphql-ws lists a running operation as null). */
export function addOperation(record: Record<string, unknown>, id: string, value: unknown): void {
  const counted = counts.get(record);
  if (!counted) {
    record[id] = value;
    return;
  }
  if (!(id in counted.target)) counted.n++;
  counted.target[id] = value;
}

/** Drops operation `id` from `record`. */
export function deleteOperation(record: Record<string, unknown>, id: string): void {
  const counted = counts.get(record);
  if (!counted) {
    delete record[id];
    return;
  }
  if (id in counted.target) {
    counted.n--;
    delete counted.target[id];
  }
}
