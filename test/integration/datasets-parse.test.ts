import { expect } from "chai";
import crypto from "node:crypto";
import { LineError, parseLine } from "../../src/modules/datasets/import-parse.js";
import { Anonymizer, sortRepliesByRank, type ExportMessageNode } from "../../src/modules/datasets/format.js";

const A = "11111111-1111-4111-8111-111111111111";
const B = "22222222-2222-4222-8222-222222222222";
const C = "33333333-3333-4333-8333-333333333333";

const msg = (id: string, extra: Record<string, unknown> = {}) => ({ message_id: id, text: "t", role: "prompter", ...extra });

function reason(line: unknown): string {
  try {
    parseLine(typeof line === "string" ? line : JSON.stringify(line));
  } catch (e) {
    expect(e).to.be.instanceOf(LineError);
    return (e as Error).message;
  }
  throw new Error("expected the line to be rejected");
}

describe("datasets: line validation and format rules", () => {
  it("flattens a tree parents first, with depths and children counts", () => {
    const parsed = parseLine(
      JSON.stringify({
        message_tree_id: A,
        tree_state: "growing",
        prompt: msg(A, { replies: [msg(B, { role: "assistant", parent_id: A, replies: [msg(C, { parent_id: B })] })] }),
      }),
    );
    expect(parsed.kind).to.equal("tree");
    if (parsed.kind !== "tree") return;
    expect(parsed.messages.map((m) => [m.id, m.parentId, m.depth, m.childrenCount])).to.deep.equal([
      [A, null, 0, 1],
      [B, A, 1, 1],
      [C, B, 2, 0],
    ]);
  });

  it("rejects what would corrupt the database, saying why", () => {
    expect(reason("{oops")).to.match(/^not JSON/);
    expect(reason("42")).to.equal("not a JSON object");
    expect(reason({ foo: 1 })).to.match(/neither a tree/);
    expect(reason({ prompt: msg("not-a-uuid") })).to.match(/message_id missing or not a UUID/);
    expect(reason({ prompt: msg(A, { role: "system" }) })).to.match(/unknown role "system"/);
    expect(reason({ prompt: msg(A, { role: "assistant" }) })).to.match(/must have role prompter/);
    expect(reason({ tree_state: "flying", prompt: msg(A) })).to.match(/unknown tree_state "flying"/);
    expect(reason({ message_tree_id: B, prompt: msg(A) })).to.match(/is not the prompt's id/);
    // The same id twice in one tree is a cycle or a copy: either way not a tree.
    expect(reason({ prompt: msg(A, { replies: [msg(B, { parent_id: A, replies: [msg(A, { parent_id: B })] })] }) })).to.match(/appears twice/);
    expect(reason({ prompt: msg(A, { replies: [msg(B, { parent_id: C })] }) })).to.match(/does not match its place/);
    expect(reason({ prompt: msg(A, { review_count: -1 }) })).to.match(/review_count must be a non-negative integer/);
    expect(reason({ prompt: msg(A, { labels: { spam: 0.5 } }) })).to.match(/label spam must be/);
    expect(reason({ prompt: msg(A, { events: { emoji: [{ type: "emoji" }] } }) })).to.match(/malformed emoji event/);
    const elsewhere = { type: "ranking", ranking: [0], ranked_message_ids: [C], ranking_parent_id: B, message_tree_id: A };
    expect(reason({ prompt: msg(A, { events: { ranking: [elsewhere] } }) })).to.match(/ranking event of parent .* attached to another message/);
  });

  it("keeps fields outside the columns as extras, and counts them", () => {
    const parsed = parseLine(
      JSON.stringify({
        prompt: msg(A, { CRITERIA: { x: 1 }, detoxify: { toxicity: 0.1 }, tree_state: null, events: { score: [{ type: "score", score: 1 }] } }),
        extra: true,
      }),
    );
    expect(parsed.keptFields.sort()).to.deep.equal(["CRITERIA", "detoxify", "events.score", "tree.extra"]);
    if (parsed.kind !== "tree") throw new Error("a tree");
    expect(parsed.extras).to.deep.equal({ extra: true });
    // A null field is the format's None, the same as an absent one: nothing to keep.
    expect(parsed.messages[0].extras).to.deep.equal({ CRITERIA: { x: 1 }, detoxify: { toxicity: 0.1 }, events: { score: [{ type: "score", score: 1 }] } });
  });

  it("refuses what PostgreSQL cannot store: NUL, lone surrogates, integers past int4, kept values nested too deep", () => {
    expect(reason(JSON.stringify({ prompt: msg(A, { text: "a\u0000b" }) }))).to.match(/NUL character/);
    expect(reason('{"prompt": {"message_id": "' + A + '", "text": "x\\ud800y", "role": "prompter"}}')).to.match(/unpaired UTF-16 surrogate/);
    expect(reason({ prompt: msg(A, { detoxify: { "k\u0000": 1 } }) })).to.match(/NUL character/);
    expect(reason({ prompt: msg(A, { review_count: 2 ** 31 }) })).to.match(/review_count must be a non-negative integer/);
    let deep: unknown = 1;
    for (let i = 0; i < 150; i++) deep = [deep];
    expect(reason({ prompt: msg(A, { deep }) })).to.match(/nested deeper than 100 levels/);
  });

  it("counts each reply's rankings from its parent's ranking events", () => {
    const ranking = (ids: string[]) => ({
      type: "ranking",
      user_id: null,
      ranking: ids.map((_, i) => i),
      ranked_message_ids: ids,
      ranking_parent_id: A,
      message_tree_id: A,
    });
    const parsed = parseLine(
      JSON.stringify({
        prompt: msg(A, {
          events: { ranking: [ranking([B, C]), ranking([C, B]), ranking([C])] },
          replies: [msg(B, { role: "assistant" }), msg(C, { role: "assistant" })],
        }),
      }),
    );
    if (parsed.kind !== "tree") throw new Error("a tree");
    expect(parsed.messages.map((m) => m.rankingCount)).to.deep.equal([0, 2, 3]);
  });

  it("sorts replies by rank, null ranks last, keeping their order", () => {
    const n = (id: string, rank?: number) => ({ message_id: id, ...(rank === undefined ? {} : { rank }) }) as ExportMessageNode;
    expect(sortRepliesByRank([n("a"), n("b", 1), n("c"), n("d", 0)]).map((x) => x.message_id)).to.deep.equal(["d", "b", "a", "c"]);
  });

  it("anonymizes as sha256(collection:id seed)", () => {
    expect(new Anonymizer("7").anonymize("user", A)).to.equal(crypto.createHash("sha256").update(`user:${A}7`).digest("hex"));
  });
});
