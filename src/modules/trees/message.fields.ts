import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context.js";
import { MessageBranch, MessageNode, MessageTreeStateNode } from "./message.types.js";
import { User } from "../users/user.entity.js";
import { visibilityOf } from "../../server/visibility.js";

/** Per-request, loader-backed fields of Message: a tree of any size costs a fixed number of queries. */
@Resolver(() => MessageNode)
export class MessageFieldResolver {
  @FieldResolver(() => [String], { description: "Emojis the acting user set on this message." })
  userEmojis(@Root() m: MessageNode, @Ctx() ctx: Context): string[] | Promise<string[]> {
    if (!ctx.identity.user) return [];
    if (m.actingUserEmojis) return m.actingUserEmojis;
    return ctx.loaders.userEmojis.load(m.id);
  }

  @FieldResolver(() => Boolean, { description: "Whether the acting user wrote this message." })
  userIsAuthor(@Root() m: MessageNode, @Ctx() ctx: Context): boolean {
    return ctx.identity.user !== null && m.userId === ctx.identity.user.id;
  }

  // The loaders apply the caller's visibility (src/server/visibility.ts): a record the caller may not read is null
  // here, or left out of a list, exactly as the root query for it would answer MESSAGE_NOT_FOUND or leave it out.

  @FieldResolver(() => User, {
    nullable: true,
    description: "The author; null when the caller may not read them (an untrusted client reads its own client's users only).",
  })
  async user(@Root() m: MessageNode, @Ctx() ctx: Context): Promise<User | null> {
    return m.userId ? ctx.loaders.userById.load(m.userId) : null;
  }

  @FieldResolver(() => MessageNode, {
    nullable: true,
    description:
      "The message this one replies to; null for a root, or when the caller may not read it (an untrusted client reads its own client's messages only; parentId still names it).",
  })
  async parent(@Root() m: MessageNode, @Ctx() ctx: Context): Promise<MessageNode | null> {
    return m.parentId ? ctx.loaders.messageById.load(m.parentId) : null;
  }

  @FieldResolver(() => [MessageNode], { description: "Live replies to this message that the caller may read." })
  async children(@Root() m: MessageNode, @Ctx() ctx: Context): Promise<MessageNode[]> {
    return ctx.loaders.childrenByParent.load(m.id);
  }

  @FieldResolver()
  async childrenCount(@Root() m: MessageNode, @Ctx() ctx: Context): Promise<number> {
    // The stored count includes every client's replies: an untrusted caller gets the count of what it is shown.
    if (visibilityOf(ctx).apiClientId === null) return m.childrenCount;
    return (await ctx.loaders.childrenByParent.load(m.id)).length;
  }

  @FieldResolver(() => [MessageNode], {
    description:
      "The longest conversation of this message's tree: root first, down the deepest path of accepted, live messages the caller may read (the oldest of equally deep ones); empty while the root is not accepted.",
  })
  async longestConversationInTree(@Root() m: MessageNode, @Ctx() ctx: Context): Promise<MessageNode[]> {
    return ctx.loaders.longestConversation.load(m.messageTreeId);
  }

  @FieldResolver(() => MessageBranch, {
    nullable: true,
    description:
      "The widest branching of this message's tree: the accepted, live message with the most replies (the shallowest, then oldest, of equals) with its accepted, live replies; null when the tree has no accepted message the caller may read.",
  })
  async maxChildrenInTree(@Root() m: MessageNode, @Ctx() ctx: Context): Promise<MessageBranch | null> {
    return ctx.loaders.widestBranch.load(m.messageTreeId);
  }

  @FieldResolver(() => MessageTreeStateNode, { nullable: true, description: "The state of this message's tree." })
  async treeState(@Root() m: MessageNode, @Ctx() ctx: Context): Promise<MessageTreeStateNode | null> {
    return ctx.loaders.treeState.load(m.messageTreeId);
  }
}
