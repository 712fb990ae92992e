/**
 * The tree manager's configuration (spec §3.5): every setting with the reference's default, typed, and
 * overridable through `TREE_MANAGER__<NAME>` where NAME is the setting's snake-case name in upper case
 * (the reference's pydantic settings used the same `__` nesting, so existing deployment files keep working).
 *
 * `TREE_MANAGER_SETTINGS` declares each setting once (default, reader, description); the defaults object, the list
 * of variables, docs/configuration.md and the `settings` rows come from it. `loadTreeManagerConfig(env)` is handed
 * the environment by `src/config/index.ts`; a bad value throws a `ConfigError` naming the variable and what it
 * accepts, which stops start-up.
 */
import { DEFAULT_LABEL_SETS, TEXT_LABEL_NAMES, isTextLabelName, type LabelSetConfig, type TextLabelName } from "../modules/consensus/labels.js";
import { ConfigError, type Env } from "./errors.js";
import { BOOL_FALSE, BOOL_TRUE } from "./parsers.js";
import { compound, render, type Compound } from "./variable.js";

/** The tree manager's settings; what each one means is its `description` in `TREE_MANAGER_SETTINGS`. */
export interface TreeManagerConfig extends LabelSetConfig {
  maxActiveTrees: number;
  maxInitialPromptReview: number;
  maxTreeDepth: number;
  maxChildrenCount: number;
  numPrompterReplies: number;
  goalTreeSize: number;
  randomGoalTreeSize: boolean;
  minGoalTreeSize: number;
  numReviewsInitialPrompt: number;
  numReviewsReply: number;
  autoModEnabled: boolean;
  autoModMaxSkipReply: number;
  autoModRedFlags: number;
  pFullLabelingReviewPrompt: number;
  pFullLabelingReviewReplyAssistant: number;
  pFullLabelingReviewReplyPrompter: number;
  acceptanceThresholdInitialPrompt: number;
  acceptanceThresholdReply: number;
  numRequiredRankings: number;
  pActivateBacklogTree: number;
  minActiveRankingsPerLang: number;
  rankPrompterReplies: boolean;
  lonelyChildrenCount: number;
  pLonelyChildExtension: number;
  recentTasksSpanSec: number;
  maxPendingTasksPerUser: number;
  maxPromptLotteryWaiting: number;
  initPromptDisabledLangs: readonly string[];
  quirkPrompterReplyFullLabelingOverride: boolean;
  quirkSkipParentsWithOnlyDiscardedChildren: boolean;
  quirkInitPromptDisabledLangsOnlyInAvailability: boolean;
}

type SettingName = keyof TreeManagerConfig;

/** How one setting is read from its environment variable. */
type SettingReader = { kind: "int"; min: number } | { kind: "number"; min: number; max: number } | { kind: "bool" } | { kind: "labels" } | { kind: "langs" };

const INT_NON_NEGATIVE: SettingReader = { kind: "int", min: 0 };
const INT_POSITIVE: SettingReader = { kind: "int", min: 1 };
const PROBABILITY: SettingReader = { kind: "number", min: 0, max: 1 };
/** An acceptance score lies in [-1, 1] (1 − (mean spam + mean lang_mismatch)), so a threshold outside it is meaningless. */
const SCORE_THRESHOLD: SettingReader = { kind: "number", min: -1, max: 1 };
const BOOL: SettingReader = { kind: "bool" };
const LABEL_LIST: SettingReader = { kind: "labels" };

interface TreeManagerSetting<T> {
  readonly default: T;
  readonly reader: SettingReader;
  readonly description: string;
}

/** Every setting, once: the type makes a setting without a default, reader or description a build error. */
export const TREE_MANAGER_SETTINGS: { readonly [K in SettingName]: TreeManagerSetting<TreeManagerConfig[K]> } = {
  maxActiveTrees: { default: 10, reader: INT_NON_NEGATIVE, description: "most `growing` trees per language; the prompt lottery tops up to this number" },
  maxInitialPromptReview: { default: 100, reader: INT_NON_NEGATIVE, description: "prompts in review per language before initial-prompt tasks stop" },
  maxTreeDepth: { default: 3, reader: INT_NON_NEGATIVE, description: "a parent takes replies only while its depth is below this" },
  maxChildrenCount: { default: 3, reader: INT_NON_NEGATIVE, description: "most counted children per parent" },
  numPrompterReplies: { default: 1, reader: INT_NON_NEGATIVE, description: "most counted children of an assistant message (prompter follow-ups)" },
  goalTreeSize: { default: 12, reader: INT_POSITIVE, description: "counted messages (root included) a tree grows to before ranking" },
  randomGoalTreeSize: {
    default: false,
    reader: BOOL,
    description: "draw each tree's goal from [`TREE_MANAGER__MIN_GOAL_TREE_SIZE`, `TREE_MANAGER__GOAL_TREE_SIZE`] instead of using the latter",
  },
  minGoalTreeSize: { default: 5, reader: INT_POSITIVE, description: "the smallest goal drawn when `TREE_MANAGER__RANDOM_GOAL_TREE_SIZE` is on" },
  numReviewsInitialPrompt: { default: 3, reader: INT_POSITIVE, description: "reviews that decide whether a prompt is accepted" },
  numReviewsReply: { default: 3, reader: INT_POSITIVE, description: "reviews that decide whether a reply is accepted" },
  autoModEnabled: { default: true, reader: BOOL, description: "auto-moderation by skips and red flags (the two thresholds below)" },
  autoModMaxSkipReply: { default: 25, reader: INT_POSITIVE, description: "`_skip_reply` count (≥) that halts a tree" },
  autoModRedFlags: { default: 4, reader: INT_POSITIVE, description: "`red_flag` count (≥) that deletes a reply or aborts a tree" },
  pFullLabelingReviewPrompt: { default: 1.0, reader: PROBABILITY, description: "P(full labeling) for prompts; a draw above it gives a simple task" },
  pFullLabelingReviewReplyAssistant: { default: 1.0, reader: PROBABILITY, description: "P(full labeling) for assistant replies, random requests only" },
  pFullLabelingReviewReplyPrompter: {
    default: 0.25,
    reader: PROBABILITY,
    description: "P(full labeling) for prompter replies, random requests only (see `TREE_MANAGER__QUIRK_PROMPTER_REPLY_FULL_LABELING_OVERRIDE`)",
  },
  acceptanceThresholdInitialPrompt: { default: 0.6, reader: SCORE_THRESHOLD, description: "a prompt is accepted when its score is strictly above this" },
  acceptanceThresholdReply: { default: 0.6, reader: SCORE_THRESHOLD, description: "a reply is accepted when its score is strictly above this" },
  numRequiredRankings: { default: 3, reader: INT_POSITIVE, description: "rankings per parent (and per child) before scoring" },
  pActivateBacklogTree: { default: 0.1, reader: PROBABILITY, description: "P(activate a backlog tree) whenever an active tree enters a terminal state" },
  minActiveRankingsPerLang: {
    default: 0,
    reader: INT_NON_NEGATIVE,
    description: "top up ranking work from the backlog when fewer incomplete rankings than this exist in a language",
  },
  labelsInitialPrompt: { default: DEFAULT_LABEL_SETS.labelsInitialPrompt, reader: LABEL_LIST, description: "the labels of a full labeling task on a prompt" },
  labelsAssistantReply: {
    default: DEFAULT_LABEL_SETS.labelsAssistantReply,
    reader: LABEL_LIST,
    description: "the labels of a full labeling task on an assistant reply",
  },
  labelsPrompterReply: {
    default: DEFAULT_LABEL_SETS.labelsPrompterReply,
    reader: LABEL_LIST,
    description: "the labels of a full labeling task on a prompter reply",
  },
  mandatoryLabelsInitialPrompt: {
    default: DEFAULT_LABEL_SETS.mandatoryLabelsInitialPrompt,
    reader: LABEL_LIST,
    description: "labels a prompt's labeling task must set; must include `spam` and lie within the full set",
  },
  mandatoryLabelsAssistantReply: {
    default: DEFAULT_LABEL_SETS.mandatoryLabelsAssistantReply,
    reader: LABEL_LIST,
    description: "labels an assistant reply's labeling task must set; must include `spam` and lie within the full set",
  },
  mandatoryLabelsPrompterReply: {
    default: DEFAULT_LABEL_SETS.mandatoryLabelsPrompterReply,
    reader: LABEL_LIST,
    description: "labels a prompter reply's labeling task must set; must include `spam` and lie within the full set",
  },
  rankPrompterReplies: { default: false, reader: BOOL, description: "rank prompter children too, not only assistant children" },
  lonelyChildrenCount: {
    default: 2,
    reader: INT_NON_NEGATIVE,
    description: 'prompter parents with fewer counted children than this (and at least one) count as "lonely"',
  },
  pLonelyChildExtension: { default: 0.75, reader: PROBABILITY, description: "P(prefer a lonely parent) when choosing a reply parent" },
  recentTasksSpanSec: { default: 300, reader: INT_NON_NEGATIVE, description: "window for the pending-task limit and for the recent-reply-task exclusion" },
  maxPendingTasksPerUser: {
    default: 8,
    reader: INT_POSITIVE,
    description: "task requests are refused while the user has this many pending tasks in the window",
  },
  maxPromptLotteryWaiting: { default: 250, reader: INT_NON_NEGATIVE, description: "most accepted prompts waiting in the lottery per language" },
  initPromptDisabledLangs: { default: [], reader: { kind: "langs" }, description: "languages that get no initial-prompt tasks" },
  quirkPrompterReplyFullLabelingOverride: {
    default: true,
    reader: BOOL,
    description:
      "QUIRK kept (it shapes the task mix): the reference overwrote `p_full_labeling_review_reply_prompter` with 0.1 every time it built a reply-label task, so 90 % of random prompter-reply label tasks were simple. True keeps that; false uses `TREE_MANAGER__P_FULL_LABELING_REVIEW_REPLY_PROMPTER` as configured",
  },
  quirkSkipParentsWithOnlyDiscardedChildren: {
    default: true,
    reader: BOOL,
    description:
      "QUIRK kept (it shapes the task mix): the reference's extendible-parent query drops a parent whose children are all deleted or rejected, while a childless parent stays extendible. True keeps that; false treats such a parent like a childless one",
  },
  quirkInitPromptDisabledLangsOnlyInAvailability: {
    default: true,
    reader: BOOL,
    description:
      "QUIRK kept (it shapes the task mix): `TREE_MANAGER__INIT_PROMPT_DISABLED_LANGS` only zeroes the availability count; a random task request may still draw an initial-prompt task in such a language. False applies it to task requests as well",
  },
};

const SETTING_NAMES = Object.keys(TREE_MANAGER_SETTINGS) as SettingName[];

export const DEFAULT_TREE_MANAGER_CONFIG: Readonly<TreeManagerConfig> = Object.freeze(
  Object.fromEntries(SETTING_NAMES.map((key) => [key, TREE_MANAGER_SETTINGS[key].default])) as unknown as TreeManagerConfig,
);

export const TREE_MANAGER_ENV_PREFIX = "TREE_MANAGER__";

/** `maxActiveTrees` → `TREE_MANAGER__MAX_ACTIVE_TREES`. */
export function treeManagerEnvName(setting: SettingName): string {
  return TREE_MANAGER_ENV_PREFIX + setting.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/** Every variable `loadTreeManagerConfig` reads, for documentation and checks. */
export const TREE_MANAGER_VARIABLES: readonly string[] = SETTING_NAMES.map(treeManagerEnvName);

/** A JSON array (the reference's pydantic format) or a comma-separated list. */
function parseList(raw: string): string[] | null {
  const text = raw.trim();
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) return null;
    return (parsed as string[]).map((item) => item.trim()).filter((item) => item !== "");
  }
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function readSetting(variable: string, raw: string, reader: SettingReader): TreeManagerConfig[SettingName] {
  const text = raw.trim();
  switch (reader.kind) {
    case "int": {
      if (!/^-?\d+$/.test(text) || Number(text) < reader.min || !Number.isSafeInteger(Number(text))) {
        throw new ConfigError(variable, `must be an integer ≥ ${reader.min}, got "${raw}"`);
      }
      return Number(text);
    }
    case "number": {
      const value = Number(text);
      if (text === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || value < reader.min || value > reader.max) {
        throw new ConfigError(variable, `must be a number between ${reader.min} and ${reader.max}, got "${raw}"`);
      }
      return value;
    }
    case "bool": {
      const lower = text.toLowerCase();
      if (BOOL_TRUE.includes(lower)) return true;
      if (BOOL_FALSE.includes(lower)) return false;
      throw new ConfigError(variable, `must be one of true/false/1/0/yes/no/on/off, got "${raw}"`);
    }
    case "labels": {
      const names = parseList(text);
      const allowed = `a JSON array or comma-separated list of labels from: ${TEXT_LABEL_NAMES.join(", ")}`;
      if (names === null) throw new ConfigError(variable, `must be ${allowed}; got "${raw}"`);
      const unknown = names.filter((name) => !isTextLabelName(name));
      if (unknown.length > 0) throw new ConfigError(variable, `has unknown label(s) ${unknown.join(", ")}; must be ${allowed}`);
      if (names.length === 0) throw new ConfigError(variable, `must not be empty; must be ${allowed}`);
      return [...new Set(names)] as TextLabelName[];
    }
    case "langs": {
      const langs = parseList(text);
      if (langs === null || langs.some((lang) => !/^[A-Za-z0-9-]{1,32}$/.test(lang))) {
        throw new ConfigError(variable, `must be a comma-separated list of language tags such as "de,fr", got "${raw}"`);
      }
      return langs;
    }
  }
}

/**
 * Cross-setting rules: a mandatory label outside the full set would make every full-mode task of that kind
 * impossible to submit (2051 on the mandatory label itself), and acceptance (§4.1) reads `spam` from every
 * review, so it must stay mandatory.
 */
function checkLabelLists(config: TreeManagerConfig): void {
  const pairs: [SettingName, SettingName][] = [
    ["mandatoryLabelsInitialPrompt", "labelsInitialPrompt"],
    ["mandatoryLabelsAssistantReply", "labelsAssistantReply"],
    ["mandatoryLabelsPrompterReply", "labelsPrompterReply"],
  ];
  for (const [mandatoryKey, fullKey] of pairs) {
    const mandatory = config[mandatoryKey] as readonly TextLabelName[];
    const full = config[fullKey] as readonly TextLabelName[];
    if (!mandatory.includes("spam")) {
      throw new ConfigError(treeManagerEnvName(mandatoryKey), "must include spam (the acceptance score reads it from every review)");
    }
    const outside = mandatory.filter((name) => !full.includes(name));
    if (outside.length > 0) {
      throw new ConfigError(
        treeManagerEnvName(mandatoryKey),
        `lists ${outside.join(", ")} which ${treeManagerEnvName(fullKey)} does not contain; mandatory labels must be a subset of the full set`,
      );
    }
  }
}

/**
 * Reads every `TREE_MANAGER__*` variable over the defaults. Unknown `TREE_MANAGER__` names are refused so that
 * a typo does not silently leave a default in force.
 */
export function loadTreeManagerConfig(env: Env): Readonly<TreeManagerConfig> {
  const config: TreeManagerConfig = { ...DEFAULT_TREE_MANAGER_CONFIG };
  const known = new Map<string, SettingName>(SETTING_NAMES.map((key) => [treeManagerEnvName(key), key]));
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(TREE_MANAGER_ENV_PREFIX) || raw === undefined) continue;
    const key = known.get(variable);
    if (key === undefined) {
      throw new ConfigError(variable, `is not a tree-manager setting; known settings: ${[...known.keys()].join(", ")}`);
    }
    if (raw.trim() === "" && TREE_MANAGER_SETTINGS[key].reader.kind !== "langs") continue;
    (config as unknown as Record<string, unknown>)[key] = readSetting(variable, raw, TREE_MANAGER_SETTINGS[key].reader);
  }
  checkLabelLists(config);
  return Object.freeze(config);
}

/** The tree manager as one compound of the declarations: read and checked together, one `settings` row per setting. */
export const TREE_MANAGER_COMPOUND: Compound<Readonly<TreeManagerConfig>> = compound({
  build: loadTreeManagerConfig,
  variables: SETTING_NAMES.map((key) => ({
    name: treeManagerEnvName(key),
    group: "treeManager" as const,
    description: TREE_MANAGER_SETTINGS[key].description,
    defaultText: "`" + render(TREE_MANAGER_SETTINGS[key].default) + "`",
    show: (config: Readonly<TreeManagerConfig>) => config[key],
  })),
});
