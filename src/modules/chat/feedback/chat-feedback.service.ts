/**
 * Votes, reports and draft choices on answers, and the moderators' queue of reported answers. Only the owner of a
 * chat votes on, reports and chooses among its answers (spec §1.6); moderators resolve reports, journaled like
 * tree moderation (src/modules/moderation).
 */
import type { DataSource } from "typeorm";
import { actingUserOf, type RequestContext } from "../../../common/request-context.js";
import { badInput, ChorusError, ErrorCode, notFound } from "../../../common/errors.js";
import { decodeCursor, encodeCursor, type Page } from "../../../common/pagination.js";
import { inTransaction } from "../../../db/transaction.js";
import { isUuid, rowsOf } from "../../../db/rows.js";
import { uuid7 } from "../../../db/uuid7.js";
import { hydrateJsonRow } from "../../../db/entity-rows.js";
import { preparedQuery } from "../../../db/prepared.js";
import { Chat, ChatMessage, ChatMessageState, ChatRole } from "../chat.entity.js";
import { ChatDraftChoice, ChatMessageVote, ChatReport, type ChatReportType } from "./chat-feedback.entity.js";
import type { ChatConfig } from "../../../config/index.js";
import { ModerationAction, writeJournal } from "../../moderation/journal.js";
import { mayReadChatById } from "../chat-readers.js";
import { enforceRate, type RateLimiter, type RateLimitRule } from "../../../infra/rate-limit.js";

/** Everything said about one chat's answers, for the chat tree and exports. */
export interface ChatFeedback {
  votes: ChatMessageVote[];
  reports: ChatReport[];
  draftChoices: ChatDraftChoice[];
}

export class ChatFeedbackService {
  private readonly reportRule: RateLimitRule;

  constructor(
    private readonly ds: DataSource,
    config: Pick<ChatConfig, "rateLimitReports">,
    private readonly limiter: RateLimiter,
  ) {
    this.reportRule = { name: "reports", ...config.rateLimitReports };
  }

  /** An answer of one of the acting user's chats. */
  private async ownedAnswer(rc: RequestContext, messageId: string): Promise<{ message: ChatMessage; userId: string }> {
    const user = actingUserOf(rc);
    const m = isUuid(messageId) ? await this.ds.getRepository(ChatMessage).findOneBy({ id: messageId }) : null;
    const chat = m ? await this.ds.getRepository(Chat).findOneBy({ id: m.chatId }) : null;
    if (!m || !chat || chat.userId !== user.id) throw notFound("Chat message", messageId);
    if (m.role !== ChatRole.ASSISTANT) throw badInput("Only answers (ASSISTANT messages) can be voted on, reported or chosen", { field: "messageId" });
    return { message: m, userId: user.id };
  }

  /** Sets (or, with 0, takes back) the acting user's vote on an answer; returns the answer. */
  async vote(rc: RequestContext, messageId: string, score: number): Promise<ChatMessage> {
    if (![-1, 0, 1].includes(score)) throw badInput(`score must be +1, -1 or 0 (take the vote back), got ${score}`, { field: "score" });
    const { message, userId } = await this.ownedAnswer(rc, messageId);
    if (score === 0) {
      await this.ds.query(`DELETE FROM chat_message_vote WHERE message_id = $1 AND user_id = $2`, [message.id, userId]);
    } else {
      await this.ds.query(
        `INSERT INTO chat_message_vote (id, message_id, chat_id, user_id, score) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ON CONSTRAINT uq_chat_message_vote DO UPDATE SET score = EXCLUDED.score, updated_at = now()`,
        [uuid7(), message.id, message.chatId, userId, score],
      );
    }
    return message;
  }

  /**
   * Reports an answer to the moderators. One open report per user and answer: reporting it again while the first is
   * open returns that report unchanged (idempotent, not counted); new reports count against CHAT_RATE_LIMIT_REPORTS.
   */
  async report(rc: RequestContext, messageId: string, reportType: ChatReportType, reason: string): Promise<ChatReport> {
    const text = reason.trim();
    if (text.length === 0) throw badInput("reason must not be blank", { field: "reason" });
    const { message, userId } = await this.ownedAnswer(rc, messageId);
    const repo = this.ds.getRepository(ChatReport);
    const open = () =>
      repo.createQueryBuilder("r").where("r.message_id = :m AND r.user_id = :u AND r.resolved_at IS NULL", { m: message.id, u: userId }).getOne();
    const existing = await open();
    if (existing) return existing;
    const id = await inTransaction(this.ds, async (em) => {
      // The partial unique index settles a race between identical reports: the later ones wait for the first and
      // insert nothing. Only a report that is really new is counted, and a refused one is rolled back.
      const inserted = rowsOf<{ id: string }>(
        await em.query(
          `INSERT INTO chat_report (id, message_id, chat_id, user_id, report_type, reason) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (message_id, user_id) WHERE resolved_at IS NULL DO NOTHING RETURNING id`,
          [uuid7(), message.id, message.chatId, userId, reportType, text],
        ),
      );
      if (!inserted[0]) return null;
      await enforceRate(this.limiter, this.reportRule, userId, "reports");
      return inserted[0].id;
    });
    return id ? repo.findOneByOrFail({ id }) : (await open())!;
  }

  /**
   * Records which draft the user preferred: the chosen answer and its other COMPLETE siblings (same prompt) as
   * the inferior ones. Choosing again for the same prompt replaces the earlier choice.
   */
  async chooseDraft(rc: RequestContext, messageId: string): Promise<ChatDraftChoice> {
    const { message, userId } = await this.ownedAnswer(rc, messageId);
    if (message.state !== ChatMessageState.COMPLETE) throw badInput(`The chosen draft must be COMPLETE, it is ${message.state}`, { field: "messageId" });
    const chat = await this.ds.getRepository(Chat).findOneByOrFail({ id: message.chatId });
    if (!chat.allowDataUse) throw badInput("This chat does not allow data use, so its draft choices are not recorded", { field: "messageId" });
    const siblings = rowsOf<{ id: string }>(
      await this.ds.query(
        `SELECT id FROM chat_message WHERE parent_id = $1 AND role = 'ASSISTANT' AND state = 'COMPLETE' AND id <> $2 ORDER BY created_at, id`,
        [message.parentId, message.id],
      ),
    );
    if (siblings.length === 0) throw badInput("The answer has no other COMPLETE draft to be preferred to", { field: "messageId" });
    const rows = rowsOf<{ id: string }>(
      await this.ds.query(
        `INSERT INTO chat_draft_choice (id, chat_id, user_id, prompt_id, selected_message_id, inferior_message_ids) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT ON CONSTRAINT uq_chat_draft_choice_prompt
         DO UPDATE SET selected_message_id = EXCLUDED.selected_message_id, inferior_message_ids = EXCLUDED.inferior_message_ids, created_at = now()
         RETURNING id`,
        [uuid7(), message.chatId, userId, message.parentId, message.id, JSON.stringify(siblings.map((s) => s.id))],
      ),
    );
    return this.ds.getRepository(ChatDraftChoice).findOneByOrFail({ id: rows[0].id });
  }

  /** Votes, reports and draft choices of each chat, for the chat tree's field resolvers. */
  ofChats(chatIds: readonly string[]): Promise<Map<string, ChatFeedback>> {
    return feedbackOfChats(this.ds, chatIds);
  }

  /**
   * The moderators' queue: open reports (or resolved ones), oldest first. For an untrusted client's moderator (who
   * sees one client's records) only reports on chats of that client's users.
   */
  async reports(rc: RequestContext, first: number, after: string | null | undefined, resolved: boolean): Promise<Page<ChatReport>> {
    const { apiClientId } = rc.visibility;
    const qb = this.ds
      .getRepository(ChatReport)
      .createQueryBuilder("r")
      .where(resolved ? "r.resolved_at IS NOT NULL" : "r.resolved_at IS NULL")
      // UUIDv7 ids sort by creation; keyset on the id alone (a JS Date would cut created_at's microseconds).
      .orderBy("r.id", "ASC")
      .take(first + 1);
    if (apiClientId) {
      qb.andWhere(`r.chat_id IN (SELECT c.id FROM chat c JOIN "user" u ON u.id = c.user_id WHERE u.api_client_id = :client)`, { client: apiClientId });
    }
    if (after) {
      const cursor = decodeCursor(after);
      qb.andWhere("r.id > :id::uuid", { id: cursor.id });
    }
    const rows = await qb.getMany();
    return {
      nodes: rows.slice(0, first),
      hasNextPage: rows.length > first,
      cursorOf: (r) => encodeCursor({ at: r.createdAt.toISOString(), id: r.id }),
    };
  }

  /** Closes a report with the moderator's decision; journaled in the same transaction. */
  async resolve(rc: RequestContext, reportId: string, resolution: string): Promise<ChatReport> {
    const text = resolution.trim();
    if (text.length === 0) throw badInput("resolution must not be blank", { field: "resolution" });
    const actor = rc.actor;
    // A moderator of an untrusted client resolves only reports on its own users' chats (checked before the
    // transaction, so the operation holds one connection at a time; a report never changes chats).
    const target = isUuid(reportId) ? await this.ds.getRepository(ChatReport).findOneBy({ id: reportId }) : null;
    if (!target || !(await mayReadChatById(this.ds, rc, target.chatId))) throw notFound("Chat report", reportId);
    return inTransaction(this.ds, async (em) => {
      const report = await em.getRepository(ChatReport).findOne({ where: { id: reportId }, lock: { mode: "pessimistic_write" } });
      if (!report) throw notFound("Chat report", reportId);
      if (report.resolvedAt)
        throw new ChorusError(ErrorCode.CONFLICT, `Report ${reportId} was already resolved`, { resolvedAt: report.resolvedAt.toISOString() });
      await em.query(`UPDATE chat_report SET resolved_at = now(), resolved_by_user_id = $2, resolution = $3 WHERE id = $1`, [report.id, actor.userId, text]);
      await writeJournal(
        em,
        actor,
        ModerationAction.CHAT_REPORT_RESOLVED,
        { targetId: report.id, messageId: report.messageId },
        {
          before: { resolvedAt: null },
          after: { resolvedAt: new Date().toISOString(), resolution: text },
          report_id: report.id,
          chat_id: report.chatId,
          report_type: report.reportType,
          resolution: text,
        },
      );
      return em.getRepository(ChatReport).findOneByOrFail({ id: report.id });
    });
  }
}

/**
 * Votes, reports and draft choices of chats ($1), in one statement: each kind as one JSON array of its rows, in the
 * order the field resolvers and exports list them.
 */
const FEEDBACK_SQL = `SELECT
    (SELECT COALESCE(jsonb_agg(to_jsonb(v) ORDER BY v.updated_at), '[]') FROM chat_message_vote v WHERE v.chat_id = ANY($1::uuid[])) AS votes,
    (SELECT COALESCE(jsonb_agg(to_jsonb(r) ORDER BY r.created_at, r.id), '[]') FROM chat_report r WHERE r.chat_id = ANY($1::uuid[])) AS reports,
    (SELECT COALESCE(jsonb_agg(to_jsonb(d) ORDER BY d.created_at, d.id), '[]') FROM chat_draft_choice d WHERE d.chat_id = ANY($1::uuid[])) AS draft_choices`;

type JsonRows = Record<string, unknown>[];

/**
 * Votes, reports and draft choices of each chat, for the chat tree's field resolvers and for exports: one prepared
 * statement (every finished answer's subscribers read its feedback), its rows hydrated as the builders' getMany does
 * (src/db/entity-rows.ts).
 */
export async function feedbackOfChats(ds: DataSource, chatIds: readonly string[]): Promise<Map<string, ChatFeedback>> {
  const out = new Map<string, ChatFeedback>(chatIds.map((id) => [id, { votes: [], reports: [], draftChoices: [] }]));
  if (chatIds.length === 0) return out;
  const [row] = await preparedQuery<{ votes: JsonRows; reports: JsonRows; draft_choices: JsonRows }>(ds, FEEDBACK_SQL, [[...chatIds]]);
  for (const v of row.votes) {
    const vote = hydrateJsonRow(ds, ChatMessageVote, v);
    out.get(vote.chatId)!.votes.push(vote);
  }
  for (const r of row.reports) {
    const report = hydrateJsonRow(ds, ChatReport, r);
    out.get(report.chatId)!.reports.push(report);
  }
  for (const c of row.draft_choices) {
    const choice = hydrateJsonRow(ds, ChatDraftChoice, c);
    out.get(choice.chatId)!.draftChoices.push(choice);
  }
  return out;
}
