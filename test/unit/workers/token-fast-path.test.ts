/**
 * Which token batches take the fast path (src/modules/workers/token-fast-path.ts): only the connection's recognised
 * document, sent again as the very same text, with variables the general path accepts as they are. Everything
 * else goes the general way, where it is refused with its usual error.
 */
import { expect } from "chai";
import { parse, print } from "graphql";
import { recogniseTokenOperation, tokenBatchOf } from "../../../src/modules/workers/token-fast-path.js";
import { WorkerTokensDocument } from "../../../client/generated/graphql.js";

const QUERY = print(WorkerTokensDocument);
const op = recogniseTokenOperation(QUERY, "WorkerTokens", parse(QUERY))!;
const input = { jobId: "job-1.5b1c9f0e-8f4e-4a54-9d59-0e0d6c1f2a11", text: " hello", tokenCount: 2 };

describe("the worker's token fast path", () => {
  it("recognises the worker protocol's token operation, with its selection", () => {
    expect(op).to.not.equal(null);
    expect(op.rootKey).to.equal("workerTokens");
    expect(op.selection).to.deep.equal([
      { key: "ok", field: "ok" },
      { key: "cancel", field: "cancel" },
    ]);
    const aliased = `mutation T($i: WorkerTokensInput!) { w: workerTokens(input: $i) { __typename c: cancel ok ok } }`;
    const other = recogniseTokenOperation(aliased, undefined, parse(aliased))!;
    expect(other.rootKey).to.equal("w");
    expect(other.selection.map((s) => s.key)).to.deep.equal(["__typename", "c", "ok"]);
  });

  it("recognises nothing else", () => {
    for (const q of [
      `mutation ($i: WorkerFinishInput!) { workerFinish(input: $i) { ok } }`,
      `mutation ($i: WorkerTokensInput!) { workerTokens(input: $i) { ok } x: workerTokens(input: $i) { ok } }`,
      `mutation ($i: WorkerTokensInput!, $s: Boolean!) { workerTokens(input: $i) { ok @include(if: $s) } }`,
      `mutation ($i: WorkerTokensInput!) { workerTokens(input: $i) { ...A } } fragment A on WorkerAck { ok }`,
      `mutation ($j: ID!) { workerTokens(input: { jobId: $j, text: "x", tokenCount: 1 }) { ok } }`,
      `mutation ($i: WorkerTokensInput = { jobId: "j", text: "", tokenCount: 0 }) { workerTokens(input: $i) { ok } }`,
      `subscription { generation(messageId: "x") { seq } }`,
    ]) {
      expect(recogniseTokenOperation(q, undefined, parse(q)), q).to.equal(null);
    }
  });

  it("takes a batch only in the recognised text and operation name with well-formed variables", () => {
    expect(tokenBatchOf(op, { query: QUERY, operationName: "WorkerTokens", variables: { input } })).to.deep.equal(input);
    expect(tokenBatchOf(op, { query: QUERY, operationName: undefined, variables: { input } })).to.equal(null);
    expect(tokenBatchOf(op, { query: `${QUERY} `, operationName: "WorkerTokens", variables: { input } })).to.equal(null);
    const malformed: unknown[] = [
      undefined,
      null,
      [],
      { input: null },
      { input: { ...input, tokenCount: -1 } },
      { input: { ...input, tokenCount: 1.5 } },
      { input: { ...input, tokenCount: 2 ** 31 } },
      { input: { ...input, tokenCount: "2" } },
      { input: { ...input, text: 5 } },
      { input: { ...input, text: "lone \ud800 surrogate" } },
      { input: { ...input, jobId: 7 } },
      { input: { ...input, extra: true } },
      { input: { jobId: input.jobId, text: input.text } },
      { input, other: 1 },
      { inputs: input },
    ];
    for (const variables of malformed) {
      expect(tokenBatchOf(op, { query: QUERY, operationName: "WorkerTokens", variables }), JSON.stringify(variables)).to.equal(null);
    }
  });
});
