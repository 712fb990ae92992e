/**
 * The counted record for graphql-ws's `ctx.subscriptions` (src/server/operation-count.ts): it counts exactly its
 * keys through every way graphql-ws changes it, and behaves as the plain record it replaces.
 */
import { expect } from "chai";
import { addOperation, countedOperations, deleteOperation, hasOperation, operationCount } from "../../src/server/operation-count.js";

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

  it("changes and answers for a counted record alike through its proxy and around it (the token fast path's way)", () => {
    const record = countedOperations<unknown>();
    addOperation(record, "a", null);
    addOperation(record, "a", null); // listed once
    record.b = null;
    expect(hasOperation(record, "a") && hasOperation(record, "b") && !hasOperation(record, "c")).to.equal(true);
    expect("a" in record).to.equal(true);
    expect(operationCount(record)).to.equal(2);
    deleteOperation(record, "b");
    deleteOperation(record, "c"); // not there: nothing changes
    expect(operationCount(record)).to.equal(1);
    delete record.a;
    deleteOperation(record, "a");
    expect(operationCount(record)).to.equal(0);
    expect(Object.keys(record)).to.deep.equal([]);
    // Any other record: changed as it is.
    const plain: Record<string, unknown> = {};
    addOperation(plain, "x", null);
    expect(hasOperation(plain, "x")).to.equal(true);
    deleteOperation(plain, "x");
    expect(plain).to.deep.equal({});
  });

  it("counts any other record by its keys", () => {
    expect(operationCount({ x: 1, y: 2 })).to.equal(2);
  });
});
