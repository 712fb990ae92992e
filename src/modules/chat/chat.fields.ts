import { Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { ChatSampling } from "./chat.entity.js";
import { GenerationFailed, GenerationStarted } from "./generation/generation.types.js";
import { HIDDEN } from "../arena/blindness.js";
import { ChatDraftChoice, ChatReport } from "./feedback/chat-feedback.entity.js";
import type { Context } from "../../server/context.js";
import { Chat, ChatMessage } from "./chat.entity.js";
import { GenerationFinished } from "./generation/generation.types.js";
import { notFound } from "../../common/errors.js";
import { blindAtCreation, isJustCreated } from "./new-messages.js";
import { isKnownNotBlind, markNotBlind } from "./known-not-blind.js";

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

/**
 * Whether a message's chat holds a blind battle (its models hidden until the vote); read fresh every time, but for
 * the messages a send just created, whose send read it in its transaction (new-messages.ts), and those read with
 * the finding that their chat holds none, which stays so (known-not-blind.ts).
 */
async function blind(ctx: Context, m: ChatMessage): Promise<boolean> {
  if (isKnownNotBlind(m)) return false;
  return blindAtCreation(m) ?? ctx.loaders.blindChat.load(m.chatId);
}

@Resolver(() => ChatMessage)
export class ChatMessageFieldResolver {
  @FieldResolver(() => String, { nullable: true, description: "The model that answers (assistant messages); null in a battle until the vote." })
  async model(@Root() m: ChatMessage, @Ctx() ctx: Context): Promise<string | null> {
    return m.model === null || (await blind(ctx, m)) ? null : m.model;
  }

  @FieldResolver(() => ChatSampling, { nullable: true, description: "The sampling parameters used (assistant messages); null in a battle until the vote." })
  async sampling(@Root() m: ChatMessage, @Ctx() ctx: Context): Promise<ChatSampling | null> {
    return m.sampling === null || (await blind(ctx, m)) ? null : m.sampling;
  }

  @FieldResolver(() => String, { nullable: true, description: "The worker that generated the answer, as it named itself; null in a battle until the vote." })
  async workerName(@Root() m: ChatMessage, @Ctx() ctx: Context): Promise<string | null> {
    return m.workerName === null || (await blind(ctx, m)) ? null : m.workerName;
  }

  @FieldResolver(() => String, { nullable: true, description: "Why the generation failed or timed out (in a battle before the vote: only that it did)." })
  async error(@Root() m: ChatMessage, @Ctx() ctx: Context): Promise<string | null> {
    return m.error === null || !(await blind(ctx, m)) ? m.error : HIDDEN;
  }

  @FieldResolver(() => Int, { description: "The owner's vote on this answer: +1, -1, or 0 when none." })
  async score(@Root() m: ChatMessage, @Ctx() ctx: Context): Promise<number> {
    if (isJustCreated(m)) return 0;
    const { votes } = await ctx.loaders.chatFeedbackByChat.load(m.chatId);
    return votes.filter((v) => v.messageId === m.id).reduce((sum, v) => sum + v.score, 0);
  }

  @FieldResolver(() => [ChatReport], { description: "Reports on this answer, oldest first (its chat's owner and moderators see them)." })
  async reports(@Root() m: ChatMessage, @Ctx() ctx: Context): Promise<ChatReport[]> {
    if (isJustCreated(m)) return [];
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
    // A subscription's loaders live as long as it does: read the row as it is now. The message its subscription
    // started with (primed there, so no read) may know its chat holds no blind battle, which stays so
    // (known-not-blind.ts): the row read afresh keeps that finding, and its model fields read no battle.
    const earlier = await ctx.loaders.chatMessageById.load(event.messageId);
    const m = await ctx.loaders.chatMessageById.clear(event.messageId).load(event.messageId);
    if (!m) throw notFound("Chat message", event.messageId);
    if (earlier && isKnownNotBlind(earlier) && earlier.chatId === m.chatId) markNotBlind(m);
    return m;
  }
}

/** The chat of an event's message, for the blindness rule (null when the caller may not read it). */
async function eventBlind(ctx: Context, messageId: string): Promise<boolean> {
  const m = await ctx.loaders.chatMessageById.load(messageId);
  return m === null || (await blind(ctx, m));
}

@Resolver(() => GenerationStarted)
export class GenerationStartedResolver {
  @FieldResolver(() => String, { description: "The worker's name (in a battle before the vote: hidden, since names often carry the model)." })
  async workerName(@Root() event: GenerationStarted, @Ctx() ctx: Context): Promise<string> {
    return (await eventBlind(ctx, event.messageId)) ? HIDDEN : event.workerName;
  }
}

@Resolver(() => GenerationFailed)
export class GenerationFailedResolver {
  @FieldResolver(() => String, { description: "What went wrong (in a battle before the vote: hidden, since it may name the model)." })
  async reason(@Root() event: GenerationFailed, @Ctx() ctx: Context): Promise<string> {
    return (await eventBlind(ctx, event.messageId)) ? HIDDEN : event.reason;
  }
}
