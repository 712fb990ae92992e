import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, Mutation, Query, Resolver, Root, Subscription, FieldResolver } from "type-graphql";
import { IsOptional, Length, Max, Min } from "../../common/validators.js";
import type { Context } from "../../server/context.js";
import { assertAuthorized, Requirement } from "../../server/auth.js";
import { toConnection } from "../../common/pagination.js";
import { Role } from "../users/role.js";
import { ChatMessage } from "../chat/chat.entity.js";
import { battleView, type LeaderboardFilter } from "./arena.service.js";
import {
  ArenaBattleConnection,
  ArenaBattleView,
  ArenaVoterExclusionView,
  BattleTurnPayload,
  ContinueBattleInput,
  ModelLeaderboard,
  ModelLeaderboardRefresh,
  RefreshModelLeaderboardInput,
  SetArenaVoterExclusionInput,
  StartBattleInput,
  VoteBattleInput,
} from "./arena.types.js";

@ArgsType()
class LeaderboardArgs {
  @Field(() => String, { nullable: true, description: "Only battles started in this category." })
  @IsOptional()
  @Length(1, 64)
  category?: string | null;

  @Field(() => String, { nullable: true, description: "Only battles in this language." })
  @IsOptional()
  @Length(2, 32)
  lang?: string | null;

  @Field(() => Date, { nullable: true, description: "Only battles voted since." })
  @IsOptional()
  since?: Date | null;
}

const filterOf = (a: { category?: string | null; lang?: string | null; since?: Date | null } | null): LeaderboardFilter => ({
  category: a?.category ?? null,
  lang: a?.lang ?? null,
  since: a?.since ?? null,
});

@ArgsType()
class BattlesArgs {
  @Field(() => Int, { defaultValue: 20, description: "Page size (1-100)." })
  @Min(1)
  @Max(100)
  first: number;

  @Field(() => String, { nullable: true, description: "Cursor from a previous page's pageInfo.endCursor." })
  @IsOptional()
  after?: string | null;
}

@Resolver(() => ArenaBattleView)
export class ArenaResolver {
  @Authorized()
  @Mutation(() => BattleTurnPayload, {
    description:
      "Starts a blind battle: two models with a connected worker answer the prompt in parallel (follow both with `generation`); which model is A or B stays hidden until voteBattle. Rate-limited (ARENA_RATE_LIMIT_BATTLES).",
  })
  async startBattle(@Arg("input", () => StartBattleInput) input: StartBattleInput, @Ctx() ctx: Context): Promise<BattleTurnPayload> {
    const r = await ctx.app.arena.start(ctx.request(), input);
    return { battle: battleView(r.battle), answerA: r.answerA, answerB: r.answerB };
  }

  @Authorized()
  @Mutation(() => BattleTurnPayload, { description: "Another turn of an open battle: both sides answer the new prompt, each in its own conversation." })
  async continueBattle(@Arg("input", () => ContinueBattleInput) input: ContinueBattleInput, @Ctx() ctx: Context): Promise<BattleTurnPayload> {
    const r = await ctx.app.arena.continue(ctx.request(), input);
    return { battle: battleView(r.battle), answerA: r.answerA, answerB: r.answerB };
  }

  @Authorized()
  @Mutation(() => ArenaBattleView, {
    description:
      "The verdict on the acting user's battle, once (again: CONFLICT); shows the models. Counted on the leaderboard unless the models were seen first, an answer failed or was cancelled, or the voter is excluded.",
  })
  async voteBattle(@Arg("input", () => VoteBattleInput) input: VoteBattleInput, @Ctx() ctx: Context): Promise<ArenaBattleView> {
    return battleView(await ctx.app.arena.vote(ctx.request(), input.battleId, input.winner));
  }

  @Authorized()
  @Mutation(() => ArenaBattleView, { description: "Shows an open battle's models without voting; a later vote is kept but not counted." })
  async revealBattle(@Arg("battleId", () => ID, { description: "The battle." }) battleId: string, @Ctx() ctx: Context): Promise<ArenaBattleView> {
    return battleView(await ctx.app.arena.reveal(ctx.request(), battleId));
  }

  @Authorized()
  @Query(() => ArenaBattleView, { description: "One battle: the acting user's own, or any for moderators (an untrusted client's: its own users' only)." })
  async arenaBattle(@Arg("id", () => ID, { description: "The battle." }) id: string, @Ctx() ctx: Context): Promise<ArenaBattleView> {
    const battle = await ctx.app.arena.get(ctx.request(), id);
    // The service found its chat readable: the answers' fields need not ask again.
    if (battle.chatId !== null) ctx.loaders.readableChats.prime(battle.chatId, true);
    return battleView(battle);
  }

  @Authorized()
  @Query(() => ArenaBattleConnection, { description: "The acting user's battles, newest first." })
  async arenaBattles(@Args(() => BattlesArgs) args: BattlesArgs, @Ctx() ctx: Context) {
    const page = await ctx.app.arena.list(ctx.request(), args.first, args.after ?? null);
    return toConnection({ ...page, nodes: page.nodes.map(battleView), cursorOf: (v) => page.cursorOf(page.nodes.find((b) => b.id === v.id)!) });
  }

  @FieldResolver(() => [ChatMessage], { description: "Side A's answers, one per turn (models hidden until the vote)." })
  async messagesA(@Root() b: ArenaBattleView, @Ctx() ctx: Context): Promise<ChatMessage[]> {
    return (await ctx.loaders.chatMessageById.loadMany(b.answersA)).filter((m): m is ChatMessage => m instanceof ChatMessage);
  }

  @FieldResolver(() => [ChatMessage], { description: "Side B's answers, one per turn." })
  async messagesB(@Root() b: ArenaBattleView, @Ctx() ctx: Context): Promise<ChatMessage[]> {
    return (await ctx.loaders.chatMessageById.loadMany(b.answersB)).filter((m): m is ChatMessage => m instanceof ChatMessage);
  }

  @Authorized()
  @Query(() => ModelLeaderboard, {
    description:
      "Models ranked by Bradley–Terry strength on counted battles, with 95% bootstrap intervals, rank ranges, records and pairwise matrices (docs/arena.md). As last computed; a filter never asked for is computed now (ARENA_RATE_LIMIT_LEADERBOARD).",
  })
  async modelLeaderboard(@Args(() => LeaderboardArgs) args: LeaderboardArgs, @Ctx() ctx: Context): Promise<ModelLeaderboard> {
    return ctx.app.arena.leaderboard(ctx.request(), filterOf(args));
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Mutation(() => ModelLeaderboard, { description: "Recomputes a model leaderboard now (the overall one by default). ADMIN of a trusted client; journaled." })
  async refreshModelLeaderboard(
    @Arg("input", () => RefreshModelLeaderboardInput, { nullable: true }) input: RefreshModelLeaderboardInput | null,
    @Ctx() ctx: Context,
  ): Promise<ModelLeaderboard> {
    return ctx.app.arena.refreshByAdmin(ctx.request(), filterOf(input));
  }

  @Authorized(Role.MODERATOR)
  @Mutation(() => ArenaVoterExclusionView, {
    description:
      "Excludes a voter's arena votes from every leaderboard, or counts them again. MODERATOR (of an untrusted client: its own users only); journaled.",
  })
  async setArenaVoterExclusion(
    @Arg("input", () => SetArenaVoterExclusionInput) input: SetArenaVoterExclusionInput,
    @Ctx() ctx: Context,
  ): Promise<ArenaVoterExclusionView> {
    return ctx.app.arena.setVoterExclusion(ctx.request(), input);
  }

  @Authorized()
  @Subscription(() => ModelLeaderboardRefresh, {
    description:
      "An event after every recomputation of the filter's leaderboard, on any replica (periodic or refreshModelLeaderboard); read it with modelLeaderboard.",
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      assertAuthorized(ctx, []);
      return ctx.app.arena.subscribe(filterOf(args as LeaderboardArgs));
    },
  })
  modelLeaderboardUpdated(@Root() event: ModelLeaderboardRefresh, @Args(() => LeaderboardArgs) _args: LeaderboardArgs): ModelLeaderboardRefresh {
    return event;
  }
}
