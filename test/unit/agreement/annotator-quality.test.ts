import { expect } from "chai";
import { kendallTau, labelAgreementByUser, rankingAgreementByUser } from "../../../src/modules/agreement/annotator-quality.js";

describe("annotator quality (pure rules)", () => {
  it("Kendall's τ: 1 for the same order, −1 reversed, counted on shared items only", () => {
    expect(kendallTau(["a", "b", "c"], ["a", "b", "c"])).to.equal(1);
    expect(kendallTau(["a", "b", "c"], ["c", "b", "a"])).to.equal(-1);
    // pairs ab, ac agree, bc disagrees: (2 − 1) / 3
    expect(kendallTau(["a", "b", "c"], ["a", "c", "b"])).to.be.closeTo(1 / 3, 1e-12);
    expect(kendallTau(["a", "b", "x"], ["b", "a", "y"])).to.equal(-1);
    expect(kendallTau(["a"], ["a"])).to.equal(null);
  });

  it("ranking agreement is leave-one-out: each ballot against the merge of the others only", () => {
    const ballots = [
      { userId: "u1", parentId: "p", ranked: ["a", "b", "c"] },
      { userId: "u2", parentId: "p", ranked: ["a", "b", "c"] },
      { userId: "u3", parentId: "p", ranked: ["c", "b", "a"] },
      { userId: "u1", parentId: "q", ranked: ["x", "y"] }, // alone on q: nothing to compare with
    ];
    const byUser = rankingAgreementByUser(ballots);
    // u1 against merge(u2, u3): a tie between opposite ballots resolves by id order (a, b, c), so τ = 1
    expect(byUser.get("u1")).to.deep.equal([1]);
    expect(byUser.get("u2")).to.deep.equal([1]);
    // u3 against merge(u1, u2) = a, b, c: reversed
    expect(byUser.get("u3")).to.deep.equal([-1]);
  });

  it("label agreement: 1 − |value − mean of the other reviewers| per shared label value", () => {
    const v = (userId: string, label: string, value: number) => ({ userId, messageId: "m", label, value });
    const byUser = labelAgreementByUser([v("r1", "spam", 0), v("r2", "spam", 0), v("r3", "spam", 1), v("r1", "quality", 0.75), v("r3", "quality", 0.25)]);
    expect(byUser.get("r1")).to.deep.equal([0.5, 0.5]);
    expect(byUser.get("r2")).to.deep.equal([0.5]);
    expect(byUser.get("r3")).to.deep.equal([0, 0.5]);
  });
});

describe("annotator reliability (ARENA_RELIABLE_LAST_REVIEW)", () => {
  it("needs enough compared labels with high agreement, and a positive ranking τ once rankings are compared", async () => {
    const { isReliable } = await import("../../../src/modules/agreement/annotator-quality.js");
    const q = { labelAgreement: 0.9, labelsCompared: 10, rankingAgreement: null, rankingsCompared: 0 };
    expect(isReliable(q)).to.equal(true);
    expect(isReliable({ ...q, labelsCompared: 9 })).to.equal(false);
    expect(isReliable({ ...q, labelAgreement: 0.79 })).to.equal(false);
    expect(isReliable({ ...q, rankingsCompared: 5, rankingAgreement: 0.1 })).to.equal(false);
    expect(isReliable({ ...q, rankingsCompared: 5, rankingAgreement: 0.5 })).to.equal(true);
    expect(isReliable({ ...q, rankingsCompared: 4, rankingAgreement: -1 })).to.equal(true);
  });
});
