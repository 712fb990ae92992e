import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../server/context.js";
import { UserRefInput } from "../users/user-ref.js";
import {
  AckTaskInput,
  NackTaskInput,
  RequestTaskInput,
  SubmitLabelsInput,
  SubmitRankingInput,
  SubmitReplyInput,
  TaskAvailability,
  TaskDone,
  TaskStatus,
  TaskUnion,
} from "./task.types.js";
import { toTaskObject } from "./task.mapper.js";
import type { Task } from "./task.entity.js";

const status = (t: Pick<Task, "id" | "ack" | "done" | "skipped" | "frontendMessageId" | "expiryDate">): TaskStatus => ({
  id: t.id,
  ack: t.ack,
  done: t.done,
  skipped: t.skipped,
  frontendMessageId: t.frontendMessageId,
  expiryDate: t.expiryDate,
});

@Resolver()
export class TaskResolver {
  @Authorized()
  @Mutation(() => TaskUnion, { description: "Hands out the next task for the acting user (spec §2.3)." })
  async requestTask(@Arg("input", () => RequestTaskInput) input: RequestTaskInput, @Ctx() ctx: Context) {
    const rc = ctx.request(await ctx.actingUser(input.user));
    const { task, payload } = await ctx.app.tasks.requestTask(rc, input.type, input.lang, input.collective);
    return toTaskObject(task.id, payload);
  }

  @Authorized()
  @Mutation(() => TaskStatus, { description: "Confirms a task was shown and binds the frontend's id for it. Idempotent." })
  async ackTask(@Arg("input", () => AckTaskInput) input: AckTaskInput, @Ctx() ctx: Context): Promise<TaskStatus> {
    return status(await ctx.app.tasks.ack(ctx.request(), input.taskId, input.frontendMessageId));
  }

  @Authorized()
  @Mutation(() => TaskStatus, { description: "Skips a task; the user is not offered its message for that work again." })
  async nackTask(@Arg("input", () => NackTaskInput) input: NackTaskInput, @Ctx() ctx: Context): Promise<TaskStatus> {
    const rc = ctx.request(await ctx.actingUser(input.user));
    return status(await ctx.app.tasks.nack(rc, input.taskId, input.reason));
  }

  @Authorized()
  @Mutation(() => TaskDone, { description: "Submits the text of a prompt or reply task." })
  async submitReply(@Arg("input", () => SubmitReplyInput) input: SubmitReplyInput, @Ctx() ctx: Context): Promise<TaskDone> {
    return ctx.app.tasks.submitReply(ctx.request(await ctx.actingUser(input.user)), input);
  }

  @Authorized()
  @Mutation(() => TaskDone, { description: "Submits a ranking task's order (indexes into replyMessages, best first)." })
  async submitRanking(@Arg("input", () => SubmitRankingInput) input: SubmitRankingInput, @Ctx() ctx: Context): Promise<TaskDone> {
    return ctx.app.tasks.submitRanking(ctx.request(await ctx.actingUser(input.user)), input);
  }

  @Authorized()
  @Mutation(() => TaskDone, { description: "Submits a review task's labels (with taskId), or free labels and reports (without)." })
  async submitLabels(@Arg("input", () => SubmitLabelsInput) input: SubmitLabelsInput, @Ctx() ctx: Context): Promise<TaskDone> {
    const rc = ctx.request(await ctx.actingUser(input.user));
    const labels: Record<string, number> = {};
    for (const l of input.labels) labels[l.name] = l.value;
    return ctx.app.tasks.submitLabels(rc, { ...input, labels });
  }

  @Authorized()
  @Query(() => TaskAvailability, { description: "How many tasks of each type the acting user could get now (spec §2.7)." })
  async availableTasks(
    @Arg("lang", () => String, { nullable: true, description: "Language; en when omitted." }) lang: string | null,
    @Arg("user", () => UserRefInput, { nullable: true, description: "The user; else the header's, else counts for nobody in particular." })
    user: UserRefInput | null,
    @Ctx() ctx: Context,
  ): Promise<TaskAvailability> {
    // With no user named and none in the credentials the counts are for nobody in particular (no user is created).
    const rc = user || ctx.identity.user ? ctx.request(await ctx.actingUser(user)) : ctx.request();
    const c = await ctx.app.tasks.availability(rc, lang);
    return {
      random: c.random,
      initialPrompt: c.initial_prompt,
      prompterReply: c.prompter_reply,
      assistantReply: c.assistant_reply,
      rankInitialPrompts: c.rank_initial_prompts,
      rankPrompterReplies: c.rank_prompter_replies,
      rankAssistantReplies: c.rank_assistant_replies,
      labelInitialPrompt: c.label_initial_prompt,
      labelAssistantReply: c.label_assistant_reply,
      labelPrompterReply: c.label_prompter_reply,
    };
  }
}
