import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { IsOptional, Max, Min } from "../../common/validators.js";
import type { Context } from "../../server/context.js";
import { toConnection } from "../../common/pagination.js";
import { forbidden } from "../../common/errors.js";
import { Role } from "../users/role.js";
import { User } from "../users/user.entity.js";
import { UserRefInput } from "../users/user-ref.js";
import { MessageNode } from "../trees/message.types.js";
import {
  BulkDeletionResult,
  EditMessageInput,
  FlaggedMessageConnection,
  FlaggedMessageNode,
  MessageDeletionResult,
  MessageIdInput,
  MessageRevisionNode,
  UpdateUserInput,
  UserConnection,
  UserIdInput,
  UserSortKey,
  UsersFilterInput,
} from "./moderation.types.js";

@ArgsType()
class FlaggedMessagesArgs {
  @Field(() => Boolean, { nullable: true, description: "Only processed (true) or unprocessed (false) flags; omit for both." })
  @IsOptional()
  processed?: boolean | null;

  @Field({ defaultValue: false, description: "Newest flags first." })
  desc: boolean;

  @Field(() => Int, { defaultValue: 20, description: "Page size (1-1000)." })
  @Min(1)
  @Max(1000)
  first: number;

  @Field(() => String, { nullable: true, description: "Cursor from a previous page's pageInfo.endCursor." })
  @IsOptional()
  after?: string | null;
}

@ArgsType()
class UsersArgs {
  @Field(() => UsersFilterInput, { nullable: true, description: "Which users; omit for all." })
  @IsOptional()
  filter?: UsersFilterInput | null;

  @Field(() => UserSortKey, { defaultValue: UserSortKey.DISPLAY_NAME, description: "Order by this name, then by id." })
  sortKey: UserSortKey;

  @Field({ defaultValue: false, description: "Descending order." })
  desc: boolean;

  @Field(() => Int, { defaultValue: 100, description: "Page size (1-10000)." })
  @Min(1)
  @Max(10000)
  first: number;

  @Field(() => String, { nullable: true, description: "Cursor from a previous page's pageInfo.endCursor (same sortKey)." })
  @IsOptional()
  after?: string | null;
}

/** Moderators' work on messages and users (spec §4.5, §6.6, §7.2, §9.3). Every mutation is journaled. */
@Resolver()
export class ModerationResolver {
  @Authorized(Role.MODERATOR)
  @Mutation(() => MessageDeletionResult, { description: "Soft-deletes a message and its whole subtree (spec §4.5). MODERATOR; journaled." })
  async deleteMessage(@Arg("input", () => MessageIdInput) input: MessageIdInput, @Ctx() ctx: Context): Promise<MessageDeletionResult> {
    const changedIds = await ctx.app.messageModeration.deleteMessage(ctx.request(), input.messageId);
    return { messageId: input.messageId, changedIds };
  }

  @Authorized(Role.MODERATOR)
  @Mutation(() => MessageDeletionResult, {
    description:
      "Undeletes a message and all its ancestors (spec §4.5). MODERATOR: the reference let any client do this (a missing privilege check, fixed); journaled.",
  })
  async undeleteMessage(@Arg("input", () => MessageIdInput) input: MessageIdInput, @Ctx() ctx: Context): Promise<MessageDeletionResult> {
    const changedIds = await ctx.app.messageModeration.undeleteMessage(ctx.request(), input.messageId);
    return { messageId: input.messageId, changedIds };
  }

  @Authorized(Role.MODERATOR)
  @Mutation(() => MessageNode, { description: "Replaces a message's text, keeping every earlier version as a revision (spec §9.3). MODERATOR; journaled." })
  async editMessage(@Arg("input", () => EditMessageInput) input: EditMessageInput, @Ctx() ctx: Context): Promise<MessageNode> {
    const rc = ctx.request();
    await ctx.app.messageModeration.editMessage(rc, input.messageId, input.text);
    return ctx.app.messages.get(rc, input.messageId);
  }

  @Authorized(Role.MODERATOR)
  @Query(() => [MessageRevisionNode], { description: "Every version of a message's text, oldest first; empty if never edited. MODERATOR." })
  async messageHistory(@Arg("messageId", () => ID) messageId: string, @Ctx() ctx: Context): Promise<MessageRevisionNode[]> {
    return ctx.app.messageModeration.history(ctx.request(), messageId);
  }

  @Authorized(Role.MODERATOR)
  @Query(() => FlaggedMessageConnection, {
    description: "The moderators' queue: messages flagged by red_flag emojis and reports, oldest flag first. MODERATOR.",
  })
  async flaggedMessages(@Args(() => FlaggedMessagesArgs) args: FlaggedMessagesArgs, @Ctx() ctx: Context) {
    return toConnection(await ctx.app.messageModeration.flagged(ctx.request(), { processed: args.processed ?? null, desc: args.desc }, args.first, args.after));
  }

  @Authorized(Role.MODERATOR)
  @Mutation(() => FlaggedMessageNode, { description: "Marks a flagged message as dealt with; NOT_FOUND if it is not flagged. MODERATOR; journaled." })
  async markFlaggedProcessed(@Arg("input", () => MessageIdInput) input: MessageIdInput, @Ctx() ctx: Context): Promise<FlaggedMessageNode> {
    return ctx.app.messageModeration.markProcessed(ctx.request(), input.messageId);
  }

  @Authorized(Role.MODERATOR)
  @Mutation(() => BulkDeletionResult, { description: "Soft-deletes every message of a user with its subtree (spec §4.5). MODERATOR; journaled." })
  async deleteUserMessages(@Arg("input", () => UserIdInput) input: UserIdInput, @Ctx() ctx: Context): Promise<BulkDeletionResult> {
    return { deletedCount: await ctx.app.messageModeration.deleteUserMessages(ctx.request(), input.userId) };
  }

  @Authorized(Role.MODERATOR)
  @Query(() => UserConnection, {
    description: "Users by display name or username, with substring search (spec §9.2). MODERATOR; an untrusted client sees only its own client's users.",
  })
  async users(@Args(() => UsersArgs) args: UsersArgs, @Ctx() ctx: Context) {
    const filter = args.filter ?? {};
    return toConnection(await ctx.app.userAdmin.list(ctx.request(), { ...filter, sortKey: args.sortKey, desc: args.desc }, args.first, args.after));
  }

  @Authorized(Role.MODERATOR)
  @Mutation(() => User, {
    description: "Changes a user's display name, enabled flag, notes, leaderboard visibility or ToS acceptance (spec §6.6). MODERATOR; journaled.",
  })
  async updateUser(@Arg("input", () => UpdateUserInput) input: UpdateUserInput, @Ctx() ctx: Context): Promise<User> {
    const { userId, ...changes } = input;
    return ctx.app.userAdmin.update(ctx.request(), userId, changes);
  }

  @Authorized()
  @Mutation(() => User, {
    description:
      "Records that the acting user accepted the terms of service now (spec §6.6). Through a trusted client only (its key or a user token it minted); journaled.",
  })
  async acceptTermsOfService(
    @Arg("user", () => UserRefInput, { nullable: true, description: "The user; else the header's or the token's user." }) user: UserRefInput | null,
    @Ctx() ctx: Context,
  ): Promise<User> {
    if (!ctx.identity.apiClient!.trusted) throw forbidden("Only a trusted client may record terms-of-service acceptance");
    return ctx.app.userAdmin.acceptTos(ctx.request(await ctx.actingUser(user)));
  }
}
