/**
 * What every part of the task module shares: settings, the stored payload and result shapes, the payload types of
 * each task family, the task row's columns, and the small checks every operation makes.
 */
import crypto from "node:crypto";
import type { User } from "../users/user.entity.js";
import type { RequestContext } from "../../common/request-context.js";
import type { LabelValidationFailure } from "../consensus/labels.js";
import { ChorusError, ErrorCode, badInput } from "../../common/errors.js";
import type { Task } from "./task.entity.js";

export interface TaskSettings {
  taskValidityMinutes: number;
  messageSizeLimit: number;
  duplicateMessageFilterWindowMinutes: number;
  allowSelfLabeling: boolean;
  allowSelfRanking: boolean;
  allowDuplicateTasks: boolean;
  enforceTos: boolean;
}

export const DEFAULT_TASK_SETTINGS: TaskSettings = {
  taskValidityMinutes: 2880,
  messageSizeLimit: 2000,
  duplicateMessageFilterWindowMinutes: 120,
  allowSelfLabeling: false,
  allowSelfRanking: false,
  allowDuplicateTasks: false,
  enforceTos: false,
};

export const PAYLOAD_TYPE: Record<string, string> = {
  initial_prompt: "InitialPromptPayload",
  prompter_reply: "PrompterReplyPayload",
  assistant_reply: "AssistantReplyPayload",
  rank_prompter_replies: "RankPrompterRepliesPayload",
  rank_assistant_replies: "RankAssistantRepliesPayload",
  label_initial_prompt: "LabelInitialPromptPayload",
  label_assistant_reply: "LabelAssistantReplyPayload",
  label_prompter_reply: "LabelPrompterReplyPayload",
};
export const REPLY_PAYLOADS = new Set(["InitialPromptPayload", "PrompterReplyPayload", "AssistantReplyPayload"]);
export const RANK_PAYLOADS = new Set(["RankPrompterRepliesPayload", "RankAssistantRepliesPayload"]);
export const LABEL_PAYLOADS = new Set(["LabelInitialPromptPayload", "LabelAssistantReplyPayload", "LabelPrompterReplyPayload"]);

export interface StoredConversationMessage {
  id: string;
  user_id: string | null;
  frontend_message_id: string;
  text: string;
  lang: string;
  is_assistant: boolean;
  emojis: Record<string, number>;
  user_emojis: string[];
  user_is_author: boolean;
  synthetic: boolean | null;
}

/** The stored task payload (spec §2.2), snake_case as the reference stored it; GraphQL maps it. */
export type TaskPayload = Record<string, unknown> & { type: string };

export interface TaskDoneResult {
  /** Null for free labels, which answer no task. */
  taskId: string | null;
  messageId: string | null;
  replayed: boolean;
}

export interface AvailabilityCounts {
  random: number;
  initial_prompt: number;
  prompter_reply: number;
  assistant_reply: number;
  rank_initial_prompts: number;
  rank_prompter_replies: number;
  rank_assistant_replies: number;
  label_initial_prompt: number;
  label_assistant_reply: number;
  label_prompter_reply: number;
}

export const err = (code: ErrorCode, message: string, extra: Record<string, unknown> = {}) => new ChorusError(code, message, extra);

/**
 * The API client a task belongs to. Every task operation is a GraphQL operation that `@Authorized()` admitted, so
 * a client is there; a context without one (the command line, the server's jobs) is a caller tasks do not serve.
 */
export function taskClientId(rc: RequestContext): string {
  const id = rc.identity.apiClient?.id;
  if (!id) throw new Error(`Task operations need an API client (caller via ${rc.identity.via})`);
  return id;
}

/** §6.6: the acting user must exist, be enabled and (when enforced) have accepted the terms. */
export function assertEnabled(user: User | null, settings: Pick<TaskSettings, "enforceTos">): asserts user is User {
  if (!user) throw err(ErrorCode.USER_NOT_SPECIFIED, "No user given");
  if (user.deleted || !user.enabled) throw err(ErrorCode.USER_DISABLED, "The user is disabled");
  if (settings.enforceTos && !user.tosAcceptanceDate) {
    throw err(ErrorCode.USER_HAS_NOT_ACCEPTED_TOS, "The user has not accepted the terms of service");
  }
}

export const TASK_COLUMNS = `id, created_date AS "createdDate", expiry_date AS "expiryDate", user_id AS "userId", payload_type AS "payloadType",
  payload, api_client_id AS "apiClientId", ack, done, skipped, skip_reason AS "skipReason", frontend_message_id AS "frontendMessageId",
  message_tree_id AS "messageTreeId", parent_message_id AS "parentMessageId", collective, submission_digest AS "submissionDigest"`;

export function isExpired(task: Task): boolean {
  return task.expiryDate !== null && new Date(task.expiryDate).getTime() < Date.now();
}

export function digestOf(...parts: string[]): string {
  return crypto.createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

export function labelError(f: LabelValidationFailure): ChorusError {
  switch (f.code) {
    case "INVALID_LABEL":
      return err(ErrorCode.INVALID_LABEL, f.message, { label: f.labelName });
    case "MANDATORY_LABEL_MISSING":
      return err(ErrorCode.MANDATORY_LABEL_MISSING, f.message, { missingLabels: f.missingLabels });
    default:
      return badInput(f.message, { label: f.labelName });
  }
}
