import { expect } from "chai";
import {
  ReviewWithoutSpamLabelError,
  acceptanceScore,
  decideReplyReview,
  decideRootReview,
  isAboveAcceptanceThreshold,
  replyAcceptanceRule,
  rootAcceptanceRule,
  type ReviewLabels,
} from "../../../src/modules/consensus/acceptance.js";
import { DEFAULT_TREE_MANAGER_CONFIG } from "../../../src/config/tree-manager.js";

const replyRule = replyAcceptanceRule(DEFAULT_TREE_MANAGER_CONFIG);
const rootRule = rootAcceptanceRule(DEFAULT_TREE_MANAGER_CONFIG);

/** Reviews with the given spam values and, when given, lang_mismatch values (absent otherwise). */
function reviews(spam: number[], langMismatch?: number[]): ReviewLabels[] {
  return spam.map((value, index) =>
    langMismatch === undefined ? { spam: value, quality: 0.5 } : { spam: value, lang_mismatch: langMismatch[index], quality: 0.5 },
  );
}

describe("consensus: review acceptance (spec §4.1, §10.3)", () => {
  it("uses the defaults of 3 reviews and a 0.6 threshold for both prompts and replies", () => {
    expect(replyRule).to.deep.equal({ requiredReviews: 3, threshold: 0.6 });
    expect(rootRule).to.deep.equal({ requiredReviews: 3, threshold: 0.6 });
  });

  describe("every row of the §10.3 table", () => {
    const rows: { spam: number[]; lm?: number[]; score: number; accepted: boolean }[] = [
      { spam: [0, 0, 0], score: 1.0, accepted: true },
      { spam: [1, 0, 0], score: 2 / 3, accepted: true },
      { spam: [1, 1, 0], score: 1 / 3, accepted: false },
      { spam: [0, 0, 0], lm: [1, 0, 0], score: 2 / 3, accepted: true },
      { spam: [1, 0, 0], lm: [0, 1, 0], score: 1 / 3, accepted: false },
    ];
    for (const row of rows) {
      const label = `spam ${row.spam.join(",")} / lang_mismatch ${row.lm?.join(",") ?? "absent"}`;

      it(`${label}: score ${row.score.toFixed(3)}`, () => {
        expect(acceptanceScore(reviews(row.spam, row.lm))).to.be.closeTo(row.score, 1e-12);
      });

      it(`${label}: reply ⇒ ${row.accepted}`, () => {
        const decision = decideReplyReview({ reviewResult: null, reviewCount: 3 }, reviews(row.spam, row.lm), replyRule);
        expect(decision.reviewResult).to.equal(row.accepted);
        expect(decision.changed).to.equal(true);
      });

      it(`${label}: root ⇒ ${row.accepted}${row.accepted ? " (tree may enter the lottery)" : ", tree aborted_low_grade"}`, () => {
        const decision = decideRootReview({ reviewResult: null, reviewCount: 3 }, reviews(row.spam, row.lm), rootRule);
        expect(decision.reviewResult).to.equal(row.accepted);
        expect(decision.changed).to.equal(true);
        expect(decision.abortTree).to.equal(!row.accepted);
      });
    }

    it("after 2 reviews: reply and root stay undecided, whatever the labels", () => {
      for (const spam of [
        [0, 0],
        [1, 1],
      ]) {
        expect(decideReplyReview({ reviewResult: null, reviewCount: 2 }, reviews(spam), replyRule)).to.deep.equal({
          reviewResult: null,
          changed: false,
          score: null,
        });
        expect(decideRootReview({ reviewResult: null, reviewCount: 2 }, reviews(spam), rootRule)).to.deep.equal({
          reviewResult: null,
          changed: false,
          score: null,
          abortTree: false,
        });
      }
    });
  });

  describe("late reviews of a reply", () => {
    it("rejected at [1,1,0]; 4th ⇒ 0.5 stays false; 5th ⇒ 0.6 still false (strict); 6th ⇒ 0.667 flips to true", () => {
      let state = { reviewResult: null as boolean | null, reviewCount: 3 };
      const spam = [1, 1, 0];
      let decision = decideReplyReview(state, reviews(spam), replyRule);
      expect(decision.reviewResult).to.equal(false);
      state = { reviewResult: decision.reviewResult, reviewCount: 3 };

      spam.push(0);
      decision = decideReplyReview({ ...state, reviewCount: 4 }, reviews(spam), replyRule);
      expect(decision).to.deep.equal({ reviewResult: false, changed: false, score: 0.5 });

      spam.push(0);
      decision = decideReplyReview({ ...state, reviewCount: 5 }, reviews(spam), replyRule);
      expect(decision.score).to.equal(0.6);
      expect(decision.reviewResult).to.equal(false);
      expect(decision.changed).to.equal(false);

      spam.push(0);
      decision = decideReplyReview({ ...state, reviewCount: 6 }, reviews(spam), replyRule);
      expect(decision.score).to.be.closeTo(2 / 3, 1e-12);
      expect(decision).to.include({ reviewResult: true, changed: true });
    });

    it("an accepted reply never flips back, however bad the late reviews", () => {
      const decision = decideReplyReview({ reviewResult: true, reviewCount: 6 }, reviews([0, 0, 0, 1, 1, 1]), replyRule);
      expect(decision).to.deep.equal({ reviewResult: true, changed: false, score: null });
    });
  });

  describe("initial prompts", () => {
    it("an accepted prompt is left alone by late reviews (no abort)", () => {
      const decision = decideRootReview({ reviewResult: true, reviewCount: 4 }, reviews([1, 1, 1, 1]), rootRule);
      expect(decision).to.deep.equal({ reviewResult: true, changed: false, score: null, abortTree: false });
    });

    it("a rejected prompt whose late review still fails is not rewritten but aborts the tree again (T3 quirk)", () => {
      const decision = decideRootReview({ reviewResult: false, reviewCount: 4 }, reviews([1, 1, 0, 0]), rootRule);
      expect(decision).to.deep.equal({ reviewResult: false, changed: false, score: 0.5, abortTree: true });
    });

    it("a rejected prompt is accepted when late reviews lift the score above the threshold", () => {
      const decision = decideRootReview({ reviewResult: false, reviewCount: 6 }, reviews([1, 1, 0, 0, 0, 0]), rootRule);
      expect(decision).to.include({ reviewResult: true, changed: true, abortTree: false });
    });

    it("a score of exactly 0.6 rejects a prompt too", () => {
      const decision = decideRootReview({ reviewResult: null, reviewCount: 5 }, reviews([1, 1, 0, 0, 0]), rootRule);
      expect(decision).to.include({ reviewResult: false, changed: true, abortTree: true, score: 0.6 });
    });
  });

  describe("the score", () => {
    it("is strictly compared: 0.6 does not pass 0.6, 0.6000001 does", () => {
      expect(isAboveAcceptanceThreshold(0.6, 0.6)).to.equal(false);
      expect(isAboveAcceptanceThreshold(0.6000001, 0.6)).to.equal(true);
    });

    it("ignores quality and every other label", () => {
      expect(acceptanceScore([{ spam: 0, quality: 0, toxicity: 1, pii: 1 }])).to.equal(1);
    });

    it("counts a null lang_mismatch as 0", () => {
      expect(
        acceptanceScore([
          { spam: 0, lang_mismatch: null },
          { spam: 0, lang_mismatch: 1 },
        ]),
      ).to.equal(0.5);
    });

    it("can go below zero when reviewers flag both spam and wrong language", () => {
      expect(acceptanceScore([{ spam: 1, lang_mismatch: 1 }])).to.equal(-1);
    });

    it("is NaN without reviews, which rejects (as the reference's numpy mean did)", () => {
      expect(acceptanceScore([])).to.be.NaN;
      expect(decideReplyReview({ reviewResult: null, reviewCount: 3 }, [], replyRule)).to.include({ reviewResult: false, changed: true });
    });

    it("refuses a review without a spam label", () => {
      expect(() => acceptanceScore([{ spam: 0 }, { lang_mismatch: 0 }])).to.throw(ReviewWithoutSpamLabelError);
    });

    it("follows a configured threshold and quorum", () => {
      const strict = { requiredReviews: 2, threshold: 0.9 };
      expect(decideReplyReview({ reviewResult: null, reviewCount: 2 }, reviews([0, 0.5]), strict)).to.include({
        reviewResult: false,
        score: 0.75,
      });
      expect(decideReplyReview({ reviewResult: null, reviewCount: 2 }, reviews([0, 0.1]), strict).reviewResult).to.equal(true);
    });
  });
});
