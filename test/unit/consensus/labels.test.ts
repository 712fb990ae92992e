import { expect } from "chai";
import {
  DEFAULT_LABEL_SETS,
  LABEL_DESCRIPTIONS,
  REPORT_LABELS,
  TEXT_LABEL_NAMES,
  isTextLabelName,
  labelDescriptionsFor,
  labelDisposition,
  mandatoryLabelsFor,
  validLabelsFor,
  validLabelsForMessage,
  validateLabelValues,
  validateLabels,
  validateLabelsAgainst,
  type TextLabelName,
} from "../../../src/modules/consensus/labels.js";

const PROMPT_FULL = [
  "spam",
  "lang_mismatch",
  "quality",
  "creativity",
  "humor",
  "toxicity",
  "violence",
  "not_appropriate",
  "pii",
  "hate_speech",
  "sexual_content",
];
const ASSISTANT_FULL = [
  "spam",
  "lang_mismatch",
  "fails_task",
  "quality",
  "helpfulness",
  "creativity",
  "humor",
  "toxicity",
  "violence",
  "not_appropriate",
  "pii",
  "hate_speech",
  "sexual_content",
];

describe("consensus: labels (spec §5, §10.5 item 4)", () => {
  describe("the label set", () => {
    it("has the 15 labels in canonical enum order", () => {
      expect(TEXT_LABEL_NAMES).to.deep.equal([
        "spam",
        "fails_task",
        "lang_mismatch",
        "pii",
        "not_appropriate",
        "hate_speech",
        "sexual_content",
        "moral_judgement",
        "political_content",
        "quality",
        "toxicity",
        "humor",
        "helpfulness",
        "creativity",
        "violence",
      ]);
    });

    it("gives each label its widget: yes_no for spam/fails_task, likert for the scales, flag for the rest", () => {
      const byWidget = (widget: string) => TEXT_LABEL_NAMES.filter((name) => LABEL_DESCRIPTIONS[name].widget === widget);
      expect(byWidget("yes_no")).to.deep.equal(["spam", "fails_task"]);
      expect(byWidget("flag")).to.deep.equal([
        "lang_mismatch",
        "pii",
        "not_appropriate",
        "hate_speech",
        "sexual_content",
        "moral_judgement",
        "political_content",
      ]);
      expect(byWidget("likert")).to.deep.equal(["quality", "toxicity", "humor", "helpfulness", "creativity", "violence"]);
    });

    it("carries the reference's display texts and help texts", () => {
      expect(LABEL_DESCRIPTIONS.spam.displayText).to.equal("Seems to be intentionally low-quality or irrelevant");
      expect(LABEL_DESCRIPTIONS.lang_mismatch).to.deep.equal({
        name: "lang_mismatch",
        widget: "flag",
        displayText: "Wrong Language",
        helpText: "The message is written in a language that differs from the currently selected language.",
      });
      expect(LABEL_DESCRIPTIONS.hate_speech.helpText).to.match(/^Prejudice refers to preconceived views/);
      expect(LABEL_DESCRIPTIONS.quality.displayText).to.equal("Overall subjective quality rating of the message");
      expect(LABEL_DESCRIPTIONS.creativity.helpText).to.equal(null);
      for (const name of TEXT_LABEL_NAMES) expect(LABEL_DESCRIPTIONS[name].name).to.equal(name);
    });

    it("recognises label names", () => {
      expect(isTextLabelName("moral_judgement")).to.equal(true);
      expect(isTextLabelName("excessive_harm")).to.equal(false);
    });
  });

  describe("valid and mandatory labels per task", () => {
    it("full mode: the prompt set for prompts and prompter replies, the assistant set for assistant replies", () => {
      expect(validLabelsFor("initial_prompt", "full")).to.deep.equal(PROMPT_FULL);
      expect(validLabelsFor("prompter_reply", "full")).to.deep.equal(PROMPT_FULL);
      expect(validLabelsFor("assistant_reply", "full")).to.deep.equal(ASSISTANT_FULL);
    });

    it("simple mode: prompt → [spam, lang_mismatch]; replies → [spam, lang_mismatch, quality]", () => {
      expect(validLabelsFor("initial_prompt", "simple")).to.deep.equal(["spam", "lang_mismatch"]);
      expect(validLabelsFor("assistant_reply", "simple")).to.deep.equal(["spam", "lang_mismatch", "quality"]);
      expect(validLabelsFor("prompter_reply", "simple")).to.deep.equal(["spam", "lang_mismatch", "quality"]);
    });

    it("simple mode appends lang_mismatch and quality only when the mandatory list lacks them", () => {
      const sets = { ...DEFAULT_LABEL_SETS, mandatoryLabelsAssistantReply: ["quality", "spam"] as TextLabelName[] };
      expect(validLabelsFor("assistant_reply", "simple", sets)).to.deep.equal(["quality", "spam", "lang_mismatch"]);
    });

    it("mandatory is [spam] for all three kinds", () => {
      expect(mandatoryLabelsFor("initial_prompt")).to.deep.equal(["spam"]);
      expect(mandatoryLabelsFor("assistant_reply")).to.deep.equal(["spam"]);
      expect(mandatoryLabelsFor("prompter_reply")).to.deep.equal(["spam"]);
    });

    it("valid_labels by message: root → prompt set, assistant → assistant set, else prompter set; none → all but fails_task", () => {
      expect(validLabelsForMessage({ isRoot: true, role: "prompter" })).to.deep.equal(PROMPT_FULL);
      expect(validLabelsForMessage({ isRoot: false, role: "assistant" })).to.deep.equal(ASSISTANT_FULL);
      expect(validLabelsForMessage({ isRoot: false, role: "prompter" })).to.deep.equal(PROMPT_FULL);
      const all = validLabelsForMessage(null);
      expect(all).to.have.length(14);
      expect(all).to.not.include("fails_task");
      expect(all).to.include("moral_judgement");
    });

    it("report labels are the ten of report_labels", () => {
      expect(REPORT_LABELS).to.deep.equal([
        "spam",
        "not_appropriate",
        "pii",
        "hate_speech",
        "sexual_content",
        "moral_judgement",
        "political_content",
        "toxicity",
        "violence",
        "quality",
      ]);
    });

    it("task payload descriptions follow the valid labels' order", () => {
      expect(labelDescriptionsFor(["spam", "lang_mismatch"]).map((d) => [d.name, d.widget])).to.deep.equal([
        ["spam", "yes_no"],
        ["lang_mismatch", "flag"],
      ]);
    });

    it("full mode is framed as quality, simple as spam", () => {
      expect(labelDisposition("full")).to.equal("quality");
      expect(labelDisposition("simple")).to.equal("spam");
    });
  });

  describe("validating a submission", () => {
    it("accepts a full prompt review with values at both ends of [0, 1]", () => {
      expect(validateLabels("initial_prompt", "full", { spam: 0, lang_mismatch: 1, quality: 0.75, pii: 0 })).to.deep.equal({ ok: true });
    });

    it("missing spam ⇒ MANDATORY_LABEL_MISSING (2052) naming spam", () => {
      const result = validateLabels("initial_prompt", "full", { quality: 0.5 });
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.failure).to.deep.include({ code: "MANDATORY_LABEL_MISSING", oaErrorCode: 2052, missingLabels: ["spam"] });
      expect(result.failure.message).to.contain("spam");
    });

    it("lists every missing mandatory label", () => {
      const result = validateLabelsAgainst({ validLabels: ["spam", "pii", "quality"], mandatoryLabels: ["spam", "pii"] }, { quality: 1 });
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.failure).to.deep.include({ code: "MANDATORY_LABEL_MISSING", missingLabels: ["spam", "pii"] });
    });

    it("fails_task on a prompt ⇒ INVALID_LABEL (2051) naming it", () => {
      const result = validateLabels("initial_prompt", "full", { spam: 0, fails_task: 1 });
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.failure).to.deep.include({ code: "INVALID_LABEL", oaErrorCode: 2051, labelName: "fails_task" });
    });

    it("fails_task is valid on an assistant reply", () => {
      expect(validateLabels("assistant_reply", "full", { spam: 0, fails_task: 1 })).to.deep.equal({ ok: true });
    });

    it("simple mode refuses labels outside its short list", () => {
      const prompt = validateLabels("initial_prompt", "simple", { spam: 0, quality: 0.5 });
      expect(prompt.ok).to.equal(false);
      if (!prompt.ok) expect(prompt.failure).to.deep.include({ code: "INVALID_LABEL", labelName: "quality" });
      expect(validateLabels("prompter_reply", "simple", { spam: 0, quality: 0.5, lang_mismatch: 0 })).to.deep.equal({ ok: true });
      const reply = validateLabels("prompter_reply", "simple", { spam: 0, toxicity: 0.5 });
      expect(reply.ok).to.equal(false);
    });

    it("reports an invalid label before a missing mandatory one", () => {
      const result = validateLabels("initial_prompt", "full", { fails_task: 1 });
      expect(result.ok).to.equal(false);
      if (!result.ok) expect(result.failure.code).to.equal("INVALID_LABEL");
    });

    it("value 1.5 ⇒ LABEL_VALUE_OUT_OF_RANGE (schema error, 422 in the reference)", () => {
      const result = validateLabels("initial_prompt", "full", { spam: 1.5 });
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.failure).to.deep.include({ code: "LABEL_VALUE_OUT_OF_RANGE", labelName: "spam", value: 1.5 });
      expect(result.failure).to.not.have.property("oaErrorCode");
    });

    it("refuses negative and non-finite values", () => {
      expect(validateLabelValues({ spam: -0.1 }).ok).to.equal(false);
      expect(validateLabelValues({ spam: Number.NaN }).ok).to.equal(false);
      expect(validateLabelValues({ spam: Number.POSITIVE_INFINITY }).ok).to.equal(false);
    });

    it("an unknown label name ⇒ UNKNOWN_LABEL (schema error), checked before validity", () => {
      const result = validateLabels("assistant_reply", "full", { spam: 0, excessive_harm: 1 });
      expect(result.ok).to.equal(false);
      if (!result.ok) expect(result.failure).to.deep.include({ code: "UNKNOWN_LABEL", labelName: "excessive_harm" });
    });

    it("free labels only get the schema checks: any known label, values in [0, 1]", () => {
      expect(validateLabelValues({ moral_judgement: 1, political_content: 0 })).to.deep.equal({ ok: true });
      expect(validateLabelValues({})).to.deep.equal({ ok: true });
    });

    it("validates against the lists stored in the task, not the current configuration", () => {
      const stored = { validLabels: ["spam", "lang_mismatch"], mandatoryLabels: ["spam"] };
      expect(validateLabelsAgainst(stored, { spam: 0, lang_mismatch: 0 })).to.deep.equal({ ok: true });
      expect(validateLabelsAgainst(stored, { spam: 0, quality: 1 }).ok).to.equal(false);
    });
  });
});
