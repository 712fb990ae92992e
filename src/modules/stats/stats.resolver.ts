import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { Context } from "../../server/context.js";
import { assertAuthorized, Requirement } from "../../server/auth.js";
import { ChorusError, ErrorCode } from "../../common/errors.js";
import { toConnection, type Connection } from "../../common/pagination.js";
import { User } from "../users/user.entity.js";
import { Role } from "../users/role.js";
import { STATS_TIME_FRAMES } from "../consensus/scores.js";
import type { LeaderboardRefresh as Refresh, TrollScoreRow, UserScore as Score } from "./stats.service.js";
import {
  LeaderboardRefresh,
  RefreshLeaderboardsInput,
  RefreshTrigger,
  SetLeaderboardVisibilityInput,
  StatsWindow,
  TrollScore,
  TrollScoreConnection,
  UserScore,
  UserScoreConnection,
  UserStatsNode,
  toTimeFrame,
  toWindow,
} from "./stats.types.js";

/**
 * Board cursors carry the rank of the last row: ranks are dense and follow the board's index order, so "after rank
 * n" is the board from its (n + 1)th row.
 */
export function encodeRankCursor(rank: number): string {
  return Buffer.from(`rank:${rank}`, "utf8").toString("base64url");
}

export function decodeRankCursor(cursor: string | null | undefined): number {
  if (cursor === null || cursor === undefined) return 0;
  const m = /^rank:(\d{1,9})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m) throw new ChorusError(ErrorCode.INVALID_CURSOR_VALUE, "The cursor is not valid");
  return Number(m[1]);
}

const userScore = (s: Score): UserScore => ({ ...s, window: toWindow(s.timeFrame) });
const trollScore = (s: TrollScoreRow): TrollScore => ({ ...s, window: toWindow(s.timeFrame) });
const refresh = (r: Refresh): LeaderboardRefresh => ({
  ...r,
  window: toWindow(r.timeFrame),
  trigger: r.trigger === "admin" ? RefreshTrigger.ADMIN : RefreshTrigger.SCHEDULE,
});

@Resolver()
export class StatsResolver {
  @Authorized()
  @Query(() => UserScoreConnection, {
    description:
      "The leaderboard of a window in rank order; users hidden from it or disabled are left out (spec §6.3). An untrusted client sees its own users only, at their ranks.",
  })
  async leaderboard(
    @Arg("window", () => StatsWindow, { description: "The window." }) window: StatsWindow,
    @Arg("first", () => Int, { defaultValue: 100, description: "Rows per page (1-10000)." }) first: number,
    @Arg("after", () => String, { nullable: true, description: "The endCursor of the previous page." }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<UserScore>> {
    const page = await ctx.app.stats.leaderboard(ctx.request(), toTimeFrame(window), first, decodeRankCursor(after));
    return toConnection({ nodes: page.nodes.map(userScore), hasNextPage: page.hasNextPage, cursorOf: (n) => encodeRankCursor(n.rank!) });
  }

  @Authorized()
  @Query(() => UserStatsNode, {
    description: "One user's counters, score, level and rank in every window, and streak (spec §6.3). An untrusted client: its own users only.",
  })
  async userStats(@Arg("userId", () => ID, { description: "The user." }) userId: string, @Ctx() ctx: Context): Promise<UserStatsNode> {
    const scores = (await ctx.app.stats.userStats(ctx.request(), userId)).map(userScore);
    const [day, week, month, total] = scores;
    return {
      userId,
      level: total.level,
      streakDays: total.streakDays,
      streakLastDayDate: total.streakLastDayDate,
      lastActivityDate: total.lastActivityDate,
      day,
      week,
      month,
      total,
    };
  }

  @Authorized()
  @Query(() => [UserScore], {
    nullable: true,
    description:
      "The `size` ranks around a user (the user in the middle, fewer only where the board is shorter), highlighted relative to that user; null when the user is hidden, disabled or unranked. An untrusted client: its own users only (the window's rows of other clients' users are left out).",
  })
  async leaderboardWindow(
    @Arg("userId", () => ID, { description: "The user." }) userId: string,
    @Arg("window", () => StatsWindow, { description: "The window." }) window: StatsWindow,
    @Arg("size", () => Int, { defaultValue: 5, description: "Rows (1-100)." }) size: number,
    @Ctx() ctx: Context,
  ): Promise<UserScore[] | null> {
    const rows = await ctx.app.stats.leaderboardWindow(ctx.request(), userId, toTimeFrame(window), size);
    return rows?.map(userScore) ?? null;
  }

  @Authorized(Role.MODERATOR)
  @Query(() => TrollScoreConnection, {
    description: "Authors ranked by troll score in a window (spec §6.5). MODERATOR; an untrusted client sees its own users only.",
  })
  async trollboard(
    @Arg("window", () => StatsWindow, { description: "The window." }) window: StatsWindow,
    @Arg("first", () => Int, { defaultValue: 100, description: "Rows per page (1-10000)." }) first: number,
    @Arg("after", () => String, { nullable: true, description: "The endCursor of the previous page." }) after: string | null,
    @Arg("enabled", () => Boolean, { nullable: true, description: "Only enabled (true) or disabled (false) users." }) enabled: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<TrollScore>> {
    const page = await ctx.app.stats.trollboard(ctx.request(), toTimeFrame(window), first, decodeRankCursor(after), enabled ?? null);
    return toConnection({ nodes: page.nodes.map(trollScore), hasNextPage: page.hasNextPage, cursorOf: (n) => encodeRankCursor(n.rank!) });
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Mutation(() => [LeaderboardRefresh], {
    description: "Recomputes leaderboards and troll boards now (all windows by default). ADMIN of a trusted client; journaled.",
  })
  async refreshLeaderboards(
    @Arg("input", () => RefreshLeaderboardsInput, { nullable: true }) input: RefreshLeaderboardsInput | null,
    @Ctx() ctx: Context,
  ): Promise<LeaderboardRefresh[]> {
    const frames = input?.windows ? input.windows.map(toTimeFrame) : STATS_TIME_FRAMES;
    const results = await ctx.app.stats.refreshByAdmin(ctx.request(), frames);
    return results.map(refresh);
  }

  @Authorized()
  @Mutation(() => User, {
    description:
      "Shows or hides a user on the leaderboards: the acting user's own choice, or any user's for a MODERATOR (of an untrusted client: its own users only). Ranks follow at the next recompute. Journaled.",
  })
  async setLeaderboardVisibility(@Arg("input", () => SetLeaderboardVisibilityInput) input: SetLeaderboardVisibilityInput, @Ctx() ctx: Context): Promise<User> {
    // With no userId the acting user's own: resolved (created on first sight) before the service is called.
    // An empty userId is a (missing) user's id, not "mine": NOT_FOUND, as before.
    const rc = input.userId != null ? ctx.request() : ctx.request(await ctx.actingUser());
    return ctx.app.userAdmin.setLeaderboardVisibility(rc, input.userId ?? rc.identity.user!.id, input.show);
  }

  @Authorized()
  @Subscription(() => LeaderboardRefresh, {
    description: "An event after every recomputation of the window's leaderboard, on any replica (periodic or refreshLeaderboards).",
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      assertAuthorized(ctx, []);
      return ctx.app.stats.subscribe(toTimeFrame((args as { window: StatsWindow }).window));
    },
  })
  leaderboardUpdated(
    @Root() event: Refresh,
    @Arg("window", () => StatsWindow, { description: "The window to follow." }) _window: StatsWindow,
  ): LeaderboardRefresh {
    return refresh(event);
  }
}
