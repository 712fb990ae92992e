/**
 * The task lifecycle of spec §2: request (with the random-kind lottery and candidate rules), ack, nack, and the
 * three submissions with their effects. Each submission is one transaction that locks the task row, then the
 * tree's state row, then changes counters with atomic updates: concurrent submissions to one tree serialise,
 * none is lost or counted twice, and a client's retry of an accepted submission is answered with its success.
 */
import crypto from "node:crypto";
import type { DataSource, EntityManager } from "typeorm";
import type { User } from "../users/user.entity.js";
import type { TreeManagerConfig } from "../consensus/tree-config.js";
import {
  LABEL_DESCRIPTIONS,
  mandatoryLabelsFor,
  validLabelsFor,
  validateLabelsAgainst,
  validateLabelValues,
  type LabelTarget,
  type LabelValidationFailure,
} from "../consensus/labels.js";
import { decideReplyReview, decideRootReview, replyAcceptanceRule, rootAcceptanceRule, type ReviewLabels } from "../consensus/acceptance.js";
import { chooseLabelMode, drawRandomTaskKind, shuffled, type TaskKind } from "../consensus/lottery.js";
import { TaskPools, type RandomDraw, type RankingCandidate, type ReplyParentCandidate, type ReviewCandidate } from "./task-pools.js";
import { TreeManager, type Rng } from "../trees/tree-manager.js";
import { TreeState } from "../trees/message-tree-state.entity.js";
import { searchConfigFor } from "../trees/search.js";
import { EmojiService } from "../trees/emoji.service.js";
import { inTransaction, pgErrorCode } from "../../db/transaction.js";
import { uuid7 } from "../../db/uuid7.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { ChorusError, ErrorCode, badInput } from "../../server/errors.js";
import { TaskRequestType } from "./task.types.js";
import type { RateLimiter } from "../../infra/rate-limit.js";
import type { RateLimitSetting, TaskRateLimits } from "../../config.js";
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

const PAYLOAD_TYPE: Record<string, string> = {
  initial_prompt: "InitialPromptPayload",
  prompter_reply: "PrompterReplyPayload",
  assistant_reply: "AssistantReplyPayload",
  rank_prompter_replies: "RankPrompterRepliesPayload",
  rank_assistant_replies: "RankAssistantRepliesPayload",
  label_initial_prompt: "LabelInitialPromptPayload",
  label_assistant_reply: "LabelAssistantReplyPayload",
  label_prompter_reply: "LabelPrompterReplyPayload",
};
const REPLY_PAYLOADS = new Set(["InitialPromptPayload", "PrompterReplyPayload", "AssistantReplyPayload"]);
const RANK_PAYLOADS = new Set(["RankPrompterRepliesPayload", "RankAssistantRepliesPayload"]);
const LABEL_PAYLOADS = new Set(["LabelInitialPromptPayload", "LabelAssistantReplyPayload", "LabelPrompterReplyPayload"]);

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
  taskId: string;
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

const CONVERSATION_COLUMNS = "m.id, m.user_id, m.frontend_message_id, m.text, m.lang, m.role, m.emojis, m.synthetic";

interface ConversationRow {
  id: string;
  user_id: string | null;
  frontend_message_id: string;
  text: string;
  lang: string;
  role: string;
  emojis: Record<string, number>;
  synthetic: boolean;
  user_emojis: string[];
}

/** The requesting user's emojis on each row, as a column (parameter `$n` is the user id, or null). */
function userEmojisColumn(alias: string, n = 2): string {
  return `ARRAY(SELECT e.emoji FROM message_emoji e WHERE e.message_id = ${alias}.id AND e.user_id = $${n}::uuid ORDER BY e.emoji) AS user_emojis`;
}

function toConversationMessage(r: ConversationRow, userId: string | null): StoredConversationMessage {
  return {
    id: r.id,
    user_id: r.user_id,
    frontend_message_id: r.frontend_message_id,
    text: r.text,
    lang: r.lang,
    is_assistant: r.role === "assistant",
    emojis: r.emojis ?? {},
    user_emojis: r.user_emojis,
    user_is_author: userId !== null && r.user_id === userId,
    synthetic: r.synthetic,
  };
}

const err = (code: ErrorCode, message: string, extra: Record<string, unknown> = {}) => new ChorusError(code, message, extra);

export class TaskService {
  readonly pools: TaskPools;

  constructor(
    private readonly ds: DataSource,
    private readonly cfg: TreeManagerConfig,
    private readonly settings: TaskSettings,
    private readonly trees: TreeManager,
    private readonly rng: Rng,
    private readonly emojis: EmojiService,
    private readonly limiter: RateLimiter | null = null,
    private readonly limits: TaskRateLimits | null = null,
  ) {
    this.pools = new TaskPools(cfg, settings);
  }

  /** §6.6: the acting user must exist, be enabled and (when enforced) have accepted the terms. */
  ensureEnabled(user: User | null): asserts user is User {
    if (!user) throw err(ErrorCode.USER_NOT_SPECIFIED, "No user given");
    if (user.deleted || !user.enabled) throw err(ErrorCode.USER_DISABLED, "The user is disabled", { http: { status: 503 } });
    if (this.settings.enforceTos && !user.tosAcceptanceDate) {
      throw err(ErrorCode.USER_HAS_NOT_ACCEPTED_TOS, "The user has not accepted the terms of service", { http: { status: 451 } });
    }
  }

  // --- request ------------------------------------------------------------------------------

  /**
   * §6.7: per user, per API client, and per user for reply requests; fixed windows from the first hit. A refusal
   * says when to retry and hands out nothing.
   */
  private async checkRateLimits(user: User, apiClientId: string, type: TaskRequestType): Promise<void> {
    if (!this.limiter || !this.limits) return;
    const userKey = `${apiClientId}:${user.authMethod}:${user.username}`;
    const checks: [string, RateLimitSetting, string][] = [
      ["task-user", this.limits.user, userKey],
      ["task-api-client", this.limits.apiClient, apiClientId],
    ];
    if (type === TaskRequestType.ASSISTANT_REPLY) checks.push(["task-assistant-reply", this.limits.assistantReply, userKey]);
    if (type === TaskRequestType.PROMPTER_REPLY) checks.push(["task-prompter-reply", this.limits.prompterReply, userKey]);
    for (const [name, setting, key] of checks) {
      const decision = await this.limiter.hit({ name, ...setting }, key);
      if (!decision.allowed) {
        throw err(ErrorCode.RATE_LIMITED, `Too Many Requests. Retry After ${decision.retryAfterSeconds} seconds.`, {
          retryAfterSeconds: decision.retryAfterSeconds,
          limit: name,
          http: { status: 429 },
        });
      }
    }
  }

  async requestTask(user: User, apiClientId: string, type: TaskRequestType, langIn: string | null | undefined, collective: boolean) {
    this.ensureEnabled(user);
    await this.checkRateLimits(user, apiClientId, type);
    const lang = langIn?.trim() || "en";
    const pending: { n: number }[] = await this.ds.query(
      `SELECT count(*)::int AS n FROM task WHERE user_id = $1 AND created_date > now() - make_interval(secs => $2) AND NOT done AND NOT skipped`,
      [user.id, this.cfg.recentTasksSpanSec],
    );
    if (pending[0].n >= this.cfg.maxPendingTasksPerUser) {
      throw err(ErrorCode.TASK_TOO_MANY_PENDING, `Too many pending tasks (${pending[0].n}); finish or skip some first`);
    }
    await this.trees.autoModerate(lang);
    const missingPrompts = await this.trees.promptLottery(lang, 2);

    const em = this.ds.manager;
    let kind: TaskKind;
    let roleFilter: "prompter" | "assistant" | null = null;
    // The random draw takes one candidate of each kind; the lottery weighs the kinds that have one, and the
    // drawn kind's task is built from that candidate.
    let drawn: RandomDraw | null = null;
    switch (type) {
      case TaskRequestType.RANDOM: {
        drawn = await this.pools.drawAll(em, lang, user.id, this.rng);
        const promptsAllowed =
          this.cfg.quirkInitPromptDisabledLangsOnlyInAvailability || !this.cfg.initPromptDisabledLangs.includes(lang);
        // Only "is there one" matters to the weights; M > 0 exactly when the user has a parent to extend (the
        // pool holds parents of trees below their goal size only).
        const k = drawRandomTaskKind(
          {
            rankings: drawn.ranking ? 1 : 0,
            repliesNeedingReview: drawn.replyReview ? 1 : 0,
            promptsNeedingReview: drawn.promptReview ? 1 : 0,
            missingPrompts: promptsAllowed ? missingPrompts : 0,
            missingReplies: drawn.reply ? 1 : 0,
          },
          this.rng,
        );
        if (!k) throw this.notAvailable(type);
        kind = k;
        break;
      }
      case TaskRequestType.INITIAL_PROMPT:
        if (missingPrompts <= 0) throw this.notAvailable(type);
        kind = "PROMPT";
        break;
      case TaskRequestType.PROMPTER_REPLY:
      case TaskRequestType.ASSISTANT_REPLY:
        kind = "REPLY";
        roleFilter = type === TaskRequestType.PROMPTER_REPLY ? "assistant" : "prompter"; // the parent's role
        break;
      case TaskRequestType.RANK_ASSISTANT_REPLIES:
        kind = "RANKING";
        roleFilter = "assistant";
        break;
      case TaskRequestType.RANK_PROMPTER_REPLIES:
        if (!this.cfg.rankPrompterReplies) throw this.notAvailable(type);
        kind = "RANKING";
        roleFilter = "prompter";
        break;
      case TaskRequestType.LABEL_INITIAL_PROMPT:
        kind = "LABEL_PROMPT";
        break;
      case TaskRequestType.LABEL_ASSISTANT_REPLY:
        kind = "LABEL_REPLY";
        roleFilter = "assistant";
        break;
      case TaskRequestType.LABEL_PROMPTER_REPLY:
        kind = "LABEL_REPLY";
        roleFilter = "prompter";
        break;
      default:
        throw this.notAvailable(type);
    }

    const built = await this.buildTask(kind, roleFilter, type, user, lang, drawn);
    if (!built) throw this.notAvailable(type);
    const task = await this.storeTask(built, user, apiClientId, collective);
    return { task, payload: built.payload };
  }

  private notAvailable(type: TaskRequestType) {
    return err(ErrorCode.TASK_REQUESTED_TYPE_NOT_AVAILABLE, `No task of type ${type} is available right now`, { http: { status: 503 } });
  }

  private async buildTask(
    kind: TaskKind,
    roleFilter: "prompter" | "assistant" | null,
    requested: TaskRequestType,
    user: User,
    lang: string,
    drawn: RandomDraw | null,
  ): Promise<{ payload: TaskPayload; treeId: string | null; parentId: string | null } | null> {
    const em = this.ds.manager;
    switch (kind) {
      case "PROMPT":
        return { payload: { type: "initial_prompt", hint: null }, treeId: null, parentId: null };

      case "REPLY": {
        const [any, lonely] = drawn
          ? [drawn.reply, drawn.lonelyReply]
          : ((await this.pools.draw(em, lang, user.id, [["reply", roleFilter], ["lonelyReply", roleFilter]], this.rng)) as (ReplyParentCandidate | null)[]);
        if (!any) return null;
        // §2.5: with probability pLonelyChildExtension a parent with a single answer, when there is one.
        const preferLonely = this.cfg.pLonelyChildExtension > 0 && this.cfg.lonelyChildrenCount > 1 && lonely !== null;
        const parent = preferLonely && this.rng() < this.cfg.pLonelyChildExtension ? lonely! : any;
        const conversation = await this.conversation(em, parent.id, user.id, false);
        const type = parent.role === "assistant" ? "prompter_reply" : "assistant_reply";
        const payload = { type, conversation, ...(type === "prompter_reply" ? { hint: null } : {}) };
        return { payload, treeId: parent.message_tree_id, parentId: parent.id };
      }

      case "RANKING": {
        const row = drawn ? drawn.ranking : await this.pools.drawOne<RankingCandidate>(em, "ranking", lang, user.id, roleFilter, this.rng);
        if (!row) return null;
        const conversation = await this.conversation(em, row.parent_id, user.id, false);
        const ordered = await this.conversationMessages(em, { repliesTo: row.parent_id, role: row.role }, user.id);
        const replies = shuffled(ordered, this.rng);
        const revealSynthetic = replies.every((r) => r.synthetic === true);
        if (!revealSynthetic) for (const r of replies) r.synthetic = null;
        const treeId = row.message_tree_id;
        return {
          payload: {
            type: row.role === "assistant" ? "rank_assistant_replies" : "rank_prompter_replies",
            conversation,
            replies: replies.map((r) => r.text),
            reply_messages: replies,
            message_tree_id: treeId,
            ranking_parent_id: row.parent_id,
            reveal_synthetic: revealSynthetic,
          },
          treeId,
          parentId: row.parent_id,
        };
      }

      case "LABEL_PROMPT":
      case "LABEL_REPLY": {
        const poolKind = kind === "LABEL_PROMPT" ? "promptReview" : "replyReview";
        const m = drawn ? drawn[poolKind] : await this.pools.drawOne<ReviewCandidate>(em, poolKind, lang, user.id, roleFilter, this.rng);
        if (!m) return null;
        const target: LabelTarget = m.is_root ? "initial_prompt" : m.role === "assistant" ? "assistant_reply" : "prompter_reply";
        const { mode, disposition } = chooseLabelMode(target, requested === TaskRequestType.RANDOM, this.cfg, this.rng);
        const validLabels = validLabelsFor(target, mode, this.cfg);
        const conversation = await this.conversation(em, m.id, user.id, true);
        const text = conversation[conversation.length - 1]?.text ?? "";
        const treeId = m.message_tree_id;
        const type = target === "initial_prompt" ? "label_initial_prompt" : target === "assistant_reply" ? "label_assistant_reply" : "label_prompter_reply";
        return {
          payload: {
            type,
            message_id: m.id,
            ...(target === "initial_prompt" ? { prompt: text } : { reply: text }),
            conversation,
            valid_labels: validLabels,
            mandatory_labels: mandatoryLabelsFor(target, this.cfg),
            mode,
            disposition,
            labels: validLabels.map((name) => LABEL_DESCRIPTIONS[name]),
          },
          treeId,
          parentId: m.id,
        };
      }
    }
  }

  private async storeTask(built: { payload: TaskPayload; treeId: string | null; parentId: string | null }, user: User, apiClientId: string, collective: boolean) {
    const id = crypto.randomUUID();
    const rows: Task[] = await this.ds.query(
      `INSERT INTO task (id, expiry_date, user_id, payload_type, payload, api_client_id, message_tree_id, parent_message_id, collective)
       VALUES ($1, CASE WHEN $8::boolean THEN NULL ELSE now() + make_interval(mins => $2) END, $3, $4, $5, $6, $7, $9, $8)
       RETURNING id, expiry_date AS "expiryDate"`,
      [id, this.settings.taskValidityMinutes, user.id, PAYLOAD_TYPE[built.payload.type], built.payload, apiClientId, built.treeId, collective, built.parentId],
    );
    return { id, expiryDate: rows[0].expiryDate };
  }

  /**
   * Root → message over accepted live ancestors; the message itself is included even when not yet accepted
   * (label tasks). A break in the chain is BROKEN_CONVERSATION.
   */
  async conversation(em: EntityManager, messageId: string, userId: string | null, includeUnaccepted: boolean): Promise<StoredConversationMessage[]> {
    // One statement walks up the tree and brings each message with the user's emojis; ancestors count only when
    // accepted and live, the message itself (label tasks) when asked for.
    const path: (ConversationRow & { parent_id: string | null; review_result: boolean | null; deleted: boolean })[] = await em.query(
      `WITH RECURSIVE path AS (
         SELECT ${CONVERSATION_COLUMNS}, m.parent_id, m.review_result, m.deleted, 0 AS up FROM message m WHERE m.id = $1
         UNION ALL
         SELECT ${CONVERSATION_COLUMNS}, m.parent_id, m.review_result, m.deleted, path.up + 1 FROM message m JOIN path ON m.id = path.parent_id
       )
       SELECT path.*, ${userEmojisColumn("path")} FROM path ORDER BY up DESC`,
      [messageId, userId],
    );
    if (path.length === 0 || path[0].parent_id !== null) throw err(ErrorCode.BROKEN_CONVERSATION, "The conversation is broken", { http: { status: 500 } });
    const last = path.length - 1;
    return path
      .filter((m, i) => (i === last && includeUnaccepted ? !m.deleted : m.review_result === true && !m.deleted))
      .map((r) => toConversationMessage(r, userId));
  }

  /**
   * Messages as tasks show them: `ids` in that order, or the accepted live replies of one role to a parent. The
   * requesting user's own emojis come in the same statement.
   */
  private async conversationMessages(em: EntityManager, select: { repliesTo: string; role: string }, userId: string | null): Promise<StoredConversationMessage[]> {
    const rows: ConversationRow[] = await em.query(
      `SELECT ${CONVERSATION_COLUMNS}, ${userEmojisColumn("m", 3)} FROM message m
       WHERE m.parent_id = $1 AND m.review_result AND NOT m.deleted AND m.role = $2 ORDER BY m.id`,
      [select.repliesTo, select.role, userId],
    );
    return rows.map((r) => toConversationMessage(r, userId));
  }

  // --- availability -------------------------------------------------------------------------

  async availability(user: User | null, langIn: string | null | undefined): Promise<AvailabilityCounts> {
    if (user) this.ensureEnabled(user);
    const lang = langIn?.trim() || "en";
    const promptsDisabled = this.cfg.initPromptDisabledLangs.includes(lang);
    const missingPrompts = promptsDisabled ? 0 : await this.trees.promptLottery(lang, 1);
    await this.trees.autoModerate(lang);
    const em = this.ds.manager;
    const uid = user?.id ?? null;
    const { replyParents: parents, rankings, promptReviews: prompts, replyReviews: replies } = await this.pools.sets(em, lang, uid);
    const c: AvailabilityCounts = {
      random: 0,
      initial_prompt: Math.max(0, missingPrompts),
      prompter_reply: parents.filter((p) => p.role === "assistant").length,
      assistant_reply: parents.filter((p) => p.role === "prompter").length,
      rank_initial_prompts: 0,
      rank_prompter_replies: this.cfg.rankPrompterReplies ? rankings.filter((r) => r.role === "prompter").length : 0,
      rank_assistant_replies: rankings.filter((r) => r.role === "assistant").length,
      label_initial_prompt: prompts.length,
      label_assistant_reply: replies.filter((r) => r.role === "assistant").length,
      label_prompter_reply: replies.filter((r) => r.role === "prompter").length,
    };
    c.random = Object.values(c).reduce((a, b) => a + b, 0);
    return c;
  }

  // --- ack / nack ---------------------------------------------------------------------------

  async ack(apiClientId: string, taskId: string, frontendMessageId: string): Promise<Task> {
    if (!frontendMessageId || !frontendMessageId.trim()) throw err(ErrorCode.INVALID_FRONTEND_MESSAGE_ID, "frontendMessageId must not be empty");
    if (!isUuid(taskId)) throw err(ErrorCode.TASK_NOT_FOUND, "No such task", { http: { status: 404 } });
    try {
      // The common case in one statement; only a refused ack reads the task to say why.
      const acked = rowsOf<Task>(
        await this.ds.query(
          `UPDATE task SET ack = true, frontend_message_id = $2
           WHERE id = $1 AND api_client_id = $3 AND ack IS NULL AND NOT done AND (expiry_date IS NULL OR expiry_date >= now())
           RETURNING ${TASK_COLUMNS}`,
          [taskId, frontendMessageId, apiClientId],
        ),
      );
      if (acked[0]) return acked[0];
      return await inTransaction(this.ds, async (em) => {
        const task = await this.lockTaskById(em, apiClientId, taskId);
        if (task.ack === true && task.frontendMessageId === frontendMessageId) return task; // idempotent
        if (isExpired(task)) throw err(ErrorCode.TASK_EXPIRED, "The task has expired");
        if (task.done || task.ack !== null) throw err(ErrorCode.TASK_ALREADY_UPDATED, "The task was already acknowledged or done");
        const rows: Task[] = await em.query(
          `UPDATE task SET ack = true, frontend_message_id = $2 WHERE id = $1 RETURNING ${TASK_COLUMNS}`,
          [task.id, frontendMessageId],
        );
        return rowsOf<Task>(rows)[0];
      }, 0);
    } catch (e) {
      if (pgErrorCode(e) === "23505") throw err(ErrorCode.INVALID_FRONTEND_MESSAGE_ID, "This frontend message id is already bound to another task");
      throw e;
    }
  }

  async nack(user: User | null, apiClientId: string, taskId: string, reason: string | null | undefined): Promise<Task> {
    this.ensureEnabled(user);
    return inTransaction(this.ds, async (em) => {
      const task = await this.lockTaskById(em, apiClientId, taskId);
      if (isExpired(task)) throw err(ErrorCode.TASK_EXPIRED, "The task has expired");
      if (task.done) throw err(ErrorCode.TASK_ALREADY_DONE, "The task is already done");
      if (task.userId !== user.id) throw err(ErrorCode.TASK_NOT_ASSIGNED_TO_USER, "The task belongs to another user");
      if (!task.collective && !task.skipped) {
        await em.query(`UPDATE task SET skipped = true, skip_reason = $2 WHERE id = $1`, [task.id, reason ?? null]);
        task.skipped = true;
        task.skipReason = reason ?? null;
        const marker = REPLY_PAYLOADS.has(task.payloadType) ? "_skip_reply" : LABEL_PAYLOADS.has(task.payloadType) ? "_skip_labeling" : RANK_PAYLOADS.has(task.payloadType) ? "_skip_ranking" : null;
        if (marker && task.parentMessageId) await this.emojis.apply(em, user.id, task.parentMessageId, "add", marker);
      }
      return task;
    });
  }

  private async lockTaskById(em: EntityManager, apiClientId: string, taskId: string): Promise<Task> {
    const rows: Task[] = isUuid(taskId)
      ? await em.query(`SELECT ${TASK_COLUMNS} FROM task WHERE id = $1 AND api_client_id = $2 FOR UPDATE`, [taskId, apiClientId])
      : [];
    if (!rows[0]) throw err(ErrorCode.TASK_NOT_FOUND, "No such task", { http: { status: 404 } });
    return rows[0];
  }

  private async lockTaskByFrontendId(em: EntityManager, apiClientId: string, frontendId: string): Promise<Task> {
    const rows: Task[] = await em.query(
      `SELECT ${TASK_COLUMNS} FROM task WHERE frontend_message_id = $1 AND api_client_id = $2 FOR UPDATE`,
      [frontendId, apiClientId],
    );
    if (!rows[0]) throw err(ErrorCode.TASK_NOT_FOUND, "No acknowledged task has this frontend id", { http: { status: 404 } });
    return rows[0];
  }

  /** `_validate_task` of §2.3, after the idempotent-retry check the caller makes. */
  private validateTask(task: Task, user: User): void {
    if (isExpired(task)) throw err(ErrorCode.TASK_EXPIRED, "The task has expired");
    if (!task.ack) throw err(ErrorCode.TASK_NOT_ACK, "The task was not acknowledged");
    if (task.done) throw err(ErrorCode.TASK_ALREADY_DONE, "The task is already done");
    if ((!task.collective || task.userId === null) && task.userId !== user.id) {
      throw err(ErrorCode.TASK_NOT_ASSIGNED_TO_USER, "The task belongs to another user");
    }
  }

  /** Marks the task done and, in the same statement, records the user's activity and streak (§6.4). */
  private async finishTask(em: EntityManager, task: Task, user: User, digest: string): Promise<void> {
    await em.query(
      `WITH done AS (UPDATE task SET done = NOT collective, submission_digest = $2 WHERE id = $3)
       UPDATE "user" SET last_activity_date = now(),
         streak_days = CASE WHEN streak_last_day_date IS NULL OR streak_last_day_date > now() THEN 0
                            ELSE floor(extract(epoch FROM now() - streak_last_day_date) / 86400)::int END,
         streak_last_day_date = CASE WHEN streak_last_day_date IS NULL OR streak_last_day_date > now() THEN now() ELSE streak_last_day_date END
       WHERE id = $1`,
      [user.id, digest, task.id],
    );
  }

  // --- submissions ----------------------------------------------------------------------------

  async submitReply(
    user: User | null,
    apiClientId: string,
    input: { taskFrontendMessageId: string; userMessageId: string; text: string; lang?: string | null },
  ): Promise<TaskDoneResult> {
    this.ensureEnabled(user);
    if (!input.taskFrontendMessageId?.trim() || !input.userMessageId?.trim()) {
      throw err(ErrorCode.INVALID_FRONTEND_MESSAGE_ID, "Frontend message ids must not be empty");
    }
    const text = input.text.trim();
    if (text.length === 0) throw badInput("text must not be empty or only whitespace");
    if (/^\s+$/.test(text)) throw err(ErrorCode.TASK_MESSAGE_TEXT_EMPTY, "The text is empty");
    const length = [...text].length;
    if (length > this.settings.messageSizeLimit) {
      throw err(ErrorCode.TASK_MESSAGE_TOO_LONG, `The text is ${length} characters long; the limit is ${this.settings.messageSizeLimit}`);
    }
    const lang = input.lang?.trim() || "en";
    const digest = digestOf("reply", input.userMessageId, text, lang);

    return inTransaction(this.ds, async (em) => {
      const task = await this.lockTaskByFrontendId(em, apiClientId, input.taskFrontendMessageId);
      const replay = await this.replayed(em, task, user, digest, async () => {
        const rows: { id: string }[] = await em.query(`SELECT id FROM message WHERE api_client_id = $1 AND frontend_message_id = $2`, [apiClientId, input.userMessageId]);
        return rows[0]?.id ?? null;
      });
      if (replay) return replay;
      this.validateTask(task, user);
      if (!REPLY_PAYLOADS.has(task.payloadType)) throw err(ErrorCode.TASK_PAYLOAD_TYPE_MISMATCH, "This task does not take a text reply");

      const dup: { n: number }[] = await em.query(
        `SELECT count(*)::int AS n FROM message WHERE user_id = $1 AND text = $2 AND created_date > now() - make_interval(mins => $3)`,
        [user.id, text, this.settings.duplicateMessageFilterWindowMinutes],
      );
      if (dup[0].n > 0) throw err(ErrorCode.TASK_MESSAGE_DUPLICATED, "You sent the same text recently");

      const id: string = crypto.randomUUID();
      const role = task.payloadType === "AssistantReplyPayload" ? "assistant" : "prompter";
      let treeId = id;
      let depth = 0;
      let deleted = false;
      if (task.parentMessageId) {
        const tree = task.messageTreeId ? await this.trees.lockTree(em, task.messageTreeId) : null;
        const allowed = [TreeState.GROWING, TreeState.RANKING, TreeState.READY_FOR_SCORING, TreeState.READY_FOR_EXPORT];
        if (!tree || !allowed.includes(tree.state)) {
          throw err(ErrorCode.TREE_IN_ABORTED_STATE, `The tree is ${tree?.state ?? "gone"}; it takes no more replies`);
        }
        const mineThere: { n: number }[] = await em.query(
          `SELECT count(*)::int AS n FROM message WHERE parent_id = $1 AND user_id = $2 AND NOT deleted`,
          [task.parentMessageId, user.id],
        );
        if (mineThere[0].n > 0) throw err(ErrorCode.TASK_MESSAGE_DUPLICATE_REPLY, "You already replied to this message");
        const parent = rowsOf<{ depth: number; deleted: boolean; message_tree_id: string }>(
          await em.query(`UPDATE message SET children_count = children_count + 1 WHERE id = $1 RETURNING depth, deleted, message_tree_id`, [
            task.parentMessageId,
          ]),
        );
        if (!parent[0]) throw err(ErrorCode.MESSAGE_NOT_FOUND, "The parent message is gone", { http: { status: 404 } });
        treeId = parent[0].message_tree_id;
        depth = parent[0].depth + 1;
        deleted = parent[0].deleted;
      }
      try {
        await em.query(
          `INSERT INTO message (id, parent_id, message_tree_id, task_id, user_id, role, api_client_id, frontend_message_id, text, lang, depth, deleted, search_vector)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, to_tsvector($13::regconfig, $9))`,
          [id, task.parentMessageId, treeId, task.id, user.id, role, apiClientId, input.userMessageId, text, lang, depth, deleted, await this.searchConfig(em, lang)],
        );
      } catch (e) {
        if (pgErrorCode(e) === "23505") throw err(ErrorCode.INVALID_FRONTEND_MESSAGE_ID, "userMessageId is already used by another message");
        throw e;
      }
      await this.finishTask(em, task, user, digest);
      await this.journal(em, "text_reply_to_message", user.id, id, apiClientId, task, { role, length });
      if (!task.parentMessageId) await this.trees.createTree(em, id, lang);
      return { taskId: task.id, messageId: id, replayed: false };
    });
  }

  async submitRanking(
    user: User | null,
    apiClientId: string,
    input: { taskFrontendMessageId: string; ranking: number[]; notRankable?: boolean | null },
  ): Promise<TaskDoneResult> {
    this.ensureEnabled(user);
    const digest = digestOf("ranking", JSON.stringify(input.ranking), String(input.notRankable ?? null));
    return inTransaction(this.ds, async (em) => {
      const task = await this.lockTaskByFrontendId(em, apiClientId, input.taskFrontendMessageId);
      const replay = await this.replayed(em, task, user, digest, async () => null);
      if (replay) return replay;
      this.validateTask(task, user);
      if (!RANK_PAYLOADS.has(task.payloadType)) throw err(ErrorCode.TASK_PAYLOAD_TYPE_MISMATCH, "This task does not take a ranking");
      const payload = task.payload as { reply_messages: { id: string }[]; ranking_parent_id: string; message_tree_id: string };
      const n = payload.reply_messages.length;
      const sorted = [...input.ranking].sort((a, b) => a - b);
      if (sorted.length !== n || sorted.some((v, i) => v !== i)) {
        throw err(ErrorCode.INVALID_RANKING_VALUE, `The ranking must be a permutation of 0..${n - 1}`);
      }
      const rankedIds = input.ranking.map((i) => payload.reply_messages[i].id);
      const tree = await this.trees.lockTree(em, payload.message_tree_id);
      const stillChildren: { n: number }[] = await em.query(
        `SELECT count(*)::int AS n FROM message WHERE id = ANY($1::uuid[]) AND parent_id = $2`,
        [rankedIds, payload.ranking_parent_id],
      );
      if (stillChildren[0].n !== rankedIds.length) throw err(ErrorCode.CORRUPT_RANKING_RESULT, "A ranked reply is no longer a reply to this message");
      await em.query(`UPDATE message SET ranking_count = ranking_count + 1 WHERE id = ANY($1::uuid[])`, [rankedIds]);
      await em.query(
        `INSERT INTO message_reaction (task_id, user_id, payload_type, payload, api_client_id, message_id) VALUES ($1, $2, 'RankingReactionPayload', $3, $4, $5)`,
        [
          task.id,
          user.id,
          {
            type: "message_ranking",
            ranking: input.ranking,
            ranked_message_ids: rankedIds,
            ranking_parent_id: payload.ranking_parent_id,
            message_tree_id: payload.message_tree_id,
            not_rankable: input.notRankable ?? null,
          },
          apiClientId,
          payload.ranking_parent_id,
        ],
      );
      await this.finishTask(em, task, user, digest);
      await this.journal(em, "message_ranking", user.id, payload.ranking_parent_id, apiClientId, task, { ranking: input.ranking });
      if (tree) await this.trees.checkConditionForScoring(em, tree);
      return { taskId: task.id, messageId: null, replayed: false };
    });
  }

  async submitLabels(
    user: User | null,
    apiClientId: string,
    input: { messageId: string; taskId?: string | null; labels: Record<string, number>; text: string; isReport: boolean },
  ): Promise<TaskDoneResult> {
    this.ensureEnabled(user);
    const values = validateLabelValues(input.labels);
    if (!values.ok) throw labelError(values.failure);
    if (!input.taskId) return this.freeLabels(user, apiClientId, input);
    const digest = digestOf("labels", input.messageId, JSON.stringify(Object.entries(input.labels).sort()), input.text);
    return inTransaction(this.ds, async (em) => {
      const task = await this.lockTaskById(em, apiClientId, input.taskId!);
      const replay = await this.replayed(em, task, user, digest, async () => null);
      if (replay) return replay;
      this.validateTask(task, user);
      if (!LABEL_PAYLOADS.has(task.payloadType)) throw err(ErrorCode.TASK_PAYLOAD_TYPE_MISMATCH, "This task does not take labels");
      const payload = task.payload as { message_id: string; valid_labels: string[]; mandatory_labels: string[] };
      if (task.payloadType === "LabelInitialPromptPayload" && input.messageId !== payload.message_id) {
        throw err(ErrorCode.TEXT_LABELS_WRONG_MESSAGE_ID, "The labels name another message than the task");
      }
      const checked = validateLabelsAgainst({ validLabels: payload.valid_labels, mandatoryLabels: payload.mandatory_labels }, input.labels);
      if (!checked.ok) throw labelError(checked.failure);
      const messageId = payload.message_id;
      const tree = task.messageTreeId ? await this.trees.lockTree(em, task.messageTreeId) : null;
      const message: { user_id: string | null }[] = await em.query(`SELECT user_id FROM message WHERE id = $1`, [messageId]);
      if (!message[0]) throw err(ErrorCode.MESSAGE_NOT_FOUND, "The message is gone", { http: { status: 404 } });
      if (message[0].user_id === user.id && !this.settings.allowSelfLabeling) throw err(ErrorCode.NO_SELF_LABELING, "You cannot review your own message");
      // One review per user and message: the unique index decides, also between concurrent submissions.
      const inserted: unknown[] = await em.query(
        `INSERT INTO text_labels (id, user_id, api_client_id, text, message_id, labels, task_id) VALUES ($1, $2, $3, $4, $5, $6, $1)
         ON CONFLICT (user_id, message_id) WHERE task_id IS NOT NULL DO NOTHING RETURNING id`,
        [task.id, user.id, apiClientId, input.text, messageId, input.labels],
      );
      if (inserted.length === 0) throw err(ErrorCode.NO_SELF_LABELING, "You already reviewed this message");
      const updated = rowsOf<{ review_count: number; review_result: boolean | null; parent_id: string | null }>(
        await em.query(`UPDATE message SET review_count = review_count + 1 WHERE id = $1 RETURNING review_count, review_result, parent_id`, [messageId]),
      );
      await this.finishTask(em, task, user, digest);
      await this.applyAcceptance(em, messageId, updated[0], tree);
      return { taskId: task.id, messageId: null, replayed: false };
    });
  }

  /** §4.1 after a review: decide the message, then the tree transitions it may trigger (T2/T3/T4). */
  private async applyAcceptance(
    em: EntityManager,
    messageId: string,
    state: { review_count: number; review_result: boolean | null; parent_id: string | null },
    tree: Awaited<ReturnType<TreeManager["lockTree"]>>,
  ): Promise<void> {
    const isRoot = state.parent_id === null;
    const required = isRoot ? this.cfg.numReviewsInitialPrompt : this.cfg.numReviewsReply;
    // Before the quorum, or once accepted, the decision needs no reviews: skip reading them.
    const decidable = state.review_count >= required && state.review_result !== true;
    const reviews: { labels: ReviewLabels }[] = decidable
      ? await em.query(`SELECT l.labels FROM text_labels l JOIN task t ON t.id = l.task_id WHERE l.message_id = $1 AND t.done`, [messageId])
      : [];
    const labels = reviews.map((r) => r.labels);
    const reviewState = { reviewResult: state.review_result, reviewCount: state.review_count };
    if (isRoot) {
      const decision = decideRootReview(reviewState, labels, rootAcceptanceRule(this.cfg));
      if (decision.changed) await em.query(`UPDATE message SET review_result = $2 WHERE id = $1`, [messageId, decision.reviewResult]);
      // T3 (fixed quirk): a late review does not move a tree a moderator halted.
      if (decision.abortTree && tree && tree.state !== TreeState.ABORTED_LOW_GRADE && tree.state !== TreeState.HALTED_BY_MODERATOR) {
        await this.trees.enterState(em, tree, TreeState.ABORTED_LOW_GRADE);
      }
      if (tree) await this.trees.checkPromptAccepted(em, tree);
    } else {
      const decision = decideReplyReview(reviewState, labels, replyAcceptanceRule(this.cfg));
      if (decision.changed) await em.query(`UPDATE message SET review_result = $2 WHERE id = $1`, [messageId, decision.reviewResult]);
      if (tree) await this.trees.checkConditionForRanking(em, tree);
    }
  }

  /** Free labels and reports (§2.6 without task_id): stored or replaced, never counted as reviews. */
  private async freeLabels(
    user: User,
    apiClientId: string,
    input: { messageId: string; labels: Record<string, number>; text: string; isReport: boolean },
  ): Promise<TaskDoneResult> {
    return inTransaction(this.ds, async (em) => {
      const exists: { id: string }[] = isUuid(input.messageId) ? await em.query(`SELECT id FROM message WHERE id = $1`, [input.messageId]) : [];
      if (!exists[0]) throw err(ErrorCode.MESSAGE_NOT_FOUND, "No such message", { http: { status: 404 } });
      if (input.isReport) await this.emojis.apply(em, user.id, input.messageId, "add", "red_flag");
      await em.query(
        `INSERT INTO text_labels (id, user_id, api_client_id, text, message_id, labels) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id, message_id) WHERE task_id IS NULL DO UPDATE SET labels = EXCLUDED.labels`,
        [crypto.randomUUID(), user.id, apiClientId, input.text, input.messageId, input.labels],
      );
      return { taskId: "", messageId: null, replayed: false };
    });
  }

  /**
   * A retry of a submission already accepted for this task by this user (same content) is answered with the
   * original success and changes nothing; a different submission to a done task falls through to 2105.
   */
  private async replayed(
    em: EntityManager,
    task: Task,
    user: User,
    digest: string,
    messageIdOf: () => Promise<string | null>,
  ): Promise<TaskDoneResult | null> {
    if (!task.done || task.userId !== user.id || task.submissionDigest !== digest) return null;
    return { taskId: task.id, messageId: await messageIdOf(), replayed: true };
  }

  private async journal(em: EntityManager, eventType: string, userId: string, messageId: string, apiClientId: string, task: Task, extra: Record<string, unknown>) {
    await em.query(
      `INSERT INTO journal (id, user_id, message_id, api_client_id, event_type, event_payload) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        uuid7(),
        userId,
        messageId,
        apiClientId,
        eventType,
        { type: eventType, user_id: userId, message_id: messageId, task_id: task.id, task_type: task.payloadType, ...extra },
      ],
    );
  }

  private searchConfigs: Promise<Set<string>> | undefined;
  async searchConfig(em: EntityManager, lang: string): Promise<string> {
    this.searchConfigs ??= em.query(`SELECT cfgname FROM pg_ts_config`).then((rows: { cfgname: string }[]) => new Set(rows.map((r) => r.cfgname)));
    return searchConfigFor(lang, await this.searchConfigs);
  }
}

export const TASK_COLUMNS = `id, created_date AS "createdDate", expiry_date AS "expiryDate", user_id AS "userId", payload_type AS "payloadType",
  payload, api_client_id AS "apiClientId", ack, done, skipped, skip_reason AS "skipReason", frontend_message_id AS "frontendMessageId",
  message_tree_id AS "messageTreeId", parent_message_id AS "parentMessageId", collective, submission_digest AS "submissionDigest"`;

function isExpired(task: Task): boolean {
  return task.expiryDate !== null && new Date(task.expiryDate).getTime() < Date.now();
}

function digestOf(...parts: string[]): string {
  return crypto.createHash("sha256").update(parts.join("\u0000")).digest("hex");
}


function labelError(f: LabelValidationFailure): ChorusError {
  switch (f.code) {
    case "INVALID_LABEL":
      return err(ErrorCode.INVALID_LABEL, f.message, { label: f.labelName });
    case "MANDATORY_LABEL_MISSING":
      return err(ErrorCode.MANDATORY_LABEL_MISSING, f.message, { missingLabels: f.missingLabels });
    default:
      return badInput(f.message, { label: f.labelName });
  }
}
