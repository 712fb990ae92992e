import { createUnionType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, Max, Min, ValidateNested } from "../../common/validators.js";
import { UserRefInput } from "../users/user-ref.js";

export enum TaskRequestType {
  RANDOM = "random",
  INITIAL_PROMPT = "initial_prompt",
  PROMPTER_REPLY = "prompter_reply",
  ASSISTANT_REPLY = "assistant_reply",
  RANK_INITIAL_PROMPTS = "rank_initial_prompts",
  RANK_PROMPTER_REPLIES = "rank_prompter_replies",
  RANK_ASSISTANT_REPLIES = "rank_assistant_replies",
  LABEL_INITIAL_PROMPT = "label_initial_prompt",
  LABEL_ASSISTANT_REPLY = "label_assistant_reply",
  LABEL_PROMPTER_REPLY = "label_prompter_reply",
  SUMMARIZE_STORY = "summarize_story",
  RATE_SUMMARY = "rate_summary",
}
registerEnumType(TaskRequestType, {
  name: "TaskRequestType",
  description: "What kind of task to hand out; RANDOM lets the server draw one (spec §2.4).",
  valuesConfig: {
    RANK_INITIAL_PROMPTS: { description: "Never generated (as in the reference)." },
    SUMMARIZE_STORY: { description: "Legacy; never available." },
    RATE_SUMMARY: { description: "Legacy; never available." },
  },
});

export enum LabelMode {
  SIMPLE = "simple",
  FULL = "full",
}
registerEnumType(LabelMode, { name: "LabelMode", description: "Simple (spam check) or full labeling." });

export enum LabelDisposition {
  QUALITY = "quality",
  SPAM = "spam",
}
registerEnumType(LabelDisposition, { name: "LabelDisposition", description: "What a labeling task is mostly about." });

export enum LabelWidget {
  YES_NO = "yes_no",
  FLAG = "flag",
  LIKERT = "likert",
}
registerEnumType(LabelWidget, { name: "LabelWidget", description: "How a label is shown: yes/no, a flag, or a 0..1 scale." });

@ObjectType({ description: "How many users set one emoji on a message.", simpleResolvers: true })
export class EmojiCount {
  @Field({ description: "The emoji code: +1, -1, red_flag, ... (hidden `_skip_*` markers included)." })
  emoji: string;

  @Field(() => Int, { description: "How many users set it." })
  count: number;
}

@ObjectType({ description: "A message as shown inside a task: the conversation so far, or a reply to rank.", simpleResolvers: true })
export class ConversationMessage {
  @Field(() => ID, { description: "The message id." })
  id: string;

  @Field(() => ID, { nullable: true, description: "The author's user id; null for another client's message seen by an untrusted client." })
  userId: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The frontend's id for the message; null for another client's message seen by an untrusted client.",
  })
  frontendMessageId: string | null;

  @Field({ description: "The text." })
  text: string;

  @Field({ description: "Its language (BCP-47)." })
  lang: string;

  @Field({ description: "Whether the assistant role wrote it." })
  isAssistant: boolean;

  @Field(() => [EmojiCount], { description: "Emoji counts when the task was made." })
  emojis: EmojiCount[];

  @Field(() => [String], { description: "Emojis the requesting user had set." })
  userEmojis: string[];

  @Field({ description: "Whether the requesting user wrote it." })
  userIsAuthor: boolean;

  @Field(() => Boolean, { nullable: true, description: "Machine-generated; hidden (null) in ranking tasks unless every reply is." })
  synthetic: boolean | null;
}

@ObjectType({ description: "A label a reviewer may set." })
export class LabelDescription {
  @Field({ description: "The label's name, e.g. spam, quality." })
  name: string;

  @Field(() => LabelWidget, { description: "How to show it." })
  widget: LabelWidget;

  @Field({ description: "Short text to show." })
  displayText: string;

  @Field(() => String, { nullable: true, description: "Longer help." })
  helpText: string | null;
}

@ObjectType()
abstract class TaskBase {
  @Field(() => ID, { description: "The task id: ack, nack and label submissions name it." })
  id: string;

  @Field(() => TaskRequestType, { description: "The task's type." })
  type: TaskRequestType;
}

@ObjectType({ description: "Write a new prompt (the root of a new conversation tree)." })
export class InitialPromptTask extends TaskBase {
  @Field(() => String, { nullable: true, description: "Always null (as in the reference)." })
  hint: string | null;
}

@ObjectType()
abstract class ConversationTaskBase extends TaskBase {
  @Field(() => [ConversationMessage], { description: "The conversation from the root, oldest first." })
  conversation: ConversationMessage[];
}

@ObjectType({ description: "Write what the user says next, after the assistant's last message." })
export class PrompterReplyTask extends ConversationTaskBase {
  @Field(() => String, { nullable: true, description: "Always null (as in the reference)." })
  hint: string | null;
}

@ObjectType({ description: "Write the assistant's answer to the user's last message." })
export class AssistantReplyTask extends ConversationTaskBase {}

@ObjectType()
abstract class RankingTaskBase extends ConversationTaskBase {
  @Field(() => [ConversationMessage], { description: "The replies to rank, in random order; rankings index into this list." })
  replyMessages: ConversationMessage[];

  @Field(() => [String], { description: "Deprecated: the replies' texts.", deprecationReason: "Use replyMessages." })
  replies: string[];

  @Field(() => ID, { description: "The tree." })
  messageTreeId: string;

  @Field(() => ID, { description: "The message whose replies are ranked." })
  rankingParentId: string;

  @Field({ description: "True when every reply is synthetic (their synthetic flag is shown)." })
  revealSynthetic: boolean;
}

@ObjectType({ description: "Rank the assistant's replies to a user message, best first." })
export class RankAssistantRepliesTask extends RankingTaskBase {}

@ObjectType({ description: "Rank the user's replies to an assistant message, best first." })
export class RankPrompterRepliesTask extends RankingTaskBase {}

@ObjectType()
abstract class LabelTaskBase extends ConversationTaskBase {
  @Field(() => ID, { description: "The message to label." })
  messageId: string;

  @Field(() => [String], { description: "Labels that may be set." })
  validLabels: string[];

  @Field(() => [String], { description: "Labels that must be set." })
  mandatoryLabels: string[];

  @Field(() => LabelMode, { description: "Simple or full labeling." })
  mode: LabelMode;

  @Field(() => LabelDisposition, { description: "spam for simple tasks, quality for full ones." })
  disposition: LabelDisposition;

  @Field(() => [LabelDescription], { description: "How to show each valid label." })
  labels: LabelDescription[];
}

@ObjectType({ description: "Review a new prompt." })
export class LabelInitialPromptTask extends LabelTaskBase {
  @Field({ description: "Deprecated: the prompt's text.", deprecationReason: "Use conversation." })
  prompt: string;
}

@ObjectType({ description: "Review an assistant reply." })
export class LabelAssistantReplyTask extends LabelTaskBase {
  @Field({ description: "Deprecated: the reply's text.", deprecationReason: "Use conversation." })
  reply: string;
}

@ObjectType({ description: "Review a user reply." })
export class LabelPrompterReplyTask extends LabelTaskBase {
  @Field({ description: "Deprecated: the reply's text.", deprecationReason: "Use conversation." })
  reply: string;
}

export const TASK_CLASSES = {
  initial_prompt: InitialPromptTask,
  prompter_reply: PrompterReplyTask,
  assistant_reply: AssistantReplyTask,
  rank_assistant_replies: RankAssistantRepliesTask,
  rank_prompter_replies: RankPrompterRepliesTask,
  label_initial_prompt: LabelInitialPromptTask,
  label_assistant_reply: LabelAssistantReplyTask,
  label_prompter_reply: LabelPrompterReplyTask,
} as const;

export const TaskUnion = createUnionType({
  name: "Task",
  description: "A task handed to a user: one of the typed task objects.",
  types: () =>
    [
      InitialPromptTask,
      PrompterReplyTask,
      AssistantReplyTask,
      RankAssistantRepliesTask,
      RankPrompterRepliesTask,
      LabelInitialPromptTask,
      LabelAssistantReplyTask,
      LabelPrompterReplyTask,
    ] as const,
  resolveType: (value: { type: string }) => TASK_CLASSES[value.type as keyof typeof TASK_CLASSES],
});

// --- inputs --------------------------------------------------------------------------------

@InputType({ description: "Ask for the next task." })
export class RequestTaskInput {
  @Field(() => TaskRequestType, { defaultValue: TaskRequestType.RANDOM, description: "Which kind; RANDOM by default." })
  type: TaskRequestType;

  @Field(() => UserRefInput, { nullable: true, description: "The user; else the x-chorus-user header." })
  @IsOptional()
  @ValidateNested()
  user?: UserRefInput | null;

  @Field(() => String, { nullable: true, description: "Language (BCP-47); en when omitted." })
  @IsOptional()
  @Length(0, 32)
  lang?: string | null;

  @Field({ defaultValue: false, description: "Shared task (accepted for compatibility)." })
  collective: boolean;
}

@InputType({ description: "Confirm a task was shown, binding the frontend's id for it." })
export class AckTaskInput {
  @Field(() => ID, { description: "The task." })
  taskId: string;

  @Field({ description: "The frontend's id of the post that shows the task." })
  @Length(0, 200)
  frontendMessageId: string;
}

@InputType({ description: "Skip a task." })
export class NackTaskInput {
  @Field(() => ID, { description: "The task." })
  taskId: string;

  @Field(() => String, { nullable: true, description: "Why." })
  @IsOptional()
  @Length(0, 512)
  reason?: string | null;

  @Field(() => UserRefInput, { nullable: true, description: "The user; else the x-chorus-user header." })
  @IsOptional()
  @ValidateNested()
  user?: UserRefInput | null;
}

@InputType({ description: "Submit the text a reply or prompt task asked for." })
export class SubmitReplyInput {
  @Field(() => UserRefInput, { nullable: true, description: "The user; else the x-chorus-user header." })
  @IsOptional()
  @ValidateNested()
  user?: UserRefInput | null;

  @Field({ description: "The frontend id bound to the task by ackTask." })
  @Length(0, 200)
  taskFrontendMessageId: string;

  @Field({ description: "The frontend's id for the new message." })
  @Length(0, 200)
  userMessageId: string;

  @Field({ description: "The text; trimmed; 1 to 2000 characters." })
  @Length(0, 100_000)
  text: string;

  @Field(() => String, { nullable: true, description: "Language (BCP-47); en when omitted." })
  @IsOptional()
  @Length(0, 32)
  lang?: string | null;
}

@InputType({ description: "Submit a ranking: indexes into the task's replyMessages, best first." })
export class SubmitRankingInput {
  @Field(() => UserRefInput, { nullable: true, description: "The user; else the x-chorus-user header." })
  @IsOptional()
  @ValidateNested()
  user?: UserRefInput | null;

  @Field({ description: "The frontend id bound to the task by ackTask." })
  @Length(0, 200)
  taskFrontendMessageId: string;

  @Field(() => [Int], { description: "A permutation of 0..n-1; the first index is the best reply." })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  ranking: number[];

  @Field(() => Boolean, { nullable: true, description: "The replies could not be ranked meaningfully." })
  @IsOptional()
  notRankable?: boolean | null;
}

@InputType({ description: "One label value." })
export class LabelValueInput {
  @Field({ description: "The label's name." })
  @Length(1, 64)
  name: string;

  @Field(() => Float, { description: "Between 0 and 1." })
  @Min(0)
  @Max(1)
  value: number;
}

@InputType({ description: "Submit the labels of a review task (with taskId), or free labels / a report (without)." })
export class SubmitLabelsInput {
  @Field(() => UserRefInput, { nullable: true, description: "The user; else the x-chorus-user header." })
  @IsOptional()
  @ValidateNested()
  user?: UserRefInput | null;

  @Field(() => ID, { description: "The labeled message." })
  messageId: string;

  @Field(() => ID, { nullable: true, description: "The review task; omit for free labels and reports." })
  @IsOptional()
  taskId?: string | null;

  @Field(() => [LabelValueInput], { description: "The labels." })
  @ValidateNested({ each: true })
  @ArrayMaxSize(64)
  labels: LabelValueInput[];

  @Field({ defaultValue: "", description: "Free text (a report's reason)." })
  @Length(0, 65_536)
  text: string;

  @Field({ defaultValue: false, description: "A report: also adds the user's red_flag." })
  isReport: boolean;
}

// --- results -------------------------------------------------------------------------------

@ObjectType({ description: "Where a task stands." })
export class TaskStatus {
  @Field(() => ID, { description: "The task." })
  id: string;

  @Field(() => Boolean, { nullable: true, description: "Acknowledged (null until then)." })
  ack: boolean | null;

  @Field({ description: "Submitted." })
  done: boolean;

  @Field({ description: "Skipped." })
  skipped: boolean;

  @Field(() => String, { nullable: true, description: "The frontend id bound at ack." })
  frontendMessageId: string | null;

  @Field(() => Date, { nullable: true, description: "After this instant the task can no longer be acked, skipped or submitted." })
  expiryDate: Date | null;
}

@ObjectType({ description: "A submission was accepted (also the answer to a client's retry of the same submission)." })
export class TaskDone {
  @Field(() => ID, { nullable: true, description: "The task that is now done; null for free labels (labelMessage), which answer no task." })
  taskId: string | null;

  @Field(() => ID, { nullable: true, description: "The message a reply submission created." })
  messageId: string | null;

  @Field({ description: "True when this answers a retry of a submission already accepted (counted once)." })
  replayed: boolean;
}

@ObjectType({ description: "How many tasks of each type a user could get now, in one language (spec §2.7)." })
export class TaskAvailability {
  @Field(() => Int, { description: "Sum of all types." }) random: number;
  @Field(() => Int, { description: "New prompts." }) initialPrompt: number;
  @Field(() => Int, { description: "User replies to assistant messages." }) prompterReply: number;
  @Field(() => Int, { description: "Assistant replies to user messages." }) assistantReply: number;
  @Field(() => Int, { description: "Never generated: always 0." }) rankInitialPrompts: number;
  @Field(() => Int, { description: "Only when rank_prompter_replies is on." }) rankPrompterReplies: number;
  @Field(() => Int, { description: "Rankings of assistant replies." }) rankAssistantReplies: number;
  @Field(() => Int, { description: "Prompt reviews." }) labelInitialPrompt: number;
  @Field(() => Int, { description: "Assistant reply reviews." }) labelAssistantReply: number;
  @Field(() => Int, { description: "User reply reviews." }) labelPrompterReply: number;
}
