/**
 * The operation gate weighs a cached document once when its complexity cannot change with its variables, and with
 * each request's variables when it can (page sizes, @include/@skip); the variables are coerced on every request
 * either way. The memo must never let a request through that its own variables would refuse.
 */
import "reflect-metadata";
import { expect } from "chai";
import type { GraphQLSchema } from "graphql";
import { getSchema } from "../../src/server/schema.js";
import { OperationGate } from "../../src/server/operation-gate.js";
import { complexityReadsVariables } from "../../src/server/limits.js";
import type { Context } from "../../src/server/context.js";
import { ChorusError } from "../../src/common/errors.js";
import { parse } from "graphql";

const identified = { identity: { apiClient: { id: "client" } } } as unknown as Context;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ChorusError ? String(err.extensions.code) : `not a ChorusError: ${String(err)}`;
  }
  return undefined;
}

describe("operation gate: complexity memo", () => {
  let schema: GraphQLSchema;
  let gate: OperationGate;
  before(async () => {
    schema = await getSchema();
  });
  beforeEach(() => {
    gate = new OperationGate(schema, {
      maxQueryDepth: 12,
      maxQueryComplexity: 5_000,
      maxDocumentBytes: 100_000,
      documentCacheBytes: 50_000_000,
      introspection: "authenticated",
      maxResponseBytes: 10_000_000,
    });
  });

  it("weighs a page size given by a variable with each request's value, and refuses the one over the limit", () => {
    const query = `query Q($n: Int) { apiClients(first: $n) { edges { node { id name } } } }`;
    const small = gate.admit(identified, { query, variables: { n: 1 } }).complexity;
    const larger = gate.admit(identified, { query, variables: { n: 50 } }).complexity;
    expect(larger).to.be.greaterThan(small);
    expect(codeOf(() => gate.admit(identified, { query, variables: { n: 100_000 } }))).to.equal("QUERY_TOO_COMPLEX");
    expect(gate.complexityRuns).to.equal(3);
  });

  it("weighs @include and @skip by each request's variables", () => {
    const query = `query Q($more: Boolean!) { apiClients(first: 100) { edges { node { id } } } extra: apiClients(first: 40) @include(if: $more) { edges { node { id name } } } }`;
    const without = gate.admit(identified, { query, variables: { more: false } }).complexity;
    const withIt = gate.admit(identified, { query, variables: { more: true } }).complexity;
    expect(withIt).to.be.greaterThan(without);
    const skip = `query Q($less: Boolean!) { apiClients(first: 100) @skip(if: $less) { edges { node { id name } } } }`;
    expect(gate.admit(identified, { query: skip, variables: { less: true } }).complexity).to.be.lessThan(
      gate.admit(identified, { query: skip, variables: { less: false } }).complexity,
    );
  });

  it("weighs a document whose variables size nothing once per operation, and still refuses variables that do not coerce", () => {
    const query = `mutation M($input: AckTaskInput!) { ackTask(input: $input) { id ack } }`;
    const first = gate.admit(identified, { query, variables: { input: { taskId: "a", frontendMessageId: "x" } } }).complexity;
    const second = gate.admit(identified, { query, variables: { input: { taskId: "b", frontendMessageId: "y".repeat(500) } } }).complexity;
    expect(second).to.equal(first);
    expect(gate.complexityRuns).to.equal(1);
    expect(codeOf(() => gate.admit(identified, { query, variables: { input: { taskId: "b" } } }))).to.equal("BAD_USER_INPUT");
    expect(codeOf(() => gate.admit(identified, { query, variables: {} }))).to.equal("BAD_USER_INPUT");
    expect(codeOf(() => gate.admit(identified, { query, variables: { input: { taskId: 1, frontendMessageId: ["x"] } } }))).to.equal("BAD_USER_INPUT");
  });

  it("keeps one complexity per operation of a document", () => {
    const query = `query Small { __typename } query Large { apiClients(first: 100) { edges { node { id name } } } }`;
    const small = gate.admit(identified, { query, operationName: "Small" }).complexity;
    const large = gate.admit(identified, { query, operationName: "Large" }).complexity;
    expect(large).to.be.greaterThan(small);
    expect(gate.admit(identified, { query, operationName: "Small" }).complexity).to.equal(small);
    expect(gate.admit(identified, { query, operationName: "Large" }).complexity).to.equal(large);
    expect(gate.complexityRuns).to.equal(2);
  });

  it("finds a sizing variable in fragments, in nested fields and in every directive", () => {
    const reads = (q: string) => complexityReadsVariables(schema, parse(q));
    expect(reads(`query Q($n: Int) { ...F } fragment F on Query { apiClients(first: $n) { edges { node { id } } } }`)).to.equal(true);
    expect(reads(`query Q($n: Int) { apiClients(last: $n) { edges { node { id } } } }`)).to.equal(true);
    expect(reads(`query Q($b: Boolean!) { __typename @include(if: $b) }`)).to.equal(true);
    expect(reads(`query Q($n: Int) { apiClients(first: 5) { edges { node { id } } } }`)).to.equal(false);
    expect(reads(`mutation M($input: AckTaskInput!) { ackTask(input: $input) { id } }`)).to.equal(false);
  });
});
