/**
 * The model arena's entry point (docs/arena.md), as the resolvers, jobs and other modules see it: battles
 * (arena-battles.ts), excluded voters (arena-voters.ts) and the model leaderboards (arena-leaderboards.ts).
 */
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { RequestContext } from "../../common/request-context.js";
import type { ArenaConfig } from "../../config/index.js";
import type { PubSubHandle } from "../../infra/pubsub.js";
import type { RateLimiter } from "../../infra/rate-limit.js";
import type { Rng } from "../../db/random.js";
import type { Page } from "../../common/pagination.js";
import type { ChatService } from "../chat/chat.service.js";
import type { WorkerService } from "../workers/worker.service.js";
import type { ArenaBattle } from "./arena.entity.js";
import {
  ArenaBattleSource,
  ArenaBattleState,
  type ArenaWinner,
  type ArenaBattleView,
  type ArenaVoterExclusionView,
  type ModelLeaderboard,
  type ModelLeaderboardRefresh,
} from "./arena.types.js";
import type { BattleTally } from "./leaderboard.js";
import { ArenaBattles } from "./arena-battles.js";
import { ArenaVoters } from "./arena-voters.js";
import { ArenaLeaderboards, type LeaderboardFilter } from "./arena-leaderboards.js";

export { filterKey, type LeaderboardFilter } from "./arena-leaderboards.js";

/** What a client sees of a battle: the models only once voted or revealed. */
export function battleView(b: ArenaBattle): ArenaBattleView {
  const shown = b.winner !== null || b.identitiesSeenAt !== null;
  return {
    id: b.id,
    chatId: b.chatId,
    state: b.winner === null ? ArenaBattleState.OPEN : ArenaBattleState.VOTED,
    source: b.source as ArenaBattleSource,
    category: b.category,
    lang: b.lang,
    turns: Math.max(b.answersA.length, b.conversationA ? b.conversationA.filter((t) => t.role === "user").length : 0),
    answersA: b.answersA,
    answersB: b.answersB,
    modelA: shown ? b.modelA : null,
    modelB: shown ? b.modelB : null,
    winner: (b.winner as ArenaWinner | null) ?? null,
    votedAt: b.votedAt,
    counted: b.winner === null ? null : b.counted,
    notCountedReason: (b.notCountedReason as ArenaBattleView["notCountedReason"]) ?? null,
    createdAt: b.createdAt,
  };
}

export class ArenaService {
  private readonly battles: ArenaBattles;
  private readonly voters: ArenaVoters;
  private readonly leaderboards: ArenaLeaderboards;

  constructor(
    ds: DataSource,
    config: ArenaConfig,
    chats: ChatService,
    workers: WorkerService,
    pubSub: PubSubHandle,
    limiter: RateLimiter,
    rng: Rng,
    log: Logger,
  ) {
    this.battles = new ArenaBattles(ds, chats, workers, limiter, { name: "battles", ...config.rateLimitBattles }, rng, log);
    this.voters = new ArenaVoters(ds);
    this.leaderboards = new ArenaLeaderboards(ds, config, pubSub, limiter, { name: "arena-leaderboards", ...config.rateLimitLeaderboard });
  }

  // --- battles (arena-battles.ts) --------------------------------------------------------------

  start(
    rc: RequestContext,
    input: { text: string; category?: string | null; lang?: string | null },
  ): Promise<{ battle: ArenaBattle; answerA: string; answerB: string }> {
    return this.battles.start(rc, input);
  }

  continue(rc: RequestContext, input: { battleId: string; text: string }): Promise<{ battle: ArenaBattle; answerA: string; answerB: string }> {
    return this.battles.continue(rc, input);
  }

  vote(rc: RequestContext, battleId: string, winner: ArenaWinner): Promise<ArenaBattle> {
    return this.battles.vote(rc, battleId, winner);
  }

  reveal(rc: RequestContext, battleId: string): Promise<ArenaBattle> {
    return this.battles.reveal(rc, battleId);
  }

  draftChosen(rc: RequestContext, messageId: string): Promise<void> {
    return this.battles.draftChosen(rc, messageId);
  }

  get(rc: RequestContext, battleId: string): Promise<ArenaBattle> {
    return this.battles.get(rc, battleId);
  }

  list(rc: RequestContext, first: number, after: string | null): Promise<Page<ArenaBattle>> {
    return this.battles.list(rc, first, after);
  }

  blindChats(chatIds: readonly string[]): Promise<Set<string>> {
    return this.battles.blindChats(chatIds);
  }

  // --- voters (arena-voters.ts) ----------------------------------------------------------------

  setVoterExclusion(rc: RequestContext, input: { userId: string; excluded: boolean; reason?: string | null }): Promise<ArenaVoterExclusionView> {
    return this.voters.setVoterExclusion(rc, input);
  }

  // --- leaderboards (arena-leaderboards.ts) ----------------------------------------------------

  tallies(f: LeaderboardFilter): Promise<BattleTally[]> {
    return this.leaderboards.tallies(f);
  }

  leaderboard(rc: RequestContext, f: LeaderboardFilter): Promise<ModelLeaderboard> {
    return this.leaderboards.leaderboard(rc, f);
  }

  refreshChanged(): Promise<number> {
    return this.leaderboards.refreshChanged();
  }

  refreshByAdmin(rc: RequestContext, f: LeaderboardFilter): Promise<ModelLeaderboard> {
    return this.leaderboards.refreshByAdmin(rc, f);
  }

  subscribe(f: LeaderboardFilter): AsyncIterable<ModelLeaderboardRefresh> {
    return this.leaderboards.subscribe(f);
  }
}
