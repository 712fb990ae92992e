import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context.js";
import { MessageNode } from "../trees/message.types.js";
import { FlaggedMessageNode } from "./moderation.types.js";

/** Loader-backed fields of the moderators' queue: a page of flags costs one query for its messages. */
@Resolver(() => FlaggedMessageNode)
export class FlaggedMessageFieldResolver {
  @FieldResolver(() => MessageNode, { nullable: true, description: "The flagged message." })
  async message(@Root() f: FlaggedMessageNode, @Ctx() ctx: Context): Promise<MessageNode | null> {
    return ctx.loaders.messageById.load(f.messageId);
  }
}
