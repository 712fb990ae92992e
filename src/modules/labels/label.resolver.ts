import { Arg, Authorized, Ctx, Field, ID, InputType, Mutation, Query, Resolver } from "type-graphql";
import { ArrayMaxSize, IsOptional, Length, ValidateNested } from "../../common/validators.js";
import type { Context } from "../../server/context.js";
import { LabelDescription, LabelValueInput, TaskDone } from "../tasks/task.types.js";
import { LABEL_DESCRIPTIONS, REPORT_LABELS, validLabelsForMessage } from "../consensus/labels.js";
import { toLabelDescription } from "../tasks/task.mapper.js";
import { Public } from "../../server/auth.js";
import { UserRefInput } from "../users/user-ref.js";

@InputType({ description: "Free labels on a message, or a report (spec §2.6, POST /text_labels)." })
export class LabelMessageInput {
  @Field(() => UserRefInput, { nullable: true, description: "The user; else the x-chorus-user header." })
  @IsOptional()
  @ValidateNested()
  user?: UserRefInput | null;

  @Field(() => ID, { description: "The message." })
  messageId: string;

  @Field(() => [LabelValueInput], { description: "The labels (values 0..1)." })
  @ValidateNested({ each: true })
  @ArrayMaxSize(64)
  labels: LabelValueInput[];

  @Field({ defaultValue: "", description: "Free text: a report's reason." })
  @Length(0, 65_536)
  text: string;

  @Field({ defaultValue: false, description: "A report: also adds the user's red_flag, which puts the message in the moderators' queue." })
  isReport: boolean;
}

@Resolver()
export class LabelResolver {
  @Authorized()
  @Query(() => [LabelDescription], {
    description: "Labels valid for a message (by its kind), or every label but fails_task without a message.",
  })
  async validLabels(@Arg("messageId", () => ID, { nullable: true }) messageId: string | null, @Ctx() ctx: Context): Promise<LabelDescription[]> {
    const m = messageId ? await ctx.app.messages.get(ctx.request(), messageId) : null;
    const names = validLabelsForMessage(m ? { isRoot: m.parentId === null, role: m.isAssistant ? "assistant" : "prompter" } : null, ctx.app.config.treeManager);
    return names.map((n) => toLabelDescription(LABEL_DESCRIPTIONS[n]));
  }

  @Public()
  @Query(() => [LabelDescription], { description: "Labels a report may carry. Public." })
  reportLabels(): LabelDescription[] {
    return REPORT_LABELS.map((n) => toLabelDescription(LABEL_DESCRIPTIONS[n]));
  }

  @Authorized()
  @Mutation(() => TaskDone, { description: "Stores free labels on a message, or a report; never counts as a review." })
  async labelMessage(@Arg("input", () => LabelMessageInput) input: LabelMessageInput, @Ctx() ctx: Context): Promise<TaskDone> {
    const rc = ctx.request(await ctx.actingUser(input.user));
    await ctx.app.messages.get(rc, input.messageId);
    const labels: Record<string, number> = {};
    for (const l of input.labels) labels[l.name] = l.value;
    return ctx.app.tasks.submitLabels(rc, {
      messageId: input.messageId,
      taskId: null,
      labels,
      text: input.text,
      isReport: input.isReport,
    });
  }
}
