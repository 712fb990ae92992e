/**
 * The label vocabulary of spec §5 and the rules that decide which labels a labeling task accepts.
 *
 * Pure data and functions: the task service stores `validLabels`/`mandatoryLabels` in the task payload when it
 * hands a task out, and validates a submission against what was stored (so a config change never invalidates
 * tasks already handed out).
 */

/** Every label name, in the reference's enum order (which is also the order of `labels` in API answers). */
export const TEXT_LABEL_NAMES = [
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
] as const;

export type TextLabelName = (typeof TEXT_LABEL_NAMES)[number];

/** How a frontend renders a label: yes/no and flag labels take 0 or 1, likert any value in [0, 1]. */
export type LabelWidget = "yes_no" | "flag" | "likert";

export interface LabelDescription {
  name: TextLabelName;
  widget: LabelWidget;
  displayText: string;
  helpText: string | null;
}

/** Display texts are the reference's, word for word, because frontends built for it show them. */
export const LABEL_DESCRIPTIONS: Readonly<Record<TextLabelName, LabelDescription>> = {
  spam: { name: "spam", widget: "yes_no", displayText: "Seems to be intentionally low-quality or irrelevant", helpText: null },
  fails_task: { name: "fails_task", widget: "yes_no", displayText: "Fails to follow the correct instruction / task", helpText: null },
  lang_mismatch: {
    name: "lang_mismatch",
    widget: "flag",
    displayText: "Wrong Language",
    helpText: "The message is written in a language that differs from the currently selected language.",
  },
  pii: { name: "pii", widget: "flag", displayText: "Contains personal identifiable information (PII)", helpText: null },
  not_appropriate: { name: "not_appropriate", widget: "flag", displayText: "Inappropriate", helpText: null },
  hate_speech: {
    name: "hate_speech",
    widget: "flag",
    displayText: "Content is abusive or threatening and expresses prejudice against a protected characteristic",
    helpText:
      "Prejudice refers to preconceived views not based on reason. Protected characteristics " +
      "include gender, ethnicity, religion, sexual orientation, and similar characteristics.",
  },
  sexual_content: { name: "sexual_content", widget: "flag", displayText: "Contains sexual content", helpText: null },
  moral_judgement: { name: "moral_judgement", widget: "flag", displayText: "Expresses moral judgement", helpText: null },
  political_content: { name: "political_content", widget: "flag", displayText: "Expresses political views", helpText: null },
  quality: { name: "quality", widget: "likert", displayText: "Overall subjective quality rating of the message", helpText: null },
  toxicity: { name: "toxicity", widget: "likert", displayText: "Rude, abusive, profane or insulting content", helpText: null },
  humor: { name: "humor", widget: "likert", displayText: "Humorous content including sarcasm", helpText: null },
  helpfulness: { name: "helpfulness", widget: "likert", displayText: "Helpfulness of the message", helpText: null },
  creativity: { name: "creativity", widget: "likert", displayText: "Creativity", helpText: null },
  violence: { name: "violence", widget: "likert", displayText: "Violence/abuse/terrorism/self-harm", helpText: null },
};

export function isTextLabelName(name: string): name is TextLabelName {
  return (TEXT_LABEL_NAMES as readonly string[]).includes(name);
}

/** What is being labeled: the three kinds of labeling task. */
export type LabelTarget = "initial_prompt" | "assistant_reply" | "prompter_reply";

/**
 * `full` asks for every label of the target's set; `simple` only for the mandatory ones plus the few that the
 * acceptance score and quick triage need.
 */
export type LabelMode = "simple" | "full";

/** The payload's `disposition`: what the frontend should frame the task as. */
export type LabelDisposition = "quality" | "spam";

export function labelDisposition(mode: LabelMode): LabelDisposition {
  return mode === "full" ? "quality" : "spam";
}

/**
 * The six configurable lists of §3.5. `TreeManagerConfig` carries the same fields, so it can be passed
 * wherever a `LabelSetConfig` is asked for.
 */
export interface LabelSetConfig {
  labelsInitialPrompt: readonly TextLabelName[];
  labelsAssistantReply: readonly TextLabelName[];
  labelsPrompterReply: readonly TextLabelName[];
  mandatoryLabelsInitialPrompt: readonly TextLabelName[];
  mandatoryLabelsAssistantReply: readonly TextLabelName[];
  mandatoryLabelsPrompterReply: readonly TextLabelName[];
}

const PROMPT_LABELS: readonly TextLabelName[] = [
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

/** Full-mode sets and mandatory lists as the reference ships them; the order is the order shown to labelers. */
export const DEFAULT_LABEL_SETS: Readonly<LabelSetConfig> = {
  labelsInitialPrompt: PROMPT_LABELS,
  labelsAssistantReply: [
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
  ],
  labelsPrompterReply: PROMPT_LABELS,
  mandatoryLabelsInitialPrompt: ["spam"],
  mandatoryLabelsAssistantReply: ["spam"],
  mandatoryLabelsPrompterReply: ["spam"],
};

/** Labels a moderator report may carry (`report_labels`, no auth). */
export const REPORT_LABELS: readonly TextLabelName[] = [
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
];

export function mandatoryLabelsFor(target: LabelTarget, sets: LabelSetConfig = DEFAULT_LABEL_SETS): TextLabelName[] {
  switch (target) {
    case "initial_prompt":
      return [...sets.mandatoryLabelsInitialPrompt];
    case "assistant_reply":
      return [...sets.mandatoryLabelsAssistantReply];
    case "prompter_reply":
      return [...sets.mandatoryLabelsPrompterReply];
  }
}

function fullLabelsFor(target: LabelTarget, sets: LabelSetConfig): readonly TextLabelName[] {
  switch (target) {
    case "initial_prompt":
      return sets.labelsInitialPrompt;
    case "assistant_reply":
      return sets.labelsAssistantReply;
    case "prompter_reply":
      return sets.labelsPrompterReply;
  }
}

/**
 * The labels a task of this target and mode accepts, in the order the task payload lists them.
 * Simple mode is the mandatory list plus `lang_mismatch` (it feeds the acceptance score, §4.1) and, for
 * replies, `quality` (so even a quick review leaves a quality signal), each appended only if missing.
 */
export function validLabelsFor(target: LabelTarget, mode: LabelMode, sets: LabelSetConfig = DEFAULT_LABEL_SETS): TextLabelName[] {
  if (mode === "full") return [...fullLabelsFor(target, sets)];
  const labels = mandatoryLabelsFor(target, sets);
  if (!labels.includes("lang_mismatch")) labels.push("lang_mismatch");
  if (target !== "initial_prompt" && !labels.includes("quality")) labels.push("quality");
  return labels;
}

/** The descriptions a labeling task payload carries, one per valid label, same order. */
export function labelDescriptionsFor(names: readonly TextLabelName[]): LabelDescription[] {
  return names.map((name) => LABEL_DESCRIPTIONS[name]);
}

/**
 * `valid_labels?message_id=`: the full set for that message's kind (root → prompt set, assistant → assistant
 * set, anything else → prompter set); without a message, every label except `fails_task` (which only makes
 * sense for an assistant's answer to an instruction).
 */
export function validLabelsForMessage(
  message: { isRoot: boolean; role: "prompter" | "assistant" } | null,
  sets: LabelSetConfig = DEFAULT_LABEL_SETS,
): TextLabelName[] {
  if (message === null) return TEXT_LABEL_NAMES.filter((name) => name !== "fails_task");
  if (message.isRoot) return [...sets.labelsInitialPrompt];
  if (message.role === "assistant") return [...sets.labelsAssistantReply];
  return [...sets.labelsPrompterReply];
}

/**
 * Why a label submission is refused. The first two are schema failures (the reference answers HTTP 422, we
 * answer BAD_USER_INPUT); the last two are the reference's named errors, with their numbers.
 */
export type LabelValidationFailure =
  | { code: "UNKNOWN_LABEL"; labelName: string; message: string }
  | { code: "LABEL_VALUE_OUT_OF_RANGE"; labelName: string; value: number; message: string }
  | { code: "INVALID_LABEL"; oaErrorCode: 2051; labelName: string; message: string }
  | { code: "MANDATORY_LABEL_MISSING"; oaErrorCode: 2052; missingLabels: TextLabelName[]; message: string };

export type LabelValidationResult = { ok: true } | { ok: false; failure: LabelValidationFailure };

export type SubmittedLabels = Readonly<Record<string, number>>;

/**
 * The schema-level checks every label submission gets, task-based or free: known names, values in [0, 1].
 * Runs first, as the reference's request schema rejected such bodies before any task lookup.
 */
export function validateLabelValues(labels: SubmittedLabels): LabelValidationResult {
  for (const [name, value] of Object.entries(labels)) {
    if (!isTextLabelName(name)) {
      return { ok: false, failure: { code: "UNKNOWN_LABEL", labelName: name, message: `Unknown label "${name}".` } };
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
      return {
        ok: false,
        failure: {
          code: "LABEL_VALUE_OUT_OF_RANGE",
          labelName: name,
          value,
          message: `Label values must be between 0 and 1, got ${value} for ${name}.`,
        },
      };
    }
  }
  return { ok: true };
}

/**
 * Checks a task-based submission against the lists stored in the task: values first, then every key must be
 * valid (2051, naming the first bad one), then every mandatory label present (2052, naming all missing ones).
 */
export function validateLabelsAgainst(
  allowed: { validLabels: readonly string[]; mandatoryLabels: readonly string[] },
  labels: SubmittedLabels,
): LabelValidationResult {
  const values = validateLabelValues(labels);
  if (!values.ok) return values;
  for (const name of Object.keys(labels)) {
    if (!allowed.validLabels.includes(name)) {
      return {
        ok: false,
        failure: { code: "INVALID_LABEL", oaErrorCode: 2051, labelName: name, message: `Invalid text label specified: ${name}` },
      };
    }
  }
  const present = new Set(Object.keys(labels));
  const missing = allowed.mandatoryLabels.filter((name) => !present.has(name)) as TextLabelName[];
  if (missing.length > 0) {
    return {
      ok: false,
      failure: {
        code: "MANDATORY_LABEL_MISSING",
        oaErrorCode: 2052,
        missingLabels: missing,
        message: `Mandatory text labels missing: ${missing.join(", ")}`,
      },
    };
  }
  return { ok: true };
}

/** Validates a submission for a task of this target and mode, with the lists the configuration gives. */
export function validateLabels(
  target: LabelTarget,
  mode: LabelMode,
  labels: SubmittedLabels,
  sets: LabelSetConfig = DEFAULT_LABEL_SETS,
): LabelValidationResult {
  return validateLabelsAgainst({ validLabels: validLabelsFor(target, mode, sets), mandatoryLabels: mandatoryLabelsFor(target, sets) }, labels);
}
