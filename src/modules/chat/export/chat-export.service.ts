/**
 * Chats as JSONL trees, one chat per line: `chorus export-chats` writes the chats whose owners allow data use
 * (spec §1.1, export.py); `GET /chats/export.jsonl` gives a user all of their own. Both take the reference
 * export's options: one chat, a date range, scored-only, reported-only, flat messages (one per line) and the
 * seeded anonymiser. Chats are read in keyset pages and written as they are read, so an export holds one page in
 * memory, never the database.
 */
import { blindChats, withoutIdentity } from "../../arena/blindness.js";
import type { DataSource } from "typeorm";
import { Chat, ChatMessage } from "../chat.entity.js";
import { feedbackOfChats, type ChatFeedback } from "../feedback/chat-feedback.service.js";
import type { LineWriter } from "../../datasets/jsonl-stream.js";
import { Anonymizer } from "../../datasets/format.js";
import { isUuid } from "../../../db/rows.js";
import { stringifyDeep } from "../../datasets/deep-json.js";

export interface ChatExportOptions {
  /** Only this user's chats (a user's own download); null: every user's. */
  userId: string | null;
  /** Only chats whose owner allows data use (the training-data export). */
  dataUseOnly: boolean;
  /** At most this many chats; null: all. */
  limit?: number | null;
  /** Only this chat. */
  chatId?: string | null;
  /** Only chats created at or after this time. */
  from?: Date | null;
  /** Only chats created before this time (a date-only bound given by a user is the start of the next day). */
  until?: Date | null;
  /** Only chats with at least one answer voted +1 or -1 (the reference's `--scored`). */
  scoredOnly?: boolean;
  /** Only chats with at least one reported answer (`--reported`). */
  reportedOnly?: boolean;
  /** One message per line, with its chat's id and owner, instead of one tree per chat (`--write-flat`). */
  flat?: boolean;
  /** Replace chat, message and user ids by seeded SHA-256 pseudonyms (`--anonymizer-seed`); report ids are left out. */
  anonymizerSeed?: string | null;
}

/** The options a person sets by name (CLI flags, HTTP query parameters), checked once for both doors. */
export interface ChatExportFilterInput {
  chat?: string;
  fromDate?: string;
  toDate?: string;
  scored?: boolean;
  reported?: boolean;
  flat?: boolean;
  anonymizerSeed?: string;
}

/** `YYYY-MM-DD` (a whole UTC day) or an ISO 8601 date-time with its offset. */
function parseBound(name: string, value: string, dayEnd: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) throw new Error(`${name} is not a date: ${value}`);
    // "to 2026-01-31" includes that day: the bound is the next midnight.
    return dayEnd ? new Date(day.getTime() + 86_400_000) : day;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value))) {
    const at = new Date(value);
    return dayEnd ? new Date(at.getTime() + 1) : at;
  }
  throw new Error(`${name} must be a date (YYYY-MM-DD) or a date-time with its offset (2026-01-31T12:00:00Z), got "${value}"`);
}

/** Checks the named options and turns them into exporter options; throws with a message naming the option. */
export function chatExportFilters(
  input: ChatExportFilterInput,
  names: { chat: string; fromDate: string; toDate: string; anonymizerSeed: string },
): Partial<ChatExportOptions> {
  if (input.chat !== undefined && !isUuid(input.chat)) throw new Error(`${names.chat} must be a chat id (a UUID), got "${input.chat}"`);
  const from = input.fromDate !== undefined ? parseBound(names.fromDate, input.fromDate, false) : null;
  const until = input.toDate !== undefined ? parseBound(names.toDate, input.toDate, true) : null;
  if (from && until && from >= until) throw new Error(`${names.fromDate} must come before ${names.toDate}`);
  if (input.anonymizerSeed !== undefined && (input.anonymizerSeed.length === 0 || input.anonymizerSeed.length > 256)) {
    throw new Error(`${names.anonymizerSeed} must be 1 to 256 characters`);
  }
  return {
    chatId: input.chat ?? null,
    from,
    until,
    scoredOnly: Boolean(input.scored),
    reportedOnly: Boolean(input.reported),
    flat: Boolean(input.flat),
    anonymizerSeed: input.anonymizerSeed ?? null,
  };
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
  /** `report_id` is left out of anonymised exports. */
  reports?: { report_id?: string; report_type: string; reason: string; created_at: string; resolved_at: string | null; resolution: string | null }[];
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

/** One line of a flat export: a message with its chat's id and owner (and, on prompts, the draft choices made on them). */
export type FlatChatMessage = Omit<ExportedChatMessage, "children"> & {
  chat_id: string;
  user_id: string;
  draft_choices?: ExportedChat["draft_choices"];
};

/** A chat's messages, one object per message in tree order (parents first), for the flat export. */
export function flattenChat(chat: ExportedChat): FlatChatMessage[] {
  const out: FlatChatMessage[] = [];
  // An explicit stack, not recursion: a chat may be deeper than the call stack (depth is data).
  const stack = [...chat.messages].reverse();
  for (let node = stack.pop(); node; node = stack.pop()) {
    const { children, ...message } = node;
    const choices = chat.draft_choices.filter((c) => c.prompt_id === node!.message_id);
    out.push({ chat_id: chat.chat_id, user_id: chat.user_id, ...message, ...(choices.length ? { draft_choices: choices } : {}) });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

/**
 * Pseudonymises a chat tree with the dataset export's anonymiser (sha256 of collection, id and seed): the chat as
 * a `message_tree` (the chat is the tree), messages, and the owner. Report ids have no collection and are dropped.
 */
export function anonymizeChat(chat: ExportedChat, anonymizer: Anonymizer): ExportedChat {
  const msg = (id: string) => anonymizer.anonymize("message", id);
  const copy = (m: ExportedChatMessage): ExportedChatMessage => ({
    ...m,
    message_id: msg(m.message_id),
    parent_id: m.parent_id === null ? null : msg(m.parent_id),
    ...(m.reports ? { reports: m.reports.map(({ report_id: _dropped, ...report }) => report) } : {}),
    children: [],
  });
  // Copied with an explicit stack, not recursion: a chat may be deeper than the call stack (depth is data).
  const roots = chat.messages.map(copy);
  const stack: [ExportedChatMessage, ExportedChatMessage][] = chat.messages.map((m, i) => [m, roots[i]]);
  for (let pair = stack.pop(); pair; pair = stack.pop()) {
    const [from, to] = pair;
    for (const child of from.children) {
      const copied = copy(child);
      to.children.push(copied);
      stack.push([child, copied]);
    }
  }
  return {
    ...chat,
    chat_id: anonymizer.anonymize("message_tree", chat.chat_id),
    user_id: anonymizer.anonymize("user", chat.user_id),
    messages: roots,
    draft_choices: chat.draft_choices.map((c) => ({
      ...c,
      prompt_id: msg(c.prompt_id),
      selected_message_id: msg(c.selected_message_id),
      inferior_message_ids: c.inferior_message_ids.map(msg),
    })),
  };
}

const PAGE = 100;

export class ChatExporter {
  private readonly anonymizer: Anonymizer | null;

  constructor(
    private readonly ds: DataSource,
    private readonly options: ChatExportOptions,
  ) {
    this.anonymizer = options.anonymizerSeed ? new Anonymizer(options.anonymizerSeed) : null;
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
      const o = this.options;
      if (o.userId) qb.andWhere("c.user_id = :userId", { userId: o.userId });
      if (o.dataUseOnly) qb.andWhere("c.allow_data_use = true");
      if (o.chatId) qb.andWhere("c.id = :chatId", { chatId: o.chatId });
      if (o.from) qb.andWhere("c.created_at >= :from", { from: o.from });
      if (o.until) qb.andWhere("c.created_at < :until", { until: o.until });
      if (o.scoredOnly) qb.andWhere("EXISTS (SELECT 1 FROM chat_message_vote v WHERE v.chat_id = c.id AND v.score <> 0)");
      if (o.reportedOnly) qb.andWhere("EXISTS (SELECT 1 FROM chat_report r WHERE r.chat_id = c.id)");
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
      const feedback = await feedbackOfChats(this.ds, ids);
      // A battle not yet voted on shows no model, worker or sampling here either (src/modules/arena/blindness.ts).
      const blind = await blindChats(this.ds, ids);
      for (const chat of chats) {
        const own = messages.filter((m) => m.chatId === chat.id).map((m) => (blind.has(chat.id) ? withoutIdentity(m) : m));
        // A chat is data and may be deeper than JSON.stringify's (or any recursive walk's) reach.
        let tree = chatTree(chat, own, feedback.get(chat.id)!);
        if (this.anonymizer) tree = anonymizeChat(tree, this.anonymizer);
        if (this.options.flat) {
          for (const line of flattenChat(tree)) await writer.write(stringifyDeep(line));
        } else {
          await writer.write(stringifyDeep(tree));
        }
        summary.chats++;
        summary.messages += own.length;
      }
      onProgress?.(summary);
      cursor = chats[chats.length - 1].id;
    }
    return summary;
  }
}
