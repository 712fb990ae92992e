/**
 * What the stats module answers: a recomputation's summary, a user's score row in one time frame, a troll-board
 * row, and a page of them.
 */
import type { StatsTimeFrame } from "../consensus/scores.js";

export const LEADERBOARD_TOPIC = "leaderboard-updated";

/** What one recomputation of one time frame did; also the payload of `leaderboardUpdated`. */
export interface LeaderboardRefresh {
  timeFrame: StatsTimeFrame;
  /** Start of the window (null for total). */
  baseDate: Date | null;
  /** The database time of the recomputation (every row's modified_date). */
  refreshedAt: Date;
  /** Users with a stats row (any activity in the window). */
  users: number;
  /** Of these, users with a rank (shown on the leaderboard). */
  rankedUsers: number;
  /** Authors with a troll stats row. */
  trollUsers: number;
  /** Why it ran. */
  trigger: "schedule" | "admin";
}

/** The counters of `user_stats` as the API returns them, with the user's public fields. */
export interface UserScoreRow {
  timeFrame: StatsTimeFrame;
  rank: number | null;
  userId: string;
  username: string;
  authMethod: string;
  displayName: string;
  leaderScore: number;
  /** null when the user has no row in this frame (no activity): level 0, zero counters. */
  hasRow: boolean;
  baseDate: Date | null;
  modifiedDate: Date | null;
  prompts: number;
  repliesAssistant: number;
  repliesPrompter: number;
  labelsSimple: number;
  labelsFull: number;
  rankingsTotal: number;
  rankingsGood: number;
  acceptedPrompts: number;
  acceptedRepliesAssistant: number;
  acceptedRepliesPrompter: number;
  replyRanked1: number;
  replyRanked2: number;
  replyRanked3: number;
  streakDays: number | null;
  streakLastDayDate: Date | null;
  lastActivityDate: Date | null;
}

export interface UserScore extends UserScoreRow {
  level: number;
  highlighted: boolean;
}

export interface TrollScoreRow {
  timeFrame: StatsTimeFrame;
  rank: number | null;
  userId: string;
  username: string;
  authMethod: string;
  displayName: string;
  enabled: boolean;
  deleted: boolean;
  showOnLeaderboard: boolean;
  trollScore: number;
  baseDate: Date | null;
  modifiedDate: Date;
  redFlags: number;
  upvotes: number;
  downvotes: number;
  spamPrompts: number;
  quality: number | null;
  humor: number | null;
  toxicity: number | null;
  violence: number | null;
  helpfulness: number | null;
  spam: number;
  langMismatch: number;
  notAppropriate: number;
  pii: number;
  hateSpeech: number;
  sexualContent: number;
  politicalContent: number;
}

export interface StatsPage<T> {
  nodes: T[];
  hasNextPage: boolean;
}
