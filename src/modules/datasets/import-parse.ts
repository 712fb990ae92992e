/**
 * Validation of one import line (spec §8.1 objects). A line is checked whole before anything is written, so a
 * bad line is rejected with its reason and never half-imported.
 */
import { isUuid } from "../../db/rows.js";
import { TreeState } from "../trees/message-tree-state.entity.js";
import { MESSAGE_NODE_FIELDS, TREE_FIELDS, type LabelValue, type MessageEvent } from "./format.js";

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
  /** `message_tree_id` a message line names (message-list files); trees use their root's id. */
  treeId: string | null;
}

export type ParsedLine =
  | { kind: "tree"; treeId: string; state: string | null; origin: string | null; messages: ParsedMessage[]; ignoredFields: string[] }
  | { kind: "message"; message: ParsedMessage; ignoredFields: string[] };

export class LineError extends Error {}

const STATES = new Set<string>(Object.values(TreeState));

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
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isNonNegInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isDate = (v: unknown): v is string => typeof v === "string" && /^\d{4}-\d{2}-\d{2}[T ]/.test(v) && !Number.isNaN(Date.parse(v));
const isCounts = (v: unknown): v is Record<string, number> => isObject(v) && Object.values(v).every((c) => Number.isInteger(c));

function parseLabels(v: unknown, where: string): Record<string, LabelValue> | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new LineError(`${where}: labels must be an object`);
  const out: Record<string, LabelValue> = {};
  for (const [name, lv] of Object.entries(v)) {
    if (!isObject(lv) || !(lv.value === null || typeof lv.value === "number") || !isNonNegInt(lv.count)) {
      throw new LineError(`${where}: label ${name} must be {value: number|null, count: integer}`);
    }
    out[name] = { value: lv.value as number | null, count: lv.count as number };
  }
  return out;
}

function parseEvents(v: unknown, where: string, ignored: string[]): MessageEvent[] {
  if (v === undefined || v === null) return [];
  if (!isObject(v)) throw new LineError(`${where}: events must be an object of event lists`);
  const out: MessageEvent[] = [];
  for (const [kind, list] of Object.entries(v)) {
    if (!Array.isArray(list)) throw new LineError(`${where}: events.${kind} must be a list`);
    for (const e of list) {
      if (!isObject(e)) throw new LineError(`${where}: events.${kind} holds a non-object`);
      const userOk = e.user_id === undefined || e.user_id === null || (isString(e.user_id) && isUuid(e.user_id));
      if (!userOk) throw new LineError(`${where}: ${kind} event user_id must be a UUID`);
      if (kind === "emoji" && e.type === "emoji" && isString(e.emoji)) out.push(e as unknown as MessageEvent);
      else if (kind === "rating" && e.type === "rating" && typeof e.rating === "number") out.push(e as unknown as MessageEvent);
      else if (
        kind === "ranking" &&
        e.type === "ranking" &&
        Array.isArray(e.ranking) &&
        e.ranking.every(isInt) &&
        Array.isArray(e.ranked_message_ids) &&
        e.ranked_message_ids.every((id) => isString(id) && isUuid(id)) &&
        isString(e.ranking_parent_id) &&
        isUuid(e.ranking_parent_id) &&
        isString(e.message_tree_id) &&
        isUuid(e.message_tree_id)
      ) {
        out.push(e as unknown as MessageEvent);
      } else if (kind === "emoji" || kind === "rating" || kind === "ranking") {
        throw new LineError(`${where}: malformed ${kind} event`);
      } else {
        // report and score events are defined by the format but never produced, and nothing stores them.
        ignored.push(`events.${kind}`);
      }
    }
  }
  return out;
}

function parseNode(node: unknown, expectedParent: string | null | undefined, depth: number, where: string, ignored: string[]): ParsedMessage {
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
  if (node.role !== "prompter" && node.role !== "assistant") throw new LineError(`${at}: unknown role ${JSON.stringify(node.role)}`);
  const userId = optional(node, "user_id", (v): v is string => isString(v) && isUuid(v), "a UUID", at);
  for (const key of Object.keys(node)) if (!MESSAGE_NODE_FIELDS.has(key)) ignored.push(key);
  if (node.detoxify !== undefined && node.detoxify !== null) ignored.push("detoxify");
  const treeId = optional(node, "message_tree_id", (v): v is string => isString(v) && isUuid(v), "a UUID", at);
  return {
    id,
    parentId: expectedParent === undefined ? (declaredParent as string | null) : expectedParent,
    depth,
    childrenCount: 0,
    userId,
    createdDate: optional(node, "created_date", isDate, "an ISO-8601 date", at),
    text: node.text,
    role: node.role,
    lang: optional(node, "lang", (v): v is string => isString(v) && v.length > 0 && v.length <= 32, "a language tag", at),
    reviewCount: optional(node, "review_count", isNonNegInt, "a non-negative integer", at),
    reviewResult: optional(node, "review_result", isBool, "a boolean", at),
    deleted: optional(node, "deleted", isBool, "a boolean", at),
    rank: optional(node, "rank", isInt, "an integer", at),
    synthetic: optional(node, "synthetic", isBool, "a boolean", at),
    modelName: optional(node, "model_name", isString, "a string", at),
    emojis: optional(node, "emojis", isCounts, "an object of counts", at),
    labels: parseLabels(node.labels, at),
    events: parseEvents(node.events, at, ignored),
    treeId,
  };
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
  const ignoredFields: string[] = [];
  if (value.prompt === undefined) {
    if (value.message_id === undefined) throw new LineError("neither a tree (prompt) nor a message (message_id)");
    // A message-list line: its parent, if any, must already be in the database (checked on import).
    const message = parseNode(value, undefined, 0, "message line", ignoredFields);
    if (value.replies !== undefined && value.replies !== null && !(Array.isArray(value.replies) && value.replies.length === 0)) {
      throw new LineError("a message line cannot carry replies");
    }
    return { kind: "message", message, ignoredFields };
  }
  for (const key of Object.keys(value)) if (!TREE_FIELDS.has(key)) ignoredFields.push(key);
  const state = optional(value, "tree_state", isString, "a string", "tree");
  if (state !== null && !STATES.has(state)) throw new LineError(`unknown tree_state ${JSON.stringify(state)}`);
  const origin = optional(value, "origin", isString, "a string", "tree");

  const messages: ParsedMessage[] = [];
  const seen = new Set<string>();
  // Breadth-first with an explicit queue: no recursion limit on deep trees, and parents come before children.
  const queue: { node: unknown; parentId: string | null; depth: number; parent: ParsedMessage | null }[] = [
    { node: value.prompt, parentId: null, depth: 0, parent: null },
  ];
  for (let i = 0; i < queue.length; i++) {
    const { node, parentId, depth, parent } = queue[i];
    const m = parseNode(node, parentId, depth, depth === 0 ? "prompt" : `reply at depth ${depth}`, ignoredFields);
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
  return { kind: "tree", treeId: root.id, state, origin, messages, ignoredFields };
}
