import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { IsOptional } from "../../common/validators.js";
import { ConnectionType } from "../../common/pagination.js";
import type { StatsTimeFrame } from "../consensus/scores.js";

export enum StatsWindow {
  DAY = "DAY",
  WEEK = "WEEK",
  MONTH = "MONTH",
  TOTAL = "TOTAL",
}
registerEnumType(StatsWindow, {
  name: "StatsWindow",
  description: "A stats time frame: the last 24 hours, since UTC midnight 7 or 30 days ago, or all time.",
  valuesConfig: {
    DAY: { description: "The last 24 hours (exactly)." },
    WEEK: { description: "Since UTC midnight 7 days ago." },
    MONTH: { description: "Since UTC midnight 30 days ago." },
    TOTAL: { description: "All time." },
  },
});

export enum RefreshTrigger {
  SCHEDULE = "SCHEDULE",
  ADMIN = "ADMIN",
}
registerEnumType(RefreshTrigger, {
  name: "RefreshTrigger",
  description: "Why a leaderboard was recomputed.",
  valuesConfig: {
    SCHEDULE: { description: "The periodic job (STATS_REFRESH_MINUTES)." },
    ADMIN: { description: "An admin's refreshLeaderboards." },
  },
});

export const toTimeFrame = (w: StatsWindow): StatsTimeFrame => w.toLowerCase() as StatsTimeFrame;
export const toWindow = (f: StatsTimeFrame): StatsWindow => f.toUpperCase() as StatsWindow;

@ObjectType({ description: "One user's counters, leader score, level and rank in one window (spec §6.2, §6.3)." })
export class UserScore {
  @Field(() => StatsWindow, { description: "The window these figures cover." })
  window: StatsWindow;

  @Field(() => Int, { nullable: true, description: "1 = best; null for users hidden from the board, disabled, or without activity." })
  rank: number | null;

  @Field(() => ID, { description: "The user." })
  userId: string;

  @Field({ description: "The frontend's id of the user." })
  username: string;

  @Field({ description: "How the frontend authenticated the user." })
  authMethod: string;

  @Field({ description: "The name to show." })
  displayName: string;

  @Field({ description: "Whether this row is the caller's own (for `leaderboardWindow`: the user asked about)." })
  highlighted: boolean;

  @Field(() => Int, { description: "The leader score (formula in the README)." })
  leaderScore: number;

  @Field(() => Int, { description: "Level 1-100 from the score; 0 when the user has no activity in the window." })
  level: number;

  @Field(() => Date, { nullable: true, description: "Start of the window when it was computed (null for TOTAL or no activity)." })
  baseDate: Date | null;

  @Field(() => Date, { nullable: true, description: "When these figures were computed (null when the user has no activity)." })
  modifiedDate: Date | null;

  @Field(() => Int, { description: "Live prompts (tree roots) written." }) prompts: number;
  @Field(() => Int, { description: "Live assistant replies written." }) repliesAssistant: number;
  @Field(() => Int, { description: "Live prompter replies written." }) repliesPrompter: number;
  @Field(() => Int, { description: "Label tasks done in simple mode." }) labelsSimple: number;
  @Field(() => Int, { description: "Label tasks done in full mode." }) labelsFull: number;
  @Field(() => Int, { description: "Rankings submitted." }) rankingsTotal: number;
  @Field(() => Int, { description: "Never computed by the reference (always 0); kept for the same shape." }) rankingsGood: number;
  @Field(() => Int, { description: "Prompts accepted by review." }) acceptedPrompts: number;
  @Field(() => Int, { description: "Assistant replies accepted by review." }) acceptedRepliesAssistant: number;
  @Field(() => Int, { description: "Prompter replies accepted by review." }) acceptedRepliesPrompter: number;
  @Field(() => Int, { description: "Ballots that put one of the user's replies first." }) replyRanked1: number;
  @Field(() => Int, { description: "Ballots that put one of the user's replies second." }) replyRanked2: number;
  @Field(() => Int, { description: "Ballots that put one of the user's replies third." }) replyRanked3: number;

  @Field(() => Int, { nullable: true, description: "Days in the user's current streak." })
  streakDays: number | null;

  @Field(() => Date, { nullable: true, description: "Start of the current streak; null when there is none." })
  streakLastDayDate: Date | null;

  @Field(() => Date, { nullable: true, description: "The user's last completed task." })
  lastActivityDate: Date | null;
}

export const UserScoreConnection = ConnectionType(UserScore, "UserScore");

@ObjectType("UserStats", { description: "One user's figures in every window, with level and streak." })
export class UserStatsNode {
  @Field(() => ID, { description: "The user." })
  userId: string;

  @Field(() => Int, { description: "The user's level from the all-time score (0 without any activity)." })
  level: number;

  @Field(() => Int, { nullable: true, description: "Days in the current streak." })
  streakDays: number | null;

  @Field(() => Date, { nullable: true, description: "Start of the current streak; null when there is none." })
  streakLastDayDate: Date | null;

  @Field(() => Date, { nullable: true, description: "The user's last completed task." })
  lastActivityDate: Date | null;

  @Field(() => UserScore, { description: "The last 24 hours." }) day: UserScore;
  @Field(() => UserScore, { description: "Since UTC midnight 7 days ago." }) week: UserScore;
  @Field(() => UserScore, { description: "Since UTC midnight 30 days ago." }) month: UserScore;
  @Field(() => UserScore, { description: "All time." }) total: UserScore;
}

@ObjectType({ description: "One author's troll-board row in one window (spec §6.5). Moderators only." })
export class TrollScore {
  @Field(() => StatsWindow, { description: "The window these figures cover." })
  window: StatsWindow;

  @Field(() => Int, { nullable: true, description: "1 = most troublesome; every author with a row is ranked." })
  rank: number | null;

  @Field(() => ID, { description: "The author." }) userId: string;
  @Field({ description: "The frontend's id of the user." }) username: string;
  @Field({ description: "How the frontend authenticated the user." }) authMethod: string;
  @Field({ description: "The name shown." }) displayName: string;
  @Field({ description: "Whether the user may work." }) enabled: boolean;
  @Field({ description: "Whether the user was deleted." }) deleted: boolean;
  @Field({ description: "Whether the user shows on the leaderboards." }) showOnLeaderboard: boolean;

  @Field(() => Int, { description: "3·redFlags − upvotes + downvotes + spamPrompts + the summed trouble labels (not spam)." })
  trollScore: number;

  @Field(() => Date, { nullable: true, description: "Start of the window when computed (null for TOTAL)." }) baseDate: Date | null;
  @Field(() => Date, { description: "When computed." }) modifiedDate: Date;
  @Field(() => Int, { description: "red_flag reactions on the author's live messages." }) redFlags: number;
  @Field(() => Int, { description: "+1 reactions on the author's live messages." }) upvotes: number;
  @Field(() => Int, { description: "-1 reactions on the author's live messages." }) downvotes: number;
  @Field(() => Int, { description: "The author's prompts whose tree was aborted as low grade." }) spamPrompts: number;
  @Field(() => Float, { nullable: true, description: "Average quality label." }) quality: number | null;
  @Field(() => Float, { nullable: true, description: "Average humor label." }) humor: number | null;
  @Field(() => Float, { nullable: true, description: "Average toxicity label." }) toxicity: number | null;
  @Field(() => Float, { nullable: true, description: "Average violence label." }) violence: number | null;
  @Field(() => Float, { nullable: true, description: "Average helpfulness label." }) helpfulness: number | null;
  @Field(() => Int, { description: "Summed spam labels (rounded each); not part of the score." }) spam: number;
  @Field(() => Int, { description: "Summed lang_mismatch labels (column lang_mismach)." }) langMismatch: number;
  @Field(() => Int, { description: "Summed not_appropriate labels." }) notAppropriate: number;
  @Field(() => Int, { description: "Summed pii labels." }) pii: number;
  @Field(() => Int, { description: "Summed hate_speech labels." }) hateSpeech: number;
  @Field(() => Int, { description: "Summed sexual_content labels." }) sexualContent: number;
  @Field(() => Int, { description: "Summed political_content labels." }) politicalContent: number;
}

export const TrollScoreConnection = ConnectionType(TrollScore, "TrollScore");

@ObjectType({ description: "One recomputation of one window's leaderboard and troll board." })
export class LeaderboardRefresh {
  @Field(() => StatsWindow, { description: "The window recomputed." }) window: StatsWindow;
  @Field(() => Date, { nullable: true, description: "Its start (null for TOTAL)." }) baseDate: Date | null;
  @Field(() => Date, { description: "When it was recomputed (database time)." }) refreshedAt: Date;
  @Field(() => Int, { description: "Users with activity in the window." }) users: number;
  @Field(() => Int, { description: "Of these, users ranked on the leaderboard." }) rankedUsers: number;
  @Field(() => Int, { description: "Authors on the troll board." }) trollUsers: number;
  @Field(() => RefreshTrigger, { description: "Why it ran." }) trigger: RefreshTrigger;
}

@InputType({ description: "Which windows to recompute now." })
export class RefreshLeaderboardsInput {
  @Field(() => [StatsWindow], { nullable: true, description: "The windows (default: all four)." })
  @IsOptional()
  windows?: StatsWindow[] | null;
}

@InputType({ description: "Show or hide a user on the leaderboards." })
export class SetLeaderboardVisibilityInput {
  @Field({ description: "true shows the user on the leaderboards, false hides them." })
  show: boolean;

  @Field(() => ID, { nullable: true, description: "The user (MODERATOR); default: the acting user." })
  @IsOptional()
  userId?: string | null;
}
