import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { IsOptional, Max, Min } from "../../common/validators.js";
import type { Context } from "../../server/context.js";
import { assertAuthorized } from "../../server/auth.js";
import { pageRequest, toConnection } from "../../common/pagination.js";
import { runAheadInPool } from "../../db/operation-budget.js";
import { Chat, ChatMessage } from "./chat.entity.js";
import { Role } from "../users/role.js";
import { ChatDraftChoice, ChatReport } from "./feedback/chat-feedback.entity.js";
import {
  ChatConnection,
  ChatModel,
  ChatReportConnection,
  ChooseDraftInput,
  ContinueGenerationPayload,
  CreateChatInput,
  ReportChatMessageInput,
  ResolveChatReportInput,
  VoteChatMessageInput,
  RegenerateInput,
  RegeneratePayload,
  SendChatMessageInput,
  SendChatMessagePayload,
  UpdateChatInput,
} from "./chat.types.js";
import { GenerationEvent } from "./generation/generation.types.js";
import type { GenerationEventValue } from "./generation/generation.service.js";

@ArgsType()
class ChatsArgs {
  @Field(() => Int, { nullable: true, description: "Page size (1-100) counted from the newest or from `after`; default 20 when `last` is not given." })
  @IsOptional()
  @Min(1)
  @Max(100)
  first?: number | null;

  @Field(() => String, { nullable: true, description: "Chats after this cursor (older ones: a pageInfo.endCursor or an edge's cursor)." })
  @IsOptional()
  after?: string | null;

  @Field(() => Int, { nullable: true, description: "Page size (1-100) counted back from the oldest or from `before`; not with `first`." })
  @IsOptional()
  @Min(1)
  @Max(100)
  last?: number | null;

  @Field(() => String, { nullable: true, description: "Chats before this cursor (newer ones: a pageInfo.startCursor or an edge's cursor)." })
  @IsOptional()
  before?: string | null;

  @Field({ defaultValue: false, description: "Include hidden chats." })
  includeHidden: boolean;
}

@ArgsType()
class GenerationArgs {
  @Field(() => ID, { description: "The assistant message whose generation to follow." })
  messageId: string;

  @Field(() => Int, { nullable: true, description: "The last seq already seen: events after it are sent (omitted or 0: from the start)." })
  @IsOptional()
  @Min(0)
  after?: number | null;
}

@ArgsType()
class ChatReportsArgs {
  @Field(() => Int, { defaultValue: 20, description: "Page size (1-100)." })
  @Min(1)
  @Max(100)
  first: number;

  @Field(() => String, { nullable: true, description: "Cursor from a previous page's pageInfo.endCursor." })
  @IsOptional()
  after?: string | null;

  @Field({ defaultValue: false, description: "false: the open queue; true: reports already resolved." })
  resolved: boolean;
}

@Resolver(() => Chat)
export class ChatResolver {
  @Authorized()
  @Mutation(() => Chat, { description: "Starts a chat for the acting user." })
  async createChat(@Arg("input", () => CreateChatInput) input: CreateChatInput, @Ctx() ctx: Context): Promise<Chat> {
    return ctx.app.chats.create(ctx.request(), input);
  }

  @Authorized()
  @Query(() => ChatConnection, { description: "The acting user's chats, newest first; pages forward (first/after) or back (last/before)." })
  async chats(@Args(() => ChatsArgs) args: ChatsArgs, @Ctx() ctx: Context) {
    return toConnection(await ctx.app.chats.list(ctx.request(), pageRequest(args, { defaultSize: 20, maxSize: 100 }), args.includeHidden));
  }

  @Authorized()
  @Query(() => Chat, {
    description: "One chat with its messages: the acting user's own, or any for moderators (an untrusted client's: its own users' only).",
  })
  async chat(@Arg("id", () => ID, { description: "The chat." }) id: string, @Ctx() ctx: Context): Promise<Chat> {
    const chat = await ctx.app.chats.get(ctx.request(), id);
    // The service found it readable: the nested fields need not ask again.
    ctx.loaders.readableChats.prime(chat.id, true);
    return chat;
  }

  @Authorized()
  @Query(() => ChatMessage, {
    description: "One chat message: of the acting user's chats, or any for moderators (an untrusted client's: its own users' only).",
  })
  async chatMessage(@Arg("id", () => ID, { description: "The message." }) id: string, @Ctx() ctx: Context): Promise<ChatMessage> {
    const message = await ctx.app.chats.message(ctx.request(), id);
    ctx.loaders.readableChats.prime(message.chatId, true);
    return message;
  }

  @Authorized()
  @Mutation(() => Chat, { description: "Changes a chat's title, visibility, data-use consent, system prompt or shown leaf." })
  async updateChat(@Arg("input", () => UpdateChatInput) input: UpdateChatInput, @Ctx() ctx: Context): Promise<Chat> {
    return ctx.app.chats.update(ctx.request(), input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Deletes a chat and all its messages for good; queued generations are dropped." })
  async deleteChat(@Arg("id", () => ID, { description: "The chat." }) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.app.chats.delete(ctx.request(), id);
  }

  @Authorized()
  @Mutation(() => Int, {
    description: "Deletes every chat of the acting user for good, with their messages, votes, reports and draft choices; returns how many.",
  })
  async deleteAllChats(@Ctx() ctx: Context): Promise<number> {
    return ctx.app.chats.deleteAll(ctx.request());
  }

  @Authorized()
  @Mutation(() => ContinueGenerationPayload, {
    description:
      "Extends a COMPLETE answer that stopped at the token limit (finishReason length): PENDING again, its stream goes on after `resumeAfter` with GenerationContinued, then the new tokens.",
  })
  async continueGeneration(
    @Arg("messageId", () => ID, { description: "The answer to extend." }) messageId: string,
    @Ctx() ctx: Context,
  ): Promise<ContinueGenerationPayload> {
    return ctx.app.chats.continueGeneration(ctx.request(), messageId);
  }

  @Authorized()
  @Mutation(() => ChatDraftChoice, {
    description:
      "Records which draft (sibling answer) the user preferred: a ranking event for the data side; between the two answers of an open one-turn battle, it is also the battle's vote.",
  })
  async chooseDraft(@Arg("input", () => ChooseDraftInput) input: ChooseDraftInput, @Ctx() ctx: Context): Promise<ChatDraftChoice> {
    const choice = await ctx.app.chatFeedback.chooseDraft(ctx.request(), input.messageId);
    // Between the two hidden answers of a battle, the choice is the battle's verdict.
    await ctx.app.arena.draftChosen(ctx.request(), input.messageId);
    return choice;
  }

  @Authorized()
  @Mutation(() => ChatMessage, { description: "Votes +1 or -1 on an answer of the acting user's chat (0 takes the vote back); one vote per user and answer." })
  async voteChatMessage(@Arg("input", () => VoteChatMessageInput) input: VoteChatMessageInput, @Ctx() ctx: Context): Promise<ChatMessage> {
    return ctx.app.chatFeedback.vote(ctx.request(), input.messageId, input.score);
  }

  @Authorized()
  @Mutation(() => ChatReport, { description: "Reports an answer of the acting user's chat to the moderators." })
  async reportChatMessage(@Arg("input", () => ReportChatMessageInput) input: ReportChatMessageInput, @Ctx() ctx: Context): Promise<ChatReport> {
    return ctx.app.chatFeedback.report(ctx.request(), input.messageId, input.reportType, input.reason);
  }

  @Authorized(Role.MODERATOR)
  @Query(() => ChatReportConnection, {
    description: "The moderators' queue of reported answers, oldest first. MODERATOR; an untrusted client sees reports on its own users' chats only.",
  })
  async chatReports(@Args(() => ChatReportsArgs) args: ChatReportsArgs, @Ctx() ctx: Context) {
    return toConnection(await ctx.app.chatFeedback.reports(ctx.request(), args.first, args.after, args.resolved));
  }

  @Authorized(Role.MODERATOR)
  @Mutation(() => ChatReport, { description: "Resolves a report, taking it out of the queue. MODERATOR; journaled." })
  async resolveChatReport(@Arg("input", () => ResolveChatReportInput) input: ResolveChatReportInput, @Ctx() ctx: Context): Promise<ChatReport> {
    const report = await ctx.app.chatFeedback.resolve(ctx.request(), input.reportId, input.resolution);
    ctx.loaders.readableChats.prime(report.chatId, true);
    return report;
  }

  @Authorized()
  @Mutation(() => SendChatMessagePayload, {
    description: "Adds a prompt and a PENDING answer in one transaction and queues the answer; follow it with `generation`.",
  })
  async sendChatMessage(@Arg("input", () => SendChatMessageInput) input: SendChatMessageInput, @Ctx() ctx: Context): Promise<SendChatMessagePayload> {
    return ctx.app.chats.send(ctx.request(), input);
  }

  @Authorized()
  @Mutation(() => RegeneratePayload, { description: "Queues another answer to a prompt, as a sibling of its other answers (a retry)." })
  async regenerate(@Arg("input", () => RegenerateInput) input: RegenerateInput, @Ctx() ctx: Context): Promise<RegeneratePayload> {
    return ctx.app.chats.regenerate(ctx.request(), input);
  }

  @Authorized()
  @Mutation(() => ChatMessage, {
    description: "Stops a generation: a queued one ends CANCELLED at once, a running one within a few tokens, keeping its partial text.",
  })
  async cancelGeneration(@Arg("messageId", () => ID, { description: "The assistant message." }) messageId: string, @Ctx() ctx: Context): Promise<ChatMessage> {
    return ctx.app.chats.cancel(ctx.request(), messageId);
  }

  @Authorized()
  @Query(() => [ChatModel], { description: "The models chat clients may pick, their limits, defaults and queues." })
  async models(@Ctx() ctx: Context): Promise<ChatModel[]> {
    const workers = await ctx.app.workers.connectedWorkersByModel();
    return Promise.all(
      ctx.app.chats.models().map(async (m) => ({
        id: m.id,
        description: m.description,
        maxInputLength: m.maxInputLength,
        maxTotalLength: m.maxTotalLength,
        maxNewTokensLimit: m.maxNewTokensLimit,
        defaults: m.defaults,
        presets: m.presets.map((p) => ({ name: p.name, description: p.description, ...p.sampling })),
        chatTemplate: m.chatTemplate,
        compatibilityKey: m.compatibilityKey,
        queueSize: await ctx.app.generations.queue.size(m.id),
        connectedWorkers: workers.get(m.id) ?? 0,
      })),
    );
  }

  @Authorized()
  @Subscription(() => GenerationEvent, {
    description:
      "The events of one answer's generation, numbered by seq from 1: a late or reconnecting subscriber gets every event after `after`, then the live tail; an ended generation replays and completes.",
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      assertAuthorized(ctx, []);
      const { messageId, after } = args as GenerationArgs;
      // Ahead of the pool's other waiters: the answer's worker may already be emitting, and every batch waits for
      // this read (a start burst's sends would otherwise hold it back).
      const message = await runAheadInPool(() => ctx.app.chats.message(ctx.request(), messageId));
      ctx.loaders.readableChats.prime(message.chatId, true);
      // The events' fields find the message's chat here instead of reading the row again (GenerationFinished reads
      // the stored answer afresh).
      ctx.loaders.chatMessageById.prime(message.id, message);
      return ctx.app.generations.subscribe(message, after ?? 0);
    },
  })
  generation(@Root() event: GenerationEventValue, @Args(() => GenerationArgs) _args: GenerationArgs): GenerationEventValue {
    return event;
  }
}
