/**
 * The tree manager's configuration (spec §3.5): every setting with the reference's default, typed, and
 * overridable through `TREE_MANAGER__<NAME>` where NAME is the setting's snake-case name in upper case
 * (the reference's pydantic settings used the same `__` nesting, so existing deployment files keep working).
 *
 * `loadTreeManagerConfig(env)` is handed the environment by `src/config.ts` (the one reader of the environment);
 * a bad value throws a `ConfigError` naming the variable and what it accepts, which stops start-up.
 */
import { ConfigError } from "../../config.js";
import { DEFAULT_LABEL_SETS, TEXT_LABEL_NAMES, isTextLabelName, type LabelSetConfig, type TextLabelName } from "./labels.js";

export interface TreeManagerConfig extends LabelSetConfig {
  /** Most `growing` trees per language; the prompt lottery tops up to this number. */
  maxActiveTrees: number;
  /** Prompts in review per language before initial-prompt tasks stop. */
  maxInitialPromptReview: number;
  /** A parent takes replies only while `depth < maxTreeDepth`. */
  maxTreeDepth: number;
  /** Most counted children per parent. */
  maxChildrenCount: number;
  /** Most counted children of an assistant message (prompter follow-ups). */
  numPrompterReplies: number;
  /** Counted messages (root included) a tree grows to before ranking. */
  goalTreeSize: number;
  /** Draw each tree's goal from [minGoalTreeSize, goalTreeSize] instead of using goalTreeSize. */
  randomGoalTreeSize: boolean;
  minGoalTreeSize: number;
  numReviewsInitialPrompt: number;
  numReviewsReply: number;
  autoModEnabled: boolean;
  /** `_skip_reply` count (≥) that halts a tree. */
  autoModMaxSkipReply: number;
  /** `red_flag` count (≥) that deletes a reply or aborts a tree. */
  autoModRedFlags: number;
  /** P(full labeling) for prompts; a draw above it gives a simple task. */
  pFullLabelingReviewPrompt: number;
  /** P(full labeling) for assistant replies, random requests only. */
  pFullLabelingReviewReplyAssistant: number;
  /** P(full labeling) for prompter replies, random requests only (see `quirkPrompterReplyFullLabelingOverride`). */
  pFullLabelingReviewReplyPrompter: number;
  /** A prompt is accepted when its score is strictly above this. */
  acceptanceThresholdInitialPrompt: number;
  /** A reply is accepted when its score is strictly above this. */
  acceptanceThresholdReply: number;
  /** Rankings per parent (and per child) before scoring. */
  numRequiredRankings: number;
  /** P(activate a backlog tree) whenever an active tree enters a terminal state. */
  pActivateBacklogTree: number;
  /** Top up ranking work from the backlog when fewer incomplete rankings than this exist in a language. */
  minActiveRankingsPerLang: number;
  /** Rank prompter children too, not only assistant children. */
  rankPrompterReplies: boolean;
  /** Prompter parents with fewer counted children than this (and at least one) count as "lonely". */
  lonelyChildrenCount: number;
  /** P(prefer a lonely parent) when choosing a reply parent. */
  pLonelyChildExtension: number;
  /** Window for the pending-task limit and for the recent-reply-task exclusion. */
  recentTasksSpanSec: number;
  /** Task requests are refused while the user has this many pending tasks in the window. */
  maxPendingTasksPerUser: number;
  /** Most accepted prompts waiting in the lottery per language. */
  maxPromptLotteryWaiting: number;
  /** Languages that get no initial-prompt tasks (CSV in the environment). */
  initPromptDisabledLangs: readonly string[];
  /**
   * QUIRK kept (it shapes the task mix): the reference overwrote `p_full_labeling_review_reply_prompter` with 0.1
   * every time it built a reply-label task, so 90 % of random prompter-reply label tasks were simple. True keeps
   * that; false uses `pFullLabelingReviewReplyPrompter` as configured.
   */
  quirkPrompterReplyFullLabelingOverride: boolean;
  /**
   * QUIRK kept (it shapes the task mix): the reference's extendible-parent query drops a parent whose children
   * are all deleted or rejected, while a childless parent stays extendible. True keeps that; false treats such a
   * parent like a childless one.
   */
  quirkSkipParentsWithOnlyDiscardedChildren: boolean;
  /**
   * QUIRK kept (it shapes the task mix): `initPromptDisabledLangs` only zeroes the availability count; a
   * random task request may still draw an initial-prompt task in such a language. False applies it to task
   * requests as well.
   */
  quirkInitPromptDisabledLangsOnlyInAvailability: boolean;
}

/** The probability the reference forced for full labeling of prompter replies. */
export const LEGACY_PROMPTER_REPLY_FULL_LABELING_P = 0.1;

export const DEFAULT_TREE_MANAGER_CONFIG: Readonly<TreeManagerConfig> = Object.freeze({
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
  ...DEFAULT_LABEL_SETS,
  rankPrompterReplies: false,
  lonelyChildrenCount: 2,
  pLonelyChildExtension: 0.75,
  recentTasksSpanSec: 300,
  maxPendingTasksPerUser: 8,
  maxPromptLotteryWaiting: 250,
  initPromptDisabledLangs: [],
  quirkPrompterReplyFullLabelingOverride: true,
  quirkSkipParentsWithOnlyDiscardedChildren: true,
  quirkInitPromptDisabledLangsOnlyInAvailability: true,
});

export const TREE_MANAGER_ENV_PREFIX = "TREE_MANAGER__";

type Env = Record<string, string | undefined>;
type SettingName = keyof TreeManagerConfig;

/** How one setting is read from its environment variable. */
type SettingReader =
  | { kind: "int"; min: number }
  | { kind: "number"; min: number; max: number }
  | { kind: "bool" }
  | { kind: "labels" }
  | { kind: "langs" };

const INT_NON_NEGATIVE: SettingReader = { kind: "int", min: 0 };
const INT_POSITIVE: SettingReader = { kind: "int", min: 1 };
const PROBABILITY: SettingReader = { kind: "number", min: 0, max: 1 };
/** An acceptance score lies in [-1, 1] (1 − (mean spam + mean lang_mismatch)), so a threshold outside it is meaningless. */
const SCORE_THRESHOLD: SettingReader = { kind: "number", min: -1, max: 1 };
const BOOL: SettingReader = { kind: "bool" };
const LABEL_LIST: SettingReader = { kind: "labels" };

const SETTING_READERS: Readonly<Record<SettingName, SettingReader>> = {
  maxActiveTrees: INT_NON_NEGATIVE,
  maxInitialPromptReview: INT_NON_NEGATIVE,
  maxTreeDepth: INT_NON_NEGATIVE,
  maxChildrenCount: INT_NON_NEGATIVE,
  numPrompterReplies: INT_NON_NEGATIVE,
  goalTreeSize: INT_POSITIVE,
  randomGoalTreeSize: BOOL,
  minGoalTreeSize: INT_POSITIVE,
  numReviewsInitialPrompt: INT_POSITIVE,
  numReviewsReply: INT_POSITIVE,
  autoModEnabled: BOOL,
  autoModMaxSkipReply: INT_POSITIVE,
  autoModRedFlags: INT_POSITIVE,
  pFullLabelingReviewPrompt: PROBABILITY,
  pFullLabelingReviewReplyAssistant: PROBABILITY,
  pFullLabelingReviewReplyPrompter: PROBABILITY,
  acceptanceThresholdInitialPrompt: SCORE_THRESHOLD,
  acceptanceThresholdReply: SCORE_THRESHOLD,
  numRequiredRankings: INT_POSITIVE,
  pActivateBacklogTree: PROBABILITY,
  minActiveRankingsPerLang: INT_NON_NEGATIVE,
  labelsInitialPrompt: LABEL_LIST,
  labelsAssistantReply: LABEL_LIST,
  labelsPrompterReply: LABEL_LIST,
  mandatoryLabelsInitialPrompt: LABEL_LIST,
  mandatoryLabelsAssistantReply: LABEL_LIST,
  mandatoryLabelsPrompterReply: LABEL_LIST,
  rankPrompterReplies: BOOL,
  lonelyChildrenCount: INT_NON_NEGATIVE,
  pLonelyChildExtension: PROBABILITY,
  recentTasksSpanSec: INT_NON_NEGATIVE,
  maxPendingTasksPerUser: INT_POSITIVE,
  maxPromptLotteryWaiting: INT_NON_NEGATIVE,
  initPromptDisabledLangs: { kind: "langs" },
  quirkPrompterReplyFullLabelingOverride: BOOL,
  quirkSkipParentsWithOnlyDiscardedChildren: BOOL,
  quirkInitPromptDisabledLangsOnlyInAvailability: BOOL,
};

/** `maxActiveTrees` → `TREE_MANAGER__MAX_ACTIVE_TREES`. */
export function treeManagerEnvName(setting: SettingName): string {
  return TREE_MANAGER_ENV_PREFIX + setting.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/** Every variable `loadTreeManagerConfig` reads, for documentation and checks. */
export const TREE_MANAGER_VARIABLES: readonly string[] = (Object.keys(SETTING_READERS) as SettingName[]).map(treeManagerEnvName);

const BOOL_TRUE = ["1", "true", "yes", "on"];
const BOOL_FALSE = ["0", "false", "no", "off"];

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
  const known = new Map<string, SettingName>((Object.keys(SETTING_READERS) as SettingName[]).map((key) => [treeManagerEnvName(key), key]));
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(TREE_MANAGER_ENV_PREFIX) || raw === undefined) continue;
    const key = known.get(variable);
    if (key === undefined) {
      throw new ConfigError(variable, `is not a tree-manager setting; known settings: ${[...known.keys()].join(", ")}`);
    }
    if (raw.trim() === "" && SETTING_READERS[key].kind !== "langs") continue;
    (config as unknown as Record<string, unknown>)[key] = readSetting(variable, raw, SETTING_READERS[key]);
  }
  checkLabelLists(config);
  return Object.freeze(config);
}

/** The P(full labeling) actually used for prompter replies, after the kept quirk. */
export function effectivePrompterReplyFullLabelingP(
  config: Pick<TreeManagerConfig, "quirkPrompterReplyFullLabelingOverride" | "pFullLabelingReviewReplyPrompter">,
): number {
  return config.quirkPrompterReplyFullLabelingOverride ? LEGACY_PROMPTER_REPLY_FULL_LABELING_P : config.pFullLabelingReviewReplyPrompter;
}
