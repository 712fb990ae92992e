/**
 * Seeded synthetic data sets of the bench-workloads spec, written as Open-Assistant JSONL trees for the restore
 * import: the same seed gives the same bytes.
 *   bigTreeLines(seed)      one tree of 500 messages, depth up to 8, 1–6 children each, texts 100–1,500 characters
 *   scaleTreeLines(seed, n) n trees of 12–16 messages in every tree state
 */
import crypto from "node:crypto";
import { createRng, type Rng } from "../src/db/random.js";

const WORDS = ["river", "lantern", "orbit", "maple", "quartz", "harbor", "velvet", "summit", "ember", "willow", "cobalt", "meadow", "signal", "canyon", "pillow", "garnet"];
const STATES = ["ready_for_export", "growing", "ranking", "initial_prompt_review", "prompt_lottery_waiting", "aborted_low_grade", "halted_by_moderator", "backlog_ranking"];
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

/** A stable digest of a data set, printed by the bench so runs can be compared. */
export function digest(lines: string[]): string {
  return crypto.createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16);
}
