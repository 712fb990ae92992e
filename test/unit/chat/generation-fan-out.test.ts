/**
 * The generation events serialised by a compiled selection (src/modules/chat/generation/generation-fan-out.ts) are exactly
 * what graphql-js makes of them: each document below is executed by graphql-js on the committed schema and
 * serialised by its plan, for every kind of event, and the two JSON texts must be equal; where the plan declines
 * (a field that needs the subscriber's context, a value that is not what its type says), graphql-js runs instead.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { buildSchema, execute, parse } from "graphql";
import { EVENT_SOURCE, planOf, serialise } from "../../../src/modules/chat/generation/generation-fan-out.js";
import { toEventValue } from "../../../src/modules/chat/generation/generation.service.js";
import type { StoredGenerationEvent } from "../../../src/modules/chat/generation/generation-events.js";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const schema = buildSchema(fs.readFileSync(path.join(ROOT, "schema", "schema.graphql"), "utf8"));
const MESSAGE = "5b1c9f0e-8f4e-4a54-9d59-0e0d6c1f2a11";
const MAX = 1_000_000;

const EVENTS: StoredGenerationEvent[] = [
  { type: "queued", position: 2, queueSize: 7 },
  { type: "started", workerName: "gpu-1" },
  { type: "tokens", text: 'Hello, "world" \u00e9\u4e16 \n\t\u2028', tokenCount: 3 },
  { type: "restarted", reason: "The worker stopped answering" },
  { type: "continued", text: "So far", tokenCount: 2 },
  { type: "finished", finishReason: "stop" },
  { type: "failed", code: "WORKER_FAILED", reason: "out of memory" },
  { type: "cancelled" },
];

const DOCUMENTS = {
  plain: `subscription G($id: ID!, $after: Int) { generation(messageId: $id, after: $after) {
    __typename seq messageId
    ... on GenerationTokens { text tokenCount }
    ... on GenerationQueued { position queueSize }
    ... on GenerationFinished { finishReason }
    ... on GenerationFailed { code }
    ... on GenerationRestarted { reason }
    ... on GenerationContinued { text tokenCount }
  } }`,
  aliasesAndFragments: `subscription { g: generation(messageId: "${MESSAGE}") {
    ...Ev
    t: __typename
    ... on GenerationEvent { n: seq seq }
    ... on GenerationTokens { body: text ...Tok }
    __typename
  } }
  fragment Ev on GenerationEvent { seq messageId }
  fragment Tok on GenerationTokens { tokenCount text body: text }`,
  onlyTokens: `subscription S { generation(messageId: "${MESSAGE}") { ... on GenerationTokens { text } } }`,
  contextFields: `subscription { generation(messageId: "${MESSAGE}") {
    seq ... on GenerationStarted { workerName } ... on GenerationFailed { reason } ... on GenerationFinished { finishReason chatMessage { id } }
  } }`,
};

describe("generation events serialised once per selection", () => {
  for (const [name, text] of Object.entries(DOCUMENTS)) {
    it(`gives graphql-js's bytes for every event (${name})`, async () => {
      const document = parse(text);
      const plan = planOf(document, undefined);
      expect(plan, "the document compiles").to.not.equal(null);
      for (const [i, event] of EVENTS.entries()) {
        const value = toEventValue(MESSAGE, { seq: i + 1, event, terminal: false }, 3);
        const json = serialise(plan!, value, MAX);
        const needsContext = name === "contextFields" && (event.type === "started" || event.type === "failed" || event.type === "finished");
        if (needsContext) {
          expect(json, `${event.type} needs the subscriber's context`).to.equal(null);
          continue;
        }
        const expected = await execute({ schema, document, rootValue: { generation: value }, variableValues: { id: MESSAGE } });
        expect(expected.errors).to.equal(undefined);
        expect(json, event.type).to.equal(JSON.stringify(expected));
      }
    });
  }

  it("serialises an event once per selection, shared by every value made from the same stored event", () => {
    const a = planOf(parse(DOCUMENTS.plain), "G")!;
    const b = planOf(parse(DOCUMENTS.plain), "G")!; // another client's copy of the same text: same plan id
    const c = planOf(parse(DOCUMENTS.onlyTokens), undefined)!;
    expect(a.id).to.equal(b.id);
    expect(a.id).to.not.equal(c.id);
    const stored = { seq: 4, event: { type: "tokens", text: " hi", tokenCount: 1 } as StoredGenerationEvent, terminal: false };
    const first = toEventValue(MESSAGE, stored);
    const second = toEventValue(MESSAGE, stored);
    expect(first).to.not.equal(second);
    expect((first as Record<symbol, unknown>)[EVENT_SOURCE]).to.equal(stored.event);
    const bytesA = serialise(a, first, MAX);
    // The same string object comes back for the second subscriber: it was not serialised again.
    expect(serialise(b, second, MAX)).to.equal(bytesA);
    expect(serialise(c, second, MAX)).to.equal(`{"data":{"generation":{"text":" hi"}}}`);
  });

  it("leaves to graphql-js what a plan cannot answer exactly", async () => {
    expect(planOf(parse(`subscription ($s: Boolean!) { generation(messageId: "${MESSAGE}") { seq @include(if: $s) } }`), undefined)).to.equal(null);
    expect(planOf(parse(`subscription { a: generation(messageId: "${MESSAGE}") { seq } b: generation(messageId: "${MESSAGE}") { seq } }`), undefined)).to.equal(
      null,
    );
    expect(planOf(parse(`query { __typename }`), undefined)).to.equal(null);
    const plan = planOf(parse(DOCUMENTS.plain), "G")!;
    // Values that graphql-js refuses (a wrong type, a missing non-null field): graphql-js reports them.
    expect(serialise(plan, { __typename: "GenerationTokens", seq: 1, messageId: MESSAGE, text: 5, tokenCount: 1 }, MAX)).to.equal(null);
    expect(serialise(plan, { __typename: "GenerationTokens", seq: 1.5, messageId: MESSAGE, text: "x", tokenCount: 1 }, MAX)).to.equal(null);
    expect(serialise(plan, { __typename: "GenerationTokens", seq: 1, messageId: MESSAGE, text: "x" }, MAX)).to.equal(null);
    expect(serialise(plan, { __typename: "SomethingElse", seq: 1, messageId: MESSAGE }, MAX)).to.equal(null);
    // Over MAX_RESPONSE_BYTES: graphql-js's path answers RESPONSE_TOO_LARGE.
    expect(serialise(plan, { __typename: "GenerationTokens", seq: 1, messageId: MESSAGE, text: "x".repeat(200), tokenCount: 1 }, 100)).to.equal(null);
  });
});
