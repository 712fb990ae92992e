/**
 * The Open-Assistant JSONL dataset format (spec §8.1): message nodes, trees and their events, with the
 * reference's field order, so files we write diff cleanly against the reference's.
 */
import crypto from "node:crypto";

export interface LabelValue {
  value: number | null;
  count: number;
}

export interface EmojiEvent {
  type: "emoji";
  user_id: string | null;
  emoji: string;
}
export interface RatingEvent {
  type: "rating";
  user_id: string | null;
  rating: number;
  /** Keys of the event the format does not define, kept and written back. */
  extras?: Record<string, unknown>;
}
export interface RankingEvent {
  type: "ranking";
  user_id: string | null;
  ranking: number[];
  ranked_message_ids: string[];
  ranking_parent_id: string;
  message_tree_id: string;
  not_rankable?: boolean;
  extras?: Record<string, unknown>;
}
export type MessageEvent = EmojiEvent | RatingEvent | RankingEvent;
export type MessageEvents = Record<string, unknown[]> & { emoji?: EmojiEvent[]; rating?: RatingEvent[]; ranking?: RankingEvent[] };

/** A message as exported; absent keys are the reference's `None` fields, which it omits. */
export interface ExportMessageNode {
  message_id: string;
  parent_id?: string;
  user_id?: string;
  created_date: string;
  text: string;
  role: "prompter" | "assistant";
  lang: string;
  review_count: number;
  review_result?: boolean;
  deleted: boolean;
  rank?: number;
  synthetic: boolean;
  model_name?: string;
  emojis?: Record<string, number>;
  replies?: ExportMessageNode[];
  labels?: Record<string, LabelValue>;
  events?: MessageEvents;
  /** Fields kept from an import (extras), written after the format's own. */
  [kept: string]: unknown;
}

export interface ExportMessageTree {
  message_tree_id: string;
  tree_state: string;
  prompt: ExportMessageNode;
  origin?: string;
}

/**
 * Fields of a message node that have columns. Every other field a line carries (oasst2's `detoxify`, a node's
 * `message_tree_id` and `tree_state`, fields outside the format) is kept in the message's `extras` and written
 * back after these, so a restore loses nothing it was given.
 */
export const STORED_MESSAGE_FIELDS: ReadonlySet<string> = new Set([
  "message_id",
  "parent_id",
  "user_id",
  "created_date",
  "text",
  "role",
  "lang",
  "review_count",
  "review_result",
  "deleted",
  "rank",
  "synthetic",
  "model_name",
  "emojis",
  "replies",
  "labels",
  "events",
]);
/** Fields of a tree line that have columns; the others are kept in the tree's `extras`. */
export const STORED_TREE_FIELDS: ReadonlySet<string> = new Set(["message_tree_id", "tree_state", "prompt", "origin"]);
/** Event kinds that become rows (message_emoji, message_reaction); other kinds are kept in the message's extras. */
export const STORED_EVENT_KINDS: ReadonlySet<string> = new Set(["emoji", "rating", "ranking"]);
/**
 * Key of a message's extras holding the events that are not rows, by kind. `events` has a column of its own
 * meaning, so it can never be the name of a kept field.
 */
export const MESSAGE_EXTRAS_EVENTS = "events";

/**
 * Ids are replaced by `sha256_hex(collection + ":" + id + seed)` (spec §8.2), so the same seed gives the same
 * pseudonyms across exports and files from different seeds cannot be joined.
 */
export class Anonymizer {
  constructor(private readonly seed: string) {}

  anonymize(collection: "message" | "user" | "message_tree" | "arena_battle", id: string): string {
    return crypto.createHash("sha256").update(`${collection}:${id}${this.seed}`).digest("hex");
  }
}

/** Replies are ordered best first; unranked replies keep their (creation) order after the ranked ones. */
export function sortRepliesByRank(replies: ExportMessageNode[]): ExportMessageNode[] {
  return replies
    .map((node, index) => ({ node, index }))
    .sort((a, b) => {
      const ra = a.node.rank ?? Number.POSITIVE_INFINITY;
      const rb = b.node.rank ?? Number.POSITIVE_INFINITY;
      return ra === rb ? a.index - b.index : ra - rb;
    })
    .map((e) => e.node);
}

/**
 * `created_date` rendered in SQL the way Python's `datetime.isoformat()` renders an aware UTC datetime (the
 * reference's exporter): microseconds kept, the fraction left out when it is zero. JavaScript dates would drop
 * the microseconds and break the round trip.
 */
export function isoDateSql(column: string): string {
  return `CASE WHEN to_char(${column} AT TIME ZONE 'UTC', 'US') = '000000'
    THEN to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
    ELSE to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"') END`;
}
