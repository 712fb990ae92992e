/**
 * Contributor scoring (spec §6): the leader score and its level, the troll score, how boards are ranked, the
 * stats windows and the daily streak. Plain functions over counters and dates; the stats jobs count in SQL and
 * call these so that the weights live in one place.
 */

/** Counters of one user in one time frame (`user_stats`). */
export interface LeaderCounters {
  prompts: number;
  repliesAssistant: number;
  repliesPrompter: number;
  labelsSimple: number;
  labelsFull: number;
  rankingsTotal: number;
  /** Never computed by the reference (always 0); kept so the formula and rows stay the same shape. */
  rankingsGood: number;
  acceptedPrompts: number;
  acceptedRepliesAssistant: number;
  acceptedRepliesPrompter: number;
  replyRanked1: number;
  replyRanked2: number;
  replyRanked3: number;
}

/**
 * The terms of the leader score, one per counter: `perTen` terms count a tenth, truncated (the reference's
 * `int(0.1·n)`), the others `weight · n`. Both the TypeScript score and the SQL of the recompute job are built
 * from this table, so the weights live in one place.
 */
export const LEADER_SCORE_TERMS: readonly { counter: keyof LeaderCounters; column: string; weight: number; perTen?: true }[] = Object.freeze([
  { counter: "prompts", column: "prompts", weight: 1, perTen: true },
  { counter: "repliesAssistant", column: "replies_assistant", weight: 4 },
  { counter: "repliesPrompter", column: "replies_prompter", weight: 1 },
  { counter: "labelsSimple", column: "labels_simple", weight: 1 },
  { counter: "labelsFull", column: "labels_full", weight: 2 },
  { counter: "rankingsTotal", column: "rankings_total", weight: 1 },
  { counter: "rankingsGood", column: "rankings_good", weight: 1 },
  { counter: "acceptedPrompts", column: "accepted_prompts", weight: 1, perTen: true },
  { counter: "acceptedRepliesAssistant", column: "accepted_replies_assistant", weight: 4 },
  { counter: "acceptedRepliesPrompter", column: "accepted_replies_prompter", weight: 1 },
  { counter: "replyRanked1", column: "reply_ranked_1", weight: 9 },
  { counter: "replyRanked2", column: "reply_ranked_2", weight: 3 },
  { counter: "replyRanked3", column: "reply_ranked_3", weight: 1 },
]);

/**
 * The leader score. Assistant replies weigh most (they are the scarce, expensive work) and being ranked first
 * by peers weighs more still; prompts count a tenth, truncated, as they are plentiful. Each product truncates
 * separately, as the reference's `int()` did.
 */
export function leaderScore(c: LeaderCounters): number {
  let score = 0;
  for (const term of LEADER_SCORE_TERMS) {
    score += term.perTen ? Math.trunc(0.1 * c[term.counter]) : term.weight * c[term.counter];
  }
  return score;
}

/**
 * The same score as a SQL expression over the `user_stats` column names, optionally qualified (`alias.`).
 * For counts (non-negative integers) `n / 10` in integer arithmetic equals `int(0.1·n)`: 0.1 as a double is a
 * little above a tenth, so the product never rounds below the integer it should reach.
 */
export function leaderScoreSql(qualifier = ""): string {
  return LEADER_SCORE_TERMS.map((t) => (t.perTen ? `(${qualifier}${t.column} / 10)` : `${t.weight} * ${qualifier}${t.column}`)).join(" + ");
}

/**
 * Minimum score of each of the 100 levels: `THRESHOLDS[0] = 0`, `THRESHOLDS[k] = round(Σ_{i=1..k}(1.1521·i + 3))`.
 * Kept as data (not recomputed) because frontends show these exact numbers; a unit test checks the formula.
 */
export const LEVEL_THRESHOLDS: readonly number[] = Object.freeze([
  0, 4, 9, 16, 24, 32, 42, 53, 65, 79, 93, 109, 126, 144, 163, 183, 205, 227, 251, 276, 302, 329, 357, 387, 418, 449, 482, 516, 552, 588, 626, 664, 704, 745,
  787, 831, 875, 921, 968, 1016, 1065, 1115, 1166, 1219, 1273, 1327, 1383, 1441, 1499, 1558, 1619, 1681, 1744, 1808, 1873, 1939, 2007, 2075, 2145, 2216, 2288,
  2362, 2436, 2512, 2588, 2666, 2745, 2825, 2907, 2989, 3073, 3158, 3244, 3331, 3419, 3508, 3599, 3691, 3784, 3878, 3973, 4069, 4167, 4265, 4365, 4466, 4568,
  4671, 4776, 4881, 4988, 5096, 5205, 5315, 5426, 5539, 5652, 5767, 5883, 6000,
]);

/**
 * Level = number of thresholds at or below the score: 1..100 for anyone with a stats row (threshold 0 always
 * counts), 0 for a user with no row at all (`null`), which is how the API tells "no activity" from "level 1".
 */
export function levelForScore(score: number | null): number {
  if (score === null) return 0;
  return LEVEL_THRESHOLDS.filter((threshold) => threshold <= score).length;
}

/** Signals of one author's messages in one time frame (`troll_stats`). */
export interface TrollCounters {
  redFlags: number;
  upvotes: number;
  downvotes: number;
  spamPrompts: number;
  /** Sum of reviewers' lang_mismatch labels (column `lang_mismach`, sic). */
  langMismatch: number;
  notAppropriate: number;
  pii: number;
  hateSpeech: number;
  sexualContent: number;
  politicalContent: number;
}

/**
 * The terms of the troll score: a red flag costs three, an upvote redeems one, every other signal costs one.
 * The reviewers' summed `spam` label is not part of it in the reference, and is left out here too so the board
 * orders users the same. Shared by the TypeScript score and the SQL of the recompute job.
 */
export const TROLL_SCORE_TERMS: readonly { counter: keyof TrollCounters; column: string; weight: number }[] = Object.freeze([
  { counter: "redFlags", column: "red_flags", weight: 3 },
  { counter: "upvotes", column: "upvotes", weight: -1 },
  { counter: "downvotes", column: "downvotes", weight: 1 },
  { counter: "spamPrompts", column: "spam_prompts", weight: 1 },
  { counter: "langMismatch", column: "lang_mismach", weight: 1 },
  { counter: "notAppropriate", column: "not_appropriate", weight: 1 },
  { counter: "pii", column: "pii", weight: 1 },
  { counter: "hateSpeech", column: "hate_speech", weight: 1 },
  { counter: "sexualContent", column: "sexual_content", weight: 1 },
  { counter: "politicalContent", column: "political_content", weight: 1 },
]);

/** The troll score moderators sort by (spec §6.5). */
export function trollScore(c: TrollCounters): number {
  let score = 0;
  for (const term of TROLL_SCORE_TERMS) score += term.weight * c[term.counter];
  return score;
}

/** The troll score as a SQL expression over the `troll_stats` column names, optionally qualified. */
export function trollScoreSql(qualifier = ""): string {
  return TROLL_SCORE_TERMS.map((t) => `(${t.weight}) * ${qualifier}${t.column}`).join(" + ");
}

/** User ids order as Postgres orders UUIDs: by their lowercase hex string. */
function compareUserIds(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface LeaderboardEntry {
  userId: string;
  leaderScore: number;
  showOnLeaderboard: boolean;
  enabled: boolean;
}

/**
 * Leaderboard ranks (1-based): highest score first, equal scores by user id ascending so ranks are stable
 * between recomputations. Users hidden from the board or disabled take no rank (null) and leave no gap.
 */
export function leaderboardRanks(entries: readonly LeaderboardEntry[]): Map<string, number | null> {
  const ranks = new Map<string, number | null>(entries.map((entry) => [entry.userId, null]));
  entries
    .filter((entry) => entry.showOnLeaderboard && entry.enabled)
    .sort((a, b) => b.leaderScore - a.leaderScore || compareUserIds(a.userId, b.userId))
    .forEach((entry, index) => ranks.set(entry.userId, index + 1));
  return ranks;
}

export interface TrollboardEntry {
  userId: string;
  trollScore: number;
}

/** Trollboard ranks (1-based) over every user with a row, hidden or disabled included: moderators see all. */
export function trollboardRanks(entries: readonly TrollboardEntry[]): Map<string, number> {
  const ranks = new Map<string, number>();
  [...entries].sort((a, b) => b.trollScore - a.trollScore || compareUserIds(a.userId, b.userId)).forEach((entry, index) => ranks.set(entry.userId, index + 1));
  return ranks;
}

export type StatsTimeFrame = "day" | "week" | "month" | "total";

/** Every time frame, shortest first (the order the jobs and the API list them in). */
export const STATS_TIME_FRAMES: readonly StatsTimeFrame[] = Object.freeze(["day", "week", "month", "total"]);

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function utcMidnightDaysBefore(now: Date, days: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days));
}

/**
 * Start of a stats window (`base_date`; activity counts when `created_date ≥` it): the last 24 hours exactly,
 * or whole UTC days for week (7) and month (30) so the figures do not shift within a day; total has none.
 */
export function statsWindowStart(timeFrame: StatsTimeFrame, now: Date): Date | null {
  switch (timeFrame) {
    case "day":
      return new Date(now.getTime() - DAY_MS);
    case "week":
      return utcMidnightDaysBefore(now, 7);
    case "month":
      return utcMidnightDaysBefore(now, 30);
    case "total":
      return null;
  }
}

export interface StreakState {
  /** Start of the current streak; null when there is none. */
  streakLastDayDate: Date | null;
  streakDays: number | null;
  lastActivityDate: Date | null;
}

/**
 * A completed task (`task_done`): the streak counts whole days since it started. A missing start, or one in
 * the future (clock trouble), starts a new streak now.
 */
export function streakAfterActivity(state: StreakState, now: Date): StreakState {
  const start = state.streakLastDayDate;
  if (start === null || start.getTime() > now.getTime()) {
    return { streakLastDayDate: now, streakDays: 0, lastActivityDate: now };
  }
  return {
    streakLastDayDate: start,
    streakDays: Math.floor((now.getTime() - start.getTime()) / DAY_MS),
    lastActivityDate: now,
  };
}

/** Inactivity after which the periodic job ends a streak: 36 h gives a day's grace beyond the daily rhythm. */
export const STREAK_RESET_AFTER_MS = 36 * HOUR_MS;

/** Whether the periodic job (every 4 h) ends this user's streak: inactive for more than 36 h, with a streak. */
export function isStreakBroken(state: StreakState, now: Date): boolean {
  return state.streakLastDayDate !== null && state.lastActivityDate !== null && state.lastActivityDate.getTime() < now.getTime() - STREAK_RESET_AFTER_MS;
}

/** The periodic streak job for one user: a broken streak is cleared so the next activity starts a new one. */
export function streakAfterPeriodicCheck(state: StreakState, now: Date): StreakState {
  if (!isStreakBroken(state, now)) return state;
  return { ...state, streakDays: 0, streakLastDayDate: null };
}

/** Ranks `first..last` (1-based, inclusive) of a window around one user's rank. */
export interface RankBounds {
  first: number;
  last: number;
}

/**
 * The ranks shown around a user on the leaderboard: `size` ranks with the user in the middle (an even size puts
 * one more rank above). **QUIRK fixed**: the reference took `min_rank ≤ rank ≤ min_rank + size`, inclusive at both
 * ends, so it returned `size + 1` rows (and only `size` at the top, where `min_rank` was clamped to 0 below rank 1).
 * Here the window is exactly `size` ranks, starts at rank 1 at the top and, when `lastRank` is known, slides up at
 * the bottom so that it still holds `size` ranks where the board has them.
 */
export function leaderboardWindowBounds(rank: number, size: number, lastRank?: number): RankBounds {
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`rank must be a positive integer, got ${rank}`);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  let first = Math.max(1, rank - Math.floor(size / 2));
  if (lastRank !== undefined && first + size - 1 > lastRank) first = Math.max(1, lastRank - size + 1);
  return { first, last: first + size - 1 };
}
