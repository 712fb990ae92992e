import { expect } from "chai";
import fc from "fast-check";
import { stringifyDeep, stringifyIteratively } from "../../../src/modules/datasets/deep-json.js";
import { nodeJson, treeJson, type OutNode } from "../../../src/modules/datasets/format.js";
import { chatTree } from "../../../src/modules/chat/chat-export.service.js";
import type { Chat, ChatMessage } from "../../../src/modules/chat/chat.entity.js";

/** Nested JSON-like values with the awkward parts: undefined members, toJSON, non-finite numbers, odd keys. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.date({ noInvalidDate: true })),
  node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(fc.string(), tie("node"), { maxKeys: 4 })),
})).node;

function nested(depth: number): unknown {
  let v: unknown = { end: true };
  for (let i = 0; i < depth; i++) v = { level: i, children: [v, "x"] };
  return v;
}

/** Keys that JavaScript objects do not move to the front (array indices would be). */
const key = fc.string().filter((k) => !/^(0|[1-9]\d*)$/.test(k));

/** An OutNode and the plain object JSON.stringify would write for it. */
const outNode: fc.Arbitrary<[OutNode, Record<string, unknown>]> = fc.letrec((tie) => ({
  node: fc
    .tuple(
      fc.dictionary(key, fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxKeys: 3 }),
      fc.option(fc.array(tie("node") as fc.Arbitrary<[OutNode, Record<string, unknown>]>, { maxLength: 3 }), { depthSize: "small" }),
      fc.dictionary(key, fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
    )
    .map(([head, replies, tail]) => {
      delete head.replies;
      for (const k of Object.keys(tail)) if (k in head || k === "replies") delete tail[k];
      const out: OutNode = { head, replies: replies ? replies.map((r) => r[0]) : null, tail };
      const plain = { ...head, ...(replies ? { replies: replies.map((r) => r[1]) } : {}), ...tail };
      return [out, plain] as [OutNode, Record<string, unknown>];
    }),
})).node;

describe("datasets: JSON of any depth", () => {
  it("writes exactly what JSON.stringify writes, for any value it can write", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(stringifyIteratively(v)).to.equal(JSON.stringify(v));
      }),
      { numRuns: 500 },
    );
  });

  it("writes values 100,000 levels deep, where JSON.stringify overflows the stack", () => {
    const deep = nested(100_000);
    expect(() => JSON.stringify(deep)).to.throw(RangeError);
    const text = stringifyDeep(deep);
    let v = JSON.parse(text) as { level?: number; children?: unknown[]; end?: boolean };
    for (let i = 99_999; i >= 0; i--) {
      expect(v.level).to.equal(i);
      v = v.children![0] as typeof v;
    }
    expect(v).to.deep.equal({ end: true });
  });

  it("writes tree nodes (head, replies, tail) as JSON.stringify writes the nested object", () => {
    fc.assert(
      fc.property(outNode, ([node, plain]) => {
        expect(nodeJson(node)).to.equal(JSON.stringify(plain));
        expect(treeJson({ message_tree_id: "t" }, node, { origin: "o" })).to.equal(JSON.stringify({ message_tree_id: "t", prompt: plain, origin: "o" }));
      }),
      { numRuns: 300 },
    );
  });

  it("exports a chat 10,000 turns deep", () => {
    const at = new Date("2025-01-01T00:00:00Z");
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      id: `m${i}`,
      parentId: i === 0 ? null : `m${i - 1}`,
      role: i % 2 === 0 ? "PROMPTER" : "ASSISTANT",
      text: `turn ${i}`,
      state: "COMPLETE",
      createdAt: at,
    })) as unknown as ChatMessage[];
    const chat = { id: "c", userId: "u", createdAt: at, modifiedAt: at, title: null, systemPrompt: null, allowDataUse: true, hidden: false } as unknown as Chat;
    const tree = chatTree(chat, messages, { votes: [], reports: [], draftChoices: [] } as never);
    let node = (JSON.parse(stringifyDeep(tree)) as { messages: { message_id: string; children: unknown[] }[] }).messages[0];
    for (let i = 1; i < 10_000; i++) node = node.children[0] as typeof node;
    expect(node.message_id).to.equal("m9999");
  });
});
