import { expect } from "chai";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { CLI, PROJECT_ROOT, runNode } from "../helpers/process.js";

/**
 * The import and export as users run them (issue 11 items 7, 9, 14; issue 12 item 11): lossless restores of any
 * tree, a dry run that predicts the real run, progress in pipes, and lines too long or not UTF-8.
 */
const FIXTURE = path.join(PROJECT_ROOT, "test", "fixtures", "oasst2-sample.trees.jsonl");
const EVERYTHING = ["--state", "all", "--include-deleted", "--include-spam", "--include-synthetic", "--export-labels", "--export-events"];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Node = { [k: string]: Json | undefined } & { message_id: string; replies?: Node[] };

/**
 * The format's equality: key order does not matter, a null field is an absent one (the format's None), so are
 * empty emojis/labels/events, and replies of equal rank have no defined order (nor have emoji events, whose rows
 * are ordered by user). Every other field, known or not, must be equal.
 */
function canonical(v: Json | undefined, key = ""): Json | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x) ?? null);
    if (key === "replies") {
      const rank = (n: Json) => (n as { rank?: number }).rank ?? Infinity;
      return items.sort((a, b) => rank(a) - rank(b) || String((a as Node).message_id).localeCompare(String((b as Node).message_id)));
    }
    if (key === "emoji") return items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return items;
  }
  if (typeof v !== "object") return v;
  const obj = v as { [k: string]: Json };
  const fields: { [k: string]: Json } = {};
  for (const k of Object.keys(obj)) {
    const c = canonical(obj[k], k);
    if (c === undefined) continue;
    if ((k === "emojis" || k === "labels" || k === "events") && c !== null && typeof c === "object" && !Array.isArray(c) && Object.keys(c).length === 0)
      continue;
    fields[k] = c;
  }
  // A message without replies in tree mode: no key, or an empty list.
  if ("message_id" in fields && "role" in fields) fields.replies ??= [];
  const out: { [k: string]: Json } = {};
  for (const k of Object.keys(fields).sort()) out[k] = fields[k];
  return out;
}

function parseLines(text: string): Json[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Json);
}

function byTreeId(lines: Json[]): Map<string, string> {
  return new Map(lines.map((t) => [(t as { message_tree_id: string }).message_tree_id, JSON.stringify(canonical(t))]));
}

// ---- generated trees: every field of the format, fields it does not define, events of every kind ----

const uuid = fc.uuid({ version: 4 });
const text = fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => !s.includes("\u0000"));
const key = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes("\u0000"));
const json: fc.Arbitrary<Json> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
    fc.boolean(),
  ),
  node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(key, tie("node"), { maxKeys: 3 })),
})).node as fc.Arbitrary<Json>;
const date = fc
  .tuple(fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }))
  .map(([d, micro]) => {
    const iso = d.toISOString().replace("Z", "");
    const us = iso.slice(20) + String(micro).padStart(3, "0");
    return us === "000000" ? `${iso.slice(0, 19)}+00:00` : `${iso.slice(0, 19)}.${us}+00:00`;
  });
const fieldsOfANode = fc.record(
  {
    user_id: uuid,
    created_date: date,
    text,
    lang: fc.constantFrom("en", "de", "es", "zh", "pt-BR", "xx"),
    verdict: fc.constantFrom("accepted", "rejected", "open"),
    review_count: fc.integer({ min: 0, max: 2 }),
    deleted: fc.boolean(),
    synthetic: fc.boolean(),
    model_name: fc.string({ maxLength: 20 }).filter((s) => !s.includes("\u0000")),
    emojis: fc.dictionary(fc.constantFrom("+1", "-1", "red_flag", "_skip_reply", "_skip_ranking"), fc.integer({ min: 1, max: 9 }), { minKeys: 1 }),
    labels: fc.dictionary(
      fc.constantFrom("spam", "quality", "humor", "creativity"),
      fc.record({ value: fc.double({ min: 0, max: 1, noNaN: true }), count: fc.integer({ min: 1, max: 4 }) }),
      { minKeys: 1 },
    ),
    detoxify: fc.dictionary(fc.constantFrom("toxicity", "insult", "threat"), fc.double({ min: 0, max: 1, noNaN: true })),
    unknown: fc.dictionary(
      key.map((k) => `x_${k}`),
      json,
      { minKeys: 1, maxKeys: 2 },
    ),
    emojiEvents: fc.array(fc.record({ emoji: fc.constantFrom("+1", "-1", "heart"), extra: fc.option(json, { nil: undefined }) }), { maxLength: 3 }),
    ratings: fc.array(fc.record({ rating: fc.integer({ min: 0, max: 5 }), anonymous: fc.boolean(), extra: fc.option(json, { nil: undefined }) }), {
      maxLength: 2,
    }),
    reports: fc.array(fc.record({ type: fc.constant("report"), report_type: fc.constantFrom("spam", "offensive"), reason: text }), { maxLength: 2 }),
    rankings: fc.integer({ min: 0, max: 3 }),
  },
  { requiredKeys: ["text", "verdict", "review_count", "deleted", "synthetic"] },
);
type NodeFields = typeof fieldsOfANode extends fc.Arbitrary<infer T> ? T : never;

const treeShape = fc.record({
  state: fc.constantFrom("ready_for_export", "ranking", "growing", "initial_prompt_review", "aborted_low_grade", "halted_by_moderator", "backlog_ranking"),
  origin: fc.option(
    fc.string({ maxLength: 10 }).filter((s) => !s.includes("\u0000")),
    { nil: undefined },
  ),
  treeExtra: fc.option(json, { nil: undefined }),
  children: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
  nodes: fc.array(fieldsOfANode, { minLength: 8, maxLength: 8 }),
  ids: fc.array(uuid, { minLength: 8, maxLength: 8 }),
  users: fc.array(uuid, { minLength: 4, maxLength: 4 }),
  ranks: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 8, maxLength: 8 }),
});

/** A tree from generated parts: up to 8 messages, parents before children, events that refer to real replies. */
function buildTree(s: typeof treeShape extends fc.Arbitrary<infer T> ? T : never): Json {
  const ids = [...new Set(s.ids)];
  const nodes: Node[] = [];
  const make = (i: number, parent: Node | null): Node => {
    const f: NodeFields = s.nodes[i];
    const role = parent === null || parent.role === "assistant" ? "prompter" : "assistant";
    const verdict =
      f.verdict === "accepted"
        ? { review_result: true, review_count: f.review_count + 3 }
        : f.verdict === "rejected"
          ? { review_result: false, review_count: f.review_count + 3 }
          : { review_count: f.review_count };
    const n: Node = {
      message_id: ids[i],
      ...(parent ? { parent_id: parent.message_id } : {}),
      ...(f.user_id ? { user_id: f.user_id } : {}),
      ...(f.created_date ? { created_date: f.created_date } : {}),
      text: f.text,
      role,
      lang: f.lang ?? "en",
      ...verdict,
      deleted: f.deleted,
      synthetic: f.synthetic,
      ...(f.model_name ? { model_name: f.model_name } : {}),
      ...(f.emojis ? { emojis: f.emojis } : {}),
      ...(f.labels ? { labels: f.labels } : {}),
      ...(f.detoxify ? { detoxify: f.detoxify } : {}),
      ...(f.unknown ?? {}),
      // oasst2 carries these on every node, null; a value is kept like any other field.
      message_tree_id: i % 2 === 0 ? ids[0] : null,
      tree_state: null,
    };
    if (!n.created_date) n.created_date = "2024-05-06T07:08:09.101112+00:00";
    nodes.push(n);
    return n;
  };
  const root = make(0, null);
  const queue = [root];
  let next = 1;
  for (let k = 0; queue.length > 0 && next < ids.length; k++) {
    const parent = queue.shift()!;
    const want = s.children[k % s.children.length];
    const replies: Node[] = [];
    for (let c = 0; c < want && next < ids.length; c++) replies.push(make(next++, parent));
    // Ranks on replies where there are several, as the consensus sets them; gaps and ties happen in real files.
    if (replies.length >= 2) replies.forEach((r, i) => (r.rank = s.ranks[(k + i) % s.ranks.length] % 3));
    parent.replies = replies;
    queue.push(...replies);
  }
  // Events go last, once the replies they rank exist.
  for (const n of nodes) {
    const f = s.nodes[nodes.indexOf(n)];
    const events: Record<string, Json[]> = {};
    const emoji = (f.emojiEvents ?? []).map((e, i) => ({
      type: "emoji",
      user_id: s.users[i % s.users.length],
      emoji: e.emoji,
      ...(e.extra !== undefined ? { note: e.extra } : {}),
    }));
    // One event per user and emoji: the table's key, and what the task cycle allows.
    const seen = new Set<string>();
    const distinctEmoji = emoji.filter((e) => !seen.has(`${e.user_id}:${e.emoji}`) && !!seen.add(`${e.user_id}:${e.emoji}`));
    if (distinctEmoji.length) events.emoji = distinctEmoji;
    if (f.ratings?.length)
      events.rating = f.ratings.map((r, i) => ({
        type: "rating",
        user_id: r.anonymous ? null : s.users[i],
        rating: r.rating,
        ...(r.extra !== undefined ? { note: r.extra } : {}),
      }));
    const replies = (n.replies ?? []) as Node[];
    if (f.rankings && replies.length >= 2) {
      events.ranking = Array.from({ length: f.rankings }, (_, i) => {
        const order = replies.map((_, j) => (j + i) % replies.length);
        return {
          type: "ranking",
          user_id: i === 2 ? null : s.users[i],
          ranking: order,
          ranked_message_ids: order.map((j) => replies[j].message_id),
          ranking_parent_id: n.message_id,
          message_tree_id: ids[0],
          ...(i === 1 ? { not_rankable: true } : {}),
        };
      });
    }
    if (f.reports?.length) events.report = f.reports.map((r, i) => ({ ...r, user_id: s.users[i] }));
    if (Object.keys(events).length) n.events = events;
  }
  return {
    message_tree_id: ids[0],
    tree_state: s.state,
    prompt: root,
    ...(s.origin !== undefined ? { origin: s.origin } : {}),
    ...(s.treeExtra !== undefined ? { campaign: s.treeExtra } : {}),
  } as Json;
}

describe("datasets: the import and export as users run them", function () {
  this.timeout(240_000);
  const dbs: TestDatabase[] = [];
  let dir: string;
  async function freshDb() {
    const db = await createTestDatabase();
    dbs.push(db);
    return db;
  }
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-datasets-cli-"));
  });
  after(async () => {
    for (const db of dbs) await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const cli = (db: TestDatabase, ...args: string[]) => runNode(CLI, args, { DATABASE_URL: db.url }, 200_000);
  const file = (name: string, content: string | Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, content);
    return f;
  };

  describe("lossless restore: export(restore(x)) equals x field for field", () => {
    it("on the oasst2 sample, detoxify and fields outside the format included", async () => {
      const db = await freshDb();
      const res = await cli(db, "import", "--mode", "restore", FIXTURE);
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stdout).to.match(/fields kept as extras \(no column; exported back\): .*detoxify x81/);
      const exported = await cli(db, "export", ...EVERYTHING);
      expect(exported.code, exported.stderr).to.equal(0);
      const want = byTreeId(parseLines(fs.readFileSync(FIXTURE, "utf8")));
      const got = byTreeId(parseLines(exported.stdout));
      expect([...got.keys()].sort()).to.deep.equal([...want.keys()].sort());
      for (const [id, tree] of want) expect(got.get(id), id).to.equal(tree);
      // The fields come back where oasst2 has them: after replies, labels and events, in the order they came.
      const withDetoxify = parseLines(exported.stdout)
        .map((t) => (t as { prompt: Record<string, unknown> }).prompt)
        .find((p) => p.detoxify)!;
      const keys = Object.keys(withDetoxify);
      expect(keys.slice(keys.indexOf("replies"))).to.deep.equal(["replies", "labels", "detoxify", "CRITERIA"]);
    });

    it("on generated trees with every field, unknown fields and events of every kind", async () => {
      const trees = fc.sample(treeShape, { seed: 20251206, numRuns: 60 }).map(buildTree);
      const db = await freshDb();
      const res = await cli(db, "import", "--mode", "restore", file("generated.jsonl", trees.map((t) => JSON.stringify(t)).join("\n") + "\n"));
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stdout).to.match(/^imported 60 trees/m);
      expect(res.stdout).to.include("0 bad lines");
      const exported = await cli(db, "export", ...EVERYTHING);
      expect(exported.code, exported.stderr).to.equal(0);
      const want = byTreeId(trees);
      const got = byTreeId(parseLines(exported.stdout));
      expect(got.size).to.equal(want.size);
      for (const [id, tree] of want) expect(got.get(id), id).to.equal(tree);
    });
  });

  describe("--dry-run predicts the real run", () => {
    /** The summary without the wording and timing that differ by design. */
    const summary = (stdout: string) =>
      stdout
        .replace(/would import/g, "imported")
        .replace(/ in [\d.]+ s \(\d+ messages\/s\)/g, "")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .sort();

    async function compare(f: string, ...args: string[]) {
      const dry = await cli(await freshDb(), "import", ...args, "--dry-run", f);
      const real = await cli(await freshDb(), "import", ...args, f);
      expect(dry.code, dry.stderr).to.equal(0);
      expect(real.code, real.stderr).to.equal(0);
      expect(dry.stdout).to.include("would import");
      expect(summary(dry.stdout)).to.deep.equal(summary(real.stdout));
      return summary(real.stdout);
    }

    it("on a good file, on a database that never had an import (restore and backlog)", async () => {
      const restore = await compare(FIXTURE, "--mode", "restore");
      expect(restore.join("\n")).to.include("imported 40 trees, 96 messages");
      expect(restore.join("\n")).to.include("0 bad lines");
      await compare(FIXTURE, "--mode", "backlog", "--num-activate", "3");
    });

    it("on a bad file: bad lines, a duplicate, a clash, a tree the database refuses, message lines on earlier trees", async () => {
      const lines = fs
        .readFileSync(FIXTURE, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "");
      const t0 = JSON.parse(lines[0]);
      const clash = JSON.parse(lines[1]);
      clash.message_tree_id = crypto.randomUUID();
      clash.prompt.message_id = clash.message_tree_id;
      for (const r of clash.prompt.replies ?? []) r.parent_id = clash.message_tree_id;
      clash.prompt.replies = [...(clash.prompt.replies ?? []), { ...t0.prompt, parent_id: clash.message_tree_id, replies: [] }];
      const feb30 = JSON.parse(lines[2]);
      feb30.prompt.created_date = "2023-02-30T10:00:00+00:00";
      const late = { message_id: crypto.randomUUID(), parent_id: t0.prompt.message_id, text: "a late reply", role: "assistant", lang: "en" };
      const orphan = { ...late, message_id: crypto.randomUUID(), parent_id: crypto.randomUUID() };
      const bad = file(
        "bad.jsonl",
        [
          lines[0],
          "{not json",
          lines[0],
          JSON.stringify(clash),
          JSON.stringify(feb30),
          JSON.stringify(late),
          JSON.stringify(orphan),
          ...lines.slice(3, 10),
        ].join("\n"),
      );
      const out = (await compare(bad, "--mode", "restore")).join("\n");
      expect(out).to.match(/line 2: not JSON/);
      expect(out).to.match(/line 3: duplicate of line 1/);
      expect(out).to.match(/line 4: message .* already exists outside this tree/);
      expect(out).to.match(/line 5: rejected by the database: .*out of range/);
      expect(out).to.match(/line 7: parent .* does not exist/);
      expect(out).to.include("imported 8 trees");
      expect(out).to.include("(1 message lines)");
    });
  });

  describe("progress and line limits", () => {
    function bulk(trees: number): string {
      return Array.from({ length: trees }, (_, i) => {
        const id = crypto.randomUUID();
        const replies = [0, 1, 2].map((k) => ({
          message_id: crypto.randomUUID(),
          parent_id: id,
          text: `answer ${k} of ${i} `.repeat(20),
          role: "assistant",
          lang: "en",
        }));
        return JSON.stringify({
          message_tree_id: id,
          tree_state: "ready_for_export",
          prompt: { message_id: id, text: `prompt ${i} `.repeat(10), role: "prompter", lang: "en", replies },
        });
      }).join("\n");
    }

    it("prints plain progress lines at a steady interval when stderr is a pipe (import and export)", async () => {
      const db = await freshDb();
      const imported = await cli(db, "import", "--mode", "restore", "--progress-interval", "0.05", file("bulk.jsonl", bulk(3000)));
      expect(imported.code, imported.stderr).to.equal(0);
      expect(imported.stderr).to.not.include("\r");
      const lines = imported.stderr.split("\n").filter((l) => /^imported \d+ messages so far \(\d+\/s, \d+ s\)$/.test(l));
      expect(lines.length, imported.stderr).to.be.greaterThan(1);
      const exported = await cli(db, "export", ...EVERYTHING, "--progress-interval", "0.05", "--out", path.join(dir, "bulk-out.jsonl"));
      expect(exported.code, exported.stderr).to.equal(0);
      expect(exported.stderr).to.not.include("\r");
      expect(exported.stderr).to.match(/^exported \d+ messages so far \(\d+\/s, \d+ s\)$/m);
      expect(exported.stderr).to.match(/^exported 3000 trees, 12000 messages in /m);
    });

    it("reports a line too long or not UTF-8 by number and imports the other lines", async () => {
      const db = await freshDb();
      const [a, b] = bulk(2).split("\n");
      const long = `{"message_tree_id": "${"x".repeat(3 * 1024 * 1024)}"}`;
      const notUtf8 = Buffer.concat([Buffer.from('{"text": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
      const f = file("long.jsonl", Buffer.concat([Buffer.from(`${a}\n${long}\n`), notUtf8, Buffer.from(`${b}\n`)]));
      const res = await cli(db, "import", "--mode", "restore", "--max-line-mb", "1", f);
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stderr).to.not.include("RangeError");
      expect(res.stdout).to.match(/^line 2: line too long \(\d+ bytes; the limit is 1048576 bytes, --max-line-mb\)$/m);
      expect(res.stdout).to.match(/^line 3: not valid UTF-8$/m);
      expect(res.stdout).to.include("imported 2 trees, 8 messages");
    });
  });
});
