/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** PENDING (queued) → IN_PROGRESS (a worker generates) → COMPLETE, CANCELLED, TIMEOUT or FAILED. */
export type ChatMessageState =
  | 'CANCELLED'
  | 'COMPLETE'
  | 'FAILED'
  | 'IN_PROGRESS'
  | 'PENDING'
  | 'TIMEOUT';

/** Why an answer is reported: SPAM, OFFENSIVE or FEEDBACK. */
export type ChatReportType =
  | 'FEEDBACK'
  | 'OFFENSIVE'
  | 'SPAM';

/** Who wrote a chat message. */
export type ChatRole =
  | 'ASSISTANT'
  | 'PROMPTER';

/** Which draft the user preferred. */
export type ChooseDraftInput = {
  /** The preferred answer; its COMPLETE siblings (same prompt) are recorded as the inferior ones. */
  messageId: string;
};

/** A new chat. */
export type CreateChatInput = {
  /** Whether the chat may be exported as training data. */
  allowDataUse?: boolean;
  /** Instructions sent to the model before the conversation (at most CHAT_SYSTEM_PROMPT_MAX_LENGTH characters, 4,000 by default). */
  systemPrompt?: string | null | undefined;
  /** Title (at most 100 characters); set from the first prompt when omitted. */
  title?: string | null | undefined;
};

/** Another answer to a prompt: a retry, as a sibling of the answers it already has. */
export type RegenerateInput = {
  /** The model that answers (see `models`). */
  model: string;
  /** The prompt (a PROMPTER message) to answer again. */
  parentId: string;
  /** Sampling parameters; omitted: the model's defaults. */
  sampling?: SamplingInput | null | undefined;
};

/** A report on an answer, for the moderators' queue. */
export type ReportChatMessageInput = {
  /** The answer (an ASSISTANT message of one of the acting user's chats). */
  messageId: string;
  /** What is wrong (1 to 2000 characters). */
  reason: string;
  /** SPAM, OFFENSIVE or FEEDBACK. */
  reportType: ChatReportType;
};

/** A moderator's decision on a report. */
export type ResolveChatReportInput = {
  /** The report. */
  reportId: string;
  /** What was decided (1 to 2000 characters); kept on the report and in the journal. */
  resolution: string;
};

/** Sampling parameters for one generation; omitted ones take the model's defaults. */
export type SamplingInput = {
  /** Most tokens to generate (1 to the model's maxNewTokensLimit). */
  maxNewTokens?: number | null | undefined;
  /** Penalty for repeated tokens, above 0 (1 = off). */
  repetitionPenalty?: number | null | undefined;
  /** Temperature, at least 0 (0 is greedy). */
  temperature?: number | null | undefined;
  /** Keep only the k most likely tokens (0: no limit). */
  topK?: number | null | undefined;
  /** Nucleus sampling mass, in (0, 1]. */
  topP?: number | null | undefined;
};

/** A prompt to add to a chat, and the model that should answer it. */
export type SendChatMessageInput = {
  /** The chat. */
  chatId: string;
  /** Answers to generate in parallel, as siblings (drafts) for the user to choose from with chooseDraft: 1 to CHAT_MAX_DRAFTS; more than 1 only in chats that allow data use. Each draft counts as one generation for the rate limit. */
  drafts?: number;
  /** The model that answers (see `models`). */
  model: string;
  /** The COMPLETE assistant message this prompt answers; null for the chat's first prompt. */
  parentId?: string | null | undefined;
  /** Sampling parameters; omitted: the model's defaults. */
  sampling?: SamplingInput | null | undefined;
  /** The prompt (1 to CHAT_MESSAGE_MAX_LENGTH characters). */
  text: string;
};

/** Changes to a chat; omitted fields stay as they are. */
export type UpdateChatInput = {
  /** The leaf the client shows; stored for the client only. */
  activeThreadTailMessageId?: string | null | undefined;
  /** Allow or refuse export as training data. */
  allowDataUse?: boolean | null | undefined;
  /** Hide the chat from `chats` (or show it again). */
  hidden?: boolean | null | undefined;
  /** The chat to change. */
  id: string;
  /** New system prompt (at most CHAT_SYSTEM_PROMPT_MAX_LENGTH characters, 4,000 by default). */
  systemPrompt?: string | null | undefined;
  /** New title (at most 100 characters). */
  title?: string | null | undefined;
};

/** A vote on an answer. */
export type VoteChatMessageInput = {
  /** The answer (an ASSISTANT message of one of the acting user's chats). */
  messageId: string;
  /** +1 or -1; 0 takes the vote back. */
  score: number;
};

export type ChatMessageFieldsFragment = { id: string, chatId: string, parentId: string | null, role: ChatRole, state: ChatMessageState, text: string, model: string | null, workerName: string | null, finishReason: string | null, tokenCount: number | null, error: string | null, createdAt: string, workBeginAt: string | null, workEndAt: string | null, continuedAt: string | null, score: number, reports: Array<{ id: string, reportType: ChatReportType, reason: string, resolvedAt: string | null, resolution: string | null }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } | null };

export type CreateChatMutationVariables = Exact<{
  input: CreateChatInput;
}>;


export type CreateChatMutation = { createChat: { id: string, title: string | null, hidden: boolean, allowDataUse: boolean, systemPrompt: string | null, createdAt: string } };

export type ChatsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  includeHidden?: boolean | null | undefined;
}>;


export type ChatsQuery = { chats: { edges: Array<{ cursor: string, node: { id: string, title: string | null, hidden: boolean } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } };

export type ChatQueryVariables = Exact<{
  id: string;
}>;


export type ChatQuery = { chat: { id: string, userId: string, title: string | null, hidden: boolean, allowDataUse: boolean, systemPrompt: string | null, messages: Array<{ id: string, chatId: string, parentId: string | null, role: ChatRole, state: ChatMessageState, text: string, model: string | null, workerName: string | null, finishReason: string | null, tokenCount: number | null, error: string | null, createdAt: string, workBeginAt: string | null, workEndAt: string | null, continuedAt: string | null, score: number, reports: Array<{ id: string, reportType: ChatReportType, reason: string, resolvedAt: string | null, resolution: string | null }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } | null }>, draftChoices: Array<{ id: string, promptId: string, selectedMessageId: string, inferiorMessageIds: Array<string>, userId: string }> } };

export type ChatMessageQueryVariables = Exact<{
  id: string;
}>;


export type ChatMessageQuery = { chatMessage: { id: string, chatId: string, parentId: string | null, role: ChatRole, state: ChatMessageState, text: string, model: string | null, workerName: string | null, finishReason: string | null, tokenCount: number | null, error: string | null, createdAt: string, workBeginAt: string | null, workEndAt: string | null, continuedAt: string | null, score: number, reports: Array<{ id: string, reportType: ChatReportType, reason: string, resolvedAt: string | null, resolution: string | null }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } | null } };

export type UpdateChatMutationVariables = Exact<{
  input: UpdateChatInput;
}>;


export type UpdateChatMutation = { updateChat: { id: string, title: string | null, hidden: boolean, allowDataUse: boolean, systemPrompt: string | null } };

export type DeleteChatMutationVariables = Exact<{
  id: string;
}>;


export type DeleteChatMutation = { deleteChat: boolean };

export type SendChatMessageMutationVariables = Exact<{
  input: SendChatMessageInput;
}>;


export type SendChatMessageMutation = { sendChatMessage: { queuePosition: number, prompterMessage: { id: string, chatId: string, parentId: string | null, role: ChatRole, state: ChatMessageState, text: string, model: string | null, workerName: string | null, finishReason: string | null, tokenCount: number | null, error: string | null, createdAt: string, workBeginAt: string | null, workEndAt: string | null, continuedAt: string | null, score: number, reports: Array<{ id: string, reportType: ChatReportType, reason: string, resolvedAt: string | null, resolution: string | null }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } | null }, assistantMessage: { id: string, chatId: string, parentId: string | null, role: ChatRole, state: ChatMessageState, text: string, model: string | null, workerName: string | null, finishReason: string | null, tokenCount: number | null, error: string | null, createdAt: string, workBeginAt: string | null, workEndAt: string | null, continuedAt: string | null, score: number, reports: Array<{ id: string, reportType: ChatReportType, reason: string, resolvedAt: string | null, resolution: string | null }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } | null }, assistantMessages: Array<{ id: string, chatId: string, parentId: string | null, role: ChatRole, state: ChatMessageState, text: string, model: string | null, workerName: string | null, finishReason: string | null, tokenCount: number | null, error: string | null, createdAt: string, workBeginAt: string | null, workEndAt: string | null, continuedAt: string | null, score: number, reports: Array<{ id: string, reportType: ChatReportType, reason: string, resolvedAt: string | null, resolution: string | null }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } | null }> } };

export type CancelGenerationMutationVariables = Exact<{
  messageId: string;
}>;


export type CancelGenerationMutation = { cancelGeneration: { id: string, chatId: string, parentId: string | null, role: ChatRole, state: ChatMessageState, text: string, model: string | null, workerName: string | null, finishReason: string | null, tokenCount: number | null, error: string | null, createdAt: string, workBeginAt: string | null, workEndAt: string | null, continuedAt: string | null, score: number, reports: Array<{ id: string, reportType: ChatReportType, reason: string, resolvedAt: string | null, resolution: string | null }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } | null } };

export type ModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ModelsQuery = { models: Array<{ id: string, description: string, maxInputLength: number, maxTotalLength: number, maxNewTokensLimit: number, queueSize: number, connectedWorkers: number, chatTemplate: string, compatibilityKey: string, defaults: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null }, presets: Array<{ name: string, description: string, maxNewTokens: number | null, temperature: number | null, topP: number | null, topK: number | null, repetitionPenalty: number | null, typicalP: number | null }> }> };

export type GenerationSubscriptionVariables = Exact<{
  messageId: string;
  after?: number | null | undefined;
}>;


export type GenerationSubscription = { generation:
    | { __typename: 'GenerationCancelled', seq: number, messageId: string }
    | { __typename: 'GenerationContinued', text: string, tokenCount: number, seq: number, messageId: string }
    | { __typename: 'GenerationFailed', code: string, reason: string, seq: number, messageId: string }
    | { __typename: 'GenerationFinished', finishReason: string, seq: number, messageId: string, chatMessage: { id: string, chatId: string, parentId: string | null, role: ChatRole, state: ChatMessageState, text: string, model: string | null, workerName: string | null, finishReason: string | null, tokenCount: number | null, error: string | null, createdAt: string, workBeginAt: string | null, workEndAt: string | null, continuedAt: string | null, score: number, reports: Array<{ id: string, reportType: ChatReportType, reason: string, resolvedAt: string | null, resolution: string | null }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } | null } }
    | { __typename: 'GenerationQueued', position: number, queueSize: number, seq: number, messageId: string }
    | { __typename: 'GenerationRestarted', reason: string, seq: number, messageId: string }
    | { __typename: 'GenerationStarted', workerName: string, seq: number, messageId: string }
    | { __typename: 'GenerationTokens', text: string, tokenCount: number, seq: number, messageId: string }
   };

export type RegenerateMutationVariables = Exact<{
  input: RegenerateInput;
}>;


export type RegenerateMutation = { regenerate: { queuePosition: number, assistantMessage: { id: string, chatId: string, parentId: string | null, role: ChatRole, state: ChatMessageState, text: string, model: string | null, workerName: string | null, finishReason: string | null, tokenCount: number | null, error: string | null, createdAt: string, workBeginAt: string | null, workEndAt: string | null, continuedAt: string | null, score: number, reports: Array<{ id: string, reportType: ChatReportType, reason: string, resolvedAt: string | null, resolution: string | null }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } | null } } };

export type DeleteAllChatsMutationVariables = Exact<{ [key: string]: never; }>;


export type DeleteAllChatsMutation = { deleteAllChats: number };

export type ContinueGenerationMutationVariables = Exact<{
  messageId: string;
}>;


export type ContinueGenerationMutation = { continueGeneration: { queuePosition: number, resumeAfter: number, assistantMessage: { id: string, chatId: string, parentId: string | null, role: ChatRole, state: ChatMessageState, text: string, model: string | null, workerName: string | null, finishReason: string | null, tokenCount: number | null, error: string | null, createdAt: string, workBeginAt: string | null, workEndAt: string | null, continuedAt: string | null, score: number, reports: Array<{ id: string, reportType: ChatReportType, reason: string, resolvedAt: string | null, resolution: string | null }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } | null } } };

export type ChooseDraftMutationVariables = Exact<{
  input: ChooseDraftInput;
}>;


export type ChooseDraftMutation = { chooseDraft: { id: string, chatId: string, userId: string, promptId: string, selectedMessageId: string, inferiorMessageIds: Array<string> } };

export type VoteChatMessageMutationVariables = Exact<{
  input: VoteChatMessageInput;
}>;


export type VoteChatMessageMutation = { voteChatMessage: { id: string, score: number } };

export type ReportChatMessageMutationVariables = Exact<{
  input: ReportChatMessageInput;
}>;


export type ReportChatMessageMutation = { reportChatMessage: { id: string, messageId: string, chatId: string, userId: string, reportType: ChatReportType, reason: string, createdAt: string, resolvedAt: string | null } };

export type ChatReportsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  resolved?: boolean | null | undefined;
}>;


export type ChatReportsQuery = { chatReports: { edges: Array<{ cursor: string, node: { id: string, messageId: string, chatId: string, reportType: ChatReportType, reason: string, resolvedAt: string | null, resolution: string | null, message: { id: string, text: string } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ResolveChatReportMutationVariables = Exact<{
  input: ResolveChatReportInput;
}>;


export type ResolveChatReportMutation = { resolveChatReport: { id: string, resolvedAt: string | null, resolvedByUserId: string | null, resolution: string | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ChatMessageFieldsFragmentDoc = new TypedDocumentString(`
    fragment ChatMessageFields on ChatMessage {
  id
  chatId
  parentId
  role
  state
  text
  model
  workerName
  finishReason
  tokenCount
  error
  createdAt
  workBeginAt
  workEndAt
  continuedAt
  score
  reports {
    id
    reportType
    reason
    resolvedAt
    resolution
  }
  sampling {
    maxNewTokens
    temperature
    topP
    topK
    repetitionPenalty
    seed
  }
}
    `, {"fragmentName":"ChatMessageFields"}) as unknown as TypedDocumentString<ChatMessageFieldsFragment, unknown>;
export const CreateChatDocument = new TypedDocumentString(`
    mutation CreateChat($input: CreateChatInput!) {
  createChat(input: $input) {
    id
    title
    hidden
    allowDataUse
    systemPrompt
    createdAt
  }
}
    `) as unknown as TypedDocumentString<CreateChatMutation, CreateChatMutationVariables>;
export const ChatsDocument = new TypedDocumentString(`
    query Chats($first: Int, $after: String, $last: Int, $before: String, $includeHidden: Boolean) {
  chats(
    first: $first
    after: $after
    last: $last
    before: $before
    includeHidden: $includeHidden
  ) {
    edges {
      cursor
      node {
        id
        title
        hidden
      }
    }
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ChatsQuery, ChatsQueryVariables>;
export const ChatDocument = new TypedDocumentString(`
    query Chat($id: ID!) {
  chat(id: $id) {
    id
    userId
    title
    hidden
    allowDataUse
    systemPrompt
    messages {
      ...ChatMessageFields
    }
    draftChoices {
      id
      promptId
      selectedMessageId
      inferiorMessageIds
      userId
    }
  }
}
    fragment ChatMessageFields on ChatMessage {
  id
  chatId
  parentId
  role
  state
  text
  model
  workerName
  finishReason
  tokenCount
  error
  createdAt
  workBeginAt
  workEndAt
  continuedAt
  score
  reports {
    id
    reportType
    reason
    resolvedAt
    resolution
  }
  sampling {
    maxNewTokens
    temperature
    topP
    topK
    repetitionPenalty
    seed
  }
}`) as unknown as TypedDocumentString<ChatQuery, ChatQueryVariables>;
export const ChatMessageDocument = new TypedDocumentString(`
    query ChatMessage($id: ID!) {
  chatMessage(id: $id) {
    ...ChatMessageFields
  }
}
    fragment ChatMessageFields on ChatMessage {
  id
  chatId
  parentId
  role
  state
  text
  model
  workerName
  finishReason
  tokenCount
  error
  createdAt
  workBeginAt
  workEndAt
  continuedAt
  score
  reports {
    id
    reportType
    reason
    resolvedAt
    resolution
  }
  sampling {
    maxNewTokens
    temperature
    topP
    topK
    repetitionPenalty
    seed
  }
}`) as unknown as TypedDocumentString<ChatMessageQuery, ChatMessageQueryVariables>;
export const UpdateChatDocument = new TypedDocumentString(`
    mutation UpdateChat($input: UpdateChatInput!) {
  updateChat(input: $input) {
    id
    title
    hidden
    allowDataUse
    systemPrompt
  }
}
    `) as unknown as TypedDocumentString<UpdateChatMutation, UpdateChatMutationVariables>;
export const DeleteChatDocument = new TypedDocumentString(`
    mutation DeleteChat($id: ID!) {
  deleteChat(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteChatMutation, DeleteChatMutationVariables>;
export const SendChatMessageDocument = new TypedDocumentString(`
    mutation SendChatMessage($input: SendChatMessageInput!) {
  sendChatMessage(input: $input) {
    queuePosition
    prompterMessage {
      ...ChatMessageFields
    }
    assistantMessage {
      ...ChatMessageFields
    }
    assistantMessages {
      ...ChatMessageFields
    }
  }
}
    fragment ChatMessageFields on ChatMessage {
  id
  chatId
  parentId
  role
  state
  text
  model
  workerName
  finishReason
  tokenCount
  error
  createdAt
  workBeginAt
  workEndAt
  continuedAt
  score
  reports {
    id
    reportType
    reason
    resolvedAt
    resolution
  }
  sampling {
    maxNewTokens
    temperature
    topP
    topK
    repetitionPenalty
    seed
  }
}`) as unknown as TypedDocumentString<SendChatMessageMutation, SendChatMessageMutationVariables>;
export const CancelGenerationDocument = new TypedDocumentString(`
    mutation CancelGeneration($messageId: ID!) {
  cancelGeneration(messageId: $messageId) {
    ...ChatMessageFields
  }
}
    fragment ChatMessageFields on ChatMessage {
  id
  chatId
  parentId
  role
  state
  text
  model
  workerName
  finishReason
  tokenCount
  error
  createdAt
  workBeginAt
  workEndAt
  continuedAt
  score
  reports {
    id
    reportType
    reason
    resolvedAt
    resolution
  }
  sampling {
    maxNewTokens
    temperature
    topP
    topK
    repetitionPenalty
    seed
  }
}`) as unknown as TypedDocumentString<CancelGenerationMutation, CancelGenerationMutationVariables>;
export const ModelsDocument = new TypedDocumentString(`
    query Models {
  models {
    id
    description
    maxInputLength
    maxTotalLength
    maxNewTokensLimit
    queueSize
    connectedWorkers
    defaults {
      maxNewTokens
      temperature
      topP
      topK
      repetitionPenalty
    }
    presets {
      name
      description
      maxNewTokens
      temperature
      topP
      topK
      repetitionPenalty
      typicalP
    }
    chatTemplate
    compatibilityKey
  }
}
    `) as unknown as TypedDocumentString<ModelsQuery, ModelsQueryVariables>;
export const GenerationDocument = new TypedDocumentString(`
    subscription Generation($messageId: ID!, $after: Int) {
  generation(messageId: $messageId, after: $after) {
    __typename
    seq
    messageId
    ... on GenerationQueued {
      position
      queueSize
    }
    ... on GenerationStarted {
      workerName
    }
    ... on GenerationTokens {
      text
      tokenCount
    }
    ... on GenerationRestarted {
      reason
    }
    ... on GenerationContinued {
      text
      tokenCount
    }
    ... on GenerationFinished {
      finishReason
      chatMessage {
        ...ChatMessageFields
      }
    }
    ... on GenerationFailed {
      code
      reason
    }
  }
}
    fragment ChatMessageFields on ChatMessage {
  id
  chatId
  parentId
  role
  state
  text
  model
  workerName
  finishReason
  tokenCount
  error
  createdAt
  workBeginAt
  workEndAt
  continuedAt
  score
  reports {
    id
    reportType
    reason
    resolvedAt
    resolution
  }
  sampling {
    maxNewTokens
    temperature
    topP
    topK
    repetitionPenalty
    seed
  }
}`) as unknown as TypedDocumentString<GenerationSubscription, GenerationSubscriptionVariables>;
export const RegenerateDocument = new TypedDocumentString(`
    mutation Regenerate($input: RegenerateInput!) {
  regenerate(input: $input) {
    queuePosition
    assistantMessage {
      ...ChatMessageFields
    }
  }
}
    fragment ChatMessageFields on ChatMessage {
  id
  chatId
  parentId
  role
  state
  text
  model
  workerName
  finishReason
  tokenCount
  error
  createdAt
  workBeginAt
  workEndAt
  continuedAt
  score
  reports {
    id
    reportType
    reason
    resolvedAt
    resolution
  }
  sampling {
    maxNewTokens
    temperature
    topP
    topK
    repetitionPenalty
    seed
  }
}`) as unknown as TypedDocumentString<RegenerateMutation, RegenerateMutationVariables>;
export const DeleteAllChatsDocument = new TypedDocumentString(`
    mutation DeleteAllChats {
  deleteAllChats
}
    `) as unknown as TypedDocumentString<DeleteAllChatsMutation, DeleteAllChatsMutationVariables>;
export const ContinueGenerationDocument = new TypedDocumentString(`
    mutation ContinueGeneration($messageId: ID!) {
  continueGeneration(messageId: $messageId) {
    queuePosition
    resumeAfter
    assistantMessage {
      ...ChatMessageFields
    }
  }
}
    fragment ChatMessageFields on ChatMessage {
  id
  chatId
  parentId
  role
  state
  text
  model
  workerName
  finishReason
  tokenCount
  error
  createdAt
  workBeginAt
  workEndAt
  continuedAt
  score
  reports {
    id
    reportType
    reason
    resolvedAt
    resolution
  }
  sampling {
    maxNewTokens
    temperature
    topP
    topK
    repetitionPenalty
    seed
  }
}`) as unknown as TypedDocumentString<ContinueGenerationMutation, ContinueGenerationMutationVariables>;
export const ChooseDraftDocument = new TypedDocumentString(`
    mutation ChooseDraft($input: ChooseDraftInput!) {
  chooseDraft(input: $input) {
    id
    chatId
    userId
    promptId
    selectedMessageId
    inferiorMessageIds
  }
}
    `) as unknown as TypedDocumentString<ChooseDraftMutation, ChooseDraftMutationVariables>;
export const VoteChatMessageDocument = new TypedDocumentString(`
    mutation VoteChatMessage($input: VoteChatMessageInput!) {
  voteChatMessage(input: $input) {
    id
    score
  }
}
    `) as unknown as TypedDocumentString<VoteChatMessageMutation, VoteChatMessageMutationVariables>;
export const ReportChatMessageDocument = new TypedDocumentString(`
    mutation ReportChatMessage($input: ReportChatMessageInput!) {
  reportChatMessage(input: $input) {
    id
    messageId
    chatId
    userId
    reportType
    reason
    createdAt
    resolvedAt
  }
}
    `) as unknown as TypedDocumentString<ReportChatMessageMutation, ReportChatMessageMutationVariables>;
export const ChatReportsDocument = new TypedDocumentString(`
    query ChatReports($first: Int, $after: String, $resolved: Boolean) {
  chatReports(first: $first, after: $after, resolved: $resolved) {
    edges {
      cursor
      node {
        id
        messageId
        chatId
        reportType
        reason
        resolvedAt
        resolution
        message {
          id
          text
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ChatReportsQuery, ChatReportsQueryVariables>;
export const ResolveChatReportDocument = new TypedDocumentString(`
    mutation ResolveChatReport($input: ResolveChatReportInput!) {
  resolveChatReport(input: $input) {
    id
    resolvedAt
    resolvedByUserId
    resolution
  }
}
    `) as unknown as TypedDocumentString<ResolveChatReportMutation, ResolveChatReportMutationVariables>;