import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { IsOptional, Max, Min } from "../../common/validators.js";
import type { Context } from "../../server/context.js";
import { pageRequest, toConnection } from "../../common/pagination.js";
import { MessageConnection, MessageNode, MessageTree, MessageTreeStateNode, MessagesFilterInput, SetEmojiInput } from "./message.types.js";
import { ChorusError, ErrorCode } from "../../common/errors.js";

@ArgsType()
class MessagesArgs {
  @Field(() => MessagesFilterInput, { nullable: true, description: "Which messages." })
  @IsOptional()
  filter?: MessagesFilterInput | null;

  @Field(() => Int, { nullable: true, description: "Page size (1-1000) counted from the start or from `after`; default 20 when `last` is not given." })
  @IsOptional()
  @Min(1)
  @Max(1000)
  first?: number | null;

  @Field(() => String, { nullable: true, description: "Items after this cursor (a pageInfo.endCursor or an edge's cursor)." })
  @IsOptional()
  after?: string | null;

  @Field(() => Int, { nullable: true, description: "Page size (1-1000) counted back from the end or from `before`; not with `first`." })
  @IsOptional()
  @Min(1)
  @Max(1000)
  last?: number | null;

  @Field(() => String, { nullable: true, description: "Items before this cursor (a pageInfo.startCursor or an edge's cursor)." })
  @IsOptional()
  before?: string | null;
}

@Resolver(() => MessageNode)
export class MessageResolver {
  @Authorized()
  @Query(() => MessageNode, { description: "One message by id." })
  async message(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<MessageNode> {
    return ctx.app.messages.get(ctx.request(), id);
  }

  @Authorized()
  @Query(() => MessageNode, { description: "One message by the calling client's frontend id." })
  async messageByFrontendId(@Arg("frontendMessageId") frontendMessageId: string, @Ctx() ctx: Context): Promise<MessageNode> {
    return ctx.app.messages.getByFrontendId(ctx.request(), frontendMessageId);
  }

  @Authorized()
  @Query(() => MessageTree, { description: "The whole tree of a message, flat and nested." })
  async messageTree(
    @Arg("id", () => ID, { description: "Any message of the tree." }) id: string,
    @Arg("includeSpam", { defaultValue: true, description: "Include rejected messages." }) includeSpam: boolean,
    @Arg("includeDeleted", { defaultValue: false, description: "Include deleted messages." }) includeDeleted: boolean,
    @Ctx() ctx: Context,
  ): Promise<MessageTree> {
    return ctx.app.messages.tree(ctx.request(), id, { includeSpam, includeDeleted });
  }

  @Authorized()
  @Query(() => MessageTreeStateNode, { description: "The state of a message's tree." })
  async messageTreeState(@Arg("id", () => ID, { description: "Any message of the tree." }) id: string, @Ctx() ctx: Context) {
    const m = await ctx.app.messages.get(ctx.request(), id);
    const [state] = await ctx.app.messages.treeStates([m.messageTreeId]);
    if (!state) throw new ChorusError(ErrorCode.NO_MESSAGE_TREE_FOUND, "The tree has no state");
    return state;
  }

  @Authorized()
  @Query(() => [MessageNode], { description: "Root to the message, over accepted live ancestors." })
  async conversation(@Arg("messageId", () => ID) messageId: string, @Ctx() ctx: Context): Promise<MessageNode[]> {
    return ctx.app.messages.conversation(ctx.request(), messageId);
  }

  @Authorized()
  @Query(() => [MessageNode], { description: "Live replies to a message, in any review state." })
  async messageChildren(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<MessageNode[]> {
    return ctx.app.messages.children(ctx.request(), id);
  }

  @Authorized()
  @Query(() => [MessageNode], { description: "The whole subtree below a message, flat (deleted and unreviewed included)." })
  async messageDescendants(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<MessageNode[]> {
    return ctx.app.messages.descendants(ctx.request(), id);
  }

  @Authorized()
  @Query(() => MessageConnection, {
    description: "Messages, oldest first (or newest with desc), with full-text search; pages forward (first/after) or back (last/before).",
  })
  async messages(@Args(() => MessagesArgs) args: MessagesArgs, @Ctx() ctx: Context) {
    const filter = Object.assign(new MessagesFilterInput(), { onlyRoots: false, includeDeleted: false, desc: false }, args.filter ?? {});
    return toConnection(await ctx.app.messages.list(ctx.request(), filter, pageRequest(args, { defaultSize: 20, maxSize: 1000 })));
  }

  @Authorized()
  @Mutation(() => MessageNode, { description: "Adds, removes or toggles one of the acting user's emojis on a message (spec §9.1)." })
  async setEmoji(@Arg("input", () => SetEmojiInput) input: SetEmojiInput, @Ctx() ctx: Context): Promise<MessageNode> {
    const rc = ctx.request(await ctx.actingUser(input.user));
    ctx.app.tasks.ensureEnabled(rc);
    await ctx.app.emojis.set(rc, input.messageId, input.op, input.emoji);
    return ctx.app.messages.get(rc, input.messageId);
  }
}
