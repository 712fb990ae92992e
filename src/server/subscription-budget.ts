/**
 * A subscription's events executed under a database budget each, as an operation is (src/db/operation-budget.ts).
 *
 * graphql-ws runs `subscribe` once and then pulls the events from its own loop, outside the scope the subscribe ran
 * in: without this, what an event's resolvers read (GenerationFinished.chatMessage with its feedback, the blindness
 * of GenerationStarted.workerName) ran as work outside any operation, with no bound on its connections and with
 * its connection's statement_timeout reset, and the next operation to get that connection set it again: about three
 * SET or RESET round trips per answer in the stream benchmark (bench/RESULTS.md, start2).
 */
import type { ExecutionResult } from "graphql";
import { runWithBudget, type OperationBudget } from "../db/operation-budget.js";

/**
 * `result` as it is when it is a single result; otherwise the same events, each pulled (and so executed: graphql-js
 * and the fan-out execute an event in the continuation of the `next` that asked for it) under a fresh budget.
 */
export function eventsUnderBudget<T extends ExecutionResult>(
  result: AsyncIterableIterator<T> | ExecutionResult,
  budget: () => OperationBudget,
): AsyncIterableIterator<T> | ExecutionResult {
  if (!(Symbol.asyncIterator in result)) return result;
  const events = result;
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    next: () => runWithBudget(budget(), () => events.next()),
    return: (value?: unknown) => (events.return ? events.return(value) : Promise.resolve({ done: true, value: undefined })),
    throw: (error?: unknown) => (events.throw ? events.throw(error) : Promise.reject(error)),
  };
  return iterator;
}
