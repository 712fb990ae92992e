/** The arena's GraphQL types: battles as their voter sees them, votes, the model leaderboard, exclusions. */
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { IsOptional, Length, Matches } from "../../common/validators.js";
import { ConnectionType } from "../../common/pagination.js";

export enum ArenaWinner {
  A = "A",
  B = "B",
  TIE = "TIE",
  BOTH_BAD = "BOTH_BAD",
}
registerEnumType(ArenaWinner, { name: "ArenaWinner", description: "The verdict on a battle: side A, side B, a tie, or both bad (a tie that says so)." });

export enum ArenaBattleState {
  OPEN = "OPEN",
  VOTED = "VOTED",
}
registerEnumType(ArenaBattleState, { name: "ArenaBattleState", description: "OPEN until the vote, then VOTED (the models are shown)." });

export enum ArenaBattleSource {
  BATTLE = "BATTLE",
  DRAFT_CHOICE = "DRAFT_CHOICE",
  IMPORT = "IMPORT",
}
registerEnumType(ArenaBattleSource, {
  name: "ArenaBattleSource",
  description: "BATTLE: voted with voteBattle; DRAFT_CHOICE: decided by chooseDraft between the two hidden answers; IMPORT: loaded from FastChat-layout JSONL.",
});

export enum ArenaNotCountedReason {
  IDENTITIES_SEEN = "IDENTITIES_SEEN",
  ANSWER_NOT_COMPLETE = "ANSWER_NOT_COMPLETE",
  VOTER_EXCLUDED = "VOTER_EXCLUDED",
  NOT_ANONYMOUS = "NOT_ANONYMOUS",
}
registerEnumType(ArenaNotCountedReason, {
  name: "ArenaNotCountedReason",
  description:
    "Why a vote is kept but left out of the leaderboard: the voter saw the models first (revealBattle), an answer failed or was cancelled, a moderator excluded the voter, or an imported battle was not anonymous.",
});

@ObjectType("ArenaBattle", {
  description:
    "A blind battle: the same prompts answered by two hidden models, A and B. The models, their workers and sampling stay hidden (on the battle, its chat's messages, generation events and exports) until the vote.",
})
export class ArenaBattleView {
  @Field(() => ID, { description: "The battle's id." })
  id: string;

  @Field(() => ID, { nullable: true, description: "The chat holding both sides (null for imported battles)." })
  chatId: string | null;

  @Field(() => ArenaBattleState, { description: "OPEN or VOTED." })
  state: ArenaBattleState;

  @Field(() => ArenaBattleSource, { description: "How the verdict was given." })
  source: ArenaBattleSource;

  @Field(() => String, { nullable: true, description: "The category asked for, if any." })
  category: string | null;

  @Field(() => String, { nullable: true, description: "The language asked for, if any (a code such as en)." })
  lang: string | null;

  @Field(() => Int, { description: "Turns so far (prompts each side answered)." })
  turns: number;

  @Field(() => [ID], { description: "Side A's answers, one per turn (chat message ids)." })
  answersA: string[];

  @Field(() => [ID], { description: "Side B's answers, one per turn." })
  answersB: string[];

  @Field(() => String, { nullable: true, description: "Side A's model: null until the vote (or an explicit revealBattle)." })
  modelA: string | null;

  @Field(() => String, { nullable: true, description: "Side B's model: null until the vote (or an explicit revealBattle)." })
  modelB: string | null;

  @Field(() => ArenaWinner, { nullable: true, description: "The verdict; null while OPEN." })
  winner: ArenaWinner | null;

  @Field(() => Date, { nullable: true, description: "When the vote was cast." })
  votedAt: Date | null;

  @Field(() => Boolean, { nullable: true, description: "Whether the vote counts on the leaderboard; null while OPEN." })
  counted: boolean | null;

  @Field(() => ArenaNotCountedReason, { nullable: true, description: "Why the vote does not count, when it does not." })
  notCountedReason: ArenaNotCountedReason | null;

  @Field(() => Date, { description: "When the battle started." })
  createdAt: Date;
}

export const ArenaBattleConnection = ConnectionType(ArenaBattleView, "ArenaBattle");

@InputType({ description: "A new battle: a prompt for two hidden models." })
export class StartBattleInput {
  @Field({ description: "The first prompt (1 to CHAT_MESSAGE_MAX_LENGTH characters)." })
  text: string;

  @Field(() => String, { nullable: true, description: "A category for the leaderboard's filter: 1-64 of a-z, 0-9, _ and -." })
  @IsOptional()
  @Length(1, 64)
  @Matches(/^[a-z0-9_-]+$/)
  category?: string | null;

  @Field(() => String, { nullable: true, description: "The prompt's language, a code such as en or pt-BR." })
  @IsOptional()
  @Matches(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)
  @Length(2, 32)
  lang?: string | null;
}

@InputType({ description: "Another turn: the same prompt to both sides, each continuing its own conversation." })
export class ContinueBattleInput {
  @Field(() => ID, { description: "The open battle." })
  battleId: string;

  @Field({ description: "The next prompt." })
  text: string;
}

@InputType({ description: "The verdict on a battle; counted once, the models are shown." })
export class VoteBattleInput {
  @Field(() => ID, { description: "The battle." })
  battleId: string;

  @Field(() => ArenaWinner, { description: "A, B, TIE or BOTH_BAD." })
  winner: ArenaWinner;
}

@ObjectType({ description: "A battle just started or continued: the battle, and the two answers to follow with `generation`." })
export class BattleTurnPayload {
  @Field(() => ArenaBattleView, { description: "The battle (models hidden)." })
  battle: ArenaBattleView;

  @Field(() => ID, { description: "Side A's new answer (PENDING): subscribe to `generation(messageId)`." })
  answerA: string;

  @Field(() => ID, { description: "Side B's new answer." })
  answerB: string;
}

@InputType({ description: "Takes a voter's arena votes out of every leaderboard (or puts them back)." })
export class SetArenaVoterExclusionInput {
  @Field(() => ID, { description: "The voter." })
  userId: string;

  @Field({ description: "true: exclude; false: count the votes again." })
  excluded: boolean;

  @Field(() => String, { nullable: true, description: "Why (required when excluding)." })
  @IsOptional()
  @Length(0, 2000)
  reason?: string | null;
}

@ObjectType("ArenaVoterExclusion", { description: "Whether a voter's arena votes count." })
export class ArenaVoterExclusionView {
  @Field(() => ID, { description: "The voter." })
  userId: string;

  @Field({ description: "Whether the votes are excluded from the leaderboards." })
  excluded: boolean;

  @Field(() => String, { nullable: true, description: "The moderator's reason." })
  reason: string | null;

  @Field(() => Int, { description: "Battles this voter voted on." })
  votes: number;
}

@ObjectType({ description: "One model on the leaderboard." })
export class ModelStanding {
  @Field({ description: "The model." }) model: string;
  @Field(() => Float, { description: "Bradley–Terry strength (natural-log odds, the models' mean is 0)." }) strength: number;
  @Field(() => Float, { nullable: true, description: "Lower end of the 95% bootstrap interval of the strength (null without bootstrap)." }) strengthLower:
    | number
    | null;
  @Field(() => Float, { nullable: true, description: "Upper end of the 95% interval." }) strengthUpper: number | null;
  @Field(() => Float, { description: "The strength on the Arena's Elo-like scale: 1000 + 400·strength/ln 10." }) rating: number;
  @Field(() => Float, { nullable: true, description: "The interval's lower end on the rating scale." }) ratingLower: number | null;
  @Field(() => Float, { nullable: true, description: "The interval's upper end on the rating scale." }) ratingUpper: number | null;
  @Field(() => Int, { description: "Best rank the intervals allow: 1 + models whose interval lies wholly above this one's." }) rankBest: number;
  @Field(() => Int, { description: "Worst rank the intervals allow: models − models whose interval lies wholly below." }) rankWorst: number;
  @Field(() => Int, { description: "Counted battles." }) battles: number;
  @Field(() => Int, { description: "Won." }) wins: number;
  @Field(() => Int, { description: "Lost." }) losses: number;
  @Field(() => Int, { description: "Tied (TIE and BOTH_BAD)." }) ties: number;
  @Field(() => Float, { description: "(wins + ties/2) / battles." }) winRate: number;
}

@ObjectType({ description: "The models ranked by Bradley–Terry strength on counted battles (docs/arena.md)." })
export class ModelLeaderboard {
  @Field(() => String, { nullable: true, description: "The category filter." }) category: string | null;
  @Field(() => String, { nullable: true, description: "The language filter." }) lang: string | null;
  @Field(() => Date, { nullable: true, description: "Only battles voted since." }) since: Date | null;
  @Field(() => [ModelStanding], { description: "Models by strength, strongest first." }) models: ModelStanding[];
  @Field(() => [[Float]], {
    description:
      "winRateMatrix[i][j]: model i's score share ((wins + ties/2) / battles) against model j, in the order of `models`; -1 where the two never met.",
  })
  winRateMatrix: number[][];
  @Field(() => [[Int]], { description: "battleMatrix[i][j]: counted battles between models i and j." }) battleMatrix: number[][];
  @Field(() => Int, { description: "Counted battles in the fit." }) battles: number;
  @Field(() => Int, { description: "Bootstrap resamples behind the intervals." }) bootstrapSamples: number;
  @Field(() => Float, { description: "The intervals' confidence level (0.95)." }) confidenceLevel: number;
  @Field(() => Float, { description: "The ridge (prior) weight of the fit; 0 is plain maximum likelihood." }) ridge: number;
  @Field(() => Date, { description: "When it was computed." }) computedAt: Date;
}

@ObjectType({ description: "A model leaderboard was recomputed: read it with modelLeaderboard (same filter)." })
export class ModelLeaderboardRefresh {
  @Field(() => String, { nullable: true, description: "The category filter." }) category: string | null;
  @Field(() => String, { nullable: true, description: "The language filter." }) lang: string | null;
  @Field(() => Date, { nullable: true, description: "The since filter." }) since: Date | null;
  @Field(() => Int, { description: "Counted battles in the fit." }) battles: number;
  @Field(() => Date, { description: "When it was computed." }) computedAt: Date;
}

@InputType({ description: "Which leaderboard to recompute (every filter omitted: the overall one)." })
export class RefreshModelLeaderboardInput {
  @Field(() => String, { nullable: true, description: "Category filter." }) @IsOptional() @Length(1, 64) category?: string | null;
  @Field(() => String, { nullable: true, description: "Language filter." }) @IsOptional() @Length(2, 32) lang?: string | null;
  @Field(() => Date, { nullable: true, description: "Since filter." }) @IsOptional() since?: Date | null;
}
