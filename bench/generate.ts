/**
 * Seeded synthetic data sets of the bench-workloads spec, written as Open-Assistant JSONL trees for the restore
 * import: the same seed gives the same bytes.
 *   bigTreeLines(seed)      one tree of 500 messages, depth up to 8, 1–6 children each, texts 100–1,500 characters
 *   scaleTreeLines(seed, n) n trees of 12–16 messages in every tree state
 *   liveTreeLines(seed, n)  n trees in a live deployment's mix of states (about 10 messages a tree), with
 *                           what real files carry: labels, emojis, detoxify, ranking and emoji events (complete
 *                           on finished trees, partial on trees in ranking), synthetic replies, languages, origins
 */
import crypto from "node:crypto";
import { createRng, type Rng } from "../src/db/random.js";

const WORDS = [
  "river",
  "lantern",
  "orbit",
  "maple",
  "quartz",
  "harbor",
  "velvet",
  "summit",
  "ember",
  "willow",
  "cobalt",
  "meadow",
  "signal",
  "canyon",
  "pillow",
  "garnet",
];
const STATES = [
  "ready_for_export",
  "growing",
  "ranking",
  "initial_prompt_review",
  "prompt_lottery_waiting",
  "aborted_low_grade",
  "halted_by_moderator",
  "backlog_ranking",
];
const EMOJIS = ["+1", "-1", "red_flag", "heart_eyes", "_skip_reply"];

/** A deterministic UUID (v4 layout) from the generator. */
function uuidFrom(rng: Rng): string {
  const bytes = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) bytes[i] = Math.floor(rng() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = bytes.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function text(rng: Rng, min: number, max: number): string {
  const length = min + Math.floor(rng() * (max - min + 1));
  let s = "";
  while (s.length < length) s += (s ? " " : "") + WORDS[Math.floor(rng() * WORDS.length)];
  return s.slice(0, length);
}

interface Node {
  message_id: string;
  parent_id: string | null;
  user_id: string;
  created_date: string;
  text: string;
  role: "prompter" | "assistant";
  lang: string;
  review_count: number;
  review_result: boolean;
  deleted: boolean;
  rank?: number;
  synthetic: boolean;
  emojis?: Record<string, number>;
  labels?: Record<string, { value: number; count: number }>;
  replies: Node[];
}

function makeNode(rng: Rng, users: string[], parent: Node | null, depth: number, date: Date, textRange: [number, number]): Node {
  const emojis: Record<string, number> = {};
  for (const e of EMOJIS) if (rng() < 0.3) emojis[e] = 1 + Math.floor(rng() * 4);
  return {
    message_id: uuidFrom(rng),
    parent_id: parent?.message_id ?? null,
    user_id: users[Math.floor(rng() * users.length)],
    created_date: new Date(date.getTime() + depth * 60_000 + Math.floor(rng() * 60_000)).toISOString().replace("Z", "+00:00"),
    text: text(rng, textRange[0], textRange[1]),
    role: depth % 2 === 0 ? "prompter" : "assistant",
    lang: "en",
    review_count: 3,
    review_result: true,
    deleted: false,
    synthetic: false,
    ...(Object.keys(emojis).length ? { emojis } : {}),
    labels: { spam: { value: 0, count: 3 }, quality: { value: Math.round(rng() * 100) / 100, count: 3 } },
    replies: [],
  };
}

/** Ranks siblings 0..k-1 in a random order where there are at least two. */
function rankChildren(rng: Rng, node: Node): void {
  if (node.replies.length >= 2) {
    const order = node.replies.map((_, i) => i).sort(() => rng() - 0.5);
    order.forEach((childIndex, rank) => (node.replies[childIndex].rank = rank));
    node.replies.sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  }
}

export function bigTreeLines(seed = 1): string[] {
  const rng = createRng(seed);
  const users = Array.from({ length: 50 }, () => uuidFrom(rng));
  const start = new Date("2026-01-01T00:00:00Z");
  const root = makeNode(rng, users, null, 0, start, [100, 1500]);
  let count = 1;
  let frontier: { node: Node; depth: number }[] = [{ node: root, depth: 0 }];
  while (count < 500 && frontier.length) {
    const next: { node: Node; depth: number }[] = [];
    for (const { node, depth } of frontier) {
      if (depth >= 8) continue;
      const k = 1 + Math.floor(rng() * 6);
      for (let i = 0; i < k && count < 500; i++, count++) {
        const child = makeNode(rng, users, node, depth + 1, start, [100, 1500]);
        node.replies.push(child);
        next.push({ node: child, depth: depth + 1 });
      }
      rankChildren(rng, node);
    }
    frontier = next;
  }
  return [JSON.stringify({ message_tree_id: root.message_id, tree_state: "ready_for_export", prompt: root })];
}

export function scaleTreeLines(seed = 2, trees = 10_000): string[] {
  const rng = createRng(seed);
  const users = Array.from({ length: 100 }, () => uuidFrom(rng));
  const lines: string[] = [];
  for (let t = 0; t < trees; t++) {
    const start = new Date(Date.UTC(2026, 0, 1) + t * 60_000);
    const root = makeNode(rng, users, null, 0, start, [80, 400]);
    const size = 12 + Math.floor(rng() * 5);
    let count = 1;
    const queue: { node: Node; depth: number }[] = [{ node: root, depth: 0 }];
    while (count < size && queue.length) {
      const { node, depth } = queue.shift()!;
      const k = node.role === "prompter" ? 3 : 1;
      for (let i = 0; i < k && count < size && depth < 3; i++, count++) {
        const child = makeNode(rng, users, node, depth + 1, start, [80, 600]);
        node.replies.push(child);
        queue.push({ node: child, depth: depth + 1 });
      }
      rankChildren(rng, node);
    }
    lines.push(JSON.stringify({ message_tree_id: root.message_id, tree_state: STATES[t % STATES.length], prompt: root }));
  }
  return lines;
}

/** Tree states of a live deployment, by share of trees (sums to 1). */
const LIVE_MIX: [string, number][] = [
  ["ready_for_export", 0.5],
  ["growing", 0.15],
  ["ranking", 0.125],
  ["prompt_lottery_waiting", 0.075],
  ["initial_prompt_review", 0.05],
  ["aborted_low_grade", 0.05],
  ["halted_by_moderator", 0.025],
  ["backlog_ranking", 0.025],
];
const LANGS: [string, number][] = [
  ["en", 0.55],
  ["es", 0.15],
  ["de", 0.08],
  ["ru", 0.07],
  ["fr", 0.05],
  ["zh", 0.04],
  ["pt-BR", 0.04],
  ["th", 0.02],
];
const NUM_USERS = 5_000;

function pick<T>(rng: Rng, weighted: [T, number][]): T {
  let r = rng();
  for (const [v, w] of weighted) if ((r -= w) < 0) return v;
  return weighted[weighted.length - 1][0];
}

interface LiveNode {
  message_id: string;
  parent_id?: string;
  user_id: string;
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
  replies: LiveNode[];
  labels?: Record<string, { value: number; count: number }>;
  events?: Record<string, unknown[]>;
  detoxify?: Record<string, number>;
}

/**
 * Trees as a live deployment holds them, one JSON line each (lazily, so 100,000 trees never sit in memory):
 * finished trees carry their three rankings per parent, trees in ranking part of them, growing trees open reviews.
 */
export function* liveTreeLines(seed = 3, trees = 10_000): Generator<string> {
  const rng = createRng(seed);
  const users = Array.from({ length: NUM_USERS }, () => uuidFrom(rng));
  const user = () => users[Math.floor(rng() * users.length)];
  const start = Date.UTC(2025, 0, 1);
  for (let t = 0; t < trees; t++) {
    const state = pick(rng, LIVE_MIX);
    const lang = pick(rng, LANGS);
    const created = start + t * 30_000;
    const finished = ["ready_for_export", "ranking", "backlog_ranking"].includes(state);
    const size = finished ? 12 + Math.floor(rng() * 5) : state === "growing" || state === "halted_by_moderator" ? 2 + Math.floor(rng() * 8) : 1;
    let counter = 0;
    const make = (parent: LiveNode | null, depth: number): LiveNode => {
      const role = depth % 2 === 0 ? "prompter" : "assistant";
      const open = state === "growing" && rng() < 0.3 && parent !== null;
      const rejected = !open && rng() < 0.04;
      const synthetic = role === "assistant" && rng() < 0.05;
      const emojis: Record<string, number> = {};
      for (const e of EMOJIS) if (rng() < 0.15) emojis[e] = 1 + Math.floor(rng() * 4);
      const node: LiveNode = {
        message_id: uuidFrom(rng),
        ...(parent ? { parent_id: parent.message_id } : {}),
        user_id: user(),
        created_date: new Date(created + counter++ * 90_000 + Math.floor(rng() * 60_000)).toISOString().replace("Z", "+00:00"),
        text: text(rng, role === "prompter" ? 60 : 200, role === "prompter" ? 400 : 1200),
        role,
        lang,
        review_count: open ? Math.floor(rng() * 3) : 3,
        ...(open ? {} : { review_result: !rejected }),
        deleted: rng() < 0.02,
        synthetic,
        ...(synthetic ? { model_name: "oasst-sft-6-llama-30b" } : {}),
        ...(Object.keys(emojis).length ? { emojis } : {}),
        replies: [],
        ...(open
          ? {}
          : {
              labels: {
                spam: { value: rejected ? 1 : 0, count: 3 },
                fails_task: { value: 0, count: 3 },
                quality: { value: Math.round(rng() * 100) / 100, count: 3 },
              },
            }),
        ...(rng() < 0.85 ? { detoxify: { toxicity: rng() / 10, severe_toxicity: rng() / 1000, insult: rng() / 100 } } : {}),
      };
      if (rng() < 0.1) node.events = { emoji: [{ type: "emoji", user_id: user(), emoji: "+1" }] };
      return node;
    };
    const root = make(null, 0);
    let count = 1;
    const queue: { node: LiveNode; depth: number }[] = [{ node: root, depth: 0 }];
    while (count < size && queue.length) {
      const { node, depth } = queue.shift()!;
      const k = node.role === "prompter" ? 3 : 1;
      for (let i = 0; i < k && count < size && depth < 4; i++, count++) {
        const child = make(node, depth + 1);
        node.replies.push(child);
        queue.push({ node: child, depth: depth + 1 });
      }
    }
    // Rankings on every parent with two or more accepted live assistant replies: all three on finished trees
    // (which then carry ranks), none to two on trees still in ranking.
    const parents: LiveNode[] = [root];
    for (let i = 0; i < parents.length; i++) parents.push(...parents[i].replies);
    for (const p of parents) {
      const ranked = p.replies.filter((r) => r.role === "assistant" && r.review_result === true && !r.deleted);
      if (ranked.length < 2 || !finished) continue;
      const n = state === "ranking" ? Math.floor(rng() * 3) : 3;
      const events: unknown[] = [];
      for (let b = 0; b < n; b++) {
        const order = ranked.map((_, i) => i).sort(() => rng() - 0.5);
        events.push({
          type: "ranking",
          user_id: user(),
          ranking: order,
          ranked_message_ids: order.map((i) => ranked[i].message_id),
          ranking_parent_id: p.message_id,
          message_tree_id: root.message_id,
        });
      }
      if (events.length) p.events = { ...(p.events ?? {}), ranking: events };
      if (state !== "ranking") ranked.forEach((r, i) => (r.rank = i));
    }
    yield JSON.stringify({
      message_tree_id: root.message_id,
      tree_state: state,
      prompt: root,
      ...(rng() < 0.2 ? { origin: "bench-live" } : {}),
    });
  }
}

/** A stable digest of a data set, printed by the bench so runs can be compared. */
export function digest(lines: string[]): string {
  return crypto.createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16);
}
