import { expect } from "chai";
import {
  PROMPT_LOTTERY_MAX_ACTIVATE_ON_AVAILABILITY,
  PROMPT_LOTTERY_MAX_ACTIVATE_ON_TASK_REQUEST,
  chooseLabelMode,
  chooseReplyParent,
  drawGoalTreeSize,
  drawPromptAuthor,
  drawRandomTaskKind,
  drawWeightedIndex,
  hasDrawableWeight,
  isLonelyParent,
  pickUniform,
  promptAuthorWeight,
  promptLotteryBudget,
  randomTaskKindWeights,
  shouldActivateAnotherPrompt,
  shouldActivateBacklogTree,
  shuffled,
  type AvailableWork,
  type ReplyParentCandidate,
} from "../../../src/modules/consensus/lottery.js";
import { DEFAULT_TREE_MANAGER_CONFIG } from "../../../src/config/tree-manager.js";
import { sequenceRng } from "./rng.js";

const cfg = DEFAULT_TREE_MANAGER_CONFIG;
const everything: AvailableWork = { rankings: 4, repliesNeedingReview: 3, promptsNeedingReview: 2, missingPrompts: 110, missingReplies: 20 };
const nothing: AvailableWork = { rankings: 0, repliesNeedingReview: 0, promptsNeedingReview: 0, missingPrompts: 0, missingReplies: 0 };

describe("consensus: lotteries (spec §2.4, §2.5, §3.1, §3.3, §3.4)", () => {
  describe("weighted and uniform draws", () => {
    it("takes the first index whose cumulative weight exceeds rng()·Σ", () => {
      expect(drawWeightedIndex([1, 1], sequenceRng([0.49]))).to.equal(0);
      // exactly on the boundary goes right, as numpy's searchsorted(side="right") and bisect do
      expect(drawWeightedIndex([1, 1], sequenceRng([0.5]))).to.equal(1);
      expect(drawWeightedIndex([0, 3, 0, 1], sequenceRng([0]))).to.equal(1);
      expect(drawWeightedIndex([0, 3, 0, 1], sequenceRng([0.75]))).to.equal(3);
    });

    it("never draws a zero weight, even with rng() = 1", () => {
      expect(drawWeightedIndex([2, 0], sequenceRng([1]))).to.equal(0);
    });

    it("refuses weights that sum to (about) zero", () => {
      expect(hasDrawableWeight([0, 0])).to.equal(false);
      expect(hasDrawableWeight([1e-9])).to.equal(false);
      expect(() => drawWeightedIndex([0, 0], sequenceRng([]))).to.throw(RangeError);
    });

    it("picks uniformly and answers null for nothing", () => {
      expect(pickUniform(["a", "b", "c", "d"], sequenceRng([0.5]))).to.equal("c");
      expect(pickUniform(["a", "b", "c", "d"], sequenceRng([0.9999]))).to.equal("d");
      expect(pickUniform([], sequenceRng([]))).to.equal(null);
    });

    it("shuffles as Python's random.shuffle (Fisher–Yates from the end) without touching the input", () => {
      const input = ["a", "b", "c", "d"];
      // i=3: j=floor(0·4)=0 → d,b,c,a; i=2: j=floor(0.5·3)=1 → d,c,b,a; i=1: j=floor(0.9·2)=1 → unchanged
      expect(shuffled(input, sequenceRng([0, 0.5, 0.9]))).to.deep.equal(["d", "c", "b", "a"]);
      expect(input).to.deep.equal(["a", "b", "c", "d"]);
      expect(shuffled(["x"], sequenceRng([]))).to.deep.equal(["x"]);
    });
  });

  describe("random task kind (§2.4)", () => {
    it("weighs ranking 10, label reply 5, reply 2, label prompt 5, prompt 0.01 when all are available", () => {
      expect(randomTaskKindWeights(everything)).to.deep.equal([
        ["RANKING", 10],
        ["LABEL_REPLY", 5],
        ["REPLY", 2],
        ["LABEL_PROMPT", 5],
        ["PROMPT", 0.01],
      ]);
      const total = 22.01;
      expect(10 / total).to.be.closeTo(0.454, 0.001);
      expect(5 / total).to.be.closeTo(0.227, 0.001);
      expect(2 / total).to.be.closeTo(0.091, 0.001);
      expect(0.01 / total).to.be.closeTo(0.00045, 0.00001);
    });

    it("draws each kind in its band of the cumulative weights", () => {
      const at = (x: number) => drawRandomTaskKind(everything, sequenceRng([x / 22.01]));
      expect(at(0)).to.equal("RANKING");
      expect(at(9.9)).to.equal("RANKING");
      expect(at(10.1)).to.equal("LABEL_REPLY");
      expect(at(15.1)).to.equal("REPLY");
      expect(at(17.1)).to.equal("LABEL_PROMPT");
      expect(at(22.005)).to.equal("PROMPT");
    });

    it("gives unavailable kinds no weight", () => {
      const onlyReviews = { ...nothing, repliesNeedingReview: 1, promptsNeedingReview: 1 };
      expect(randomTaskKindWeights(onlyReviews).map(([, w]) => w)).to.deep.equal([0, 5, 0, 5, 0]);
      expect(drawRandomTaskKind(onlyReviews, sequenceRng([0]))).to.equal("LABEL_REPLY");
      expect(drawRandomTaskKind(onlyReviews, sequenceRng([0.5]))).to.equal("LABEL_PROMPT");
      expect(drawRandomTaskKind({ ...nothing, missingPrompts: 1 }, sequenceRng([0.999]))).to.equal("PROMPT");
    });

    it("answers null (⇒ 1006) when nothing is available, without drawing", () => {
      expect(drawRandomTaskKind(nothing, sequenceRng([]))).to.equal(null);
      expect(drawRandomTaskKind({ ...nothing, missingPrompts: -3 }, sequenceRng([]))).to.equal(null);
    });
  });

  describe("reply parent and lonely children (§2.5, §4.7)", () => {
    const lonely: ReplyParentCandidate & { id: string } = { id: "lonely", parentRole: "prompter", activeChildrenCount: 1 };
    const childless: ReplyParentCandidate & { id: string } = { id: "childless", parentRole: "prompter", activeChildrenCount: 0 };
    const twoAnswers: ReplyParentCandidate & { id: string } = { id: "two", parentRole: "prompter", activeChildrenCount: 2 };
    const assistant: ReplyParentCandidate & { id: string } = { id: "assistant", parentRole: "assistant", activeChildrenCount: 0 };

    it("calls lonely only prompter parents with 0 < k < lonely_children_count (2)", () => {
      expect(isLonelyParent(lonely, cfg)).to.equal(true);
      expect(isLonelyParent(childless, cfg)).to.equal(false);
      expect(isLonelyParent(twoAnswers, cfg)).to.equal(false);
      expect(isLonelyParent({ parentRole: "assistant", activeChildrenCount: 1 }, cfg)).to.equal(false);
    });

    it("prefers a lonely parent when the draw is below 0.75", () => {
      const rng = sequenceRng([0.74, 0]);
      expect(chooseReplyParent([childless, twoAnswers, lonely, assistant], cfg, rng)?.id).to.equal("lonely");
      expect(rng.remaining()).to.equal(0);
    });

    it("chooses among all parents when the draw is 0.75 or more", () => {
      expect(chooseReplyParent([childless, twoAnswers, lonely, assistant], cfg, sequenceRng([0.75, 0]))?.id).to.equal("childless");
      expect(chooseReplyParent([childless, twoAnswers, lonely, assistant], cfg, sequenceRng([0.9, 0.99]))?.id).to.equal("assistant");
    });

    it("takes a single draw when no parent is lonely", () => {
      const rng = sequenceRng([0.5]);
      expect(chooseReplyParent([childless, twoAnswers, assistant, childless], cfg, rng)?.id).to.equal("assistant");
      expect(rng.remaining()).to.equal(0);
    });

    it("skips the preference when it is switched off (p = 0 or lonely_children_count ≤ 1)", () => {
      expect(chooseReplyParent([lonely, childless], { ...cfg, pLonelyChildExtension: 0 }, sequenceRng([0.6]))?.id).to.equal("childless");
      expect(chooseReplyParent([lonely, childless], { ...cfg, lonelyChildrenCount: 1 }, sequenceRng([0.6]))?.id).to.equal("childless");
    });

    it("answers null when no parent qualifies", () => {
      expect(chooseReplyParent([], cfg, sequenceRng([]))).to.equal(null);
    });
  });

  describe("label mode (§2.5)", () => {
    it("prompts: full by default (P(full) = 1.0), drawn even on explicit requests", () => {
      const rng = sequenceRng([0.9999]);
      expect(chooseLabelMode("initial_prompt", false, cfg, rng)).to.deep.equal({ mode: "full", disposition: "quality" });
      expect(rng.remaining()).to.equal(0);
    });

    it("prompts: simple when the draw is above a configured P(full)", () => {
      const half = { ...cfg, pFullLabelingReviewPrompt: 0.5 };
      expect(chooseLabelMode("initial_prompt", true, half, sequenceRng([0.6]))).to.deep.equal({ mode: "simple", disposition: "spam" });
      expect(chooseLabelMode("initial_prompt", true, half, sequenceRng([0.5])).mode).to.equal("full");
    });

    it("assistant replies: full by default; simple only on random requests with a draw above P(full)", () => {
      expect(chooseLabelMode("assistant_reply", true, cfg, sequenceRng([0.9999])).mode).to.equal("full");
      const half = { ...cfg, pFullLabelingReviewReplyAssistant: 0.5 };
      expect(chooseLabelMode("assistant_reply", true, half, sequenceRng([0.6])).mode).to.equal("simple");
      expect(chooseLabelMode("assistant_reply", false, half, sequenceRng([])).mode).to.equal("full");
    });

    it("prompter replies, kept quirk: P(full) is 0.1 whatever is configured, so a draw of 0.2 gives simple", () => {
      expect(cfg.quirkPrompterReplyFullLabelingOverride).to.equal(true);
      expect(chooseLabelMode("prompter_reply", true, cfg, sequenceRng([0.2]))).to.deep.equal({ mode: "simple", disposition: "spam" });
      expect(chooseLabelMode("prompter_reply", true, cfg, sequenceRng([0.1])).mode).to.equal("full");
      expect(chooseLabelMode("prompter_reply", true, { ...cfg, pFullLabelingReviewReplyPrompter: 1 }, sequenceRng([0.2])).mode).to.equal("simple");
    });

    it("prompter replies, quirk off: the configured 0.25 applies", () => {
      const fixed = { ...cfg, quirkPrompterReplyFullLabelingOverride: false };
      expect(chooseLabelMode("prompter_reply", true, fixed, sequenceRng([0.2])).mode).to.equal("full");
      expect(chooseLabelMode("prompter_reply", true, fixed, sequenceRng([0.3])).mode).to.equal("simple");
    });

    it("prompter replies on an explicit request: always full, no draw", () => {
      expect(chooseLabelMode("prompter_reply", false, cfg, sequenceRng([])).mode).to.equal("full");
    });
  });

  describe("backlog activation (§3.1) and goal size (§3.3)", () => {
    it("activates a backlog tree with probability 0.1", () => {
      expect(shouldActivateBacklogTree(cfg, sequenceRng([0.0999]))).to.equal(true);
      expect(shouldActivateBacklogTree(cfg, sequenceRng([0.1]))).to.equal(false);
    });

    it("uses goal_tree_size (12) without a draw unless randomised", () => {
      expect(drawGoalTreeSize(cfg, sequenceRng([]))).to.equal(12);
    });

    it("draws uniformly from [min, goal] inclusive when randomised", () => {
      const random = { ...cfg, randomGoalTreeSize: true };
      expect(drawGoalTreeSize(random, sequenceRng([0]))).to.equal(5);
      expect(drawGoalTreeSize(random, sequenceRng([0.5]))).to.equal(9);
      expect(drawGoalTreeSize(random, sequenceRng([0.9999]))).to.equal(12);
    });

    it("falls back to goal_tree_size when the range is empty", () => {
      expect(drawGoalTreeSize({ ...cfg, randomGoalTreeSize: true, minGoalTreeSize: 12 }, sequenceRng([]))).to.equal(12);
      expect(drawGoalTreeSize({ ...cfg, randomGoalTreeSize: true, minGoalTreeSize: 20 }, sequenceRng([]))).to.equal(12);
    });
  });

  describe("prompt lottery (§3.4)", () => {
    it("activates at most 2 trees per task request and 1 per availability request", () => {
      expect(PROMPT_LOTTERY_MAX_ACTIVATE_ON_TASK_REQUEST).to.equal(2);
      expect(PROMPT_LOTTERY_MAX_ACTIVATE_ON_AVAILABILITY).to.equal(1);
    });

    it("on an empty language wants min(10 + 100, 250) = 110 prompts", () => {
      expect(promptLotteryBudget({ growing: 0, inReview: 0, waiting: 0 }, cfg)).to.deep.equal({
        missingGrowing: 10,
        remainingReview: 100,
        remainingLottery: 250,
        missingPrompts: 110,
      });
    });

    it("wants no prompts once 250 wait in the lottery", () => {
      expect(promptLotteryBudget({ growing: 0, inReview: 0, waiting: 250 }, cfg).missingPrompts).to.equal(0);
      expect(promptLotteryBudget({ growing: 0, inReview: 0, waiting: 300 }, cfg).remainingLottery).to.equal(0);
    });

    it("wants no prompts with 10 growing and 100 in review; growing slots still count when review is full", () => {
      expect(promptLotteryBudget({ growing: 10, inReview: 100, waiting: 0 }, cfg).missingPrompts).to.equal(0);
      expect(promptLotteryBudget({ growing: 7, inReview: 120, waiting: 0 }, cfg).missingPrompts).to.equal(3);
      expect(promptLotteryBudget({ growing: 3, inReview: 50, waiting: 245 }, cfg).missingPrompts).to.equal(5);
    });

    it("keeps activating while growing slots are missing and the per-request limit is not reached", () => {
      const open = promptLotteryBudget({ growing: 8, inReview: 0, waiting: 5 }, cfg);
      expect(shouldActivateAnotherPrompt(open, 0, 2)).to.equal(true);
      expect(shouldActivateAnotherPrompt(open, 2, 2)).to.equal(false);
      const full = promptLotteryBudget({ growing: 10, inReview: 0, waiting: 5 }, cfg);
      expect(shouldActivateAnotherPrompt(full, 0, 2)).to.equal(false);
    });

    it("weighs authors by 1 + their first places (none ⇒ 1)", () => {
      expect(promptAuthorWeight({ authorId: "a", replyRanked1: null })).to.equal(1);
      expect(promptAuthorWeight({ authorId: "b", replyRanked1: 3 })).to.equal(4);
    });

    it("draws an author by weight: [a:1, b:4] ⇒ rng < 0.2 gives a, else b", () => {
      const authors = [
        { authorId: "a", replyRanked1: 0 },
        { authorId: "b", replyRanked1: 3 },
      ];
      expect(drawPromptAuthor(authors, sequenceRng([0.19]))).to.equal("a");
      expect(drawPromptAuthor(authors, sequenceRng([0.2]))).to.equal("b");
      expect(drawPromptAuthor(authors, sequenceRng([0.99]))).to.equal("b");
    });

    it("has no winner without candidates", () => {
      expect(drawPromptAuthor([], sequenceRng([]))).to.equal(null);
    });
  });
});
