import { Field, Float, ID, InputType, Int, ObjectType } from "type-graphql";
import { IsOptional, Length, MaxLength } from "../../common/validators.js";
import { ConnectionType } from "../../common/pagination.js";
import { Chat, ChatMessage } from "./chat.entity.js";
import { ChatReport, ChatReportType } from "./feedback/chat-feedback.entity.js";

export const ChatConnection = ConnectionType(Chat, "Chat");
export const ChatReportConnection = ConnectionType(ChatReport, "ChatReport");

@InputType({ description: "A new chat." })
export class CreateChatInput {
  @Field(() => String, { nullable: true, description: "Title (at most 100 characters); set from the first prompt when omitted." })
  @IsOptional()
  @MaxLength(100)
  title?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Instructions sent to the model before the conversation (at most CHAT_SYSTEM_PROMPT_MAX_LENGTH characters, 4,000 by default).",
  })
  @IsOptional()
  systemPrompt?: string | null;

  @Field({ defaultValue: true, description: "Whether the chat may be exported as training data." })
  allowDataUse: boolean;
}

@InputType({ description: "Changes to a chat; omitted fields stay as they are." })
export class UpdateChatInput {
  @Field(() => ID, { description: "The chat to change." })
  id: string;

  @Field(() => String, { nullable: true, description: "New title (at most 100 characters)." })
  @IsOptional()
  @MaxLength(100)
  title?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Hide the chat from `chats` (or show it again)." })
  @IsOptional()
  hidden?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Allow or refuse export as training data." })
  @IsOptional()
  allowDataUse?: boolean | null;

  @Field(() => String, { nullable: true, description: "New system prompt (at most CHAT_SYSTEM_PROMPT_MAX_LENGTH characters, 4,000 by default)." })
  @IsOptional()
  systemPrompt?: string | null;

  @Field(() => ID, { nullable: true, description: "The leaf the client shows; stored for the client only." })
  @IsOptional()
  activeThreadTailMessageId?: string | null;
}

@InputType({ description: "Sampling parameters for one generation; omitted ones take the model's defaults." })
export class SamplingInput {
  @Field(() => Int, { nullable: true, description: "Most tokens to generate (1 to the model's maxNewTokensLimit)." })
  @IsOptional()
  maxNewTokens?: number | null;

  @Field(() => Float, { nullable: true, description: "Temperature, at least 0 (0 is greedy)." })
  @IsOptional()
  temperature?: number | null;

  @Field(() => Float, { nullable: true, description: "Nucleus sampling mass, in (0, 1]." })
  @IsOptional()
  topP?: number | null;

  @Field(() => Int, { nullable: true, description: "Keep only the k most likely tokens (0: no limit)." })
  @IsOptional()
  topK?: number | null;

  @Field(() => Float, { nullable: true, description: "Penalty for repeated tokens, above 0 (1 = off)." })
  @IsOptional()
  repetitionPenalty?: number | null;
}

@InputType({ description: "A prompt to add to a chat, and the model that should answer it." })
export class SendChatMessageInput {
  @Field(() => ID, { description: "The chat." })
  chatId: string;

  @Field(() => ID, { nullable: true, description: "The COMPLETE assistant message this prompt answers; null for the chat's first prompt." })
  @IsOptional()
  parentId?: string | null;

  @Field({ description: "The prompt (1 to CHAT_MESSAGE_MAX_LENGTH characters)." })
  @Length(1)
  text: string;

  @Field({ description: "The model that answers (see `models`)." })
  model: string;

  @Field(() => SamplingInput, { nullable: true, description: "Sampling parameters; omitted: the model's defaults." })
  @IsOptional()
  sampling?: SamplingInput | null;

  @Field(() => Int, {
    defaultValue: 1,
    description:
      "Answers to generate in parallel, as siblings (drafts) for the user to choose from with chooseDraft: 1 to CHAT_MAX_DRAFTS; more than 1 only in chats that allow data use. Each draft counts as one generation for the rate limit.",
  })
  drafts: number;
}

@InputType({ description: "Another answer to a prompt: a retry, as a sibling of the answers it already has." })
export class RegenerateInput {
  @Field(() => ID, { description: "The prompt (a PROMPTER message) to answer again." })
  parentId: string;

  @Field({ description: "The model that answers (see `models`)." })
  model: string;

  @Field(() => SamplingInput, { nullable: true, description: "Sampling parameters; omitted: the model's defaults." })
  @IsOptional()
  sampling?: SamplingInput | null;
}

@ObjectType({ description: "The new answer regenerate queued." })
export class RegeneratePayload {
  @Field(() => ChatMessage, { description: "The answer (PENDING); subscribe to `generation(messageId: id)` for its tokens." })
  assistantMessage: ChatMessage;

  @Field(() => Int, { description: "The answer's place in its model's queue (1 = next)." })
  queuePosition: number;
}

@ObjectType({ description: "What sendChatMessage stored: the prompt and the pending answer, whose tokens `generation` streams." })
export class SendChatMessagePayload {
  @Field(() => ChatMessage, { description: "The prompt (COMPLETE)." })
  prompterMessage: ChatMessage;

  @Field(() => ChatMessage, { description: "The answer (PENDING); subscribe to `generation(messageId: id)` for its tokens. With drafts: the first draft." })
  assistantMessage: ChatMessage;

  @Field(() => [ChatMessage], { description: "Every draft (one per requested draft, the first is assistantMessage), each PENDING with its own stream." })
  assistantMessages: ChatMessage[];

  @Field(() => Int, { description: "The answer's place in its model's queue (1 = next)." })
  queuePosition: number;
}

@ObjectType({ description: "The answer continueGeneration put back in the queue." })
export class ContinueGenerationPayload {
  @Field(() => ChatMessage, { description: "The answer, PENDING again with its text so far." })
  assistantMessage: ChatMessage;

  @Field(() => Int, { description: "Its place in its model's queue (1 = next)." })
  queuePosition: number;

  @Field(() => Int, {
    description:
      "The seq the answer's events had reached: subscribe to `generation(messageId, after: resumeAfter)` for the continuation (GenerationContinued, then tokens, then the end).",
  })
  resumeAfter: number;
}

@InputType({ description: "Which draft the user preferred." })
export class ChooseDraftInput {
  @Field(() => ID, { description: "The preferred answer; its COMPLETE siblings (same prompt) are recorded as the inferior ones." })
  messageId: string;
}

@InputType({ description: "A vote on an answer." })
export class VoteChatMessageInput {
  @Field(() => ID, { description: "The answer (an ASSISTANT message of one of the acting user's chats)." })
  messageId: string;

  @Field(() => Int, { description: "+1 or -1; 0 takes the vote back." })
  score: number;
}

@InputType({ description: "A report on an answer, for the moderators' queue." })
export class ReportChatMessageInput {
  @Field(() => ID, { description: "The answer (an ASSISTANT message of one of the acting user's chats)." })
  messageId: string;

  @Field(() => ChatReportType, { description: "SPAM, OFFENSIVE or FEEDBACK." })
  reportType: ChatReportType;

  @Field({ description: "What is wrong (1 to 2000 characters)." })
  @Length(1, 2000)
  reason: string;
}

@InputType({ description: "A moderator's decision on a report." })
export class ResolveChatReportInput {
  @Field(() => ID, { description: "The report." })
  reportId: string;

  @Field({ description: "What was decided (1 to 2000 characters); kept on the report and in the journal." })
  @Length(1, 2000)
  resolution: string;
}

@ObjectType({ description: "A named set of sampling parameters a client may offer." })
export class ModelPresetType {
  @Field({ description: "The preset's name." })
  name: string;

  @Field({ description: "What it is for." })
  description: string;

  @Field(() => Int, { nullable: true, description: "Most tokens to generate (null: the model's default)." })
  maxNewTokens?: number | null;

  @Field(() => Float, { nullable: true, description: "Temperature (null: the model's default)." })
  temperature?: number | null;

  @Field(() => Float, { nullable: true, description: "Nucleus sampling mass (null: the model's default)." })
  topP?: number | null;

  @Field(() => Int, { nullable: true, description: "Top-k (null: the model's default)." })
  topK?: number | null;

  @Field(() => Float, { nullable: true, description: "Repetition penalty (null: the model's default)." })
  repetitionPenalty?: number | null;

  @Field(() => Float, { nullable: true, description: "Typical sampling mass (null: off)." })
  typicalP?: number | null;
}

@ObjectType({ description: "A model's default sampling parameters." })
export class ModelSamplingDefaults {
  @Field(() => Int, { description: "Tokens generated when a request does not say." })
  maxNewTokens: number;

  @Field(() => Float, { description: "Default temperature." })
  temperature: number;

  @Field(() => Float, { description: "Default nucleus sampling mass." })
  topP: number;

  @Field(() => Int, { nullable: true, description: "Default top-k (null: no limit)." })
  topK: number | null;

  @Field(() => Float, { nullable: true, description: "Default repetition penalty (null: off)." })
  repetitionPenalty: number | null;
}

@ObjectType({ description: "A model chat clients may pick, its limits, defaults and live queue." })
export class ChatModel {
  @Field({ description: "The model id to pass to sendChatMessage." })
  id: string;

  @Field({ description: "What the model is." })
  description: string;

  @Field(() => Int, { description: "Longest prompt, in tokens." })
  maxInputLength: number;

  @Field(() => Int, { description: "Prompt plus answer, in tokens." })
  maxTotalLength: number;

  @Field(() => Int, { description: "The largest maxNewTokens a request may ask for." })
  maxNewTokensLimit: number;

  @Field(() => ModelSamplingDefaults, { description: "Sampling used where a request does not say." })
  defaults: ModelSamplingDefaults;

  @Field(() => [ModelPresetType], { description: "Named sampling presets a client may offer (from the models file)." })
  presets: ModelPresetType[];

  @Field({ description: "How workers format the conversation for this model (a template name or text)." })
  chatTemplate: string;

  @Field({ description: "Which worker configurations are interchangeable for this model (the reference's compat hash)." })
  compatibilityKey: string;

  @Field(() => Int, { description: "Generations waiting for this model now." })
  queueSize: number;

  @Field(() => Int, { description: "Workers serving this model, connected to any replica (draining ones included)." })
  connectedWorkers: number;
}

export { Chat, ChatMessage };
