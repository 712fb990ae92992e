import { expect } from "chai";
import fc from "fast-check";
import { stringifyDeep, stringifyIteratively } from "../../../src/modules/datasets/deep-json.js";
import { anonymizeChat, chatTree, flattenChat } from "../../../src/modules/chat/export/chat-export.service.js";
import { Anonymizer } from "../../../src/modules/datasets/format.js";
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

  it("anonymises and flattens a chat 10,000 turns deep (the export's options walk it without recursion)", () => {
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
    const anonymizer = new Anonymizer("seed");
    const anonymised = anonymizeChat(tree, anonymizer);
    let node = anonymised.messages[0];
    for (let i = 1; i < 10_000; i++) node = node.children[0];
    expect(node.message_id).to.equal(anonymizer.anonymize("message", "m9999"));
    const flat = flattenChat(anonymised);
    expect(flat.map((m) => m.text)).to.deep.equal(messages.map((m) => m.text));
    expect(flat[9_999].parent_id).to.equal(anonymizer.anonymize("message", "m9998"));
  });
});
