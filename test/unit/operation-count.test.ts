/**
 * The counted record for graphql-ws's `ctx.subscriptions` (src/server/operation-count.ts): it counts exactly its
 * keys through every way graphql-ws changes it, and behaves as the plain record it replaces.
 */
import { expect } from "chai";
import { countedOperations, operationCount } from "../../src/server/operation-count.js";

describe("operationCount", () => {
  it("counts a counted record's keys as they are added, replaced and deleted, as Object.keys would", () => {
    const record = countedOperations<unknown>();
    expect(operationCount(record)).to.equal(0);
    record.a = null;
    record.b = null;
    record.a = { iterator: true }; // graphql-ws replaces a subscription's null by its iterator
    expect(operationCount(record)).to.equal(2);
    expect("a" in record && "b" in record && !("c" in record)).to.equal(true);
    delete record.c; // not there: nothing changes
    delete record.a;
    delete record.a;
    expect(operationCount(record)).to.equal(1);
    expect({ ...record }).to.deep.equal({ b: null }); // graphql-ws copies it on close
    expect(Object.keys(record)).to.deep.equal(["b"]);
    expect(operationCount(record)).to.equal(Object.keys(record).length);
  });

  it("counts any other record by its keys", () => {
    expect(operationCount({ x: 1, y: 2 })).to.equal(2);
  });
});
