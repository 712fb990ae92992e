import { Arg, Args, ArgsType, Authorized, Ctx, Field, Int, Mutation, Query, Resolver } from "type-graphql";
import { IsOptional, Max, Min } from "../../common/validators.js";
import type { Context } from "../../server/context.js";
import { toConnection } from "../../common/pagination.js";
import { Role } from "../users/role.js";
import { Requirement } from "../../server/auth.js";
import { User } from "../users/user.entity.js";
import { fullSettings } from "../../config/settings.js";
import {
  JournalEntryConnection,
  JournalFilterInput,
  MergeUsersInput,
  MergeUsersResult,
  PurgeResult,
  PurgeUserInput,
  PurgeUserMessagesInput,
  SettingEntry,
  SystemStats,
  TreeManagerStats,
  UserIdInput,
} from "./moderation.types.js";

@ArgsType()
class JournalArgs {
  @Field(() => JournalFilterInput, { nullable: true, description: "Which entries." })
  @IsOptional()
  filter?: JournalFilterInput | null;

  @Field(() => Int, { defaultValue: 50, description: "Page size (1-1000)." })
  @Min(1)
  @Max(1000)
  first: number;

  @Field(() => String, { nullable: true, description: "Cursor from a previous page's pageInfo.endCursor." })
  @IsOptional()
  after?: string | null;
}

/** Admins' powers (spec §7.2, §7.3, §9.5): user deletion, merges, purges, settings, the journal; moderators read the stats. */
@Resolver()
export class AdminResolver {
  @Authorized(Role.ADMIN)
  @Mutation(() => User, {
    description:
      "Anonymises a user: username and display name replaced, hidden from leaderboards, marked deleted; contributions stay (spec §6.6). ADMIN; journaled.",
  })
  async deleteUser(@Arg("input", () => UserIdInput) input: UserIdInput, @Ctx() ctx: Context): Promise<User> {
    return ctx.app.userAdmin.delete(ctx.request(), input.userId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => MergeUsersResult, {
    description: "Moves every contribution of the source users to the destination and deletes the sources (spec §7.2). ADMIN; journaled.",
  })
  async mergeUsers(@Arg("input", () => MergeUsersInput) input: MergeUsersInput, @Ctx() ctx: Context): Promise<MergeUsersResult> {
    const r = await ctx.app.userAdmin.merge(ctx.request(), input.destinationUserId, input.sourceUserIds);
    return { destination: r.destination, mergedUserIds: [...new Set(input.sourceUserIds)], moved: r.moved, droppedDuplicates: r.dropped };
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Mutation(() => PurgeResult, {
    description:
      "Hard-deletes every message of a user (whole trees of their prompts), their rankings, emojis, tasks and stats (spec §7.3). Preview by default: then nothing changes. ADMIN of a trusted client; journaled.",
  })
  async purgeUser(@Arg("input", () => PurgeUserInput) input: PurgeUserInput, @Ctx() ctx: Context): Promise<PurgeResult> {
    return ctx.app.purge.purgeUser(ctx.request(), input.userId, input.ban, input.preview);
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Mutation(() => PurgeResult, {
    description:
      "Hard-deletes a user's messages created in a date range, with their subtrees (spec §7.3). Preview by default: then nothing changes. ADMIN of a trusted client; journaled.",
  })
  async purgeUserMessages(@Arg("input", () => PurgeUserMessagesInput) input: PurgeUserMessagesInput, @Ctx() ctx: Context): Promise<PurgeResult> {
    return ctx.app.purge.purgeUserMessages(ctx.request(), input.userId, {
      purgeInitialPrompts: input.purgeInitialPrompts,
      since: input.since ?? null,
      until: input.until ?? null,
      preview: input.preview,
    });
  }

  @Authorized(Role.MODERATOR)
  @Query(() => SystemStats, {
    description: "Message counts: all, live, deleted, trees, live per language (spec §9.5). MODERATOR; an untrusted client counts its own messages only.",
  })
  async systemStats(@Ctx() ctx: Context): Promise<SystemStats> {
    return ctx.app.systemStats.counts(ctx.request());
  }

  @Authorized(Role.MODERATOR)
  @Query(() => TreeManagerStats, {
    description:
      "Trees per state and per-tree message counts (spec §9.5). MODERATOR; an untrusted client sees the trees holding its messages, counting its own messages only.",
  })
  async treeManagerStats(
    @Arg("onlyActive", { defaultValue: true, description: "Per-tree counts of active trees only." }) onlyActive: boolean,
    @Ctx() ctx: Context,
  ): Promise<TreeManagerStats> {
    return ctx.app.systemStats.treeManager(ctx.request(), onlyActive);
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Query(() => [SettingEntry], { description: "Every configuration variable with its effective value; secrets are never shown. ADMIN of a trusted client." })
  settings(@Ctx() ctx: Context): SettingEntry[] {
    return fullSettings(ctx.app.config);
  }

  @Authorized(Role.ADMIN)
  @Query(() => JournalEntryConnection, {
    description:
      "The journal, newest first: task events and every moderation action with before and after. ADMIN; an untrusted client reads the entries written through it only.",
  })
  async journal(@Args(() => JournalArgs) args: JournalArgs, @Ctx() ctx: Context) {
    return toConnection(await ctx.app.journal.list(ctx.request(), args.filter ?? new JournalFilterInput(), args.first, args.after));
  }
}
