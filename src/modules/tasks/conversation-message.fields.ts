import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context.js";
import { visibilityOf } from "../../server/visibility.js";
import { ConversationMessage } from "./task.types.js";

/**
 * A task shows the conversation its work needs, from the pool of trees every client's users grow together (as the
 * reference does): the texts, whoever wrote them. What identifies another client's message or its author there
 * (its frontend id, its user) stays hidden from an untrusted client, as the root queries hide that client's records.
 */
@Resolver(() => ConversationMessage)
export class ConversationMessageFieldResolver {
  @FieldResolver()
  async userId(@Root() m: ConversationMessage, @Ctx() ctx: Context): Promise<string | null> {
    return (await readable(m, ctx)) ? m.userId : null;
  }

  @FieldResolver()
  async frontendMessageId(@Root() m: ConversationMessage, @Ctx() ctx: Context): Promise<string | null> {
    return (await readable(m, ctx)) ? m.frontendMessageId : null;
  }
}

/** The message loader applies the caller's visibility: null means the root query would not show it. */
async function readable(m: ConversationMessage, ctx: Context): Promise<boolean> {
  if (visibilityOf(ctx).apiClientId === null) return true;
  return (await ctx.loaders.messageById.load(m.id)) !== null;
}
