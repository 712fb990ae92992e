/**
 * Chats as JSONL trees, one chat per line: `chorus export-chats` writes the chats whose owners allow data use
 * (spec §1.1, export.py); `GET /chats/export.jsonl` gives a user all of their own. Chats are read in keyset
 * pages and written as they are read, so an export holds one page in memory, never the database.
 */
import type { DataSource } from "typeorm";
import { Chat, ChatMessage } from "./chat.entity.js";
import { ChatFeedbackService, type ChatFeedback } from "./chat-feedback.service.js";
import type { LineWriter } from "../datasets/jsonl-stream.js";
import { stringifyDeep } from "../datasets/deep-json.js";

export interface ChatExportOptions {
  /** Only this user's chats (a user's own download); null: every user's. */
  userId: string | null;
  /** Only chats whose owner allows data use (the training-data export). */
  dataUseOnly: boolean;
  /** At most this many chats; null: all. */
  limit?: number | null;
}

export interface ChatExportSummary {
  chats: number;
  messages: number;
}

/** One message of an exported tree, with its replies (`children`) nested. */
export interface ExportedChatMessage {
  message_id: string;
  parent_id: string | null;
  role: "prompter" | "assistant";
  text: string;
  state: string;
  created_at: string;
  model?: string | null;
  sampling?: unknown;
  finish_reason?: string | null;
  token_count?: number | null;
  worker_name?: string | null;
  /** The owner's vote: +1, -1 or 0. */
  score?: number;
  reports?: { report_id: string; report_type: string; reason: string; created_at: string; resolved_at: string | null; resolution: string | null }[];
  children: ExportedChatMessage[];
}

export interface ExportedChat {
  chat_id: string;
  user_id: string;
  created_at: string;
  modified_at: string;
  title: string | null;
  system_prompt: string | null;
  allow_data_use: boolean;
  hidden: boolean;
  /** Usually one root; a chat whose first prompt was deleted could have none. */
  messages: ExportedChatMessage[];
  /** Ranking events: which draft the owner preferred among the complete siblings. */
  draft_choices: { prompt_id: string; selected_message_id: string; inferior_message_ids: string[]; created_at: string }[];
}

/** A chat with its messages and feedback as one JSON tree (pure, for tests and both export paths). */
export function chatTree(chat: Chat, messages: readonly ChatMessage[], feedback: ChatFeedback): ExportedChat {
  const nodes = new Map<string, ExportedChatMessage>();
  for (const m of messages) {
    const node: ExportedChatMessage = {
      message_id: m.id,
      parent_id: m.parentId,
      role: m.role === "ASSISTANT" ? "assistant" : "prompter",
      text: m.text,
      state: m.state,
      created_at: m.createdAt.toISOString(),
      children: [],
    };
    if (m.role === "ASSISTANT") {
      Object.assign(node, {
        model: m.model,
        sampling: m.sampling,
        finish_reason: m.finishReason,
        token_count: m.tokenCount,
        worker_name: m.workerName,
        score: feedback.votes.filter((v) => v.messageId === m.id).reduce((sum, v) => sum + v.score, 0),
        reports: feedback.reports
          .filter((r) => r.messageId === m.id)
          .map((r) => ({
            report_id: r.id,
            report_type: r.reportType.toLowerCase(),
            reason: r.reason,
            created_at: r.createdAt.toISOString(),
            resolved_at: r.resolvedAt?.toISOString() ?? null,
            resolution: r.resolution,
          })),
      });
    }
    nodes.set(m.id, node);
  }
  const roots: ExportedChatMessage[] = [];
  // Messages come oldest first, so children keep their creation order.
  for (const m of messages) {
    const node = nodes.get(m.id)!;
    const parent = m.parentId ? nodes.get(m.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return {
    chat_id: chat.id,
    user_id: chat.userId,
    created_at: chat.createdAt.toISOString(),
    modified_at: chat.modifiedAt.toISOString(),
    title: chat.title,
    system_prompt: chat.systemPrompt,
    allow_data_use: chat.allowDataUse,
    hidden: chat.hidden,
    messages: roots,
    draft_choices: feedback.draftChoices.map((c) => ({
      prompt_id: c.promptId,
      selected_message_id: c.selectedMessageId,
      inferior_message_ids: c.inferiorMessageIds,
      created_at: c.createdAt.toISOString(),
    })),
  };
}

const PAGE = 100;

export class ChatExporter {
  private readonly feedback: ChatFeedbackService;

  constructor(
    private readonly ds: DataSource,
    private readonly options: ChatExportOptions,
  ) {
    this.feedback = new ChatFeedbackService(ds);
  }

  async run(writer: LineWriter, onProgress?: (s: ChatExportSummary) => void): Promise<ChatExportSummary> {
    const summary: ChatExportSummary = { chats: 0, messages: 0 };
    const limit = this.options.limit ?? Number.POSITIVE_INFINITY;
    // Keyset on the id alone: UUIDv7 ids sort by creation, and a JS Date would cut created_at's microseconds.
    let cursor: string | null = null;
    while (summary.chats < limit) {
      const qb = this.ds
        .getRepository(Chat)
        .createQueryBuilder("c")
        .orderBy("c.id", "ASC")
        .take(Math.min(PAGE, limit - summary.chats));
      if (this.options.userId) qb.andWhere("c.user_id = :userId", { userId: this.options.userId });
      if (this.options.dataUseOnly) qb.andWhere("c.allow_data_use = true");
      if (cursor) qb.andWhere("c.id > :cursor::uuid", { cursor });
      const chats = await qb.getMany();
      if (chats.length === 0) break;
      const ids = chats.map((c) => c.id);
      const messages = await this.ds
        .getRepository(ChatMessage)
        .createQueryBuilder("m")
        .where("m.chat_id = ANY(:ids)", { ids })
        .orderBy("m.created_at", "ASC")
        .addOrderBy("m.id", "ASC")
        .getMany();
      const feedback = await this.feedback.ofChats(ids);
      for (const chat of chats) {
        const own = messages.filter((m) => m.chatId === chat.id);
        // A chat is data and may be deeper than JSON.stringify's recursion reaches.
        await writer.write(stringifyDeep(chatTree(chat, own, feedback.get(chat.id)!)));
        summary.chats++;
        summary.messages += own.length;
      }
      onProgress?.(summary);
      cursor = chats[chats.length - 1].id;
    }
    return summary;
  }
}
