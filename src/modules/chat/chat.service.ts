/** Chats and their messages: reads for owners (and moderators), changes for owners, and sending prompts. */
import crypto from "node:crypto";
import type { DataSource } from "typeorm";
import { actingUserOf, type RequestContext } from "../../common/request-context.js";
import type { ChatConfig } from "../../config/index.js";
import { badInput, ChorusError, ErrorCode, notFound } from "../../common/errors.js";
import { encodeCursor, keysetPage, keysetSql, type Page, type PageRequest } from "../../common/pagination.js";
import { StaleSnapshotError, withRetries } from "../../db/transaction.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { preparedQuery } from "../../db/prepared.js";
import { hydrateEntity } from "../../db/entity-rows.js";
import { uuid7 } from "../../db/uuid7.js";
import { QueueFullError, RedisUnavailableError } from "../../infra/queue/index.js";
import { enforceRate, type RateLimiter, type RateLimitRule } from "../../infra/rate-limit.js";
import { Chat, ChatMessage, ChatMessageState, ChatRole, ChatSampling, isTerminal } from "./chat.entity.js";
import type { CreateChatInput, RegenerateInput, SamplingInput, SendChatMessageInput, UpdateChatInput } from "./chat.types.js";
import { quotaDecision, type TokenUsage } from "./token-quota.js";
import type { ModelCatalog, ModelDeclaration } from "./models.js";
import type { GenerationService } from "./generation/generation.service.js";
import { type ConversationSource, type GenerationJobPayload } from "./generation/job-conversation.js";
import { chatOwners, chatReaderOfRequest, mayReadChatById, type ChatOwner } from "./chat-readers.js";
import { mayReadChat } from "../../server/visibility.js";
import { markCreated } from "./new-messages.js";
import { markNotBlind } from "./known-not-blind.js";
import { BLIND_SQL } from "../arena/blindness.js";
import { hotStatement } from "../../db/pool-warm-up.js";

export interface SentMessages {
  prompterMessage: ChatMessage;
  assistantMessage: ChatMessage;
  assistantMessages: ChatMessage[];
  queuePosition: number;
}

/** How the chat side tells the dispatchers of every replica about new jobs and cancellations. */
export interface GenerationSignals {
  /** A job was enqueued: idle workers look for it at once (they also poll). */
  jobAvailable(model: string): void;
  /** A running generation should stop: its worker learns it with its next batch. */
  cancelRequestedFor(messageId: string): void;
}

export class ChatService {
  constructor(
    private readonly ds: DataSource,
    private readonly config: ChatConfig,
    readonly catalog: ModelCatalog,
    private readonly generations: GenerationService,
    private readonly signals: GenerationSignals,
    private readonly limiter: RateLimiter,
  ) {
    this.rateRule = { name: "generations", limit: config.rateLimitGenerations, windowSeconds: config.rateLimitWindowSeconds };
    this.chatRule = { name: "chats", ...config.rateLimitChats };
  }

  private readonly rateRule: RateLimitRule;
  private readonly chatRule: RateLimitRule;

  /** A system prompt within CHAT_SYSTEM_PROMPT_MAX_LENGTH code points, else BAD_USER_INPUT. */
  private checkSystemPrompt(systemPrompt: string | null | undefined): void {
    if (systemPrompt == null) return;
    const length = [...systemPrompt].length;
    if (length > this.config.systemPromptMaxLength) {
      throw badInput(`systemPrompt is ${length} characters long; at most ${this.config.systemPromptMaxLength} are allowed`, {
        field: "systemPrompt",
        maxLength: this.config.systemPromptMaxLength,
      });
    }
  }

  /**
   * Generations per user and window (the reference's limiter, without its extra minute, spec §2.4), then the
   * token quota. Each of `generations` (drafts) takes a slot, as the reference's three draft requests did.
   */
  private async checkRate(userId: string, generations = 1): Promise<void> {
    await this.checkQuota(userId);
    if (this.rateRule.limit === 0) return;
    for (let i = 0; i < generations; i++) {
      const decision = await this.limiter.hit(this.rateRule, userId);
      if (!decision.allowed) {
        throw new ChorusError(
          ErrorCode.RATE_LIMITED,
          `At most ${this.rateRule.limit} generations per ${this.rateRule.windowSeconds} s; retry in ${decision.retryAfterSeconds} s`,
          {
            retryAfterSeconds: decision.retryAfterSeconds,
          },
        );
      }
    }
  }

  /** Tokens of the user's answers that ended in the quota window, from the stored answers (see token-quota.ts). */
  async tokenUsage(userId: string): Promise<TokenUsage[]> {
    const rows = rowsOf<{ at: Date; tokens: number }>(
      await this.ds.query(
        `SELECT m.work_end_at AS at, m.token_count AS tokens FROM chat_message m JOIN chat c ON c.id = m.chat_id
          WHERE c.user_id = $1 AND m.role = 'ASSISTANT' AND m.token_count > 0
            AND m.work_end_at > now() - make_interval(secs => $2)`,
        [userId, this.config.tokenQuotaWindowSeconds],
      ),
    );
    return rows.map((r) => ({ at: new Date(r.at), tokens: r.tokens }));
  }

  private async checkQuota(userId: string): Promise<void> {
    if (this.config.tokenQuota === 0) return;
    const now = new Date();
    const decision = quotaDecision(this.config.tokenQuota, this.config.tokenQuotaWindowSeconds, now, await this.tokenUsage(userId));
    if (!decision.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil((decision.resetsAt.getTime() - now.getTime()) / 1000));
      throw new ChorusError(
        ErrorCode.TOKEN_QUOTA_EXCEEDED,
        `Token quota used up: ${decision.used} of ${this.config.tokenQuota} tokens per ${this.config.tokenQuotaWindowSeconds} s; generations are possible again at ${decision.resetsAt.toISOString()}`,
        { resetsAt: decision.resetsAt.toISOString(), retryAfterSeconds, used: decision.used, limit: this.config.tokenQuota },
      );
    }
  }

  async close(): Promise<void> {
    await this.limiter.close();
  }

  /** A new chat for the acting user: its system prompt bounded, at most CHAT_RATE_LIMIT_CHATS per window. */
  async create(rc: RequestContext, input: CreateChatInput): Promise<Chat> {
    const user = actingUserOf(rc);
    this.checkSystemPrompt(input.systemPrompt);
    await enforceRate(this.limiter, this.chatRule, user.id, "new chats");
    const repo = this.ds.getRepository(Chat);
    const chat = repo.create({
      id: uuid7(),
      userId: user.id,
      title: input.title ?? null,
      systemPrompt: input.systemPrompt ?? null,
      allowDataUse: input.allowDataUse,
      hidden: false,
      activeThreadTailMessageId: null,
    });
    await repo.insert(chat);
    return repo.findOneByOrFail({ id: chat.id });
  }

  /** The acting user's chats, newest first. */
  /** The acting user's chats, newest first, paged either way (Relay's first/after and last/before). */
  async list(rc: RequestContext, req: PageRequest, includeHidden: boolean): Promise<Page<Chat>> {
    const user = actingUserOf(rc);
    const keyset = keysetSql(req, { at: "c.created_at", id: "c.id", desc: true });
    const base = () => {
      const qb = this.ds.getRepository(Chat).createQueryBuilder("c").where("c.user_id = :userId", { userId: user.id });
      if (!includeHidden) qb.andWhere("c.hidden = false");
      return qb;
    };
    const named = (qb: ReturnType<typeof base>) => (value: unknown) => {
      const name = `k${Object.keys(qb.getParameters()).length}`;
      qb.setParameter(name, value);
      return `:${name}`;
    };
    const qb = base();
    for (const condition of keyset.conditions(named(qb))) qb.andWhere(condition);
    // The cursor keeps created_at's microseconds (a JS Date would cut them, and the keyset would skip rows).
    qb.addSelect(`to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, "cursor_at")
      .orderBy("c.created_at", keyset.direction)
      .addOrderBy("c.id", keyset.direction)
      .limit(keyset.limit);
    const { entities, raw } = await qb.getRawAndEntities<{ c_id: string; cursor_at: string }>();
    const cursors = new Map(raw.map((r) => [r.c_id, encodeCursor({ at: r.cursor_at, id: r.c_id })]));
    return keysetPage(
      entities,
      req,
      (c) => cursors.get(c.id)!,
      async () => {
        const beyond = base();
        beyond.andWhere(keyset.beyond(named(beyond)));
        return beyond.getExists();
      },
    );
  }

  /**
   * A chat the caller may read: their own, or for moderators any (trusted client) or any of their own client's
   * users (untrusted client). Others' chats are "not found", so a chat's existence is not revealed.
   */
  async get(rc: RequestContext, id: string): Promise<Chat> {
    const chat = isUuid(id) ? await this.ds.getRepository(Chat).findOneBy({ id }) : null;
    if (!chat || !(await mayReadChatById(this.ds, rc, chat.id))) throw notFound("Chat", id);
    return chat;
  }

  /** Each chat's user and that user's API client, for the visibility rules. */
  owners(chatIds: readonly string[]): Promise<ChatOwner[]> {
    return chatOwners(this.ds, chatIds);
  }

  /** A chat the acting user owns (changes are for owners only). */
  private async owned(rc: RequestContext, id: string): Promise<Chat> {
    const user = actingUserOf(rc);
    const chat = isUuid(id) ? await this.ds.getRepository(Chat).findOneBy({ id }) : null;
    if (!chat || chat.userId !== user.id) throw notFound("Chat", id);
    return chat;
  }

  async update(rc: RequestContext, input: UpdateChatInput): Promise<Chat> {
    const chat = await this.owned(rc, input.id);
    this.checkSystemPrompt(input.systemPrompt);
    const changes: Partial<Chat> = { modifiedAt: new Date() };
    if (input.title != null) changes.title = input.title;
    if (input.hidden != null) changes.hidden = input.hidden;
    if (input.allowDataUse != null) changes.allowDataUse = input.allowDataUse;
    if (input.systemPrompt != null) changes.systemPrompt = input.systemPrompt;
    if (input.activeThreadTailMessageId != null) changes.activeThreadTailMessageId = input.activeThreadTailMessageId;
    await this.ds.getRepository(Chat).update({ id: chat.id }, changes);
    return this.ds.getRepository(Chat).findOneByOrFail({ id: chat.id });
  }

  /** Deletes the chat and its messages; generations still queued are cancelled first, so no worker picks them. */
  async delete(rc: RequestContext, id: string): Promise<boolean> {
    const chat = await this.owned(rc, id);
    await this.deleteChats([chat.id]);
    return true;
  }

  /**
   * Deletes every chat of the acting user, with their messages, votes, reports and draft choices (the foreign
   * keys cascade). Returns how many chats were deleted.
   */
  async deleteAll(rc: RequestContext): Promise<number> {
    const user = actingUserOf(rc);
    const chats = rowsOf<{ id: string }>(await this.ds.query(`SELECT id FROM chat WHERE user_id = $1`, [user.id]));
    await this.deleteChats(chats.map((c) => c.id));
    return chats.length;
  }

  private async deleteChats(chatIds: string[]): Promise<void> {
    if (chatIds.length === 0) return;
    const unfinished = rowsOf<{ id: string }>(
      await this.ds.query(`SELECT id FROM chat_message WHERE chat_id = ANY($1::uuid[]) AND state IN ('PENDING', 'IN_PROGRESS')`, [chatIds]),
    );
    for (const m of unfinished) {
      // A running job stops at its next batch: its message is gone, so the worker's reports are refused.
      if ((await this.generations.queue.cancel(m.id)) === "active") this.signals.cancelRequestedFor(m.id);
    }
    await this.ds.query(`DELETE FROM chat WHERE id = ANY($1::uuid[])`, [chatIds]);
  }

  async messagesOf(chatIds: readonly string[]): Promise<ChatMessage[]> {
    if (chatIds.length === 0) return [];
    return this.ds
      .getRepository(ChatMessage)
      .createQueryBuilder("m")
      .where("m.chat_id = ANY(:ids)", { ids: [...chatIds] })
      .orderBy("m.created_at", "ASC")
      .addOrderBy("m.id", "ASC")
      .getMany();
  }

  async messagesByIds(ids: readonly string[]): Promise<ChatMessage[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    // A prepared statement built once (src/db/entity-rows.ts): every finished answer's subscribers read their row.
    this.byIdsSql ??= this.ds.getRepository(ChatMessage).createQueryBuilder("m").where("m.id = ANY(:ids)", { ids: [] }).getQueryAndParameters()[0];
    const rows = await preparedQuery<Record<string, unknown>>(this.ds, this.byIdsSql, [valid]);
    return rows.map((raw) => hydrateEntity(this.ds, ChatMessage, "m", raw));
  }

  /** The statements of messagesByIds and message, built by the query builder on first use. */
  private byIdsSql: string | undefined;
  private messageSql: string | undefined;

  /**
   * A message the caller may read (own chat, or moderator), read with its chat's owners and whether the chat holds a
   * blind battle in one statement: every `generation` subscription starts here, so it costs one round trip, not
   * three (message, chat, owners), and its events' fields need no read of the battle (known-not-blind.ts).
   */
  async message(rc: RequestContext, id: string): Promise<ChatMessage> {
    if (!isUuid(id)) throw notFound("Chat message", id);
    // A prepared statement built once, its row hydrated as the builder would (src/db/entity-rows.ts).
    this.messageSql ??= this.ds
      .getRepository(ChatMessage)
      .createQueryBuilder("m")
      .innerJoin(Chat, "c", "c.id = m.chat_id")
      .innerJoin("user", "u", "u.id = c.user_id")
      .addSelect("c.user_id", "owner_user_id")
      .addSelect("u.api_client_id", "owner_api_client_id")
      .addSelect(`EXISTS (SELECT 1 FROM arena_battle b WHERE b.chat_id = m.chat_id AND ${BLIND_SQL})`, "blind")
      .where("m.id = :id", { id })
      .getQueryAndParameters()[0];
    const [owner] = await preparedQuery<Record<string, unknown> & { owner_user_id: string; owner_api_client_id: string; blind: boolean }>(
      this.ds,
      this.messageSql,
      [id],
    );
    const m = owner ? hydrateEntity(this.ds, ChatMessage, "m", owner) : undefined;
    if (!m || !owner || !mayReadChat(chatReaderOfRequest(rc), owner.owner_user_id, owner.owner_api_client_id)) throw notFound("Chat message", id);
    if (!owner.blind) markNotBlind(m);
    return m;
  }

  /**
   * Stores the prompt and a PENDING answer in one statement (SEND_SQL), then enqueues the answer. Every check runs
   * first, so bad input stores and enqueues nothing; a full queue removes both messages again (the reference left the
   * pending answer behind for ever, spec §2.2).
   */
  async send(rc: RequestContext, input: SendChatMessageInput): Promise<SentMessages> {
    const model = this.catalog.get(input.model);
    if (!model) throw badInput(`Unknown model "${input.model}"; known: ${this.catalog.ids().join(", ")}`, { field: "model" });
    const length = [...input.text].length;
    if (length === 0 || length > this.config.messageMaxLength) {
      throw badInput(`The prompt must have 1 to ${this.config.messageMaxLength} characters, it has ${length}`, { field: "text" });
    }
    const drafts = input.drafts ?? 1;
    if (!Number.isInteger(drafts) || drafts < 1 || drafts > this.config.maxDrafts) {
      throw badInput(`drafts must be an integer from 1 to ${this.config.maxDrafts}, got ${drafts}`, { field: "drafts" });
    }
    const samplings = Array.from({ length: drafts }, () => resolveSampling(model, input.sampling ?? null));
    const user = actingUserOf(rc);
    if (!isUuid(input.chatId)) throw notFound("Chat", input.chatId);
    const chat = { id: input.chatId, modifiedAt: new Date(0), title: null as string | null };

    // The rate limit and the token quota first, before the send holds a connection (DESIGN.md, convention 9).
    await this.checkRate(user.id, drafts);
    const isReply = Boolean(input.parentId);
    const parentId = isReply && isUuid(input.parentId!) ? input.parentId! : null;
    const repo = this.ds.getRepository(ChatMessage);
    const prompterMessage = repo.create({
      id: uuid7(),
      chatId: chat.id,
      parentId,
      role: ChatRole.PROMPTER,
      state: ChatMessageState.COMPLETE,
      text: input.text,
    });
    const assistantMessages = samplings.map((sampling) =>
      repo.create({
        id: uuid7(),
        chatId: chat.id,
        parentId: prompterMessage.id,
        role: ChatRole.ASSISTANT,
        state: ChatMessageState.PENDING,
        text: "",
        model: model.id,
        sampling,
      }),
    );
    const messages = [prompterMessage, ...assistantMessages];

    // One statement, one round trip (it is on the path of every chat's first token; at 1,000 sends at once the pool
    // is what they wait for): it locks the acting user's chat, checks what needs the chat, and only when every check
    // passes bumps the chat and inserts the prompt and its answers, atomically (SEND_SQL). A first prompt that
    // waited for a concurrent send to the same chat is sent again (withRetries), and then finds the chat not empty.
    const sent = await withRetries(async () => {
      const rows = rowsOf<SentRow>(
        await this.ds.query(SEND_SQL, [chat.id, input.text, parentId, user.id, JSON.stringify(messages.map(insertRecord)), drafts > 1, isReply]),
      );
      if (rows[0]?.outcome === "raced") throw new StaleSnapshotError();
      return rows;
    });
    const verdict = sent[0];
    switch (verdict.outcome) {
      case "ok":
        break;
      case "not_found":
        throw notFound("Chat", input.chatId);
      case "drafts_need_data_use":
        // Draft choices are training data (spec §1.5, PR #3425): a chat that refuses data use gets one answer.
        throw badInput("Drafts are only offered in chats that allow data use", { field: "drafts" });
      case "parent_not_in_chat":
        throw badInput(`Parent message ${input.parentId} is not in this chat`, { field: "parentId" });
      case "parent_not_answer":
        throw badInput("A prompt must answer an assistant message", { field: "parentId" });
      case "parent_not_complete":
        throw badInput(`Parent message ${parentId} is ${verdict.parent_state}, not COMPLETE`, { field: "parentId" });
      case "not_empty":
        throw badInput("This chat already has messages: pass the parentId the prompt answers", { field: "parentId" });
      default:
        throw new Error(`sendChatMessage: unexpected outcome ${verdict.outcome}`);
    }
    Object.assign(chat, { modifiedAt: verdict.old_modified_at, title: verdict.old_title });
    // The columns the database fills come back into the entities (as TypeORM's insert does).
    const byId = new Map(sent.map((r) => [r.id, r]));
    for (const m of messages) {
      const r = byId.get(m.id)!;
      Object.assign(m, { text: r.text, createdAt: r.created_at, streamSegment: r.stream_segment, seqOffset: r.seq_offset, streamLastSeq: r.stream_last_seq });
    }
    markCreated(verdict.blind, ...messages);
    // The answer's conversation (the locked chat's system prompt, the parent's thread), so its job carries it and the
    // hand-out reads nothing (JobHandOut.prepare).
    const conversation: ConversationSource = {
      rows: [...(verdict.thread ?? []), { role: ChatRole.PROMPTER, text: input.text }],
      systemPrompt: verdict.system_prompt || null,
    };

    const allIds = [...assistantMessages.map((a) => a.id), prompterMessage.id];
    const positions: number[] = [];
    for (const assistant of assistantMessages) {
      positions.push(
        await this.enqueueAnswer(assistant, user.id, model, this.opened(assistant), conversation, async () => {
          // Drafts queued before the refused one leave the queue too: the prompt and all its drafts go, and the
          // chat is as it was.
          for (const queued of assistantMessages.slice(0, positions.length)) await this.generations.queue.cancel(queued.id);
          await this.ds.query(`DELETE FROM chat_message WHERE id = ANY($1::uuid[])`, [allIds]);
          await this.ds.query(`UPDATE chat SET modified_at = $2, title = $3 WHERE id = $1`, [chat.id, chat.modifiedAt, chat.title]);
        }),
      );
    }
    return { prompterMessage, assistantMessage: assistantMessages[0], assistantMessages, queuePosition: positions[0] };
  }

  /** A new answer to a prompt that already has one (a retry, a sibling branch), generated like the first. */
  async regenerate(rc: RequestContext, input: RegenerateInput): Promise<{ assistantMessage: ChatMessage; queuePosition: number }> {
    const model = this.catalog.get(input.model);
    if (!model) throw badInput(`Unknown model "${input.model}"; known: ${this.catalog.ids().join(", ")}`, { field: "model" });
    const sampling = resolveSampling(model, input.sampling ?? null);
    const user = actingUserOf(rc);
    const prompt = isUuid(input.parentId) ? await this.ds.getRepository(ChatMessage).findOneBy({ id: input.parentId }) : null;
    const chat = prompt ? await this.ds.getRepository(Chat).findOneBy({ id: prompt.chatId }) : null;
    if (!prompt || !chat || chat.userId !== user.id) throw notFound("Chat message", input.parentId);
    if (prompt.role !== ChatRole.PROMPTER) throw badInput("Only a prompt can be answered again", { field: "parentId" });
    await this.checkRate(user.id);
    const repo = this.ds.getRepository(ChatMessage);
    const assistant = repo.create({
      id: uuid7(),
      chatId: chat.id,
      parentId: prompt.id,
      role: ChatRole.ASSISTANT,
      state: ChatMessageState.PENDING,
      text: "",
      model: model.id,
      sampling,
    });
    await repo.insert(assistant);
    const position = await this.enqueueAnswer(assistant, user.id, model, this.opened(assistant), null, async () => {
      await this.ds.query(`DELETE FROM chat_message WHERE id = $1`, [assistant.id]);
    });
    return { assistantMessage: await repo.findOneByOrFail({ id: assistant.id }), queuePosition: position };
  }

  /**
   * Extends a COMPLETE answer that stopped at the token limit (finish reason length; spec §9, "continue
   * generating", OA #2945). The answer goes back to PENDING with its text; its generation stream goes on with new
   * seqs after the earlier ones: first GenerationContinued (the text so far), then queued, started, tokens and the
   * end, as for a first generation. The worker gets the thread with the answer's text as the last, assistant turn.
   */
  async continueGeneration(rc: RequestContext, messageId: string): Promise<{ assistantMessage: ChatMessage; queuePosition: number; resumeAfter: number }> {
    const user = actingUserOf(rc);
    const m = isUuid(messageId) ? await this.ds.getRepository(ChatMessage).findOneBy({ id: messageId }) : null;
    const chat = m ? await this.ds.getRepository(Chat).findOneBy({ id: m.chatId }) : null;
    if (!m || !chat || chat.userId !== user.id) throw notFound("Chat message", messageId);
    if (m.role !== ChatRole.ASSISTANT) throw badInput("Only an answer can be continued", { field: "messageId" });
    if (m.state !== ChatMessageState.COMPLETE || m.finishReason !== "length") {
      throw badInput(
        `Only a COMPLETE answer that stopped at the token limit (finish reason length) can be continued; this one is ${m.state}${m.finishReason ? ` (${m.finishReason})` : ""}`,
        {
          field: "messageId",
        },
      );
    }
    const model = this.catalog.get(m.model ?? "");
    if (!model) throw badInput(`The answer's model "${m.model}" is no longer declared`, { field: "messageId" });
    if ((m.tokenCount ?? 0) >= model.maxTotalLength) {
      throw badInput(`The answer already has ${m.tokenCount} tokens, the most ${model.id} can hold (${model.maxTotalLength})`, { field: "messageId" });
    }
    await this.checkRate(user.id);
    const resumeAfter = await this.generations.lastSeq(m);
    const rows = rowsOf<{ id: string }>(
      await this.ds.query(
        `UPDATE chat_message SET state = 'PENDING', finish_reason = NULL, work_begin_at = NULL, work_end_at = NULL, error = NULL,
                cancel_requested_at = NULL, continued_at = now(), stream_segment = stream_segment + 1, seq_offset = $2, stream_last_seq = 0
          WHERE id = $1 AND state = 'COMPLETE' AND finish_reason = 'length' RETURNING id`,
        [m.id, resumeAfter],
      ),
    );
    if (rows.length === 0) throw new ChorusError(ErrorCode.CONFLICT, "The answer changed meanwhile (already continued?); read it again");
    const seqBefore = await this.generations.continued(m.id, m.text, m.tokenCount ?? 0);
    const position = await this.enqueueAnswer(m, user.id, model, seqBefore ?? undefined, null, async () => {
      // Back to how it was: the open stream ends as the answer did, at the token limit.
      await this.generations.end(m.id, "length", null);
    });
    return { assistantMessage: await this.ds.getRepository(ChatMessage).findOneByOrFail({ id: m.id }), queuePosition: position, resumeAfter };
  }

  /** A new answer's stream is its first and is empty: its seq is 0 and no read of the row finds where it is. */
  private opened(assistant: ChatMessage): number {
    this.generations.opened(assistant.id);
    return 0;
  }

  /**
   * Queues a stored answer and returns its place; when the queue refuses it, runs `compensate` so no orphan message is
   * left. `seqBefore`:
   * the seq its stream is at, so the queue notice is appended only if no worker started the job meanwhile (it would
   * land after the start).
   */
  private async enqueueAnswer(
    assistant: ChatMessage,
    userId: string,
    model: ModelDeclaration,
    seqBefore: number | undefined,
    conversation: ConversationSource | null,
    compensate: () => Promise<void>,
  ): Promise<number> {
    let position: number;
    let queueSize: number;
    try {
      // With the conversation (and the answer's sampling) the first hand-out reads nothing (JobHandOut.prepare);
      // without it, the hand-out reads the conversation while it claims the answer.
      const payload: GenerationJobPayload = conversation
        ? { chatId: assistant.chatId, parentId: assistant.parentId, conversation, sampling: assistant.sampling ?? undefined }
        : { chatId: assistant.chatId, parentId: assistant.parentId };
      ({ position, queueSize } = await this.generations.queue.enqueue(model.id, { messageId: assistant.id, userId, payload }));
    } catch (err) {
      await compensate();
      if (err instanceof QueueFullError) {
        throw new ChorusError(ErrorCode.QUEUE_FULL, `The queue for ${model.id} is full; try again later`, { model: model.id });
      }
      if (err instanceof RedisUnavailableError) {
        throw new ChorusError(ErrorCode.SERVICE_UNAVAILABLE, "The generation queue is unreachable; nothing was stored, try again shortly");
      }
      throw err;
    }
    // The job is queued: the send answers now. The queue notice and the workers' wake-up follow off its round trip,
    // in that order, so the notice lands before a woken worker's start (and is dropped if a polling worker's start
    // came first, by seqBefore). A notice that could not be appended was logged; the stream goes on without it.
    void this.generations
      .queued(assistant.id, model.id, position, seqBefore, queueSize)
      .catch(() => undefined)
      .finally(() => this.signals.jobAvailable(model.id));
    return position;
  }

  /**
   * Stops a generation: a queued one ends CANCELLED at once; a running one is flagged and its worker stops within
   * a batch or a heartbeat, storing the partial text. An ended message is returned unchanged.
   */
  async cancel(rc: RequestContext, messageId: string): Promise<ChatMessage> {
    const user = actingUserOf(rc);
    const m = isUuid(messageId) ? await this.ds.getRepository(ChatMessage).findOneBy({ id: messageId }) : null;
    const chat = m ? await this.ds.getRepository(Chat).findOneBy({ id: m.chatId }) : null;
    if (!m || !chat || chat.userId !== user.id) throw notFound("Chat message", messageId);
    if (m.role !== ChatRole.ASSISTANT) throw badInput("Only an assistant message's generation can be cancelled");
    if (isTerminal(m.state)) return m;
    await this.ds.query(`UPDATE chat_message SET cancel_requested_at = now() WHERE id = $1 AND cancel_requested_at IS NULL`, [m.id]);
    const outcome = await this.generations.queue.cancel(m.id);
    if (outcome === "active") {
      this.signals.cancelRequestedFor(m.id);
    } else {
      // Waiting (now removed) or lost: nobody else will end it.
      await this.generations.end(m.id, "cancelled", null);
    }
    return this.ds.getRepository(ChatMessage).findOneByOrFail({ id: m.id });
  }

  models(): readonly ModelDeclaration[] {
    return this.catalog.models;
  }

  /** Seeds for sampling: drawn once per message, so a retried job samples as the first attempt did. */
  static newSeed(): number {
    return crypto.randomInt(0, 2 ** 31 - 1);
  }
}

/** The model's defaults overlaid with the request's values, each checked against its range. */
export function resolveSampling(model: ModelDeclaration, input: SamplingInput | null): ChatSampling {
  const d = model.defaults;
  const s: ChatSampling = {
    maxNewTokens: input?.maxNewTokens ?? d.maxNewTokens,
    temperature: input?.temperature ?? d.temperature,
    topP: input?.topP ?? d.topP,
    topK: input?.topK ?? d.topK,
    repetitionPenalty: input?.repetitionPenalty ?? d.repetitionPenalty,
    seed: ChatService.newSeed(),
  };
  const fail = (field: string, rule: string, value: unknown) => {
    throw badInput(`sampling.${field} must be ${rule}, got ${value}`, { field: `sampling.${field}` });
  };
  if (!Number.isInteger(s.maxNewTokens) || s.maxNewTokens < 1 || s.maxNewTokens > model.maxNewTokensLimit) {
    fail("maxNewTokens", `an integer from 1 to ${model.maxNewTokensLimit} for ${model.id}`, s.maxNewTokens);
  }
  if (!(s.temperature >= 0) || s.temperature > 100) fail("temperature", "from 0 to 100", s.temperature);
  if (!(s.topP > 0 && s.topP <= 1)) fail("topP", "in (0, 1]", s.topP);
  if (s.topK != null && (!Number.isInteger(s.topK) || s.topK < 0)) fail("topK", "an integer of at least 0", s.topK);
  if (s.repetitionPenalty != null && !(s.repetitionPenalty > 0)) fail("repetitionPenalty", "above 0", s.repetitionPenalty);
  return s;
}

/**
 * sendChatMessage in one statement (in its own transaction, as every statement outside one is): $1 the chat, $2 the
 * prompt's text (the chat's title when it has none), $3 the parent (a uuid, or null), $4 the acting user, $5 the new
 * messages as JSON records (columns the database fills are left to their defaults), $6 whether drafts are asked
 * for, $7 whether the send is a reply (a parentId was given, even one that is no uuid).
 *
 * `locked` locks the user's chat (no row: not theirs, or none); FOR UPDATE waits for a concurrent send to the chat and
 * then reads the row as that send left it. `verdict` makes the checks in the order they always ran (an outcome other
 * than "ok" names the first that failed): the chat is the user's; drafts need a chat that allows data use; a reply's
 * parent (depth 0 of `thread`, which holds the parent and its ancestors) is a COMPLETE answer in this chat; a first
 * prompt goes only into an empty chat. Only with "ok" is the chat bumped (which serialises sends to one chat) and are
 * the messages inserted; otherwise nothing changes.
 *
 * A first prompt judges emptiness by the statement's snapshot, taken before it waited for the lock: a concurrent
 * first prompt that committed meanwhile is invisible to it. But that send bumped the chat, so the locked row is then
 * another version than the one the snapshot holds (`seen`): the outcome is "raced", nothing changes, and the send is
 * made again with a fresh snapshot (which finds the chat not empty). A reply needs no such care: its thread (a
 * COMPLETE answer and its ancestors) does not change while the chat is locked.
 *
 * One row per message inserted, each with the verdict's columns (the chat's system prompt, its modified_at and title
 * before the bump, which a send the queue refuses puts back, whether it holds a blind battle (blindness.ts), a
 * reply's thread as [{role, text}], root first); one row with null message columns when nothing was inserted.
 */
const SEND_COLUMNS = "id, chat_id, parent_id, role, state, text, model, sampling";
const SEND_SQL = hotStatement(`WITH RECURSIVE locked AS (
    SELECT id, xmin::text AS version, allow_data_use, modified_at, title, system_prompt FROM chat WHERE id = $1 AND user_id = $4 FOR UPDATE
  ), seen AS (
    SELECT xmin::text AS version FROM chat WHERE id = $1
  ), thread AS (
    SELECT id, chat_id, parent_id, role, state, text, 0 AS depth FROM chat_message WHERE id = $3::uuid
    UNION ALL
    SELECT m.id, m.chat_id, m.parent_id, m.role, m.state, m.text, t.depth + 1 FROM chat_message m JOIN thread t ON m.id = t.parent_id
  ), verdict AS (
    SELECT CASE
        WHEN l.id IS NULL THEN 'not_found'
        WHEN $6::boolean AND NOT l.allow_data_use THEN 'drafts_need_data_use'
        WHEN $7::boolean AND (p.id IS NULL OR p.chat_id <> l.id) THEN 'parent_not_in_chat'
        WHEN $7::boolean AND p.role <> 'ASSISTANT' THEN 'parent_not_answer'
        WHEN $7::boolean AND p.state <> 'COMPLETE' THEN 'parent_not_complete'
        WHEN NOT $7::boolean AND s.version IS DISTINCT FROM l.version THEN 'raced'
        WHEN NOT $7::boolean AND EXISTS (SELECT 1 FROM chat_message WHERE chat_id = $1) THEN 'not_empty'
        ELSE 'ok'
      END AS outcome,
      l.system_prompt, l.modified_at AS old_modified_at, l.title AS old_title, p.state AS parent_state,
      EXISTS (SELECT 1 FROM arena_battle b WHERE b.chat_id = $1 AND ${BLIND_SQL}) AS blind,
      CASE WHEN $7::boolean THEN (SELECT jsonb_agg(jsonb_build_object('role', t.role, 'text', t.text) ORDER BY t.depth DESC) FROM thread t) END AS thread
      FROM (VALUES (1)) AS one (n) LEFT JOIN locked l ON true LEFT JOIN seen s ON true LEFT JOIN thread p ON p.depth = 0
  ), bumped AS (
    UPDATE chat c SET modified_at = now(), title = COALESCE(c.title, left($2, 100)) FROM verdict v WHERE c.id = $1 AND v.outcome = 'ok'
  ), inserted AS (
    INSERT INTO chat_message (${SEND_COLUMNS})
    SELECT ${SEND_COLUMNS} FROM jsonb_populate_recordset(NULL::chat_message, $5::jsonb) WHERE (SELECT outcome FROM verdict) = 'ok'
    RETURNING id, text, created_at, stream_segment, seq_offset, stream_last_seq
  ) SELECT v.*, i.id, i.text, i.created_at, i.stream_segment, i.seq_offset, i.stream_last_seq FROM verdict v LEFT JOIN inserted i ON true`);

/** A row of SEND_SQL. */
interface SentRow {
  outcome: "ok" | "not_found" | "drafts_need_data_use" | "parent_not_in_chat" | "parent_not_answer" | "parent_not_complete" | "raced" | "not_empty";
  system_prompt: string | null;
  old_modified_at: Date | null;
  old_title: string | null;
  parent_state: string | null;
  blind: boolean;
  thread: { role: string; text: string }[] | null;
  id: string;
  text: string;
  created_at: Date;
  stream_segment: number;
  seq_offset: number;
  stream_last_seq: number;
}

function insertRecord(m: ChatMessage): Record<string, unknown> {
  return {
    id: m.id,
    chat_id: m.chatId,
    parent_id: m.parentId,
    role: m.role,
    state: m.state,
    text: m.text,
    model: m.model ?? null,
    sampling: m.sampling ?? null,
  };
}
