import { expect } from "chai";
import { ConfigError } from "../../../src/config/errors.js";
import { DEFAULT_TREE_MANAGER_CONFIG, TREE_MANAGER_VARIABLES, loadTreeManagerConfig, treeManagerEnvName } from "../../../src/config/tree-manager.js";
import { LEGACY_PROMPTER_REPLY_FULL_LABELING_P, effectivePrompterReplyFullLabelingP } from "../../../src/modules/consensus/lottery.js";

/** Runs the loader and returns the ConfigError it throws. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadTreeManagerConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected loadTreeManagerConfig to throw");
}

describe("consensus: tree-manager configuration (spec §3.5)", () => {
  it("defaults to every value of the §3.5 table", () => {
    const config = loadTreeManagerConfig({});
    expect(config).to.deep.include({
      maxActiveTrees: 10,
      maxInitialPromptReview: 100,
      maxTreeDepth: 3,
      maxChildrenCount: 3,
      numPrompterReplies: 1,
      goalTreeSize: 12,
      randomGoalTreeSize: false,
      minGoalTreeSize: 5,
      numReviewsInitialPrompt: 3,
      numReviewsReply: 3,
      autoModEnabled: true,
      autoModMaxSkipReply: 25,
      autoModRedFlags: 4,
      pFullLabelingReviewPrompt: 1.0,
      pFullLabelingReviewReplyAssistant: 1.0,
      pFullLabelingReviewReplyPrompter: 0.25,
      acceptanceThresholdInitialPrompt: 0.6,
      acceptanceThresholdReply: 0.6,
      numRequiredRankings: 3,
      pActivateBacklogTree: 0.1,
      minActiveRankingsPerLang: 0,
      rankPrompterReplies: false,
      lonelyChildrenCount: 2,
      pLonelyChildExtension: 0.75,
      recentTasksSpanSec: 300,
      maxPendingTasksPerUser: 8,
      maxPromptLotteryWaiting: 250,
    });
    expect(config.initPromptDisabledLangs).to.deep.equal([]);
    expect(config.mandatoryLabelsInitialPrompt).to.deep.equal(["spam"]);
    expect(config.mandatoryLabelsAssistantReply).to.deep.equal(["spam"]);
    expect(config.mandatoryLabelsPrompterReply).to.deep.equal(["spam"]);
    expect(config.labelsAssistantReply).to.include("fails_task");
    expect(config.labelsInitialPrompt).to.not.include("fails_task");
    expect(config).to.deep.equal(DEFAULT_TREE_MANAGER_CONFIG);
  });

  it("keeps the quirks that shape the task mix on by default", () => {
    expect(DEFAULT_TREE_MANAGER_CONFIG.quirkPrompterReplyFullLabelingOverride).to.equal(true);
    expect(DEFAULT_TREE_MANAGER_CONFIG.quirkSkipParentsWithOnlyDiscardedChildren).to.equal(true);
    expect(DEFAULT_TREE_MANAGER_CONFIG.quirkInitPromptDisabledLangsOnlyInAvailability).to.equal(true);
    expect(effectivePrompterReplyFullLabelingP(DEFAULT_TREE_MANAGER_CONFIG)).to.equal(LEGACY_PROMPTER_REPLY_FULL_LABELING_P);
    expect(LEGACY_PROMPTER_REPLY_FULL_LABELING_P).to.equal(0.1);
    const fixed = loadTreeManagerConfig({ TREE_MANAGER__QUIRK_PROMPTER_REPLY_FULL_LABELING_OVERRIDE: "false" });
    expect(effectivePrompterReplyFullLabelingP(fixed)).to.equal(0.25);
  });

  it("names each variable TREE_MANAGER__ + the setting's snake-case name in upper case", () => {
    const specNames = [
      "max_active_trees",
      "max_initial_prompt_review",
      "max_tree_depth",
      "max_children_count",
      "num_prompter_replies",
      "goal_tree_size",
      "random_goal_tree_size",
      "min_goal_tree_size",
      "num_reviews_initial_prompt",
      "num_reviews_reply",
      "auto_mod_enabled",
      "auto_mod_max_skip_reply",
      "auto_mod_red_flags",
      "p_full_labeling_review_prompt",
      "p_full_labeling_review_reply_assistant",
      "p_full_labeling_review_reply_prompter",
      "acceptance_threshold_initial_prompt",
      "acceptance_threshold_reply",
      "num_required_rankings",
      "p_activate_backlog_tree",
      "min_active_rankings_per_lang",
      "labels_initial_prompt",
      "labels_assistant_reply",
      "labels_prompter_reply",
      "mandatory_labels_initial_prompt",
      "mandatory_labels_assistant_reply",
      "mandatory_labels_prompter_reply",
      "rank_prompter_replies",
      "lonely_children_count",
      "p_lonely_child_extension",
      "recent_tasks_span_sec",
      "max_pending_tasks_per_user",
      "max_prompt_lottery_waiting",
      "init_prompt_disabled_langs",
    ];
    for (const name of specNames) expect(TREE_MANAGER_VARIABLES).to.include(`TREE_MANAGER__${name.toUpperCase()}`);
    expect(TREE_MANAGER_VARIABLES).to.have.length(specNames.length + 3);
    expect(treeManagerEnvName("pLonelyChildExtension")).to.equal("TREE_MANAGER__P_LONELY_CHILD_EXTENSION");
  });

  describe("overrides", () => {
    it("reads integers, numbers and booleans", () => {
      const config = loadTreeManagerConfig({
        TREE_MANAGER__MAX_TREE_DEPTH: "5",
        TREE_MANAGER__GOAL_TREE_SIZE: " 15 ",
        TREE_MANAGER__P_LONELY_CHILD_EXTENSION: "0.5",
        TREE_MANAGER__ACCEPTANCE_THRESHOLD_REPLY: ".7",
        TREE_MANAGER__RANK_PROMPTER_REPLIES: "yes",
        TREE_MANAGER__AUTO_MOD_ENABLED: "0",
      });
      expect(config).to.deep.include({
        maxTreeDepth: 5,
        goalTreeSize: 15,
        pLonelyChildExtension: 0.5,
        acceptanceThresholdReply: 0.7,
        rankPrompterReplies: true,
        autoModEnabled: false,
      });
      expect(config.maxActiveTrees).to.equal(10);
    });

    it("reads label lists as a JSON array (the reference's format) or comma-separated", () => {
      const config = loadTreeManagerConfig({
        TREE_MANAGER__LABELS_INITIAL_PROMPT: '["spam", "lang_mismatch", "quality"]',
        TREE_MANAGER__MANDATORY_LABELS_ASSISTANT_REPLY: "spam, fails_task",
      });
      expect(config.labelsInitialPrompt).to.deep.equal(["spam", "lang_mismatch", "quality"]);
      expect(config.mandatoryLabelsAssistantReply).to.deep.equal(["spam", "fails_task"]);
    });

    it("reads the disabled languages as CSV", () => {
      expect(loadTreeManagerConfig({ TREE_MANAGER__INIT_PROMPT_DISABLED_LANGS: "de, pt-BR" }).initPromptDisabledLangs).to.deep.equal(["de", "pt-BR"]);
      expect(loadTreeManagerConfig({ TREE_MANAGER__INIT_PROMPT_DISABLED_LANGS: "" }).initPromptDisabledLangs).to.deep.equal([]);
    });

    it("treats an empty value as unset", () => {
      expect(loadTreeManagerConfig({ TREE_MANAGER__MAX_ACTIVE_TREES: "" }).maxActiveTrees).to.equal(10);
    });

    it("ignores variables outside its prefix", () => {
      expect(loadTreeManagerConfig({ MAX_ACTIVE_TREES: "oops", PORT: "1" })).to.deep.equal(DEFAULT_TREE_MANAGER_CONFIG);
    });

    it("returns a frozen object", () => {
      expect(Object.isFrozen(loadTreeManagerConfig({}))).to.equal(true);
    });
  });

  describe("bad values stop start-up with the variable and what it accepts", () => {
    it("a non-integer count", () => {
      const err = configError({ TREE_MANAGER__MAX_ACTIVE_TREES: "ten" });
      expect(err.variable).to.equal("TREE_MANAGER__MAX_ACTIVE_TREES");
      expect(err.message).to.contain("TREE_MANAGER__MAX_ACTIVE_TREES").and.contain("integer").and.contain('"ten"');
    });

    it("a fractional or negative count, or zero where at least one is needed", () => {
      expect(configError({ TREE_MANAGER__GOAL_TREE_SIZE: "12.5" }).variable).to.equal("TREE_MANAGER__GOAL_TREE_SIZE");
      expect(configError({ TREE_MANAGER__MAX_TREE_DEPTH: "-1" }).message).to.contain("≥ 0");
      expect(configError({ TREE_MANAGER__NUM_REQUIRED_RANKINGS: "0" }).message).to.contain("≥ 1");
    });

    it("a probability outside [0, 1]", () => {
      const err = configError({ TREE_MANAGER__P_LONELY_CHILD_EXTENSION: "1.5" });
      expect(err.variable).to.equal("TREE_MANAGER__P_LONELY_CHILD_EXTENSION");
      expect(err.message).to.contain("between 0 and 1");
      expect(configError({ TREE_MANAGER__P_ACTIVATE_BACKLOG_TREE: "abc" }).message).to.contain('"abc"');
    });

    it("a boolean that is not one", () => {
      expect(configError({ TREE_MANAGER__RANDOM_GOAL_TREE_SIZE: "maybe" }).message).to.contain("true/false");
    });

    it("an unknown label, naming the allowed ones", () => {
      const err = configError({ TREE_MANAGER__LABELS_PROMPTER_REPLY: "spam,sarcasm" });
      expect(err.variable).to.equal("TREE_MANAGER__LABELS_PROMPTER_REPLY");
      expect(err.message).to.contain("sarcasm").and.contain("lang_mismatch");
    });

    it("a label list that is not a list of strings, or is empty", () => {
      expect(configError({ TREE_MANAGER__LABELS_INITIAL_PROMPT: "[1, 2]" }).variable).to.equal("TREE_MANAGER__LABELS_INITIAL_PROMPT");
      expect(configError({ TREE_MANAGER__LABELS_INITIAL_PROMPT: "[" }).variable).to.equal("TREE_MANAGER__LABELS_INITIAL_PROMPT");
      expect(configError({ TREE_MANAGER__LABELS_INITIAL_PROMPT: " , " }).message).to.contain("must not be empty");
    });

    it("mandatory labels without spam (acceptance reads it) or outside the full set", () => {
      expect(configError({ TREE_MANAGER__MANDATORY_LABELS_INITIAL_PROMPT: "lang_mismatch" }).message).to.contain("must include spam");
      const err = configError({ TREE_MANAGER__MANDATORY_LABELS_INITIAL_PROMPT: "spam,fails_task" });
      expect(err.variable).to.equal("TREE_MANAGER__MANDATORY_LABELS_INITIAL_PROMPT");
      expect(err.message).to.contain("fails_task").and.contain("TREE_MANAGER__LABELS_INITIAL_PROMPT");
    });

    it("a malformed language list", () => {
      expect(configError({ TREE_MANAGER__INIT_PROMPT_DISABLED_LANGS: "de;fr" }).variable).to.equal("TREE_MANAGER__INIT_PROMPT_DISABLED_LANGS");
    });

    it("an unknown TREE_MANAGER__ variable (a typo would otherwise leave the default silently)", () => {
      const err = configError({ TREE_MANAGER__MAX_ACTIVE_TREE: "5" });
      expect(err.variable).to.equal("TREE_MANAGER__MAX_ACTIVE_TREE");
      expect(err.message).to.contain("TREE_MANAGER__MAX_ACTIVE_TREES");
    });
  });
});
