/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Confirm a task was shown, binding the frontend's id for it. */
export type AckTaskInput = {
  /** The frontend's id of the post that shows the task. */
  frontendMessageId: string;
  /** The task. */
  taskId: string;
};

/** What a key is for. */
export type ApiClientKind =
  | 'CLIENT'
  | 'WORKER';

/** BATTLE: voted with voteBattle; DRAFT_CHOICE: decided by chooseDraft between the two hidden answers; IMPORT: loaded from FastChat-layout JSONL. */
export type ArenaBattleSource =
  | 'BATTLE'
  | 'DRAFT_CHOICE'
  | 'IMPORT';

/** OPEN until the vote, then VOTED (the models are shown). */
export type ArenaBattleState =
  | 'OPEN'
  | 'VOTED';

/** Why a vote is kept but left out of the leaderboard: the voter saw the models first (revealBattle), an answer failed or was cancelled, a moderator excluded the voter, or an imported battle was not anonymous. */
export type ArenaNotCountedReason =
  | 'ANSWER_NOT_COMPLETE'
  | 'IDENTITIES_SEEN'
  | 'NOT_ANONYMOUS'
  | 'VOTER_EXCLUDED';

/** The verdict on a battle: side A, side B, a tie, or both bad (a tie that says so). */
export type ArenaWinner =
  | 'A'
  | 'B'
  | 'BOTH_BAD'
  | 'TIE';

/** How the caller authenticated. */
export type AuthVia =
  | 'ANONYMOUS'
  | 'API_KEY'
  | 'USER_TOKEN';

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

/** Another turn: the same prompt to both sides, each continuing its own conversation. */
export type ContinueBattleInput = {
  /** The open battle. */
  battleId: string;
  /** The next prompt. */
  text: string;
};

/** A new API client. */
export type CreateApiClientInput = {
  /** Who to contact about this client. */
  adminEmail?: string | null | undefined;
  /** When the key stops working; never when omitted. */
  expiresAt?: string | null | undefined;
  /** Free text: web, discord, import, ... */
  frontendType?: string | null | undefined;
  /** CLIENT, or WORKER for a GPU worker. */
  kind?: ApiClientKind;
  /** Human name of the client. */
  name: string;
  /** Role when the client acts without a user. */
  role?: Role;
  /** Trusted clients act with their users' roles and may read across clients. */
  trusted?: boolean;
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

/** Mint a short-lived token for one of the calling client's users. */
export type CreateUserTokenInput = {
  /** Lifetime in seconds (60 up to the configured USER_TOKEN_TTL_SECONDS). */
  ttlSeconds?: number | null | undefined;
  /** The user (created on first sight). */
  user: UserRefInput;
};

/** Delete the acting user's own account. */
export type DeleteMyAccountInput = {
  /** Must be true: the account cannot be brought back. */
  confirm: boolean;
};

/** Which worker to drain. */
export type DrainWorkerInput = {
  /** The worker's session id (see workers). */
  workerId: string;
};

/** A new text for a message; every earlier text is kept as a revision. */
export type EditMessageInput = {
  /** The message. */
  messageId: string;
  /** The new text (not empty). */
  text: string;
};

/** Add, remove or toggle an emoji. */
export type EmojiOp =
  | 'ADD'
  | 'REMOVE'
  | 'TOGGLE';

/** Which journal entries to read; every given condition must hold. */
export type JournalFilterInput = {
  /** Only this action (event type). */
  action?: string | null | undefined;
  /** Only this actor. */
  actorId?: string | null | undefined;
  /** Written at or after. */
  since?: string | null | undefined;
  /** Only entries about this message, tree or user. */
  targetId?: string | null | undefined;
  /** Written before. */
  until?: string | null | undefined;
};

/** What a labeling task is mostly about. */
export type LabelDisposition =
  | 'QUALITY'
  | 'SPAM';

/** Free labels on a message, or a report (spec §2.6, POST /text_labels). */
export type LabelMessageInput = {
  /** A report: also adds the user's red_flag, which puts the message in the moderators' queue. */
  isReport?: boolean;
  /** The labels (values 0..1). */
  labels: Array<LabelValueInput>;
  /** The message. */
  messageId: string;
  /** Free text: a report's reason. */
  text?: string;
  /** The user; else the x-chorus-user header. */
  user?: UserRefInput | null | undefined;
};

/** Simple (spam check) or full labeling. */
export type LabelMode =
  | 'FULL'
  | 'SIMPLE';

/** One label value. */
export type LabelValueInput = {
  /** The label's name. */
  name: string;
  /** Between 0 and 1. */
  value: number;
};

/** How a label is shown: yes/no, a flag, or a 0..1 scale. */
export type LabelWidget =
  | 'FLAG'
  | 'LIKERT'
  | 'YES_NO';

/** Move every contribution of the source users to the destination, then delete the sources. */
export type MergeUsersInput = {
  /** The user who keeps everything. */
  destinationUserId: string;
  /** Users merged into the destination and then deleted (1-100). */
  sourceUserIds: Array<string>;
};

/** One message to act on. */
export type MessageIdInput = {
  /** The message. */
  messageId: string;
};

/** Who speaks: the user (prompter) or the assistant. */
export type MessageRole =
  | 'ASSISTANT'
  | 'PROMPTER';

/** Which messages to list. */
export type MessagesFilterInput = {
  /** Only messages of this API client (trusted callers; others always see their own only). */
  apiClientId?: string | null | undefined;
  /** Newest first. */
  desc?: boolean;
  /** Include deleted messages. */
  includeDeleted?: boolean;
  /** Only this language. */
  lang?: string | null | undefined;
  /** Only initial prompts. */
  onlyRoots?: boolean;
  /** Full-text search (web-search syntax: words, "phrases", or, -not), stemmed in each message's own language; with `lang`, in that language only. */
  search?: string | null | undefined;
  /** Created at or after. */
  since?: string | null | undefined;
  /** Created before. */
  until?: string | null | undefined;
  /** Only this author. */
  userId?: string | null | undefined;
};

/** Skip a task. */
export type NackTaskInput = {
  /** Why. */
  reason?: string | null | undefined;
  /** The task. */
  taskId: string;
  /** The user; else the x-chorus-user header. */
  user?: UserRefInput | null | undefined;
};

/** Hard-delete a user's work (spec §7.3). */
export type PurgeUserInput = {
  /** Also disable the user and mark them deleted. */
  ban?: boolean;
  /** Only report what would happen; nothing changes. */
  preview?: boolean;
  /** The user. */
  userId: string;
};

/** Hard-delete a user's messages, with their subtrees, in a date range (spec §7.3). */
export type PurgeUserMessagesInput = {
  /** Only report what would happen; nothing changes. */
  preview?: boolean;
  /** Also delete the whole trees of the user's initial prompts in the range. */
  purgeInitialPrompts?: boolean;
  /** Messages created at or after. */
  since?: string | null | undefined;
  /** Messages created before. */
  until?: string | null | undefined;
  /** The user. */
  userId: string;
};

/** Which windows to recompute now. */
export type RefreshLeaderboardsInput = {
  /** The windows (default: all four). */
  windows?: Array<StatsWindow> | null | undefined;
};

/** Which leaderboard to recompute (every filter omitted: the overall one). */
export type RefreshModelLeaderboardInput = {
  /** Category filter. */
  category?: string | null | undefined;
  /** Language filter. */
  lang?: string | null | undefined;
  /** Since filter. */
  since?: string | null | undefined;
};

/** Why a leaderboard was recomputed. */
export type RefreshTrigger =
  /** An admin's refreshLeaderboards. */
  | 'ADMIN'
  /** The periodic job (STATS_REFRESH_MINUTES). */
  | 'SCHEDULE';

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

/** Ask for the next task. */
export type RequestTaskInput = {
  /** Shared task (accepted for compatibility). */
  collective?: boolean;
  /** Language (BCP-47); en when omitted. */
  lang?: string | null | undefined;
  /** Which kind; RANDOM by default. */
  type?: TaskRequestType;
  /** The user; else the x-chorus-user header. */
  user?: UserRefInput | null | undefined;
};

/** A moderator's decision on a report. */
export type ResolveChatReportInput = {
  /** The report. */
  reportId: string;
  /** What was decided (1 to 2000 characters); kept on the report and in the journal. */
  resolution: string;
};

/** Which client to revoke. */
export type RevokeApiClientInput = {
  /** The client's id. */
  id: string;
};

/** Whose user tokens to revoke ("logout everywhere"). */
export type RevokeUserTokensInput = {
  /** The user; the acting user when omitted. Another user's tokens need MODERATOR. */
  userId?: string | null | undefined;
};

/** What a caller may do: USER < MODERATOR < ADMIN. */
export type Role =
  | 'ADMIN'
  | 'MODERATOR'
  | 'USER';

/** Which client's key to replace. */
export type RotateApiClientKeyInput = {
  /** New expiry for the new key; unchanged when omitted. */
  expiresAt?: string | null | undefined;
  /** The client's id. */
  id: string;
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

/** Takes a voter's arena votes out of every leaderboard (or puts them back). */
export type SetArenaVoterExclusionInput = {
  /** true: exclude; false: count the votes again. */
  excluded: boolean;
  /** Why (required when excluding). */
  reason?: string | null | undefined;
  /** The voter. */
  userId: string;
};

/** Set, remove or toggle an emoji on a message. */
export type SetEmojiInput = {
  /** The emoji code: +1, -1, red_flag, 100, rofl, clap, diamond, heart_eyes, disappointed, poop, skull. */
  emoji: string;
  /** The message. */
  messageId: string;
  /** What to do. */
  op?: EmojiOp;
  /** The user; else the x-chorus-user header. */
  user?: UserRefInput | null | undefined;
};

/** Show or hide a user on the leaderboards. */
export type SetLeaderboardVisibilityInput = {
  /** true shows the user on the leaderboards, false hides them. */
  show: boolean;
  /** The user (MODERATOR); default: the acting user. */
  userId?: string | null | undefined;
};

/** Give a user a role. */
export type SetUserRoleInput = {
  /** The new role. */
  role: Role;
  /** The user's id. */
  userId: string;
};

/** A new battle: a prompt for two hidden models. */
export type StartBattleInput = {
  /** A category for the leaderboard's filter: 1-64 of a-z, 0-9, _ and -. */
  category?: string | null | undefined;
  /** The prompt's language, a code such as en or pt-BR. */
  lang?: string | null | undefined;
  /** The first prompt (1 to CHAT_MESSAGE_MAX_LENGTH characters). */
  text: string;
};

/** A stats time frame: the last 24 hours, since UTC midnight 7 or 30 days ago, or all time. */
export type StatsWindow =
  /** The last 24 hours (exactly). */
  | 'DAY'
  /** Since UTC midnight 30 days ago. */
  | 'MONTH'
  /** All time. */
  | 'TOTAL'
  /** Since UTC midnight 7 days ago. */
  | 'WEEK';

/** Submit the labels of a review task (with taskId), or free labels / a report (without). */
export type SubmitLabelsInput = {
  /** A report: also adds the user's red_flag. */
  isReport?: boolean;
  /** The labels. */
  labels: Array<LabelValueInput>;
  /** The labeled message. */
  messageId: string;
  /** The review task; omit for free labels and reports. */
  taskId?: string | null | undefined;
  /** Free text (a report's reason). */
  text?: string;
  /** The user; else the x-chorus-user header. */
  user?: UserRefInput | null | undefined;
};

/** Submit a ranking: indexes into the task's replyMessages, best first. */
export type SubmitRankingInput = {
  /** The replies could not be ranked meaningfully. */
  notRankable?: boolean | null | undefined;
  /** A permutation of 0..n-1; the first index is the best reply. */
  ranking: Array<number>;
  /** The frontend id bound to the task by ackTask. */
  taskFrontendMessageId: string;
  /** The user; else the x-chorus-user header. */
  user?: UserRefInput | null | undefined;
};

/** Submit the text a reply or prompt task asked for. */
export type SubmitReplyInput = {
  /** Language (BCP-47); en when omitted. */
  lang?: string | null | undefined;
  /** The frontend id bound to the task by ackTask. */
  taskFrontendMessageId: string;
  /** The text; trimmed; 1 to 2000 characters. */
  text: string;
  /** The user; else the x-chorus-user header. */
  user?: UserRefInput | null | undefined;
  /** The frontend's id for the new message. */
  userMessageId: string;
};

/** What kind of task to hand out; RANDOM lets the server draw one (spec §2.4). */
export type TaskRequestType =
  | 'ASSISTANT_REPLY'
  | 'INITIAL_PROMPT'
  | 'LABEL_ASSISTANT_REPLY'
  | 'LABEL_INITIAL_PROMPT'
  | 'LABEL_PROMPTER_REPLY'
  | 'PROMPTER_REPLY'
  | 'RANDOM'
  | 'RANK_ASSISTANT_REPLIES'
  /** Never generated (as in the reference). */
  | 'RANK_INITIAL_PROMPTS'
  | 'RANK_PROMPTER_REPLIES'
  /** Legacy; never available. */
  | 'RATE_SUMMARY'
  /** Legacy; never available. */
  | 'SUMMARIZE_STORY';

/** Where a conversation tree is in its life (spec §3.1). */
export type TreeState =
  | 'ABORTED_LOW_GRADE'
  | 'BACKLOG_RANKING'
  | 'GROWING'
  | 'HALTED_BY_MODERATOR'
  | 'INITIAL_PROMPT_REVIEW'
  | 'PROMPT_LOTTERY_WAITING'
  | 'RANKING'
  | 'READY_FOR_EXPORT'
  | 'READY_FOR_SCORING'
  | 'SCORING_FAILED';

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

/** Fields of a user a moderator may change; omitted fields stay as they are. */
export type UpdateUserInput = {
  /** New display name. */
  displayName?: string | null | undefined;
  /** Enable or disable (disabled users can do no work). */
  enabled?: boolean | null | undefined;
  /** Admin notes (up to 1024 characters). */
  notes?: string | null | undefined;
  /** Whether the user appears on leaderboards. */
  showOnLeaderboard?: boolean | null | undefined;
  /** true records that the user accepted the terms of service now; false does nothing. */
  tosAcceptance?: boolean | null | undefined;
  /** The user. */
  userId: string;
};

/** One user to act on. */
export type UserIdInput = {
  /** The user. */
  userId: string;
};

/** The frontend user on whose behalf an operation runs (created on first sight). */
export type UserRefInput = {
  /** How the frontend authenticated the user: local, discord, google, ... */
  authMethod: string;
  /** Display name; updates the stored one when it differs. */
  displayName?: string | null | undefined;
  /** The frontend's id for the user. */
  id: string;
};

/** The column a user list is ordered by (then by id), spec §9.2. */
export type UserSortKey =
  | 'DISPLAY_NAME'
  | 'USERNAME';

/** Which users a moderator lists; every given condition must hold. */
export type UsersFilterInput = {
  /** Exactly this auth method (local, discord, ...). */
  authMethod?: string | null | undefined;
  /** Only deleted (true) or not deleted (false) users; omit for both. */
  deleted?: boolean | null | undefined;
  /** Display name contains this text (case-insensitive; `%` and `_` are literal). */
  displayName?: string | null | undefined;
  /** Only enabled (true) or disabled (false) users. */
  enabled?: boolean | null | undefined;
  /** Username (the frontend's id) contains this text (case-insensitive; `%` and `_` are literal). */
  username?: string | null | undefined;
};

/** The verdict on a battle; counted once, the models are shown. */
export type VoteBattleInput = {
  /** The battle. */
  battleId: string;
  /** A, B, TIE or BOTH_BAD. */
  winner: ArenaWinner;
};

/** A vote on an answer. */
export type VoteChatMessageInput = {
  /** The answer (an ASSISTANT message of one of the acting user's chats). */
  messageId: string;
  /** +1 or -1; 0 takes the vote back. */
  score: number;
};

/** A job that failed on this worker. */
export type WorkerFailInput = {
  /** A short machine-readable code (BACKEND_ERROR, OUT_OF_MEMORY, ...). */
  code: string;
  /** The job. */
  jobId: string;
  /** What went wrong. */
  reason: string;
  /** Whether another worker could succeed; retryable jobs go back to the queue. */
  retryable: boolean;
};

/** The end of a job's generation. */
export type WorkerFinishInput = {
  /** Why generation stopped. */
  finishReason: WorkerFinishReason;
  /** The job. */
  jobId: string;
  /** The whole generated text; kept only when the server lost the streamed batches. */
  text: string;
  /** Tokens generated. */
  tokenCount: number;
};

/** Why a worker stopped: STOP (end of answer), LENGTH (token limit) or CANCELLED (told to stop). */
export type WorkerFinishReason =
  | 'CANCELLED'
  | 'LENGTH'
  | 'STOP';

/** The device a worker's backend actually runs on. */
export type WorkerHardwareInput = {
  /** Free text: GPU model and memory, CPU, host. */
  description?: string | null | undefined;
  /** cpu, cuda, remote, synthetic, ... */
  device: string;
};

/** The jobs a worker still runs, to renew their leases; and the connection, to keep it alive. */
export type WorkerHeartbeatInput = {
  /** The jobs. */
  jobIds: Array<string>;
  /** The sessionId of the worker's hello: a connection silent for the lease time is dropped. */
  sessionId?: string | null | undefined;
};

/** A worker's hello: what it speaks, serves and can take. */
export type WorkerHelloInput = {
  /** Whether the worker's backend can continue a partial answer (see WorkerJob.continueFrom). A worker that cannot gets jobs that start over, and subscribers are told to drop the partial text. Default false. */
  canContinue?: boolean | null | undefined;
  /** Jobs the worker runs in parallel (1-256). */
  capacity: number;
  /** Where the backend runs. */
  hardware: WorkerHardwareInput;
  /** The model ids the worker serves (see `models`). */
  models: Array<string>;
  /** The worker's name, stored on the messages it generates. */
  name: string;
  /** The worker protocol version the worker speaks (this API speaks 1). */
  protocolVersion: number;
  /** A UUID the worker picks for this connection, so it can name it in workerHeartbeat (which keeps an idle connection alive) and admins can drain it. Made up by the server when absent. */
  sessionId?: string | null | undefined;
};

/** A batch of generated text. */
export type WorkerTokensInput = {
  /** The job. */
  jobId: string;
  /** The new text (send batches in order, one at a time per job). */
  text: string;
  /** Tokens this text covers. */
  tokenCount: number;
};

export type CreateApiClientMutationVariables = Exact<{
  input: CreateApiClientInput;
}>;


export type CreateApiClientMutation = { createApiClient: { key: string, apiClient: { id: string, name: string, trusted: boolean, role: Role, kind: ApiClientKind, keyPrefix: string | null, expiresAt: string | null } } };

export type ApiClientsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ApiClientsQuery = { apiClients: { edges: Array<{ cursor: string, node: { id: string, name: string, trusted: boolean, role: Role, enabled: boolean, revokedAt: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type RotateApiClientKeyMutationVariables = Exact<{
  input: RotateApiClientKeyInput;
}>;


export type RotateApiClientKeyMutation = { rotateApiClientKey: { key: string, apiClient: { id: string, rotatedAt: string | null } } };

export type RevokeApiClientMutationVariables = Exact<{
  input: RevokeApiClientInput;
}>;


export type RevokeApiClientMutation = { revokeApiClient: { id: string, enabled: boolean, revokedAt: string | null } };

export type SetUserRoleMutationVariables = Exact<{
  input: SetUserRoleInput;
}>;


export type SetUserRoleMutation = { setUserRole: { id: string, role: Role } };

export type CreateUserTokenMutationVariables = Exact<{
  input: CreateUserTokenInput;
}>;


export type CreateUserTokenMutation = { createUserToken: { token: string, expiresAt: string, user: { id: string, username: string, authMethod: string } } };

export type RevokeUserTokensMutationVariables = Exact<{
  input?: RevokeUserTokensInput | null | undefined;
}>;


export type RevokeUserTokensMutation = { revokeUserTokens: { revokedAt: string, user: { id: string, username: string } } };

export type DeleteMyAccountMutationVariables = Exact<{
  input: DeleteMyAccountInput;
}>;


export type DeleteMyAccountMutation = { deleteMyAccount: { id: string, username: string, displayName: string, deleted: boolean } };

export type ArenaBattleFieldsFragment = { id: string, chatId: string | null, state: ArenaBattleState, source: ArenaBattleSource, category: string | null, lang: string | null, turns: number, answersA: Array<string>, answersB: Array<string>, modelA: string | null, modelB: string | null, winner: ArenaWinner | null, votedAt: string | null, counted: boolean | null, notCountedReason: ArenaNotCountedReason | null, createdAt: string };

export type ModelLeaderboardFieldsFragment = { category: string | null, lang: string | null, since: string | null, battles: number, bootstrapSamples: number, confidenceLevel: number, ridge: number, computedAt: string, winRateMatrix: Array<Array<number>>, battleMatrix: Array<Array<number>>, models: Array<{ model: string, strength: number, strengthLower: number | null, strengthUpper: number | null, rating: number, ratingLower: number | null, ratingUpper: number | null, rankBest: number, rankWorst: number, battles: number, wins: number, losses: number, ties: number, winRate: number }> };

export type StartBattleMutationVariables = Exact<{
  input: StartBattleInput;
}>;


export type StartBattleMutation = { startBattle: { answerA: string, answerB: string, battle: { id: string, chatId: string | null, state: ArenaBattleState, source: ArenaBattleSource, category: string | null, lang: string | null, turns: number, answersA: Array<string>, answersB: Array<string>, modelA: string | null, modelB: string | null, winner: ArenaWinner | null, votedAt: string | null, counted: boolean | null, notCountedReason: ArenaNotCountedReason | null, createdAt: string } } };

export type ContinueBattleMutationVariables = Exact<{
  input: ContinueBattleInput;
}>;


export type ContinueBattleMutation = { continueBattle: { answerA: string, answerB: string, battle: { id: string, chatId: string | null, state: ArenaBattleState, source: ArenaBattleSource, category: string | null, lang: string | null, turns: number, answersA: Array<string>, answersB: Array<string>, modelA: string | null, modelB: string | null, winner: ArenaWinner | null, votedAt: string | null, counted: boolean | null, notCountedReason: ArenaNotCountedReason | null, createdAt: string } } };

export type VoteBattleMutationVariables = Exact<{
  input: VoteBattleInput;
}>;


export type VoteBattleMutation = { voteBattle: { id: string, chatId: string | null, state: ArenaBattleState, source: ArenaBattleSource, category: string | null, lang: string | null, turns: number, answersA: Array<string>, answersB: Array<string>, modelA: string | null, modelB: string | null, winner: ArenaWinner | null, votedAt: string | null, counted: boolean | null, notCountedReason: ArenaNotCountedReason | null, createdAt: string } };

export type RevealBattleMutationVariables = Exact<{
  battleId: string;
}>;


export type RevealBattleMutation = { revealBattle: { id: string, chatId: string | null, state: ArenaBattleState, source: ArenaBattleSource, category: string | null, lang: string | null, turns: number, answersA: Array<string>, answersB: Array<string>, modelA: string | null, modelB: string | null, winner: ArenaWinner | null, votedAt: string | null, counted: boolean | null, notCountedReason: ArenaNotCountedReason | null, createdAt: string } };

export type ArenaBattleQueryVariables = Exact<{
  id: string;
}>;


export type ArenaBattleQuery = { arenaBattle: { id: string, chatId: string | null, state: ArenaBattleState, source: ArenaBattleSource, category: string | null, lang: string | null, turns: number, answersA: Array<string>, answersB: Array<string>, modelA: string | null, modelB: string | null, winner: ArenaWinner | null, votedAt: string | null, counted: boolean | null, notCountedReason: ArenaNotCountedReason | null, createdAt: string } };

export type ArenaBattlesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ArenaBattlesQuery = { arenaBattles: { edges: Array<{ cursor: string, node: { id: string, chatId: string | null, state: ArenaBattleState, source: ArenaBattleSource, category: string | null, lang: string | null, turns: number, answersA: Array<string>, answersB: Array<string>, modelA: string | null, modelB: string | null, winner: ArenaWinner | null, votedAt: string | null, counted: boolean | null, notCountedReason: ArenaNotCountedReason | null, createdAt: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ModelLeaderboardQueryVariables = Exact<{
  category?: string | null | undefined;
  lang?: string | null | undefined;
  since?: string | null | undefined;
}>;


export type ModelLeaderboardQuery = { modelLeaderboard: { category: string | null, lang: string | null, since: string | null, battles: number, bootstrapSamples: number, confidenceLevel: number, ridge: number, computedAt: string, winRateMatrix: Array<Array<number>>, battleMatrix: Array<Array<number>>, models: Array<{ model: string, strength: number, strengthLower: number | null, strengthUpper: number | null, rating: number, ratingLower: number | null, ratingUpper: number | null, rankBest: number, rankWorst: number, battles: number, wins: number, losses: number, ties: number, winRate: number }> } };

export type RefreshModelLeaderboardMutationVariables = Exact<{
  input?: RefreshModelLeaderboardInput | null | undefined;
}>;


export type RefreshModelLeaderboardMutation = { refreshModelLeaderboard: { category: string | null, lang: string | null, since: string | null, battles: number, bootstrapSamples: number, confidenceLevel: number, ridge: number, computedAt: string, winRateMatrix: Array<Array<number>>, battleMatrix: Array<Array<number>>, models: Array<{ model: string, strength: number, strengthLower: number | null, strengthUpper: number | null, rating: number, ratingLower: number | null, ratingUpper: number | null, rankBest: number, rankWorst: number, battles: number, wins: number, losses: number, ties: number, winRate: number }> } };

export type SetArenaVoterExclusionMutationVariables = Exact<{
  input: SetArenaVoterExclusionInput;
}>;


export type SetArenaVoterExclusionMutation = { setArenaVoterExclusion: { userId: string, excluded: boolean, reason: string | null, votes: number } };

export type ModelLeaderboardUpdatedSubscriptionVariables = Exact<{
  category?: string | null | undefined;
  lang?: string | null | undefined;
  since?: string | null | undefined;
}>;


export type ModelLeaderboardUpdatedSubscription = { modelLeaderboardUpdated: { category: string | null, lang: string | null, since: string | null, battles: number, computedAt: string } };

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

export type MessageFieldsFragment = { id: string, parentId: string | null, messageTreeId: string, frontendMessageId: string, userId: string | null, text: string, lang: string, role: MessageRole, isAssistant: boolean, createdDate: string, depth: number, childrenCount: number, reviewResult: boolean | null, reviewCount: number, rankingCount: number, rank: number | null, deleted: boolean, edited: boolean, synthetic: boolean, modelName: string | null, userIsAuthor: boolean, userEmojis: Array<string>, emojis: Array<{ emoji: string, count: number }> };

export type MessageQueryVariables = Exact<{
  id: string;
}>;


export type MessageQuery = { message: { id: string, parentId: string | null, messageTreeId: string, frontendMessageId: string, userId: string | null, text: string, lang: string, role: MessageRole, isAssistant: boolean, createdDate: string, depth: number, childrenCount: number, reviewResult: boolean | null, reviewCount: number, rankingCount: number, rank: number | null, deleted: boolean, edited: boolean, synthetic: boolean, modelName: string | null, userIsAuthor: boolean, userEmojis: Array<string>, treeState: { state: TreeState, active: boolean, goalTreeSize: number } | null, emojis: Array<{ emoji: string, count: number }> } };

export type MessageByFrontendIdQueryVariables = Exact<{
  frontendMessageId: string;
}>;


export type MessageByFrontendIdQuery = { messageByFrontendId: { id: string, parentId: string | null, messageTreeId: string, frontendMessageId: string, userId: string | null, text: string, lang: string, role: MessageRole, isAssistant: boolean, createdDate: string, depth: number, childrenCount: number, reviewResult: boolean | null, reviewCount: number, rankingCount: number, rank: number | null, deleted: boolean, edited: boolean, synthetic: boolean, modelName: string | null, userIsAuthor: boolean, userEmojis: Array<string>, emojis: Array<{ emoji: string, count: number }> } };

export type MessageTreeQueryVariables = Exact<{
  id: string;
  includeSpam?: boolean | null | undefined;
  includeDeleted?: boolean | null | undefined;
}>;


export type MessageTreeQuery = { messageTree: { id: string, state: { messageTreeId: string, state: TreeState, active: boolean, goalTreeSize: number, maxDepth: number, maxChildrenCount: number, lang: string, origin: string | null } | null, messages: Array<{ id: string, parentId: string | null, messageTreeId: string, frontendMessageId: string, userId: string | null, text: string, lang: string, role: MessageRole, isAssistant: boolean, createdDate: string, depth: number, childrenCount: number, reviewResult: boolean | null, reviewCount: number, rankingCount: number, rank: number | null, deleted: boolean, edited: boolean, synthetic: boolean, modelName: string | null, userIsAuthor: boolean, userEmojis: Array<string>, user: { id: string, displayName: string } | null, emojis: Array<{ emoji: string, count: number }> }>, root: { message: { id: string }, replies: Array<{ message: { id: string, rank: number | null }, replies: Array<{ message: { id: string, rank: number | null }, replies: Array<{ message: { id: string } }> }> }> } | null } };

export type MessageTreeStateQueryVariables = Exact<{
  id: string;
}>;


export type MessageTreeStateQuery = { messageTreeState: { messageTreeId: string, state: TreeState, active: boolean, goalTreeSize: number, wonPromptLotteryDate: string | null } };

export type ConversationQueryVariables = Exact<{
  messageId: string;
}>;


export type ConversationQuery = { conversation: Array<{ id: string, text: string, role: MessageRole }> };

export type MessageChildrenQueryVariables = Exact<{
  id: string;
}>;


export type MessageChildrenQuery = { messageChildren: Array<{ id: string, text: string }> };

export type MessageDescendantsQueryVariables = Exact<{
  id: string;
}>;


export type MessageDescendantsQuery = { messageDescendants: Array<{ id: string, deleted: boolean, depth: number }> };

export type MessagesQueryVariables = Exact<{
  filter?: MessagesFilterInput | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type MessagesQuery = { messages: { edges: Array<{ cursor: string, node: { id: string, text: string, lang: string, createdDate: string } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } };

export type MessageBranchPartsFragment = { message: { id: string, childrenCount: number, depth: number }, replies: Array<{ id: string, parentId: string | null, reviewResult: boolean | null }> };

export type LongestConversationInTreeQueryVariables = Exact<{
  id: string;
}>;


export type LongestConversationInTreeQuery = { message: { id: string, longestConversationInTree: Array<{ id: string, parentId: string | null, depth: number, text: string }> } };

export type MaxChildrenInTreeQueryVariables = Exact<{
  id: string;
}>;


export type MaxChildrenInTreeQuery = { message: { id: string, maxChildrenInTree: { message: { id: string, childrenCount: number, depth: number }, replies: Array<{ id: string, parentId: string | null, reviewResult: boolean | null }> } | null } };

export type TreeShapeByFrontendIdQueryVariables = Exact<{
  frontendMessageId: string;
}>;


export type TreeShapeByFrontendIdQuery = { messageByFrontendId: { id: string, longestConversationInTree: Array<{ id: string }>, maxChildrenInTree: { message: { id: string, childrenCount: number, depth: number }, replies: Array<{ id: string, parentId: string | null, reviewResult: boolean | null }> } | null } };

export type SetEmojiMutationVariables = Exact<{
  input: SetEmojiInput;
}>;


export type SetEmojiMutation = { setEmoji: { id: string, userEmojis: Array<string>, emojis: Array<{ emoji: string, count: number }> } };

export type DeleteMessageMutationVariables = Exact<{
  input: MessageIdInput;
}>;


export type DeleteMessageMutation = { deleteMessage: { messageId: string, changedIds: Array<string> } };

export type UndeleteMessageMutationVariables = Exact<{
  input: MessageIdInput;
}>;


export type UndeleteMessageMutation = { undeleteMessage: { messageId: string, changedIds: Array<string> } };

export type EditMessageMutationVariables = Exact<{
  input: EditMessageInput;
}>;


export type EditMessageMutation = { editMessage: { id: string, text: string, edited: boolean } };

export type MessageHistoryQueryVariables = Exact<{
  messageId: string;
}>;


export type MessageHistoryQuery = { messageHistory: Array<{ id: string, text: string, userId: string | null, userIsAuthor: boolean, createdDate: string }> };

export type FlaggedMessagesQueryVariables = Exact<{
  processed?: boolean | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  desc?: boolean | null | undefined;
}>;


export type FlaggedMessagesQuery = { flaggedMessages: { edges: Array<{ cursor: string, node: { messageId: string, processed: boolean, createdDate: string, message: { id: string, text: string, deleted: boolean } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type MarkFlaggedProcessedMutationVariables = Exact<{
  input: MessageIdInput;
}>;


export type MarkFlaggedProcessedMutation = { markFlaggedProcessed: { messageId: string, processed: boolean } };

export type UpdateUserMutationVariables = Exact<{
  input: UpdateUserInput;
}>;


export type UpdateUserMutation = { updateUser: { id: string, displayName: string, enabled: boolean, notes: string | null, showOnLeaderboard: boolean, tosAcceptanceDate: string | null } };

export type AcceptTermsOfServiceMutationVariables = Exact<{
  user?: UserRefInput | null | undefined;
}>;


export type AcceptTermsOfServiceMutation = { acceptTermsOfService: { id: string, tosAcceptanceDate: string | null } };

export type DeleteUserMutationVariables = Exact<{
  input: UserIdInput;
}>;


export type DeleteUserMutation = { deleteUser: { id: string, username: string, displayName: string, deleted: boolean } };

export type DeleteUserMessagesMutationVariables = Exact<{
  input: UserIdInput;
}>;


export type DeleteUserMessagesMutation = { deleteUserMessages: { deletedCount: number } };

export type MergeUsersMutationVariables = Exact<{
  input: MergeUsersInput;
}>;


export type MergeUsersMutation = { mergeUsers: { mergedUserIds: Array<string>, destination: { id: string }, moved: Array<{ table: string, count: number }>, droppedDuplicates: Array<{ table: string, count: number }> } };

export type SystemStatsFieldsFragment = { all: number, active: number, deleted: number, messageTrees: number, activeByLang: Array<{ lang: string, count: number }> };

export type PurgeUserMutationVariables = Exact<{
  input: PurgeUserInput;
}>;


export type PurgeUserMutation = { purgeUser: { preview: boolean, purgedMessages: number, purgedTrees: number, durationMs: number, before: { all: number, active: number, deleted: number, messageTrees: number, activeByLang: Array<{ lang: string, count: number }> }, after: { all: number, active: number, deleted: number, messageTrees: number, activeByLang: Array<{ lang: string, count: number }> } } };

export type PurgeUserMessagesMutationVariables = Exact<{
  input: PurgeUserMessagesInput;
}>;


export type PurgeUserMessagesMutation = { purgeUserMessages: { preview: boolean, purgedMessages: number, purgedTrees: number, durationMs: number, before: { all: number, active: number, deleted: number, messageTrees: number, activeByLang: Array<{ lang: string, count: number }> }, after: { all: number, active: number, deleted: number, messageTrees: number, activeByLang: Array<{ lang: string, count: number }> } } };

export type SystemStatsQueryVariables = Exact<{ [key: string]: never; }>;


export type SystemStatsQuery = { systemStats: { all: number, active: number, deleted: number, messageTrees: number, activeByLang: Array<{ lang: string, count: number }> } };

export type TreeManagerStatsQueryVariables = Exact<{
  onlyActive?: boolean | null | undefined;
}>;


export type TreeManagerStatsQuery = { treeManagerStats: { stateCounts: Array<{ state: TreeState, count: number }>, messageCounts: Array<{ messageTreeId: string, state: TreeState, depth: number, oldest: string, youngest: string, count: number, goalTreeSize: number }> } };

export type SettingsQueryVariables = Exact<{ [key: string]: never; }>;


export type SettingsQuery = { settings: Array<{ name: string, value: string | null, secret: boolean, isSet: boolean }> };

export type JournalQueryVariables = Exact<{
  filter?: JournalFilterInput | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type JournalQuery = { journal: { edges: Array<{ cursor: string, node: { id: string, createdDate: string, action: string, actorId: string | null, apiClientId: string | null, targetId: string | null, messageId: string | null, payload: unknown } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type UsersQueryVariables = Exact<{
  filter?: UsersFilterInput | null | undefined;
  sortKey?: UserSortKey | null | undefined;
  desc?: boolean | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type UsersQuery = { users: { edges: Array<{ cursor: string, node: { id: string, username: string, displayName: string, authMethod: string, apiClientId: string, enabled: boolean, deleted: boolean, notes: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type AnnotatorQualityQueryVariables = Exact<{
  userId: string;
}>;


export type AnnotatorQualityQuery = { annotatorQuality: { userId: string, rankingAgreement: number | null, rankingsCompared: number, labelAgreement: number | null, labelsCompared: number, tasksDone: number, rankings: number, labelReviews: number, replies: number, medianSecondsPerTask: number | null } };

export type UserScoreFieldsFragment = { window: StatsWindow, rank: number | null, userId: string, username: string, displayName: string, highlighted: boolean, leaderScore: number, level: number, baseDate: string | null, modifiedDate: string | null, prompts: number, repliesAssistant: number, repliesPrompter: number, labelsSimple: number, labelsFull: number, rankingsTotal: number, rankingsGood: number, acceptedPrompts: number, acceptedRepliesAssistant: number, acceptedRepliesPrompter: number, replyRanked1: number, replyRanked2: number, replyRanked3: number, streakDays: number | null };

export type LeaderboardQueryVariables = Exact<{
  window: StatsWindow;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type LeaderboardQuery = { leaderboard: { edges: Array<{ cursor: string, node: { window: StatsWindow, rank: number | null, userId: string, username: string, displayName: string, highlighted: boolean, leaderScore: number, level: number, baseDate: string | null, modifiedDate: string | null, prompts: number, repliesAssistant: number, repliesPrompter: number, labelsSimple: number, labelsFull: number, rankingsTotal: number, rankingsGood: number, acceptedPrompts: number, acceptedRepliesAssistant: number, acceptedRepliesPrompter: number, replyRanked1: number, replyRanked2: number, replyRanked3: number, streakDays: number | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type UserStatsQueryVariables = Exact<{
  userId: string;
}>;


export type UserStatsQuery = { userStats: { userId: string, level: number, streakDays: number | null, streakLastDayDate: string | null, lastActivityDate: string | null, day: { window: StatsWindow, rank: number | null, userId: string, username: string, displayName: string, highlighted: boolean, leaderScore: number, level: number, baseDate: string | null, modifiedDate: string | null, prompts: number, repliesAssistant: number, repliesPrompter: number, labelsSimple: number, labelsFull: number, rankingsTotal: number, rankingsGood: number, acceptedPrompts: number, acceptedRepliesAssistant: number, acceptedRepliesPrompter: number, replyRanked1: number, replyRanked2: number, replyRanked3: number, streakDays: number | null }, week: { window: StatsWindow, rank: number | null, userId: string, username: string, displayName: string, highlighted: boolean, leaderScore: number, level: number, baseDate: string | null, modifiedDate: string | null, prompts: number, repliesAssistant: number, repliesPrompter: number, labelsSimple: number, labelsFull: number, rankingsTotal: number, rankingsGood: number, acceptedPrompts: number, acceptedRepliesAssistant: number, acceptedRepliesPrompter: number, replyRanked1: number, replyRanked2: number, replyRanked3: number, streakDays: number | null }, month: { window: StatsWindow, rank: number | null, userId: string, username: string, displayName: string, highlighted: boolean, leaderScore: number, level: number, baseDate: string | null, modifiedDate: string | null, prompts: number, repliesAssistant: number, repliesPrompter: number, labelsSimple: number, labelsFull: number, rankingsTotal: number, rankingsGood: number, acceptedPrompts: number, acceptedRepliesAssistant: number, acceptedRepliesPrompter: number, replyRanked1: number, replyRanked2: number, replyRanked3: number, streakDays: number | null }, total: { window: StatsWindow, rank: number | null, userId: string, username: string, displayName: string, highlighted: boolean, leaderScore: number, level: number, baseDate: string | null, modifiedDate: string | null, prompts: number, repliesAssistant: number, repliesPrompter: number, labelsSimple: number, labelsFull: number, rankingsTotal: number, rankingsGood: number, acceptedPrompts: number, acceptedRepliesAssistant: number, acceptedRepliesPrompter: number, replyRanked1: number, replyRanked2: number, replyRanked3: number, streakDays: number | null } } };

export type LeaderboardWindowQueryVariables = Exact<{
  userId: string;
  window: StatsWindow;
  size?: number | null | undefined;
}>;


export type LeaderboardWindowQuery = { leaderboardWindow: Array<{ window: StatsWindow, rank: number | null, userId: string, username: string, displayName: string, highlighted: boolean, leaderScore: number, level: number, baseDate: string | null, modifiedDate: string | null, prompts: number, repliesAssistant: number, repliesPrompter: number, labelsSimple: number, labelsFull: number, rankingsTotal: number, rankingsGood: number, acceptedPrompts: number, acceptedRepliesAssistant: number, acceptedRepliesPrompter: number, replyRanked1: number, replyRanked2: number, replyRanked3: number, streakDays: number | null }> | null };

export type TrollboardQueryVariables = Exact<{
  window: StatsWindow;
  first?: number | null | undefined;
  after?: string | null | undefined;
  enabled?: boolean | null | undefined;
}>;


export type TrollboardQuery = { trollboard: { edges: Array<{ cursor: string, node: { window: StatsWindow, rank: number | null, userId: string, displayName: string, enabled: boolean, showOnLeaderboard: boolean, trollScore: number, redFlags: number, upvotes: number, downvotes: number, spamPrompts: number, quality: number | null, spam: number, langMismatch: number, notAppropriate: number, pii: number, hateSpeech: number, sexualContent: number, politicalContent: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type RefreshLeaderboardsMutationVariables = Exact<{
  input?: RefreshLeaderboardsInput | null | undefined;
}>;


export type RefreshLeaderboardsMutation = { refreshLeaderboards: Array<{ window: StatsWindow, baseDate: string | null, refreshedAt: string, users: number, rankedUsers: number, trollUsers: number, trigger: RefreshTrigger }> };

export type SetLeaderboardVisibilityMutationVariables = Exact<{
  input: SetLeaderboardVisibilityInput;
}>;


export type SetLeaderboardVisibilityMutation = { setLeaderboardVisibility: { id: string, showOnLeaderboard: boolean } };

export type LeaderboardUpdatedSubscriptionVariables = Exact<{
  window: StatsWindow;
}>;


export type LeaderboardUpdatedSubscription = { leaderboardUpdated: { window: StatsWindow, refreshedAt: string, users: number, rankedUsers: number, trollUsers: number, trigger: RefreshTrigger } };

export type CachedStatsPartsFragment = { lastUpdated: string, usersAcceptedTermsOfService: number, humanMessagesByLang: Array<{ lang: string, count: number }>, humanMessagesByRole: Array<{ role: MessageRole, count: number }>, messageTreesByState: Array<{ state: TreeState, count: number }>, messageTreesStatesByLang: Array<{ lang: string, state: TreeState, count: number }> };

export type CachedStatsQueryVariables = Exact<{ [key: string]: never; }>;


export type CachedStatsQuery = { cachedStats: { lastUpdated: string, usersAcceptedTermsOfService: number, humanMessagesByLang: Array<{ lang: string, count: number }>, humanMessagesByRole: Array<{ role: MessageRole, count: number }>, messageTreesByState: Array<{ state: TreeState, count: number }>, messageTreesStatesByLang: Array<{ lang: string, state: TreeState, count: number }> } };

export type RefreshCachedStatsMutationVariables = Exact<{ [key: string]: never; }>;


export type RefreshCachedStatsMutation = { refreshCachedStats: { lastUpdated: string, usersAcceptedTermsOfService: number, humanMessagesByLang: Array<{ lang: string, count: number }>, humanMessagesByRole: Array<{ role: MessageRole, count: number }>, messageTreesByState: Array<{ state: TreeState, count: number }>, messageTreesStatesByLang: Array<{ lang: string, state: TreeState, count: number }> } };

export type PublicSettingsQueryVariables = Exact<{ [key: string]: never; }>;


export type PublicSettingsQuery = { publicSettings: { projectName: string, version: string, maxQueryDepth: number, maxQueryComplexity: number, userTokenTtlSeconds: number } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { via: AuthVia, role: Role, apiClient: { id: string, name: string, trusted: boolean, kind: ApiClientKind } | null, user: { id: string, authMethod: string, username: string, displayName: string, role: Role, apiClientId: string } | null } };

export type ViewerAsQueryVariables = Exact<{
  user: UserRefInput;
}>;


export type ViewerAsQuery = { viewer: { via: AuthVia, role: Role, user: { id: string, authMethod: string, username: string, displayName: string, role: Role } | null } };

export type HeartbeatSubscriptionVariables = Exact<{
  intervalMs?: number | null | undefined;
}>;


export type HeartbeatSubscription = { heartbeat: { seq: number, at: string, ready: boolean, uptimeSeconds: number } };

export type UserByUsernameQueryVariables = Exact<{
  authMethod: string;
  username: string;
  apiClientId?: string | null | undefined;
}>;


export type UserByUsernameQuery = { userByUsername: { id: string, username: string, authMethod: string, displayName: string, apiClientId: string, enabled: boolean, deleted: boolean } };

export type ConversationMessageFieldsFragment = { id: string, userId: string | null, frontendMessageId: string | null, text: string, lang: string, isAssistant: boolean, userIsAuthor: boolean, userEmojis: Array<string>, synthetic: boolean | null, emojis: Array<{ emoji: string, count: number }> };

export type RequestTaskMutationVariables = Exact<{
  input: RequestTaskInput;
}>;


export type RequestTaskMutation = { requestTask:
    | { __typename: 'AssistantReplyTask', id: string, type: TaskRequestType, conversation: Array<{ id: string, userId: string | null, frontendMessageId: string | null, text: string, lang: string, isAssistant: boolean, userIsAuthor: boolean, userEmojis: Array<string>, synthetic: boolean | null, emojis: Array<{ emoji: string, count: number }> }> }
    | { __typename: 'InitialPromptTask', id: string, type: TaskRequestType, hint: string | null }
    | { __typename: 'LabelAssistantReplyTask', id: string, type: TaskRequestType, messageId: string, validLabels: Array<string>, mandatoryLabels: Array<string>, mode: LabelMode, disposition: LabelDisposition, conversation: Array<{ id: string, userId: string | null, frontendMessageId: string | null, text: string, lang: string, isAssistant: boolean, userIsAuthor: boolean, userEmojis: Array<string>, synthetic: boolean | null, emojis: Array<{ emoji: string, count: number }> }> }
    | { __typename: 'LabelInitialPromptTask', id: string, type: TaskRequestType, messageId: string, validLabels: Array<string>, mandatoryLabels: Array<string>, mode: LabelMode, disposition: LabelDisposition, labels: Array<{ name: string, widget: LabelWidget, displayText: string }>, conversation: Array<{ id: string, userId: string | null, frontendMessageId: string | null, text: string, lang: string, isAssistant: boolean, userIsAuthor: boolean, userEmojis: Array<string>, synthetic: boolean | null, emojis: Array<{ emoji: string, count: number }> }> }
    | { __typename: 'LabelPrompterReplyTask', id: string, type: TaskRequestType, messageId: string, validLabels: Array<string>, mandatoryLabels: Array<string>, mode: LabelMode, disposition: LabelDisposition, conversation: Array<{ id: string, userId: string | null, frontendMessageId: string | null, text: string, lang: string, isAssistant: boolean, userIsAuthor: boolean, userEmojis: Array<string>, synthetic: boolean | null, emojis: Array<{ emoji: string, count: number }> }> }
    | { __typename: 'PrompterReplyTask', id: string, type: TaskRequestType, conversation: Array<{ id: string, userId: string | null, frontendMessageId: string | null, text: string, lang: string, isAssistant: boolean, userIsAuthor: boolean, userEmojis: Array<string>, synthetic: boolean | null, emojis: Array<{ emoji: string, count: number }> }> }
    | { __typename: 'RankAssistantRepliesTask', id: string, type: TaskRequestType, messageTreeId: string, rankingParentId: string, revealSynthetic: boolean, conversation: Array<{ id: string, userId: string | null, frontendMessageId: string | null, text: string, lang: string, isAssistant: boolean, userIsAuthor: boolean, userEmojis: Array<string>, synthetic: boolean | null, emojis: Array<{ emoji: string, count: number }> }>, replyMessages: Array<{ id: string, userId: string | null, frontendMessageId: string | null, text: string, lang: string, isAssistant: boolean, userIsAuthor: boolean, userEmojis: Array<string>, synthetic: boolean | null, emojis: Array<{ emoji: string, count: number }> }> }
    | { __typename: 'RankPrompterRepliesTask', id: string, type: TaskRequestType, messageTreeId: string, rankingParentId: string, revealSynthetic: boolean, conversation: Array<{ id: string, userId: string | null, frontendMessageId: string | null, text: string, lang: string, isAssistant: boolean, userIsAuthor: boolean, userEmojis: Array<string>, synthetic: boolean | null, emojis: Array<{ emoji: string, count: number }> }>, replyMessages: Array<{ id: string, userId: string | null, frontendMessageId: string | null, text: string, lang: string, isAssistant: boolean, userIsAuthor: boolean, userEmojis: Array<string>, synthetic: boolean | null, emojis: Array<{ emoji: string, count: number }> }> }
   };

export type AckTaskMutationVariables = Exact<{
  input: AckTaskInput;
}>;


export type AckTaskMutation = { ackTask: { id: string, ack: boolean | null, done: boolean, skipped: boolean, frontendMessageId: string | null, expiryDate: string | null } };

export type NackTaskMutationVariables = Exact<{
  input: NackTaskInput;
}>;


export type NackTaskMutation = { nackTask: { id: string, ack: boolean | null, done: boolean, skipped: boolean } };

export type SubmitReplyMutationVariables = Exact<{
  input: SubmitReplyInput;
}>;


export type SubmitReplyMutation = { submitReply: { taskId: string | null, messageId: string | null, replayed: boolean } };

export type SubmitRankingMutationVariables = Exact<{
  input: SubmitRankingInput;
}>;


export type SubmitRankingMutation = { submitRanking: { taskId: string | null, replayed: boolean } };

export type SubmitLabelsMutationVariables = Exact<{
  input: SubmitLabelsInput;
}>;


export type SubmitLabelsMutation = { submitLabels: { taskId: string | null, replayed: boolean } };

export type LabelMessageMutationVariables = Exact<{
  input: LabelMessageInput;
}>;


export type LabelMessageMutation = { labelMessage: { replayed: boolean } };

export type AvailableTasksQueryVariables = Exact<{
  lang?: string | null | undefined;
  user?: UserRefInput | null | undefined;
}>;


export type AvailableTasksQuery = { availableTasks: { random: number, initialPrompt: number, prompterReply: number, assistantReply: number, rankInitialPrompts: number, rankPrompterReplies: number, rankAssistantReplies: number, labelInitialPrompt: number, labelAssistantReply: number, labelPrompterReply: number } };

export type ValidLabelsQueryVariables = Exact<{
  messageId?: string | null | undefined;
}>;


export type ValidLabelsQuery = { validLabels: Array<{ name: string, widget: LabelWidget, displayText: string, helpText: string | null }> };

export type ReportLabelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ReportLabelsQuery = { reportLabels: Array<{ name: string }> };

export type WorkersQueryVariables = Exact<{ [key: string]: never; }>;


export type WorkersQuery = { workers: Array<{ id: string, name: string, models: Array<string>, capacity: number, device: string, hardwareDescription: string | null, protocolVersion: number, canContinue: boolean, inFlightJobs: number, draining: boolean, tokensPerSecond: number, connectedAt: string, lastSeenAt: string }> };

export type WorkerPoolsQueryVariables = Exact<{ [key: string]: never; }>;


export type WorkerPoolsQuery = { workerPools: Array<{ model: string, workers: number, capacity: number, inFlightJobs: number, queueDepth: number, tokensPerSecond: number }> };

export type DrainWorkerMutationVariables = Exact<{
  input: DrainWorkerInput;
}>;


export type DrainWorkerMutation = { drainWorker: { id: string, name: string, draining: boolean, inFlightJobs: number } };

export type WorkerJobsSubscriptionVariables = Exact<{
  input: WorkerHelloInput;
}>;


export type WorkerJobsSubscription = { workerJobs: { jobId: string, messageId: string, model: string, attempt: number, tokenBatchMs: number, leaseMs: number, continueFrom: string | null, messages: Array<{ role: string, content: string }>, sampling: { maxNewTokens: number, temperature: number, topP: number, topK: number | null, repetitionPenalty: number | null, seed: number } } };

export type WorkerTokensMutationVariables = Exact<{
  input: WorkerTokensInput;
}>;


export type WorkerTokensMutation = { workerTokens: { ok: boolean, cancel: boolean } };

export type WorkerFinishMutationVariables = Exact<{
  input: WorkerFinishInput;
}>;


export type WorkerFinishMutation = { workerFinish: { ok: boolean, cancel: boolean } };

export type WorkerFailMutationVariables = Exact<{
  input: WorkerFailInput;
}>;


export type WorkerFailMutation = { workerFail: { ok: boolean, cancel: boolean } };

export type WorkerHeartbeatMutationVariables = Exact<{
  input: WorkerHeartbeatInput;
}>;


export type WorkerHeartbeatMutation = { workerHeartbeat: { held: Array<string>, lost: Array<string>, cancel: Array<string>, drain: boolean, leaseMs: number } };

export const ArenaBattleFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ArenaBattleFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ArenaBattle"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"turns"}},{"kind":"Field","name":{"kind":"Name","value":"answersA"}},{"kind":"Field","name":{"kind":"Name","value":"answersB"}},{"kind":"Field","name":{"kind":"Name","value":"modelA"}},{"kind":"Field","name":{"kind":"Name","value":"modelB"}},{"kind":"Field","name":{"kind":"Name","value":"winner"}},{"kind":"Field","name":{"kind":"Name","value":"votedAt"}},{"kind":"Field","name":{"kind":"Name","value":"counted"}},{"kind":"Field","name":{"kind":"Name","value":"notCountedReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<ArenaBattleFieldsFragment, unknown>;
export const ModelLeaderboardFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ModelLeaderboardFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ModelLeaderboard"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"battles"}},{"kind":"Field","name":{"kind":"Name","value":"bootstrapSamples"}},{"kind":"Field","name":{"kind":"Name","value":"confidenceLevel"}},{"kind":"Field","name":{"kind":"Name","value":"ridge"}},{"kind":"Field","name":{"kind":"Name","value":"computedAt"}},{"kind":"Field","name":{"kind":"Name","value":"winRateMatrix"}},{"kind":"Field","name":{"kind":"Name","value":"battleMatrix"}},{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"strength"}},{"kind":"Field","name":{"kind":"Name","value":"strengthLower"}},{"kind":"Field","name":{"kind":"Name","value":"strengthUpper"}},{"kind":"Field","name":{"kind":"Name","value":"rating"}},{"kind":"Field","name":{"kind":"Name","value":"ratingLower"}},{"kind":"Field","name":{"kind":"Name","value":"ratingUpper"}},{"kind":"Field","name":{"kind":"Name","value":"rankBest"}},{"kind":"Field","name":{"kind":"Name","value":"rankWorst"}},{"kind":"Field","name":{"kind":"Name","value":"battles"}},{"kind":"Field","name":{"kind":"Name","value":"wins"}},{"kind":"Field","name":{"kind":"Name","value":"losses"}},{"kind":"Field","name":{"kind":"Name","value":"ties"}},{"kind":"Field","name":{"kind":"Name","value":"winRate"}}]}}]}}]} as unknown as DocumentNode<ModelLeaderboardFieldsFragment, unknown>;
export const ChatMessageFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ChatMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"workerName"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"workBeginAt"}},{"kind":"Field","name":{"kind":"Name","value":"workEndAt"}},{"kind":"Field","name":{"kind":"Name","value":"continuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"reports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"reportType"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolution"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sampling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxNewTokens"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"repetitionPenalty"}},{"kind":"Field","name":{"kind":"Name","value":"seed"}}]}}]}}]} as unknown as DocumentNode<ChatMessageFieldsFragment, unknown>;
export const MessageFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"messageTreeId"}},{"kind":"Field","name":{"kind":"Name","value":"frontendMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"isAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"createdDate"}},{"kind":"Field","name":{"kind":"Name","value":"depth"}},{"kind":"Field","name":{"kind":"Name","value":"childrenCount"}},{"kind":"Field","name":{"kind":"Name","value":"reviewResult"}},{"kind":"Field","name":{"kind":"Name","value":"reviewCount"}},{"kind":"Field","name":{"kind":"Name","value":"rankingCount"}},{"kind":"Field","name":{"kind":"Name","value":"rank"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}},{"kind":"Field","name":{"kind":"Name","value":"edited"}},{"kind":"Field","name":{"kind":"Name","value":"synthetic"}},{"kind":"Field","name":{"kind":"Name","value":"modelName"}},{"kind":"Field","name":{"kind":"Name","value":"userIsAuthor"}},{"kind":"Field","name":{"kind":"Name","value":"userEmojis"}},{"kind":"Field","name":{"kind":"Name","value":"emojis"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<MessageFieldsFragment, unknown>;
export const MessageBranchPartsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageBranchParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MessageBranch"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"childrenCount"}},{"kind":"Field","name":{"kind":"Name","value":"depth"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replies"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"reviewResult"}}]}}]}}]} as unknown as DocumentNode<MessageBranchPartsFragment, unknown>;
export const SystemStatsFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SystemStatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SystemStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"all"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}},{"kind":"Field","name":{"kind":"Name","value":"messageTrees"}},{"kind":"Field","name":{"kind":"Name","value":"activeByLang"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<SystemStatsFieldsFragment, unknown>;
export const UserScoreFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserScoreFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserScore"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"window"}},{"kind":"Field","name":{"kind":"Name","value":"rank"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"highlighted"}},{"kind":"Field","name":{"kind":"Name","value":"leaderScore"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"baseDate"}},{"kind":"Field","name":{"kind":"Name","value":"modifiedDate"}},{"kind":"Field","name":{"kind":"Name","value":"prompts"}},{"kind":"Field","name":{"kind":"Name","value":"repliesAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"repliesPrompter"}},{"kind":"Field","name":{"kind":"Name","value":"labelsSimple"}},{"kind":"Field","name":{"kind":"Name","value":"labelsFull"}},{"kind":"Field","name":{"kind":"Name","value":"rankingsTotal"}},{"kind":"Field","name":{"kind":"Name","value":"rankingsGood"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedPrompts"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedRepliesAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedRepliesPrompter"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked1"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked2"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked3"}},{"kind":"Field","name":{"kind":"Name","value":"streakDays"}}]}}]} as unknown as DocumentNode<UserScoreFieldsFragment, unknown>;
export const CachedStatsPartsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CachedStatsParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CachedStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lastUpdated"}},{"kind":"Field","name":{"kind":"Name","value":"humanMessagesByLang"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"humanMessagesByRole"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"messageTreesByState"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"messageTreesStatesByLang"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usersAcceptedTermsOfService"}}]}}]} as unknown as DocumentNode<CachedStatsPartsFragment, unknown>;
export const ConversationMessageFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConversationMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ConversationMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"frontendMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"isAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"userIsAuthor"}},{"kind":"Field","name":{"kind":"Name","value":"userEmojis"}},{"kind":"Field","name":{"kind":"Name","value":"synthetic"}},{"kind":"Field","name":{"kind":"Name","value":"emojis"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<ConversationMessageFieldsFragment, unknown>;
export const CreateApiClientDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateApiClient"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateApiClientInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createApiClient"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"apiClient"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"trusted"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"keyPrefix"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]}}]} as unknown as DocumentNode<CreateApiClientMutation, CreateApiClientMutationVariables>;
export const ApiClientsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiClients"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiClients"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"trusted"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ApiClientsQuery, ApiClientsQueryVariables>;
export const RotateApiClientKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RotateApiClientKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RotateApiClientKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rotateApiClientKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"apiClient"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]}}]}}]} as unknown as DocumentNode<RotateApiClientKeyMutation, RotateApiClientKeyMutationVariables>;
export const RevokeApiClientDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeApiClient"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RevokeApiClientInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeApiClient"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]}}]} as unknown as DocumentNode<RevokeApiClientMutation, RevokeApiClientMutationVariables>;
export const SetUserRoleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetUserRole"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetUserRoleInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setUserRole"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]} as unknown as DocumentNode<SetUserRoleMutation, SetUserRoleMutationVariables>;
export const CreateUserTokenDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateUserToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateUserTokenInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createUserToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"authMethod"}}]}}]}}]}}]} as unknown as DocumentNode<CreateUserTokenMutation, CreateUserTokenMutationVariables>;
export const RevokeUserTokensDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeUserTokens"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RevokeUserTokensInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeUserTokens"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}}]}}]}}]}}]} as unknown as DocumentNode<RevokeUserTokensMutation, RevokeUserTokensMutationVariables>;
export const DeleteMyAccountDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteMyAccount"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteMyAccountInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteMyAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}}]}}]}}]} as unknown as DocumentNode<DeleteMyAccountMutation, DeleteMyAccountMutationVariables>;
export const StartBattleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StartBattle"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StartBattleInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startBattle"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"answerA"}},{"kind":"Field","name":{"kind":"Name","value":"answerB"}},{"kind":"Field","name":{"kind":"Name","value":"battle"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ArenaBattleFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ArenaBattleFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ArenaBattle"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"turns"}},{"kind":"Field","name":{"kind":"Name","value":"answersA"}},{"kind":"Field","name":{"kind":"Name","value":"answersB"}},{"kind":"Field","name":{"kind":"Name","value":"modelA"}},{"kind":"Field","name":{"kind":"Name","value":"modelB"}},{"kind":"Field","name":{"kind":"Name","value":"winner"}},{"kind":"Field","name":{"kind":"Name","value":"votedAt"}},{"kind":"Field","name":{"kind":"Name","value":"counted"}},{"kind":"Field","name":{"kind":"Name","value":"notCountedReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<StartBattleMutation, StartBattleMutationVariables>;
export const ContinueBattleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ContinueBattle"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ContinueBattleInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"continueBattle"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"answerA"}},{"kind":"Field","name":{"kind":"Name","value":"answerB"}},{"kind":"Field","name":{"kind":"Name","value":"battle"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ArenaBattleFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ArenaBattleFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ArenaBattle"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"turns"}},{"kind":"Field","name":{"kind":"Name","value":"answersA"}},{"kind":"Field","name":{"kind":"Name","value":"answersB"}},{"kind":"Field","name":{"kind":"Name","value":"modelA"}},{"kind":"Field","name":{"kind":"Name","value":"modelB"}},{"kind":"Field","name":{"kind":"Name","value":"winner"}},{"kind":"Field","name":{"kind":"Name","value":"votedAt"}},{"kind":"Field","name":{"kind":"Name","value":"counted"}},{"kind":"Field","name":{"kind":"Name","value":"notCountedReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<ContinueBattleMutation, ContinueBattleMutationVariables>;
export const VoteBattleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"VoteBattle"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"VoteBattleInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"voteBattle"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ArenaBattleFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ArenaBattleFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ArenaBattle"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"turns"}},{"kind":"Field","name":{"kind":"Name","value":"answersA"}},{"kind":"Field","name":{"kind":"Name","value":"answersB"}},{"kind":"Field","name":{"kind":"Name","value":"modelA"}},{"kind":"Field","name":{"kind":"Name","value":"modelB"}},{"kind":"Field","name":{"kind":"Name","value":"winner"}},{"kind":"Field","name":{"kind":"Name","value":"votedAt"}},{"kind":"Field","name":{"kind":"Name","value":"counted"}},{"kind":"Field","name":{"kind":"Name","value":"notCountedReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<VoteBattleMutation, VoteBattleMutationVariables>;
export const RevealBattleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevealBattle"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"battleId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revealBattle"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"battleId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"battleId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ArenaBattleFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ArenaBattleFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ArenaBattle"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"turns"}},{"kind":"Field","name":{"kind":"Name","value":"answersA"}},{"kind":"Field","name":{"kind":"Name","value":"answersB"}},{"kind":"Field","name":{"kind":"Name","value":"modelA"}},{"kind":"Field","name":{"kind":"Name","value":"modelB"}},{"kind":"Field","name":{"kind":"Name","value":"winner"}},{"kind":"Field","name":{"kind":"Name","value":"votedAt"}},{"kind":"Field","name":{"kind":"Name","value":"counted"}},{"kind":"Field","name":{"kind":"Name","value":"notCountedReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<RevealBattleMutation, RevealBattleMutationVariables>;
export const ArenaBattleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ArenaBattle"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"arenaBattle"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ArenaBattleFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ArenaBattleFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ArenaBattle"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"turns"}},{"kind":"Field","name":{"kind":"Name","value":"answersA"}},{"kind":"Field","name":{"kind":"Name","value":"answersB"}},{"kind":"Field","name":{"kind":"Name","value":"modelA"}},{"kind":"Field","name":{"kind":"Name","value":"modelB"}},{"kind":"Field","name":{"kind":"Name","value":"winner"}},{"kind":"Field","name":{"kind":"Name","value":"votedAt"}},{"kind":"Field","name":{"kind":"Name","value":"counted"}},{"kind":"Field","name":{"kind":"Name","value":"notCountedReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<ArenaBattleQuery, ArenaBattleQueryVariables>;
export const ArenaBattlesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ArenaBattles"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"arenaBattles"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ArenaBattleFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ArenaBattleFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ArenaBattle"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"turns"}},{"kind":"Field","name":{"kind":"Name","value":"answersA"}},{"kind":"Field","name":{"kind":"Name","value":"answersB"}},{"kind":"Field","name":{"kind":"Name","value":"modelA"}},{"kind":"Field","name":{"kind":"Name","value":"modelB"}},{"kind":"Field","name":{"kind":"Name","value":"winner"}},{"kind":"Field","name":{"kind":"Name","value":"votedAt"}},{"kind":"Field","name":{"kind":"Name","value":"counted"}},{"kind":"Field","name":{"kind":"Name","value":"notCountedReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<ArenaBattlesQuery, ArenaBattlesQueryVariables>;
export const ModelLeaderboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ModelLeaderboard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"category"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"lang"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"since"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTimeISO"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"modelLeaderboard"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"category"},"value":{"kind":"Variable","name":{"kind":"Name","value":"category"}}},{"kind":"Argument","name":{"kind":"Name","value":"lang"},"value":{"kind":"Variable","name":{"kind":"Name","value":"lang"}}},{"kind":"Argument","name":{"kind":"Name","value":"since"},"value":{"kind":"Variable","name":{"kind":"Name","value":"since"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ModelLeaderboardFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ModelLeaderboardFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ModelLeaderboard"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"battles"}},{"kind":"Field","name":{"kind":"Name","value":"bootstrapSamples"}},{"kind":"Field","name":{"kind":"Name","value":"confidenceLevel"}},{"kind":"Field","name":{"kind":"Name","value":"ridge"}},{"kind":"Field","name":{"kind":"Name","value":"computedAt"}},{"kind":"Field","name":{"kind":"Name","value":"winRateMatrix"}},{"kind":"Field","name":{"kind":"Name","value":"battleMatrix"}},{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"strength"}},{"kind":"Field","name":{"kind":"Name","value":"strengthLower"}},{"kind":"Field","name":{"kind":"Name","value":"strengthUpper"}},{"kind":"Field","name":{"kind":"Name","value":"rating"}},{"kind":"Field","name":{"kind":"Name","value":"ratingLower"}},{"kind":"Field","name":{"kind":"Name","value":"ratingUpper"}},{"kind":"Field","name":{"kind":"Name","value":"rankBest"}},{"kind":"Field","name":{"kind":"Name","value":"rankWorst"}},{"kind":"Field","name":{"kind":"Name","value":"battles"}},{"kind":"Field","name":{"kind":"Name","value":"wins"}},{"kind":"Field","name":{"kind":"Name","value":"losses"}},{"kind":"Field","name":{"kind":"Name","value":"ties"}},{"kind":"Field","name":{"kind":"Name","value":"winRate"}}]}}]}}]} as unknown as DocumentNode<ModelLeaderboardQuery, ModelLeaderboardQueryVariables>;
export const RefreshModelLeaderboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RefreshModelLeaderboard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RefreshModelLeaderboardInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshModelLeaderboard"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ModelLeaderboardFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ModelLeaderboardFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ModelLeaderboard"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"battles"}},{"kind":"Field","name":{"kind":"Name","value":"bootstrapSamples"}},{"kind":"Field","name":{"kind":"Name","value":"confidenceLevel"}},{"kind":"Field","name":{"kind":"Name","value":"ridge"}},{"kind":"Field","name":{"kind":"Name","value":"computedAt"}},{"kind":"Field","name":{"kind":"Name","value":"winRateMatrix"}},{"kind":"Field","name":{"kind":"Name","value":"battleMatrix"}},{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"strength"}},{"kind":"Field","name":{"kind":"Name","value":"strengthLower"}},{"kind":"Field","name":{"kind":"Name","value":"strengthUpper"}},{"kind":"Field","name":{"kind":"Name","value":"rating"}},{"kind":"Field","name":{"kind":"Name","value":"ratingLower"}},{"kind":"Field","name":{"kind":"Name","value":"ratingUpper"}},{"kind":"Field","name":{"kind":"Name","value":"rankBest"}},{"kind":"Field","name":{"kind":"Name","value":"rankWorst"}},{"kind":"Field","name":{"kind":"Name","value":"battles"}},{"kind":"Field","name":{"kind":"Name","value":"wins"}},{"kind":"Field","name":{"kind":"Name","value":"losses"}},{"kind":"Field","name":{"kind":"Name","value":"ties"}},{"kind":"Field","name":{"kind":"Name","value":"winRate"}}]}}]}}]} as unknown as DocumentNode<RefreshModelLeaderboardMutation, RefreshModelLeaderboardMutationVariables>;
export const SetArenaVoterExclusionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetArenaVoterExclusion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetArenaVoterExclusionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setArenaVoterExclusion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"excluded"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"votes"}}]}}]}}]} as unknown as DocumentNode<SetArenaVoterExclusionMutation, SetArenaVoterExclusionMutationVariables>;
export const ModelLeaderboardUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ModelLeaderboardUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"category"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"lang"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"since"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTimeISO"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"modelLeaderboardUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"category"},"value":{"kind":"Variable","name":{"kind":"Name","value":"category"}}},{"kind":"Argument","name":{"kind":"Name","value":"lang"},"value":{"kind":"Variable","name":{"kind":"Name","value":"lang"}}},{"kind":"Argument","name":{"kind":"Name","value":"since"},"value":{"kind":"Variable","name":{"kind":"Name","value":"since"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"battles"}},{"kind":"Field","name":{"kind":"Name","value":"computedAt"}}]}}]}}]} as unknown as DocumentNode<ModelLeaderboardUpdatedSubscription, ModelLeaderboardUpdatedSubscriptionVariables>;
export const CreateChatDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateChat"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createChat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"hidden"}},{"kind":"Field","name":{"kind":"Name","value":"allowDataUse"}},{"kind":"Field","name":{"kind":"Name","value":"systemPrompt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]} as unknown as DocumentNode<CreateChatMutation, CreateChatMutationVariables>;
export const ChatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Chats"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"includeHidden"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}},{"kind":"Argument","name":{"kind":"Name","value":"includeHidden"},"value":{"kind":"Variable","name":{"kind":"Name","value":"includeHidden"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"hidden"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ChatsQuery, ChatsQueryVariables>;
export const ChatDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Chat"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"hidden"}},{"kind":"Field","name":{"kind":"Name","value":"allowDataUse"}},{"kind":"Field","name":{"kind":"Name","value":"systemPrompt"}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ChatMessageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"draftChoices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"promptId"}},{"kind":"Field","name":{"kind":"Name","value":"selectedMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"inferiorMessageIds"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ChatMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"workerName"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"workBeginAt"}},{"kind":"Field","name":{"kind":"Name","value":"workEndAt"}},{"kind":"Field","name":{"kind":"Name","value":"continuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"reports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"reportType"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolution"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sampling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxNewTokens"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"repetitionPenalty"}},{"kind":"Field","name":{"kind":"Name","value":"seed"}}]}}]}}]} as unknown as DocumentNode<ChatQuery, ChatQueryVariables>;
export const ChatMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ChatMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chatMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ChatMessageFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ChatMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"workerName"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"workBeginAt"}},{"kind":"Field","name":{"kind":"Name","value":"workEndAt"}},{"kind":"Field","name":{"kind":"Name","value":"continuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"reports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"reportType"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolution"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sampling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxNewTokens"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"repetitionPenalty"}},{"kind":"Field","name":{"kind":"Name","value":"seed"}}]}}]}}]} as unknown as DocumentNode<ChatMessageQuery, ChatMessageQueryVariables>;
export const UpdateChatDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateChat"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateChat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"hidden"}},{"kind":"Field","name":{"kind":"Name","value":"allowDataUse"}},{"kind":"Field","name":{"kind":"Name","value":"systemPrompt"}}]}}]}}]} as unknown as DocumentNode<UpdateChatMutation, UpdateChatMutationVariables>;
export const DeleteChatDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteChat"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteChat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<DeleteChatMutation, DeleteChatMutationVariables>;
export const SendChatMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SendChatMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendChatMessageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendChatMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queuePosition"}},{"kind":"Field","name":{"kind":"Name","value":"prompterMessage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ChatMessageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"assistantMessage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ChatMessageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"assistantMessages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ChatMessageFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ChatMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"workerName"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"workBeginAt"}},{"kind":"Field","name":{"kind":"Name","value":"workEndAt"}},{"kind":"Field","name":{"kind":"Name","value":"continuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"reports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"reportType"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolution"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sampling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxNewTokens"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"repetitionPenalty"}},{"kind":"Field","name":{"kind":"Name","value":"seed"}}]}}]}}]} as unknown as DocumentNode<SendChatMessageMutation, SendChatMessageMutationVariables>;
export const CancelGenerationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CancelGeneration"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelGeneration"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"messageId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ChatMessageFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ChatMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"workerName"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"workBeginAt"}},{"kind":"Field","name":{"kind":"Name","value":"workEndAt"}},{"kind":"Field","name":{"kind":"Name","value":"continuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"reports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"reportType"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolution"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sampling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxNewTokens"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"repetitionPenalty"}},{"kind":"Field","name":{"kind":"Name","value":"seed"}}]}}]}}]} as unknown as DocumentNode<CancelGenerationMutation, CancelGenerationMutationVariables>;
export const ModelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"maxInputLength"}},{"kind":"Field","name":{"kind":"Name","value":"maxTotalLength"}},{"kind":"Field","name":{"kind":"Name","value":"maxNewTokensLimit"}},{"kind":"Field","name":{"kind":"Name","value":"queueSize"}},{"kind":"Field","name":{"kind":"Name","value":"connectedWorkers"}},{"kind":"Field","name":{"kind":"Name","value":"defaults"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxNewTokens"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"repetitionPenalty"}}]}},{"kind":"Field","name":{"kind":"Name","value":"presets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"maxNewTokens"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"repetitionPenalty"}},{"kind":"Field","name":{"kind":"Name","value":"typicalP"}}]}},{"kind":"Field","name":{"kind":"Name","value":"chatTemplate"}},{"kind":"Field","name":{"kind":"Name","value":"compatibilityKey"}}]}}]}}]} as unknown as DocumentNode<ModelsQuery, ModelsQueryVariables>;
export const GenerationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"Generation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"generation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"messageId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GenerationQueued"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"queueSize"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GenerationStarted"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"workerName"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GenerationTokens"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GenerationRestarted"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GenerationContinued"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GenerationFinished"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"chatMessage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ChatMessageFields"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GenerationFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ChatMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"workerName"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"workBeginAt"}},{"kind":"Field","name":{"kind":"Name","value":"workEndAt"}},{"kind":"Field","name":{"kind":"Name","value":"continuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"reports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"reportType"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolution"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sampling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxNewTokens"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"repetitionPenalty"}},{"kind":"Field","name":{"kind":"Name","value":"seed"}}]}}]}}]} as unknown as DocumentNode<GenerationSubscription, GenerationSubscriptionVariables>;
export const RegenerateDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Regenerate"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegenerateInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"regenerate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queuePosition"}},{"kind":"Field","name":{"kind":"Name","value":"assistantMessage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ChatMessageFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ChatMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"workerName"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"workBeginAt"}},{"kind":"Field","name":{"kind":"Name","value":"workEndAt"}},{"kind":"Field","name":{"kind":"Name","value":"continuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"reports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"reportType"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolution"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sampling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxNewTokens"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"repetitionPenalty"}},{"kind":"Field","name":{"kind":"Name","value":"seed"}}]}}]}}]} as unknown as DocumentNode<RegenerateMutation, RegenerateMutationVariables>;
export const DeleteAllChatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteAllChats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteAllChats"}}]}}]} as unknown as DocumentNode<DeleteAllChatsMutation, DeleteAllChatsMutationVariables>;
export const ContinueGenerationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ContinueGeneration"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"continueGeneration"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"messageId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queuePosition"}},{"kind":"Field","name":{"kind":"Name","value":"resumeAfter"}},{"kind":"Field","name":{"kind":"Name","value":"assistantMessage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ChatMessageFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ChatMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"workerName"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"workBeginAt"}},{"kind":"Field","name":{"kind":"Name","value":"workEndAt"}},{"kind":"Field","name":{"kind":"Name","value":"continuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"reports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"reportType"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolution"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sampling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxNewTokens"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"repetitionPenalty"}},{"kind":"Field","name":{"kind":"Name","value":"seed"}}]}}]}}]} as unknown as DocumentNode<ContinueGenerationMutation, ContinueGenerationMutationVariables>;
export const ChooseDraftDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ChooseDraft"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChooseDraftInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chooseDraft"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"promptId"}},{"kind":"Field","name":{"kind":"Name","value":"selectedMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"inferiorMessageIds"}}]}}]}}]} as unknown as DocumentNode<ChooseDraftMutation, ChooseDraftMutationVariables>;
export const VoteChatMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"VoteChatMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"VoteChatMessageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"voteChatMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"score"}}]}}]}}]} as unknown as DocumentNode<VoteChatMessageMutation, VoteChatMessageMutationVariables>;
export const ReportChatMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReportChatMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReportChatMessageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reportChatMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"reportType"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}}]}}]}}]} as unknown as DocumentNode<ReportChatMessageMutation, ReportChatMessageMutationVariables>;
export const ChatReportsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ChatReports"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"resolved"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chatReports"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"resolved"},"value":{"kind":"Variable","name":{"kind":"Name","value":"resolved"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"chatId"}},{"kind":"Field","name":{"kind":"Name","value":"reportType"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolution"}},{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ChatReportsQuery, ChatReportsQueryVariables>;
export const ResolveChatReportDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ResolveChatReport"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ResolveChatReportInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resolveChatReport"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedByUserId"}},{"kind":"Field","name":{"kind":"Name","value":"resolution"}}]}}]}}]} as unknown as DocumentNode<ResolveChatReportMutation, ResolveChatReportMutationVariables>;
export const MessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Message"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}},{"kind":"Field","name":{"kind":"Name","value":"treeState"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"goalTreeSize"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"messageTreeId"}},{"kind":"Field","name":{"kind":"Name","value":"frontendMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"isAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"createdDate"}},{"kind":"Field","name":{"kind":"Name","value":"depth"}},{"kind":"Field","name":{"kind":"Name","value":"childrenCount"}},{"kind":"Field","name":{"kind":"Name","value":"reviewResult"}},{"kind":"Field","name":{"kind":"Name","value":"reviewCount"}},{"kind":"Field","name":{"kind":"Name","value":"rankingCount"}},{"kind":"Field","name":{"kind":"Name","value":"rank"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}},{"kind":"Field","name":{"kind":"Name","value":"edited"}},{"kind":"Field","name":{"kind":"Name","value":"synthetic"}},{"kind":"Field","name":{"kind":"Name","value":"modelName"}},{"kind":"Field","name":{"kind":"Name","value":"userIsAuthor"}},{"kind":"Field","name":{"kind":"Name","value":"userEmojis"}},{"kind":"Field","name":{"kind":"Name","value":"emojis"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<MessageQuery, MessageQueryVariables>;
export const MessageByFrontendIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MessageByFrontendId"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"frontendMessageId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageByFrontendId"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"frontendMessageId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"frontendMessageId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"messageTreeId"}},{"kind":"Field","name":{"kind":"Name","value":"frontendMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"isAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"createdDate"}},{"kind":"Field","name":{"kind":"Name","value":"depth"}},{"kind":"Field","name":{"kind":"Name","value":"childrenCount"}},{"kind":"Field","name":{"kind":"Name","value":"reviewResult"}},{"kind":"Field","name":{"kind":"Name","value":"reviewCount"}},{"kind":"Field","name":{"kind":"Name","value":"rankingCount"}},{"kind":"Field","name":{"kind":"Name","value":"rank"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}},{"kind":"Field","name":{"kind":"Name","value":"edited"}},{"kind":"Field","name":{"kind":"Name","value":"synthetic"}},{"kind":"Field","name":{"kind":"Name","value":"modelName"}},{"kind":"Field","name":{"kind":"Name","value":"userIsAuthor"}},{"kind":"Field","name":{"kind":"Name","value":"userEmojis"}},{"kind":"Field","name":{"kind":"Name","value":"emojis"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<MessageByFrontendIdQuery, MessageByFrontendIdQueryVariables>;
export const MessageTreeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MessageTree"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"includeSpam"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"includeDeleted"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageTree"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"includeSpam"},"value":{"kind":"Variable","name":{"kind":"Name","value":"includeSpam"}}},{"kind":"Argument","name":{"kind":"Name","value":"includeDeleted"},"value":{"kind":"Variable","name":{"kind":"Name","value":"includeDeleted"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageTreeId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"goalTreeSize"}},{"kind":"Field","name":{"kind":"Name","value":"maxDepth"}},{"kind":"Field","name":{"kind":"Name","value":"maxChildrenCount"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"origin"}}]}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"root"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replies"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"rank"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replies"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"rank"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replies"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"messageTreeId"}},{"kind":"Field","name":{"kind":"Name","value":"frontendMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"isAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"createdDate"}},{"kind":"Field","name":{"kind":"Name","value":"depth"}},{"kind":"Field","name":{"kind":"Name","value":"childrenCount"}},{"kind":"Field","name":{"kind":"Name","value":"reviewResult"}},{"kind":"Field","name":{"kind":"Name","value":"reviewCount"}},{"kind":"Field","name":{"kind":"Name","value":"rankingCount"}},{"kind":"Field","name":{"kind":"Name","value":"rank"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}},{"kind":"Field","name":{"kind":"Name","value":"edited"}},{"kind":"Field","name":{"kind":"Name","value":"synthetic"}},{"kind":"Field","name":{"kind":"Name","value":"modelName"}},{"kind":"Field","name":{"kind":"Name","value":"userIsAuthor"}},{"kind":"Field","name":{"kind":"Name","value":"userEmojis"}},{"kind":"Field","name":{"kind":"Name","value":"emojis"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<MessageTreeQuery, MessageTreeQueryVariables>;
export const MessageTreeStateDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MessageTreeState"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageTreeState"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageTreeId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"goalTreeSize"}},{"kind":"Field","name":{"kind":"Name","value":"wonPromptLotteryDate"}}]}}]}}]} as unknown as DocumentNode<MessageTreeStateQuery, MessageTreeStateQueryVariables>;
export const ConversationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Conversation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"conversation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"messageId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]} as unknown as DocumentNode<ConversationQuery, ConversationQueryVariables>;
export const MessageChildrenDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MessageChildren"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageChildren"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}}]}}]} as unknown as DocumentNode<MessageChildrenQuery, MessageChildrenQueryVariables>;
export const MessageDescendantsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MessageDescendants"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageDescendants"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}},{"kind":"Field","name":{"kind":"Name","value":"depth"}}]}}]}}]} as unknown as DocumentNode<MessageDescendantsQuery, MessageDescendantsQueryVariables>;
export const MessagesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Messages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"MessagesFilterInput"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"createdDate"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<MessagesQuery, MessagesQueryVariables>;
export const LongestConversationInTreeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LongestConversationInTree"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"longestConversationInTree"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"depth"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}}]}}]}}]} as unknown as DocumentNode<LongestConversationInTreeQuery, LongestConversationInTreeQueryVariables>;
export const MaxChildrenInTreeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MaxChildrenInTree"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"maxChildrenInTree"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageBranchParts"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageBranchParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MessageBranch"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"childrenCount"}},{"kind":"Field","name":{"kind":"Name","value":"depth"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replies"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"reviewResult"}}]}}]}}]} as unknown as DocumentNode<MaxChildrenInTreeQuery, MaxChildrenInTreeQueryVariables>;
export const TreeShapeByFrontendIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TreeShapeByFrontendId"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"frontendMessageId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageByFrontendId"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"frontendMessageId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"frontendMessageId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"longestConversationInTree"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"maxChildrenInTree"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageBranchParts"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageBranchParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MessageBranch"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"childrenCount"}},{"kind":"Field","name":{"kind":"Name","value":"depth"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replies"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"parentId"}},{"kind":"Field","name":{"kind":"Name","value":"reviewResult"}}]}}]}}]} as unknown as DocumentNode<TreeShapeByFrontendIdQuery, TreeShapeByFrontendIdQueryVariables>;
export const SetEmojiDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetEmoji"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetEmojiInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setEmoji"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"userEmojis"}},{"kind":"Field","name":{"kind":"Name","value":"emojis"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]}}]} as unknown as DocumentNode<SetEmojiMutation, SetEmojiMutationVariables>;
export const DeleteMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MessageIdInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"changedIds"}}]}}]}}]} as unknown as DocumentNode<DeleteMessageMutation, DeleteMessageMutationVariables>;
export const UndeleteMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UndeleteMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MessageIdInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"undeleteMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"changedIds"}}]}}]}}]} as unknown as DocumentNode<UndeleteMessageMutation, UndeleteMessageMutationVariables>;
export const EditMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"EditMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EditMessageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"editMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"edited"}}]}}]}}]} as unknown as DocumentNode<EditMessageMutation, EditMessageMutationVariables>;
export const MessageHistoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MessageHistory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageHistory"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"messageId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"userIsAuthor"}},{"kind":"Field","name":{"kind":"Name","value":"createdDate"}}]}}]}}]} as unknown as DocumentNode<MessageHistoryQuery, MessageHistoryQueryVariables>;
export const FlaggedMessagesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FlaggedMessages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"processed"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"desc"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"flaggedMessages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"processed"},"value":{"kind":"Variable","name":{"kind":"Name","value":"processed"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"desc"},"value":{"kind":"Variable","name":{"kind":"Name","value":"desc"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"processed"}},{"kind":"Field","name":{"kind":"Name","value":"createdDate"}},{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<FlaggedMessagesQuery, FlaggedMessagesQueryVariables>;
export const MarkFlaggedProcessedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"MarkFlaggedProcessed"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MessageIdInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markFlaggedProcessed"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"processed"}}]}}]}}]} as unknown as DocumentNode<MarkFlaggedProcessedMutation, MarkFlaggedProcessedMutationVariables>;
export const UpdateUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateUserInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"notes"}},{"kind":"Field","name":{"kind":"Name","value":"showOnLeaderboard"}},{"kind":"Field","name":{"kind":"Name","value":"tosAcceptanceDate"}}]}}]}}]} as unknown as DocumentNode<UpdateUserMutation, UpdateUserMutationVariables>;
export const AcceptTermsOfServiceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AcceptTermsOfService"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"user"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UserRefInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acceptTermsOfService"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"user"},"value":{"kind":"Variable","name":{"kind":"Name","value":"user"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tosAcceptanceDate"}}]}}]}}]} as unknown as DocumentNode<AcceptTermsOfServiceMutation, AcceptTermsOfServiceMutationVariables>;
export const DeleteUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UserIdInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}}]}}]}}]} as unknown as DocumentNode<DeleteUserMutation, DeleteUserMutationVariables>;
export const DeleteUserMessagesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteUserMessages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UserIdInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteUserMessages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedCount"}}]}}]}}]} as unknown as DocumentNode<DeleteUserMessagesMutation, DeleteUserMessagesMutationVariables>;
export const MergeUsersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"MergeUsers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MergeUsersInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"mergeUsers"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"destination"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"mergedUserIds"}},{"kind":"Field","name":{"kind":"Name","value":"moved"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"table"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"droppedDuplicates"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"table"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]}}]} as unknown as DocumentNode<MergeUsersMutation, MergeUsersMutationVariables>;
export const PurgeUserDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PurgeUser"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PurgeUserInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"purgeUser"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"preview"}},{"kind":"Field","name":{"kind":"Name","value":"purgedMessages"}},{"kind":"Field","name":{"kind":"Name","value":"purgedTrees"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"before"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SystemStatsFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"after"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SystemStatsFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SystemStatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SystemStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"all"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}},{"kind":"Field","name":{"kind":"Name","value":"messageTrees"}},{"kind":"Field","name":{"kind":"Name","value":"activeByLang"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<PurgeUserMutation, PurgeUserMutationVariables>;
export const PurgeUserMessagesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PurgeUserMessages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PurgeUserMessagesInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"purgeUserMessages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"preview"}},{"kind":"Field","name":{"kind":"Name","value":"purgedMessages"}},{"kind":"Field","name":{"kind":"Name","value":"purgedTrees"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"before"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SystemStatsFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"after"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SystemStatsFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SystemStatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SystemStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"all"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}},{"kind":"Field","name":{"kind":"Name","value":"messageTrees"}},{"kind":"Field","name":{"kind":"Name","value":"activeByLang"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<PurgeUserMessagesMutation, PurgeUserMessagesMutationVariables>;
export const SystemStatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SystemStats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"systemStats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SystemStatsFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SystemStatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SystemStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"all"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}},{"kind":"Field","name":{"kind":"Name","value":"messageTrees"}},{"kind":"Field","name":{"kind":"Name","value":"activeByLang"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<SystemStatsQuery, SystemStatsQueryVariables>;
export const TreeManagerStatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TreeManagerStats"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"onlyActive"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"treeManagerStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"onlyActive"},"value":{"kind":"Variable","name":{"kind":"Name","value":"onlyActive"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stateCounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"messageCounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageTreeId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"depth"}},{"kind":"Field","name":{"kind":"Name","value":"oldest"}},{"kind":"Field","name":{"kind":"Name","value":"youngest"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"goalTreeSize"}}]}}]}}]}}]} as unknown as DocumentNode<TreeManagerStatsQuery, TreeManagerStatsQueryVariables>;
export const SettingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"isSet"}}]}}]}}]} as unknown as DocumentNode<SettingsQuery, SettingsQueryVariables>;
export const JournalDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Journal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"JournalFilterInput"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"journal"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdDate"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"actorId"}},{"kind":"Field","name":{"kind":"Name","value":"apiClientId"}},{"kind":"Field","name":{"kind":"Name","value":"targetId"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"payload"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<JournalQuery, JournalQueryVariables>;
export const UsersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Users"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UsersFilterInput"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sortKey"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UserSortKey"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"desc"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"users"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"sortKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sortKey"}}},{"kind":"Argument","name":{"kind":"Name","value":"desc"},"value":{"kind":"Variable","name":{"kind":"Name","value":"desc"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"authMethod"}},{"kind":"Field","name":{"kind":"Name","value":"apiClientId"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}},{"kind":"Field","name":{"kind":"Name","value":"notes"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<UsersQuery, UsersQueryVariables>;
export const AnnotatorQualityDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AnnotatorQuality"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"annotatorQuality"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"rankingAgreement"}},{"kind":"Field","name":{"kind":"Name","value":"rankingsCompared"}},{"kind":"Field","name":{"kind":"Name","value":"labelAgreement"}},{"kind":"Field","name":{"kind":"Name","value":"labelsCompared"}},{"kind":"Field","name":{"kind":"Name","value":"tasksDone"}},{"kind":"Field","name":{"kind":"Name","value":"rankings"}},{"kind":"Field","name":{"kind":"Name","value":"labelReviews"}},{"kind":"Field","name":{"kind":"Name","value":"replies"}},{"kind":"Field","name":{"kind":"Name","value":"medianSecondsPerTask"}}]}}]}}]} as unknown as DocumentNode<AnnotatorQualityQuery, AnnotatorQualityQueryVariables>;
export const LeaderboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Leaderboard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"window"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StatsWindow"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"leaderboard"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"window"},"value":{"kind":"Variable","name":{"kind":"Name","value":"window"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserScoreFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserScoreFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserScore"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"window"}},{"kind":"Field","name":{"kind":"Name","value":"rank"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"highlighted"}},{"kind":"Field","name":{"kind":"Name","value":"leaderScore"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"baseDate"}},{"kind":"Field","name":{"kind":"Name","value":"modifiedDate"}},{"kind":"Field","name":{"kind":"Name","value":"prompts"}},{"kind":"Field","name":{"kind":"Name","value":"repliesAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"repliesPrompter"}},{"kind":"Field","name":{"kind":"Name","value":"labelsSimple"}},{"kind":"Field","name":{"kind":"Name","value":"labelsFull"}},{"kind":"Field","name":{"kind":"Name","value":"rankingsTotal"}},{"kind":"Field","name":{"kind":"Name","value":"rankingsGood"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedPrompts"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedRepliesAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedRepliesPrompter"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked1"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked2"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked3"}},{"kind":"Field","name":{"kind":"Name","value":"streakDays"}}]}}]} as unknown as DocumentNode<LeaderboardQuery, LeaderboardQueryVariables>;
export const UserStatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UserStats"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"streakDays"}},{"kind":"Field","name":{"kind":"Name","value":"streakLastDayDate"}},{"kind":"Field","name":{"kind":"Name","value":"lastActivityDate"}},{"kind":"Field","name":{"kind":"Name","value":"day"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserScoreFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"week"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserScoreFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"month"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserScoreFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"total"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserScoreFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserScoreFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserScore"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"window"}},{"kind":"Field","name":{"kind":"Name","value":"rank"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"highlighted"}},{"kind":"Field","name":{"kind":"Name","value":"leaderScore"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"baseDate"}},{"kind":"Field","name":{"kind":"Name","value":"modifiedDate"}},{"kind":"Field","name":{"kind":"Name","value":"prompts"}},{"kind":"Field","name":{"kind":"Name","value":"repliesAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"repliesPrompter"}},{"kind":"Field","name":{"kind":"Name","value":"labelsSimple"}},{"kind":"Field","name":{"kind":"Name","value":"labelsFull"}},{"kind":"Field","name":{"kind":"Name","value":"rankingsTotal"}},{"kind":"Field","name":{"kind":"Name","value":"rankingsGood"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedPrompts"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedRepliesAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedRepliesPrompter"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked1"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked2"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked3"}},{"kind":"Field","name":{"kind":"Name","value":"streakDays"}}]}}]} as unknown as DocumentNode<UserStatsQuery, UserStatsQueryVariables>;
export const LeaderboardWindowDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LeaderboardWindow"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"window"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StatsWindow"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"size"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"leaderboardWindow"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}},{"kind":"Argument","name":{"kind":"Name","value":"window"},"value":{"kind":"Variable","name":{"kind":"Name","value":"window"}}},{"kind":"Argument","name":{"kind":"Name","value":"size"},"value":{"kind":"Variable","name":{"kind":"Name","value":"size"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserScoreFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserScoreFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserScore"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"window"}},{"kind":"Field","name":{"kind":"Name","value":"rank"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"highlighted"}},{"kind":"Field","name":{"kind":"Name","value":"leaderScore"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"baseDate"}},{"kind":"Field","name":{"kind":"Name","value":"modifiedDate"}},{"kind":"Field","name":{"kind":"Name","value":"prompts"}},{"kind":"Field","name":{"kind":"Name","value":"repliesAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"repliesPrompter"}},{"kind":"Field","name":{"kind":"Name","value":"labelsSimple"}},{"kind":"Field","name":{"kind":"Name","value":"labelsFull"}},{"kind":"Field","name":{"kind":"Name","value":"rankingsTotal"}},{"kind":"Field","name":{"kind":"Name","value":"rankingsGood"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedPrompts"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedRepliesAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedRepliesPrompter"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked1"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked2"}},{"kind":"Field","name":{"kind":"Name","value":"replyRanked3"}},{"kind":"Field","name":{"kind":"Name","value":"streakDays"}}]}}]} as unknown as DocumentNode<LeaderboardWindowQuery, LeaderboardWindowQueryVariables>;
export const TrollboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Trollboard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"window"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StatsWindow"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"enabled"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trollboard"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"window"},"value":{"kind":"Variable","name":{"kind":"Name","value":"window"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"enabled"},"value":{"kind":"Variable","name":{"kind":"Name","value":"enabled"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"window"}},{"kind":"Field","name":{"kind":"Name","value":"rank"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"showOnLeaderboard"}},{"kind":"Field","name":{"kind":"Name","value":"trollScore"}},{"kind":"Field","name":{"kind":"Name","value":"redFlags"}},{"kind":"Field","name":{"kind":"Name","value":"upvotes"}},{"kind":"Field","name":{"kind":"Name","value":"downvotes"}},{"kind":"Field","name":{"kind":"Name","value":"spamPrompts"}},{"kind":"Field","name":{"kind":"Name","value":"quality"}},{"kind":"Field","name":{"kind":"Name","value":"spam"}},{"kind":"Field","name":{"kind":"Name","value":"langMismatch"}},{"kind":"Field","name":{"kind":"Name","value":"notAppropriate"}},{"kind":"Field","name":{"kind":"Name","value":"pii"}},{"kind":"Field","name":{"kind":"Name","value":"hateSpeech"}},{"kind":"Field","name":{"kind":"Name","value":"sexualContent"}},{"kind":"Field","name":{"kind":"Name","value":"politicalContent"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<TrollboardQuery, TrollboardQueryVariables>;
export const RefreshLeaderboardsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RefreshLeaderboards"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RefreshLeaderboardsInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshLeaderboards"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"window"}},{"kind":"Field","name":{"kind":"Name","value":"baseDate"}},{"kind":"Field","name":{"kind":"Name","value":"refreshedAt"}},{"kind":"Field","name":{"kind":"Name","value":"users"}},{"kind":"Field","name":{"kind":"Name","value":"rankedUsers"}},{"kind":"Field","name":{"kind":"Name","value":"trollUsers"}},{"kind":"Field","name":{"kind":"Name","value":"trigger"}}]}}]}}]} as unknown as DocumentNode<RefreshLeaderboardsMutation, RefreshLeaderboardsMutationVariables>;
export const SetLeaderboardVisibilityDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetLeaderboardVisibility"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetLeaderboardVisibilityInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setLeaderboardVisibility"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"showOnLeaderboard"}}]}}]}}]} as unknown as DocumentNode<SetLeaderboardVisibilityMutation, SetLeaderboardVisibilityMutationVariables>;
export const LeaderboardUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LeaderboardUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"window"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StatsWindow"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"leaderboardUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"window"},"value":{"kind":"Variable","name":{"kind":"Name","value":"window"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"window"}},{"kind":"Field","name":{"kind":"Name","value":"refreshedAt"}},{"kind":"Field","name":{"kind":"Name","value":"users"}},{"kind":"Field","name":{"kind":"Name","value":"rankedUsers"}},{"kind":"Field","name":{"kind":"Name","value":"trollUsers"}},{"kind":"Field","name":{"kind":"Name","value":"trigger"}}]}}]}}]} as unknown as DocumentNode<LeaderboardUpdatedSubscription, LeaderboardUpdatedSubscriptionVariables>;
export const CachedStatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CachedStats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cachedStats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CachedStatsParts"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CachedStatsParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CachedStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lastUpdated"}},{"kind":"Field","name":{"kind":"Name","value":"humanMessagesByLang"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"humanMessagesByRole"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"messageTreesByState"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"messageTreesStatesByLang"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usersAcceptedTermsOfService"}}]}}]} as unknown as DocumentNode<CachedStatsQuery, CachedStatsQueryVariables>;
export const RefreshCachedStatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RefreshCachedStats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshCachedStats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CachedStatsParts"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CachedStatsParts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CachedStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lastUpdated"}},{"kind":"Field","name":{"kind":"Name","value":"humanMessagesByLang"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"humanMessagesByRole"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"messageTreesByState"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"messageTreesStatesByLang"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usersAcceptedTermsOfService"}}]}}]} as unknown as DocumentNode<RefreshCachedStatsMutation, RefreshCachedStatsMutationVariables>;
export const PublicSettingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PublicSettings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"publicSettings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"projectName"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"maxQueryDepth"}},{"kind":"Field","name":{"kind":"Name","value":"maxQueryComplexity"}},{"kind":"Field","name":{"kind":"Name","value":"userTokenTtlSeconds"}}]}}]}}]} as unknown as DocumentNode<PublicSettingsQuery, PublicSettingsQueryVariables>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"via"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"apiClient"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"trusted"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"authMethod"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"apiClientId"}}]}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const ViewerAsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ViewerAs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"user"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UserRefInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"user"},"value":{"kind":"Variable","name":{"kind":"Name","value":"user"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"via"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"authMethod"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]}}]} as unknown as DocumentNode<ViewerAsQuery, ViewerAsQueryVariables>;
export const HeartbeatDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"Heartbeat"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"intervalMs"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"heartbeat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"intervalMs"},"value":{"kind":"Variable","name":{"kind":"Name","value":"intervalMs"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"ready"}},{"kind":"Field","name":{"kind":"Name","value":"uptimeSeconds"}}]}}]}}]} as unknown as DocumentNode<HeartbeatSubscription, HeartbeatSubscriptionVariables>;
export const UserByUsernameDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UserByUsername"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"authMethod"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"username"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"apiClientId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userByUsername"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"authMethod"},"value":{"kind":"Variable","name":{"kind":"Name","value":"authMethod"}}},{"kind":"Argument","name":{"kind":"Name","value":"username"},"value":{"kind":"Variable","name":{"kind":"Name","value":"username"}}},{"kind":"Argument","name":{"kind":"Name","value":"apiClientId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"apiClientId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"authMethod"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"apiClientId"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}}]}}]}}]} as unknown as DocumentNode<UserByUsernameQuery, UserByUsernameQueryVariables>;
export const RequestTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RequestTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RequestTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requestTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InitialPromptTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"hint"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PrompterReplyTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"conversation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConversationMessageFields"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AssistantReplyTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"conversation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConversationMessageFields"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RankAssistantRepliesTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"messageTreeId"}},{"kind":"Field","name":{"kind":"Name","value":"rankingParentId"}},{"kind":"Field","name":{"kind":"Name","value":"revealSynthetic"}},{"kind":"Field","name":{"kind":"Name","value":"conversation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConversationMessageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replyMessages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConversationMessageFields"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RankPrompterRepliesTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"messageTreeId"}},{"kind":"Field","name":{"kind":"Name","value":"rankingParentId"}},{"kind":"Field","name":{"kind":"Name","value":"revealSynthetic"}},{"kind":"Field","name":{"kind":"Name","value":"conversation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConversationMessageFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replyMessages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConversationMessageFields"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"LabelInitialPromptTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"validLabels"}},{"kind":"Field","name":{"kind":"Name","value":"mandatoryLabels"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"disposition"}},{"kind":"Field","name":{"kind":"Name","value":"labels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"widget"}},{"kind":"Field","name":{"kind":"Name","value":"displayText"}}]}},{"kind":"Field","name":{"kind":"Name","value":"conversation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConversationMessageFields"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"LabelAssistantReplyTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"validLabels"}},{"kind":"Field","name":{"kind":"Name","value":"mandatoryLabels"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"disposition"}},{"kind":"Field","name":{"kind":"Name","value":"conversation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConversationMessageFields"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"LabelPrompterReplyTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"validLabels"}},{"kind":"Field","name":{"kind":"Name","value":"mandatoryLabels"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"disposition"}},{"kind":"Field","name":{"kind":"Name","value":"conversation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ConversationMessageFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ConversationMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ConversationMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"frontendMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"lang"}},{"kind":"Field","name":{"kind":"Name","value":"isAssistant"}},{"kind":"Field","name":{"kind":"Name","value":"userIsAuthor"}},{"kind":"Field","name":{"kind":"Name","value":"userEmojis"}},{"kind":"Field","name":{"kind":"Name","value":"synthetic"}},{"kind":"Field","name":{"kind":"Name","value":"emojis"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]} as unknown as DocumentNode<RequestTaskMutation, RequestTaskMutationVariables>;
export const AckTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AckTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AckTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ackTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"ack"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"skipped"}},{"kind":"Field","name":{"kind":"Name","value":"frontendMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"expiryDate"}}]}}]}}]} as unknown as DocumentNode<AckTaskMutation, AckTaskMutationVariables>;
export const NackTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"NackTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"NackTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nackTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"ack"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"skipped"}}]}}]}}]} as unknown as DocumentNode<NackTaskMutation, NackTaskMutationVariables>;
export const SubmitReplyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SubmitReply"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SubmitReplyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"submitReply"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"taskId"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}}]}}]}}]} as unknown as DocumentNode<SubmitReplyMutation, SubmitReplyMutationVariables>;
export const SubmitRankingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SubmitRanking"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SubmitRankingInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"submitRanking"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"taskId"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}}]}}]}}]} as unknown as DocumentNode<SubmitRankingMutation, SubmitRankingMutationVariables>;
export const SubmitLabelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SubmitLabels"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SubmitLabelsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"submitLabels"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"taskId"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}}]}}]}}]} as unknown as DocumentNode<SubmitLabelsMutation, SubmitLabelsMutationVariables>;
export const LabelMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LabelMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"LabelMessageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"labelMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replayed"}}]}}]}}]} as unknown as DocumentNode<LabelMessageMutation, LabelMessageMutationVariables>;
export const AvailableTasksDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AvailableTasks"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"lang"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"user"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UserRefInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"availableTasks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"lang"},"value":{"kind":"Variable","name":{"kind":"Name","value":"lang"}}},{"kind":"Argument","name":{"kind":"Name","value":"user"},"value":{"kind":"Variable","name":{"kind":"Name","value":"user"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"random"}},{"kind":"Field","name":{"kind":"Name","value":"initialPrompt"}},{"kind":"Field","name":{"kind":"Name","value":"prompterReply"}},{"kind":"Field","name":{"kind":"Name","value":"assistantReply"}},{"kind":"Field","name":{"kind":"Name","value":"rankInitialPrompts"}},{"kind":"Field","name":{"kind":"Name","value":"rankPrompterReplies"}},{"kind":"Field","name":{"kind":"Name","value":"rankAssistantReplies"}},{"kind":"Field","name":{"kind":"Name","value":"labelInitialPrompt"}},{"kind":"Field","name":{"kind":"Name","value":"labelAssistantReply"}},{"kind":"Field","name":{"kind":"Name","value":"labelPrompterReply"}}]}}]}}]} as unknown as DocumentNode<AvailableTasksQuery, AvailableTasksQueryVariables>;
export const ValidLabelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ValidLabels"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"validLabels"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"messageId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"widget"}},{"kind":"Field","name":{"kind":"Name","value":"displayText"}},{"kind":"Field","name":{"kind":"Name","value":"helpText"}}]}}]}}]} as unknown as DocumentNode<ValidLabelsQuery, ValidLabelsQueryVariables>;
export const ReportLabelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReportLabels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reportLabels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<ReportLabelsQuery, ReportLabelsQueryVariables>;
export const WorkersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Workers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"workers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"models"}},{"kind":"Field","name":{"kind":"Name","value":"capacity"}},{"kind":"Field","name":{"kind":"Name","value":"device"}},{"kind":"Field","name":{"kind":"Name","value":"hardwareDescription"}},{"kind":"Field","name":{"kind":"Name","value":"protocolVersion"}},{"kind":"Field","name":{"kind":"Name","value":"canContinue"}},{"kind":"Field","name":{"kind":"Name","value":"inFlightJobs"}},{"kind":"Field","name":{"kind":"Name","value":"draining"}},{"kind":"Field","name":{"kind":"Name","value":"tokensPerSecond"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}}]}}]}}]} as unknown as DocumentNode<WorkersQuery, WorkersQueryVariables>;
export const WorkerPoolsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WorkerPools"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"workerPools"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"workers"}},{"kind":"Field","name":{"kind":"Name","value":"capacity"}},{"kind":"Field","name":{"kind":"Name","value":"inFlightJobs"}},{"kind":"Field","name":{"kind":"Name","value":"queueDepth"}},{"kind":"Field","name":{"kind":"Name","value":"tokensPerSecond"}}]}}]}}]} as unknown as DocumentNode<WorkerPoolsQuery, WorkerPoolsQueryVariables>;
export const DrainWorkerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DrainWorker"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DrainWorkerInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"drainWorker"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"draining"}},{"kind":"Field","name":{"kind":"Name","value":"inFlightJobs"}}]}}]}}]} as unknown as DocumentNode<DrainWorkerMutation, DrainWorkerMutationVariables>;
export const WorkerJobsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"WorkerJobs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"WorkerHelloInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"workerJobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jobId"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"attempt"}},{"kind":"Field","name":{"kind":"Name","value":"tokenBatchMs"}},{"kind":"Field","name":{"kind":"Name","value":"leaseMs"}},{"kind":"Field","name":{"kind":"Name","value":"continueFrom"}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sampling"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxNewTokens"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"repetitionPenalty"}},{"kind":"Field","name":{"kind":"Name","value":"seed"}}]}}]}}]}}]} as unknown as DocumentNode<WorkerJobsSubscription, WorkerJobsSubscriptionVariables>;
export const WorkerTokensDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"WorkerTokens"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"WorkerTokensInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"workerTokens"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"cancel"}}]}}]}}]} as unknown as DocumentNode<WorkerTokensMutation, WorkerTokensMutationVariables>;
export const WorkerFinishDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"WorkerFinish"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"WorkerFinishInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"workerFinish"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"cancel"}}]}}]}}]} as unknown as DocumentNode<WorkerFinishMutation, WorkerFinishMutationVariables>;
export const WorkerFailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"WorkerFail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"WorkerFailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"workerFail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"cancel"}}]}}]}}]} as unknown as DocumentNode<WorkerFailMutation, WorkerFailMutationVariables>;
export const WorkerHeartbeatDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"WorkerHeartbeat"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"WorkerHeartbeatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"workerHeartbeat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"held"}},{"kind":"Field","name":{"kind":"Name","value":"lost"}},{"kind":"Field","name":{"kind":"Name","value":"cancel"}},{"kind":"Field","name":{"kind":"Name","value":"drain"}},{"kind":"Field","name":{"kind":"Name","value":"leaseMs"}}]}}]}}]} as unknown as DocumentNode<WorkerHeartbeatMutation, WorkerHeartbeatMutationVariables>;