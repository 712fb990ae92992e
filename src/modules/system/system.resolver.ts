import { Arg, Authorized, Ctx, Int, Query, Resolver, Root, Subscription } from "type-graphql";
import { Heartbeat, PublicSettings } from "./system.types.js";
import { Public } from "../../server/auth.js";
import type { Context } from "../../server/context.js";
import { VERSION } from "../../version.js";
import { intervalIterator } from "../../infra/interval-iterator.js";

@Resolver()
export class SystemResolver {
  @Public()
  @Query(() => PublicSettings, { description: "Settings anyone may read, without a key." })
  publicSettings(@Ctx() ctx: Context): PublicSettings {
    const c = ctx.app.config;
    return {
      projectName: "Chorus",
      version: VERSION,
      maxQueryDepth: c.maxQueryDepth,
      maxQueryComplexity: c.maxQueryComplexity,
      userTokenTtlSeconds: c.userTokenTtlSeconds,
    };
  }

  @Authorized()
  @Subscription(() => Heartbeat, {
    description: "A beat every `intervalMs` (250-60000) while subscribed: connection checks and monitors.",
    subscribe: ({ args, context }) => beats(context as Context, Math.max(250, Math.min(60_000, (args as { intervalMs: number }).intervalMs))),
  })
  heartbeat(
    @Root() beat: Heartbeat,
    @Arg("intervalMs", () => Int, { defaultValue: 1000, description: "Milliseconds between beats." }) _intervalMs: number,
  ): Heartbeat {
    return beat;
  }
}

function beats(ctx: Context, intervalMs: number): AsyncIterableIterator<Heartbeat> {
  const app = ctx.app;
  return intervalIterator(intervalMs, (seq) => ({
    seq,
    at: new Date(),
    ready: app.isReady(),
    uptimeSeconds: (Date.now() - app.startedAt.getTime()) / 1000,
  }));
}
