import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { TERMINAL_STATES, TreeState } from "../../src/modules/trees/message-tree-state.entity.js";
import { TREE_TRANSITIONS, TreeTransitionError, sourcesOf, transitionFor } from "../../src/modules/trees/tree-transitions.js";

const S = TreeState;
const SRC = path.resolve(__dirname, "..", "..", "..", "src");

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("the tree state machine's transition table (spec §3.2)", () => {
  it("allows the spec's transitions, each under its rule", () => {
    const allowed: [Parameters<typeof transitionFor>[0], TreeState, TreeState][] = [
      ["T2", S.INITIAL_PROMPT_REVIEW, S.PROMPT_LOTTERY_WAITING],
      ["T3", S.GROWING, S.ABORTED_LOW_GRADE],
      ["T3", S.PROMPT_LOTTERY_WAITING, S.ABORTED_LOW_GRADE],
      ["T3b", S.INITIAL_PROMPT_REVIEW, S.ABORTED_LOW_GRADE],
      ["T3c", S.BACKLOG_RANKING, S.ABORTED_LOW_GRADE],
      ["LOTTERY", S.PROMPT_LOTTERY_WAITING, S.GROWING],
      ["T4", S.GROWING, S.RANKING],
      ["T4b", S.GROWING, S.HALTED_BY_MODERATOR],
      ["T5", S.RANKING, S.READY_FOR_SCORING],
      ["T5", S.SCORING_FAILED, S.READY_FOR_SCORING],
      ["T6", S.READY_FOR_SCORING, S.READY_FOR_EXPORT],
      ["T6b", S.READY_FOR_SCORING, S.SCORING_FAILED],
      ["T7", S.SCORING_FAILED, S.RANKING],
      ["T8", S.RANKING, S.HALTED_BY_MODERATOR],
      ["T8b", S.PROMPT_LOTTERY_WAITING, S.HALTED_BY_MODERATOR],
      ["T9", S.HALTED_BY_MODERATOR, S.GROWING],
      ["T9", S.HALTED_BY_MODERATOR, S.INITIAL_PROMPT_REVIEW],
      ["T10", S.BACKLOG_RANKING, S.RANKING],
    ];
    for (const [rule, from, to] of allowed) expect(transitionFor(rule, from, to).rule, `${rule}: ${from} → ${to}`).to.equal(rule);
  });

  it("refuses a change no rule allows, and a rule used for a change it does not make", () => {
    expect(() => transitionFor("T4", S.READY_FOR_EXPORT, S.RANKING)).to.throw(TreeTransitionError, /ready_for_export → ranking/);
    expect(() => transitionFor("T6", S.RANKING, S.READY_FOR_EXPORT)).to.throw(TreeTransitionError);
    expect(() => transitionFor("T10", S.GROWING, S.RANKING)).to.throw(TreeTransitionError);
    expect(() => transitionFor("LOTTERY", S.INITIAL_PROMPT_REVIEW, S.GROWING)).to.throw(TreeTransitionError);
    expect(() => transitionFor("T2", S.GROWING, S.PROMPT_LOTTERY_WAITING)).to.throw(TreeTransitionError);
  });

  it("every state is reachable, and only terminal states are left by nothing but moderation, resumption and aborts", () => {
    const reached = new Set(TREE_TRANSITIONS.map((t) => t.to));
    // initial_prompt_review is also where T1 creates trees; ranking and backlog_ranking where T11 imports them
    for (const s of Object.values(S).filter((s) => s !== S.BACKLOG_RANKING)) expect(reached.has(s), s).to.equal(true);
    const forward = new Set(["T2", "LOTTERY", "T4", "T5", "T6", "T6b", "T7", "T10"]);
    for (const t of TREE_TRANSITIONS.filter((t) => forward.has(t.rule))) {
      for (const from of t.from) {
        if (from === S.SCORING_FAILED || from === S.BACKLOG_RANKING || from === S.PROMPT_LOTTERY_WAITING) continue;
        expect(TERMINAL_STATES.has(from), `${t.rule} leaves ${from}, an inactive state`).to.equal(false);
      }
    }
    expect(sourcesOf("T8b", S.HALTED_BY_MODERATOR)).to.deep.equal([S.PROMPT_LOTTERY_WAITING]);
  });

  it("every statement in src/ that writes a tree's state looks the change up in the table", () => {
    const writes: string[] = [];
    for (const file of tsFiles(SRC)) {
      const text = fs.readFileSync(file, "utf8");
      for (const m of text.matchAll(/UPDATE message_tree_state\b[^`]*?\bSET\b[^`]*?\bstate\s*=/g)) {
        // the code from the start of the enclosing method to the end of the statement's call
        const head = text.slice(0, m.index!);
        const start = Math.max(head.lastIndexOf("\n  async "), head.lastIndexOf("\nexport async function "), 0);
        const method = text.slice(start, text.indexOf(");", m.index!));
        const where = `${path.relative(SRC, file)}:${text.slice(0, m.index).split("\n").length}`;
        writes.push(where);
        expect(/transitionFor\(|sourcesOf\(/.test(method), `${where} writes message_tree_state.state without the transition table`).to.equal(true);
      }
    }
    expect(writes.length, "state writes found").to.be.greaterThan(2);
  });
});
