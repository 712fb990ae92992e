import { Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { ChatDraftChoice, ChatReport } from "./chat-feedback.entity.js";
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

  @FieldResolver(() => [ChatDraftChoice], { description: "Which drafts the owner preferred, oldest first (ranking events)." })
  async draftChoices(@Root() chat: Chat, @Ctx() ctx: Context): Promise<ChatDraftChoice[]> {
    return (await ctx.loaders.chatFeedbackByChat.load(chat.id)).draftChoices;
  }
}

@Resolver(() => ChatMessage)
export class ChatMessageFieldResolver {
  @FieldResolver(() => Int, { description: "The owner's vote on this answer: +1, -1, or 0 when none." })
  async score(@Root() m: ChatMessage, @Ctx() ctx: Context): Promise<number> {
    const { votes } = await ctx.loaders.chatFeedbackByChat.load(m.chatId);
    return votes.filter((v) => v.messageId === m.id).reduce((sum, v) => sum + v.score, 0);
  }

  @FieldResolver(() => [ChatReport], { description: "Reports on this answer, oldest first (its chat's owner and moderators see them)." })
  async reports(@Root() m: ChatMessage, @Ctx() ctx: Context): Promise<ChatReport[]> {
    return (await ctx.loaders.chatFeedbackByChat.load(m.chatId)).reports.filter((r) => r.messageId === m.id);
  }
}

@Resolver(() => ChatReport)
export class ChatReportFieldResolver {
  @FieldResolver(() => ChatMessage, { nullable: true, description: "The reported answer (null if it was deleted meanwhile)." })
  async message(@Root() r: ChatReport, @Ctx() ctx: Context): Promise<ChatMessage | null> {
    return ctx.loaders.chatMessageById.load(r.messageId);
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
