/**
 * Validation of one import line (spec §8.1 objects). A line is checked whole before anything is written, so a
 * bad line is rejected with its reason and never half-imported. What PostgreSQL would refuse (NUL characters,
 * lone surrogates, integers past int4) is refused here too, so a batch almost never fails in the database.
 */
import { isUuid } from "../../db/rows.js";
import { TreeState } from "../trees/message-tree-state.entity.js";
import { MESSAGE_EXTRAS_EVENTS, STORED_EVENT_KINDS, STORED_MESSAGE_FIELDS, STORED_TREE_FIELDS, type LabelValue, type MessageEvent } from "./format.js";

/** A message of a line, flattened, parents before children. */
export interface ParsedMessage {
  id: string;
  parentId: string | null;
  depth: number;
  childrenCount: number;
  userId: string | null;
  createdDate: string | null;
  text: string;
  role: "prompter" | "assistant";
  lang: string | null;
  reviewCount: number | null;
  reviewResult: boolean | null;
  deleted: boolean | null;
  rank: number | null;
  synthetic: boolean | null;
  modelName: string | null;
  emojis: Record<string, number> | null;
  labels: Record<string, LabelValue> | null;
  events: MessageEvent[];
  /** Rankings of its parent that list it, from the parent's ranking events in the same line (spec §7.3). */
  rankingCount: number;
  /** Fields and event kinds Chorus has no column for, kept as they came and written back on export. */
  extras: Record<string, unknown> | null;
  /** `message_tree_id` a message line names (message-list files); trees use their root's id. */
  treeId: string | null;
}

export type ParsedLine =
  | {
      kind: "tree";
      treeId: string;
      state: string | null;
      origin: string | null;
      extras: Record<string, unknown> | null;
      messages: ParsedMessage[];
      keptFields: string[];
    }
  | { kind: "message"; message: ParsedMessage; keptFields: string[] };

export class LineError extends Error {}

const STATES = new Set<string>(Object.values(TreeState));
const INT4_MAX = 2_147_483_647;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function optional<T>(node: Record<string, unknown>, key: string, check: (v: unknown) => v is T, what: string, where: string): T | null {
  const v = node[key];
  if (v === undefined || v === null) return null;
  if (!check(v)) throw new LineError(`${where}: ${key} must be ${what}`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isBool = (v: unknown): v is boolean => typeof v === "boolean";
const isInt = (v: unknown): v is number => Number.isInteger(v) && Math.abs(v as number) <= INT4_MAX;
const isNonNegInt = (v: unknown): v is number => isInt(v) && (v as number) >= 0;
const isDate = (v: unknown): v is string =>
  typeof v === "string" && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v));
const isCounts = (v: unknown): v is Record<string, number> => isObject(v) && Object.values(v).every((c) => isInt(c));

/** `String.prototype.isWellFormed` (Node 20; not yet in TypeScript's es2022 library). */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * PostgreSQL stores neither NUL characters (text and jsonb alike) nor unpaired UTF-16 surrogates (which would
 * silently become U+FFFD on the way there): refusing them here keeps the line's reason precise.
 */
function checkText(s: string, where: string): void {
  if (s.includes("\u0000")) throw new LineError(`${where}: contains a NUL character (\\u0000), which PostgreSQL cannot store`);
  if (!isWellFormed(s)) throw new LineError(`${where}: contains an unpaired UTF-16 surrogate (not valid Unicode)`);
}

/** Nesting a kept value may have: writing it back (JSON.stringify) recurses once per level. */
export const MAX_EXTRA_NESTING = 100;

/** The same checks over every string (keys included) of a kept extra value, and a bound on its nesting. */
function checkJson(v: unknown, where: string): void {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (depth > MAX_EXTRA_NESTING) throw new LineError(`${where}: nested deeper than ${MAX_EXTRA_NESTING} levels`);
    if (typeof x === "string") checkText(x, where);
    else if (Array.isArray(x)) for (const e of x) stack.push([e, depth + 1]);
    else if (isObject(x)) {
      for (const [k, e] of Object.entries(x)) {
        checkText(k, where);
        stack.push([e, depth + 1]);
      }
    }
  }
}

function parseLabels(v: unknown, where: string): Record<string, LabelValue> | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new LineError(`${where}: labels must be an object`);
  const out: Record<string, LabelValue> = {};
  for (const [name, lv] of Object.entries(v)) {
    if (!isObject(lv) || !(lv.value === null || (typeof lv.value === "number" && Number.isFinite(lv.value))) || !isNonNegInt(lv.count)) {
      throw new LineError(`${where}: label ${name} must be {value: number|null, count: integer}`);
    }
    checkText(name, where);
    out[name] = { value: lv.value as number | null, count: lv.count as number };
  }
  return out;
}

const EMOJI_EVENT_KEYS = new Set(["type", "user_id", "emoji"]);
const RATING_EVENT_KEYS = new Set(["type", "user_id", "rating"]);
const RANKING_EVENT_KEYS = new Set(["type", "user_id", "ranking", "ranked_message_ids", "ranking_parent_id", "message_tree_id", "not_rankable"]);

/** Keys of an event beyond its kind's, kept with it (in the reaction's payload). */
function eventExtras(e: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(e)) if (!known.has(k) && v !== null && v !== undefined) (out ??= {})[k] = v;
  return out;
}

/**
 * Emoji, rating and ranking events become rows; any other kind of event (the format's report and score, or one
 * it does not define) is kept whole in the message's extras, as is an emoji event with keys beyond its three.
 */
function parseEvents(
  v: unknown,
  hostId: string,
  where: string,
  kept: (name: string) => void,
): { events: MessageEvent[]; other: Record<string, unknown[]> | null } {
  if (v === undefined || v === null) return { events: [], other: null };
  if (!isObject(v)) throw new LineError(`${where}: events must be an object of event lists`);
  const events: MessageEvent[] = [];
  let other: Record<string, unknown[]> | null = null;
  const keep = (kind: string, e: unknown) => {
    checkJson(e, where);
    ((other ??= {})[kind] ??= []).push(e);
    kept(`events.${kind}`);
  };
  for (const [kind, list] of Object.entries(v)) {
    if (list === null) continue;
    if (!Array.isArray(list)) throw new LineError(`${where}: events.${kind} must be a list`);
    for (const e of list) {
      if (!isObject(e)) throw new LineError(`${where}: events.${kind} holds a non-object`);
      if (!STORED_EVENT_KINDS.has(kind)) {
        keep(kind, e);
        continue;
      }
      const userOk = e.user_id === undefined || e.user_id === null || (isString(e.user_id) && isUuid(e.user_id));
      if (!userOk) throw new LineError(`${where}: ${kind} event user_id must be a UUID`);
      const user_id = (e.user_id ?? null) as string | null;
      if (kind === "emoji" && e.type === "emoji" && isString(e.emoji) && e.emoji.length > 0 && e.emoji.length <= 128) {
        checkText(e.emoji, where);
        if (eventExtras(e, EMOJI_EVENT_KEYS)) keep(kind, e);
        else events.push({ type: "emoji", user_id, emoji: e.emoji });
      } else if (kind === "rating" && e.type === "rating" && typeof e.rating === "number" && Number.isFinite(e.rating)) {
        const extras = eventExtras(e, RATING_EVENT_KEYS);
        if (extras) checkJson(extras, where);
        events.push({ type: "rating", user_id, rating: e.rating, ...(extras ? { extras } : {}) });
      } else if (
        kind === "ranking" &&
        e.type === "ranking" &&
        Array.isArray(e.ranking) &&
        e.ranking.every(isInt) &&
        Array.isArray(e.ranked_message_ids) &&
        e.ranked_message_ids.every((id) => isString(id) && isUuid(id)) &&
        isString(e.ranking_parent_id) &&
        isUuid(e.ranking_parent_id) &&
        isString(e.message_tree_id) &&
        isUuid(e.message_tree_id) &&
        (e.not_rankable === undefined || e.not_rankable === null || isBool(e.not_rankable))
      ) {
        // A ranking is attached to the message whose replies it ranks (spec §8.1); its rows and its task hang there.
        if (e.ranking_parent_id !== hostId) throw new LineError(`${where}: ranking event of parent ${e.ranking_parent_id} attached to another message`);
        const extras = eventExtras(e, RANKING_EVENT_KEYS);
        if (extras) checkJson(extras, where);
        events.push({
          type: "ranking",
          user_id,
          ranking: e.ranking as number[],
          ranked_message_ids: e.ranked_message_ids as string[],
          ranking_parent_id: e.ranking_parent_id,
          message_tree_id: e.message_tree_id,
          ...(e.not_rankable === true ? { not_rankable: true } : {}),
          ...(extras ? { extras } : {}),
        });
      } else {
        throw new LineError(`${where}: malformed ${kind} event`);
      }
    }
  }
  return { events, other };
}

function parseNode(node: unknown, expectedParent: string | null | undefined, depth: number, where: string, kept: (name: string) => void): ParsedMessage {
  if (!isObject(node)) throw new LineError(`${where}: a message must be an object`);
  const id = node.message_id;
  if (!isString(id) || !isUuid(id)) throw new LineError(`${where}: message_id missing or not a UUID`);
  const at = `message ${id}`;
  const declaredParent = node.parent_id ?? null;
  if (declaredParent !== null && !(isString(declaredParent) && isUuid(declaredParent))) throw new LineError(`${at}: parent_id must be a UUID`);
  // In a tree the nesting decides the parent; a parent_id that says otherwise is a corrupt line.
  if (expectedParent !== undefined && declaredParent !== null && declaredParent !== expectedParent) {
    throw new LineError(`${at}: parent_id ${declaredParent} does not match its place in the tree (${String(expectedParent)})`);
  }
  if (!isString(node.text)) throw new LineError(`${at}: text missing`);
  checkText(node.text, `${at}: text`);
  if (node.role !== "prompter" && node.role !== "assistant") throw new LineError(`${at}: unknown role ${JSON.stringify(node.role)}`);
  const userId = optional(node, "user_id", (v): v is string => isString(v) && isUuid(v), "a UUID", at);
  const treeId = optional(node, "message_tree_id", (v): v is string => isString(v) && isUuid(v), "a UUID", at);
  let extras: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(node)) {
    // A null field is the format's None: the same as an absent one.
    if (STORED_MESSAGE_FIELDS.has(key) || value === null || value === undefined) continue;
    checkText(key, at);
    checkJson(value, `${at}: ${key}`);
    (extras ??= {})[key] = value;
    kept(key);
  }
  const { events, other } = parseEvents(node.events, id, at, kept);
  if (other) (extras ??= {})[MESSAGE_EXTRAS_EVENTS] = other;
  const modelName = optional(node, "model_name", (v): v is string => isString(v) && v.length <= 1024, "a string of at most 1,024 characters", at);
  if (modelName !== null) checkText(modelName, at);
  const emojis = optional(node, "emojis", isCounts, "an object of counts", at);
  if (emojis) checkJson(emojis, at);
  return {
    id,
    parentId: expectedParent === undefined ? (declaredParent as string | null) : expectedParent,
    depth,
    childrenCount: 0,
    userId,
    createdDate: optional(node, "created_date", isDate, "an ISO-8601 date", at),
    text: node.text,
    role: node.role,
    lang: optional(
      node,
      "lang",
      (v): v is string => isString(v) && v.length > 0 && v.length <= 32 && isWellFormed(v) && !v.includes("\u0000"),
      "a language tag",
      at,
    ),
    reviewCount: optional(node, "review_count", isNonNegInt, "a non-negative integer", at),
    reviewResult: optional(node, "review_result", isBool, "a boolean", at),
    deleted: optional(node, "deleted", isBool, "a boolean", at),
    rank: optional(node, "rank", isInt, "an integer", at),
    synthetic: optional(node, "synthetic", isBool, "a boolean", at),
    modelName,
    emojis,
    labels: parseLabels(node.labels, at),
    events,
    rankingCount: 0,
    extras,
    treeId,
  };
}

/** Every ranking event of a tree counts once for each reply of the tree it lists (what `ranking_count` holds). */
function countRankings(messages: ParsedMessage[]): void {
  const byId = new Map(messages.map((m) => [m.id, m]));
  for (const m of messages) {
    for (const e of m.events) {
      if (e.type !== "ranking") continue;
      for (const id of new Set(e.ranked_message_ids)) {
        const ranked = byId.get(id);
        if (ranked && ranked.parentId === e.ranking_parent_id) ranked.rankingCount += 1;
      }
    }
  }
}

/** Parses and validates one line; throws LineError with the reason. */
export function parseLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new LineError(`not JSON (${(e as Error).message})`);
  }
  if (!isObject(value)) throw new LineError("not a JSON object");
  const keptFields: string[] = [];
  const kept = (name: string) => keptFields.push(name);
  if (value.prompt === undefined) {
    if (value.message_id === undefined) throw new LineError("neither a tree (prompt) nor a message (message_id)");
    // A message-list line: its parent, if any, must already be in the database (checked on import).
    const message = parseNode(value, undefined, 0, "message line", kept);
    if (value.replies !== undefined && value.replies !== null && !(Array.isArray(value.replies) && value.replies.length === 0)) {
      throw new LineError("a message line cannot carry replies");
    }
    return { kind: "message", message, keptFields };
  }
  let treeExtras: Record<string, unknown> | null = null;
  for (const [key, v] of Object.entries(value)) {
    if (STORED_TREE_FIELDS.has(key) || v === null || v === undefined) continue;
    checkText(key, "tree");
    checkJson(v, `tree: ${key}`);
    (treeExtras ??= {})[key] = v;
    kept(`tree.${key}`);
  }
  const state = optional(value, "tree_state", isString, "a string", "tree");
  if (state !== null && !STATES.has(state)) throw new LineError(`unknown tree_state ${JSON.stringify(state)}`);
  const origin = optional(value, "origin", (v): v is string => isString(v) && v.length <= 1024, "a string of at most 1,024 characters", "tree");
  if (origin !== null) checkText(origin, "tree: origin");

  const messages: ParsedMessage[] = [];
  const seen = new Set<string>();
  // Breadth-first with an explicit queue: no recursion limit on deep trees, and parents come before children.
  const queue: { node: unknown; parentId: string | null; depth: number; parent: ParsedMessage | null }[] = [
    { node: value.prompt, parentId: null, depth: 0, parent: null },
  ];
  for (let i = 0; i < queue.length; i++) {
    const { node, parentId, depth, parent } = queue[i];
    queue[i] = undefined as never; // the parsed nodes are all that is kept of a deep line
    const m = parseNode(node, parentId, depth, depth === 0 ? "prompt" : `reply at depth ${depth}`, kept);
    if (seen.has(m.id)) throw new LineError(`message ${m.id} appears twice in the tree (a cycle or a copy)`);
    seen.add(m.id);
    if (parent) parent.childrenCount += 1;
    messages.push(m);
    const replies = (node as Record<string, unknown>).replies;
    if (replies === undefined || replies === null) continue;
    if (!Array.isArray(replies)) throw new LineError(`message ${m.id}: replies must be a list`);
    for (const r of replies) queue.push({ node: r, parentId: m.id, depth: depth + 1, parent: m });
  }
  const root = messages[0];
  if (root.role !== "prompter") throw new LineError(`prompt ${root.id} must have role prompter`);
  const treeId = value.message_tree_id ?? root.id;
  if (treeId !== root.id) throw new LineError(`message_tree_id ${String(treeId)} is not the prompt's id ${root.id}`);
  countRankings(messages);
  return { kind: "tree", treeId: root.id, state, origin, extras: treeExtras, messages, keptFields };
}
