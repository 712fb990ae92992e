/**
 * A subscription's events run under a database budget of their own (src/server/subscription-budget.ts): what an
 * event's resolvers read gets the operation's statement_timeout, as graphql-js executes an event in the
 * continuation of the `next` that pulled it, from graphql-ws's loop outside the subscribe's scope.
 */
import { expect } from "chai";
import type { DataSource } from "typeorm";
import { OperationBudget, applyOperationBudgets } from "../../src/db/operation-budget.js";
import { eventsUnderBudget } from "../../src/server/subscription-budget.js";

/** A DataSource whose driver hands out one fake connection that records its statements. */
function fakeDataSource() {
  const statements: string[] = [];
  const client = {
    query: async (sql: string) => void statements.push(sql),
    on: () => client,
    removeListener: () => client,
  };
  const driver = { obtainMasterConnection: async () => [client, () => {}] };
  const ds = { driver } as unknown as DataSource;
  applyOperationBudgets(ds);
  const connect = async () => {
    const [, release] = await (driver.obtainMasterConnection as () => Promise<[unknown, () => void]>)();
    release();
  };
  return { statements, connect };
}

/** Events that arrive later, from a timer (as the stream store's reader delivers them). */
function laterEvents(count: number): AsyncIterableIterator<{ data: { n: number } }> {
  let n = 0;
  const iterator: AsyncIterableIterator<{ data: { n: number } }> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () =>
      new Promise((resolve) => setTimeout(() => resolve(n < count ? { done: false, value: { data: { n: n++ } } } : { done: true, value: undefined }), 1)),
    return: async () => ({ done: true, value: undefined }),
  };
  return iterator;
}

/** What graphql-js's subscribe returns: each event executed (here: taking a connection) in the `next` that pulled it. */
function executed(source: AsyncIterableIterator<{ data: { n: number } }>, execute: () => Promise<void>): AsyncIterableIterator<{ data: { n: number } }> {
  const iterator: AsyncIterableIterator<{ data: { n: number } }> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      const e = await source.next();
      if (!e.done) await execute();
      return e;
    },
  };
  return iterator;
}

/** graphql-ws's loop: pulls every event, outside the scope the subscription started in. */
async function consume(events: AsyncIterableIterator<unknown>): Promise<number> {
  let seen = 0;
  for await (const _ of events) seen++;
  return seen;
}

describe("subscription events under a budget", () => {
  it("gives each event's execution the operation's statement_timeout", async () => {
    const { statements, connect } = fakeDataSource();
    const events = eventsUnderBudget(executed(laterEvents(2), connect), () => new OperationBudget(2, 1234));
    const seen = await consume(events as AsyncIterableIterator<unknown>);
    expect(seen).to.equal(2);
    // Set once: the connection keeps it for the next event.
    expect(statements).to.deep.equal(["SET statement_timeout = 1234"]);
  });

  it("passes a single result through and ends the source when the subscriber leaves", async () => {
    const single = { errors: [] };
    expect(eventsUnderBudget(single, () => new OperationBudget(2, 1234))).to.equal(single);
    let ended = false;
    const source = laterEvents(5);
    source.return = async () => {
      ended = true;
      return { done: true, value: undefined };
    };
    const events = eventsUnderBudget(source, () => new OperationBudget(2, 1234)) as AsyncIterableIterator<unknown>;
    await events.return?.();
    expect(ended).to.equal(true);
  });
});
