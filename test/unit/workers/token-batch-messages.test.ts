/**
 * Which raw websocket messages the server takes off a worker's socket before graphql-ws (src/server/token-batch-
 * messages.ts): only a `subscribe` graphql-ws would accept, of the connection's token operation, with variables the
 * general path accepts as they are. Anything else is left to graphql-ws, which answers or refuses it as ever. The
 * frames written for a taken batch are graphql-ws's.
 */
import { expect } from "chai";
import { parse, print } from "graphql";
import { stringifyMessage, MessageType } from "graphql-ws";
import { recogniseTokenOperation } from "../../../src/modules/workers/token-fast-path.js";
import { completeMessage, nextMessage, nextMessageOfJson, tokenBatchMessage } from "../../../src/server/token-batch-messages.js";
import { WorkerTokensDocument } from "../../../client/generated/graphql.js";

const QUERY = print(WorkerTokensDocument);
const op = recogniseTokenOperation(QUERY, "WorkerTokens", parse(QUERY))!;
const input = { jobId: "job-1.5b1c9f0e-8f4e-4a54-9d59-0e0d6c1f2a11", text: " hello", tokenCount: 2 };
const subscribe = (rest: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) =>
  JSON.stringify({ id: "7", type: "subscribe", payload: { query: QUERY, operationName: "WorkerTokens", variables: { input }, ...payload }, ...rest });

describe("token batches taken off a worker's socket", () => {
  it("takes a subscribe of the connection's token operation, with its id and batch", () => {
    expect(tokenBatchMessage(subscribe(), op)).to.deep.equal({
      id: "7",
      payload: { query: QUERY, operationName: "WorkerTokens", variables: { input } },
      batch: input,
    });
    expect(tokenBatchMessage(subscribe({}, { extensions: { trace: 1 } }), op)?.batch).to.deep.equal(input);
  });

  it("leaves everything else to graphql-ws", () => {
    for (const text of [
      "not json",
      "[1]",
      JSON.stringify({ type: "ping" }),
      JSON.stringify({ id: "7", type: "complete" }),
      subscribe({ id: "" }),
      subscribe({ id: 7 }),
      subscribe({ type: "subscribe ", id: "7" }),
      subscribe({}, { operationName: 5 }),
      subscribe({}, { extensions: "x" }),
      subscribe({}, { query: `${QUERY}\n` }),
      subscribe({}, { operationName: "Other" }),
      subscribe({}, { variables: { input: { ...input, tokenCount: -1 } } }),
      subscribe({}, { variables: { input: { ...input, text: "lone \ud800" } } }),
      // The type written with an escape: graphql-ws's to parse.
      subscribe().replace('"subscribe"', '"\\u0073ubscribe"'),
    ]) {
      expect(tokenBatchMessage(text, op), text).to.equal(null);
    }
  });

  it("writes graphql-ws's own frames for the answer", () => {
    const payload = { data: { workerTokens: { ok: true, cancel: false } } };
    expect(nextMessage('a"b', payload)).to.equal(stringifyMessage({ id: 'a"b', type: MessageType.Next, payload }));
    expect(nextMessageOfJson('a"b', JSON.stringify(payload))).to.equal(stringifyMessage({ id: 'a"b', type: MessageType.Next, payload }));
    expect(completeMessage("a\u2028")).to.equal(stringifyMessage({ id: "a\u2028", type: MessageType.Complete }));
  });
});
