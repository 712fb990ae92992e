import { Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../server/context.js";
import { Requirement } from "../../server/auth.js";
import { CachedStats } from "./cached-stats.types.js";

@Resolver()
export class CachedStatsResolver {
  @Authorized()
  @Query(() => CachedStats, {
    description:
      "The public stats pages' figures (spec §9.5 cached stats) as last computed: human messages by language and role, trees by state and by language and state, users who accepted the terms. CACHED_STATS_NOT_AVAILABLE before the first computation.",
  })
  async cachedStats(@Ctx() ctx: Context): Promise<CachedStats> {
    return ctx.app.cachedStats.read();
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Mutation(() => CachedStats, {
    description: "Recomputes the cached stats now and returns them. ADMIN of a trusted client; journaled (cached_stats_refreshed).",
  })
  async refreshCachedStats(@Ctx() ctx: Context): Promise<CachedStats> {
    return ctx.app.cachedStats.refresh(ctx.request());
  }
}
