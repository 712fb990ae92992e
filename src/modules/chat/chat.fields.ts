import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context.js";
import { Chat, ChatMessage } from "./chat.entity.js";
import { GenerationFinished } from "./generation.types.js";
import { notFound } from "../../server/errors.js";

@Resolver(() => Chat)
export class ChatFieldResolver {
  @FieldResolver(() => [ChatMessage], { description: "Every message of the chat's tree, oldest first; follow parentId for branches." })
  async messages(@Root() chat: Chat, @Ctx() ctx: Context): Promise<ChatMessage[]> {
    return ctx.loaders.chatMessagesByChat.load(chat.id);
  }
}

@Resolver(() => GenerationFinished)
export class GenerationFinishedResolver {
  @FieldResolver(() => ChatMessage, { description: "The stored answer; its text equals the streamed text." })
  async chatMessage(@Root() event: GenerationFinished, @Ctx() ctx: Context): Promise<ChatMessage> {
    // A subscription's loaders live as long as it does: read the row as it is now.
    const m = await ctx.loaders.chatMessageById.clear(event.messageId).load(event.messageId);
    if (!m) throw notFound("Chat message", event.messageId);
    return m;
  }
}
