import { expect } from "chai";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { Client } from "pg";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { CLI, PROJECT_ROOT, runNode } from "../helpers/process.js";

const FIXTURE = path.join(PROJECT_ROOT, "test", "fixtures", "oasst2-sample.trees.jsonl");
const EVERYTHING = ["--state", "all", "--include-deleted", "--include-spam", "--include-synthetic", "--export-labels", "--export-events"];

type Node = Record<string, unknown> & { message_id: string; replies?: Node[] };
type Tree = { message_tree_id: string; tree_state: string; prompt: Node; origin?: string };

const fixtureLines = fs
  .readFileSync(FIXTURE, "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "");
const fixtureTrees: Tree[] = fixtureLines.map((l) => JSON.parse(l));

function walk(node: Node, visit: (n: Node, parent: Node | null) => void, parent: Node | null = null) {
  visit(node, parent);
  for (const r of node.replies ?? []) walk(r, visit, node);
}

/**
 * What the format promises, so two files can be compared field by field: a missing field and null are the same
 * (the format's None), empty emojis/labels/events are None too, and replies of equal rank have no defined order.
 * Every other field, known or not (detoxify, CRITERIA, ...), must come back with the same value.
 */
function normalizeNode(n: Node): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n)) {
    if (v === null || v === undefined) continue;
    if ((k === "emojis" || k === "labels" || k === "events") && typeof v === "object" && Object.keys(v as object).length === 0) continue;
    if (k === "replies") continue;
    out[k] = v;
  }
  const replies = (n.replies ?? []).map(normalizeNode);
  replies.sort((a, b) => {
    const ra = (a.rank as number | undefined) ?? Infinity;
    const rb = (b.rank as number | undefined) ?? Infinity;
    return ra !== rb ? ra - rb : String(a.message_id).localeCompare(String(b.message_id));
  });
  out.replies = replies;
  return out;
}

function normalizeTree(t: Tree) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) if (v !== null && v !== undefined) out[k] = k === "prompt" ? normalizeNode(v as Node) : v;
  return out;
}

function byId(trees: Tree[]) {
  return new Map(trees.map((t) => [t.message_tree_id, normalizeTree(t)]));
}

function parseJsonl(text: string): Tree[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

function tmpFile(name: string, content?: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-datasets-"));
  const file = path.join(dir, name);
  if (content !== undefined) fs.writeFileSync(file, content);
  return file;
}

async function withClient<T>(db: TestDatabase, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Generated trees carrying what the shared sample lacks: events of every type, origin, synthetic messages. */
function generatedTree(opts: { state?: string; origin?: string; withEvents?: boolean; modelName?: string | null; synthetic?: boolean } = {}): Tree {
  const id = () => crypto.randomUUID();
  const rootId = id();
  const [a1, a2, p1] = [id(), id(), id()];
  const [u1, u2, u3] = [id(), id(), id()];
  const base = (mid: string, parent: string | null, role: string, extra: Record<string, unknown> = {}): Node => ({
    message_id: mid,
    ...(parent ? { parent_id: parent } : {}),
    user_id: u1,
    created_date: "2024-01-02T03:04:05.123456+00:00",
    text: `text of ${mid} — ünïcödé ✓`,
    role,
    lang: "en",
    review_count: 3,
    review_result: true,
    deleted: false,
    synthetic: false,
    ...extra,
  });
  const synthetic = opts.synthetic ?? true;
  const model = opts.modelName === undefined ? "tiny-model-1" : opts.modelName;
  const prompt = base(rootId, null, "prompter", {
    emojis: { "+1": 2, _skip_reply: 1 },
    labels: { spam: { value: 0, count: 3 }, quality: { value: 0.5833333333333334, count: 3 }, humor: { value: 0.25, count: 2 } },
    ...(opts.withEvents
      ? {
          events: {
            emoji: [
              { type: "emoji", user_id: u2, emoji: "+1" },
              { type: "emoji", user_id: u3, emoji: "+1" },
            ],
            rating: [{ type: "rating", user_id: u2, rating: 4 }],
            ranking: [
              { type: "ranking", user_id: u2, ranking: [0, 1], ranked_message_ids: [a1, a2], ranking_parent_id: rootId, message_tree_id: rootId },
              {
                type: "ranking",
                user_id: u3,
                ranking: [1, 0],
                ranked_message_ids: [a2, a1],
                ranking_parent_id: rootId,
                message_tree_id: rootId,
                not_rankable: true,
              },
            ],
          },
        }
      : {}),
    replies: [
      base(a1, rootId, "assistant", {
        user_id: u2,
        rank: 0,
        synthetic,
        ...(model ? { model_name: model } : {}),
        replies: [base(p1, a1, "prompter", { user_id: u3, replies: [] })],
      }),
      base(a2, rootId, "assistant", { user_id: u3, rank: 1, synthetic, review_result: false, review_count: 4, replies: [] }),
    ],
  });
  return { message_tree_id: rootId, tree_state: opts.state ?? "ready_for_export", prompt, ...(opts.origin ? { origin: opts.origin } : {}) };
}

describe("datasets: chorus import and export", function () {
  this.timeout(120_000);
  const dbs: TestDatabase[] = [];
  async function freshDb() {
    const db = await createTestDatabase();
    dbs.push(db);
    return db;
  }
  after(async () => {
    for (const db of dbs) await db.drop();
  });
  const cli = (db: TestDatabase, ...args: string[]) => runNode(CLI, args, { DATABASE_URL: db.url }, 120_000);
  async function exportTrees(db: TestDatabase, ...args: string[]): Promise<Tree[]> {
    const res = await cli(db, "export", ...args);
    expect(res.code, res.stderr).to.equal(0);
    return parseJsonl(res.stdout);
  }

  describe("restore of the oasst2 sample", () => {
    let db: TestDatabase;
    let firstImport: string;
    before(async () => {
      db = await freshDb();
      const res = await cli(db, "import", "--mode", "restore", FIXTURE);
      expect(res.code, res.stderr).to.equal(0);
      firstImport = res.stdout;
    });

    it("imports every tree and message, and names the fields it keeps without a column", () => {
      const messages = fixtureTrees.reduce((n, t) => {
        let c = 0;
        walk(t.prompt, () => (c += 1));
        return n + c;
      }, 0);
      expect(firstImport).to.include(`imported ${fixtureTrees.length} trees, ${messages} messages`);
      expect(firstImport).to.include("0 bad lines");
      expect(firstImport).to.match(/fields kept as extras \(no column; exported back\): .*CRITERIA x94/);
      expect(firstImport).to.match(/detoxify x81/);
    });

    it("exports, with everything included, the same trees field by field", async () => {
      const exported = await exportTrees(db, ...EVERYTHING);
      expect(exported).to.have.length(fixtureTrees.length);
      const want = byId(fixtureTrees);
      const got = byId(exported);
      expect([...got.keys()].sort()).to.deep.equal([...want.keys()].sort());
      for (const [id, tree] of want) expect(got.get(id), `tree ${id}`).to.deep.equal(tree);
    });

    it("sorts replies by rank with null ranks last, keeps microseconds in dates and UTF-8 text", async () => {
      const exported = await exportTrees(db, ...EVERYTHING);
      let checked = 0;
      for (const t of exported) {
        walk(t.prompt, (n) => {
          const ranks = (n.replies ?? []).map((r) => (r.rank as number | undefined) ?? Infinity);
          expect(ranks).to.deep.equal([...ranks].sort((a, b) => a - b));
          expect(n.created_date).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
          checked += 1;
        });
      }
      expect(checked).to.be.greaterThan(90);
      const zh = exported.find((t) => t.prompt.lang === "zh");
      const original = fixtureTrees.find((t) => t.message_tree_id === zh!.message_tree_id)!;
      expect(zh!.prompt.text).to.equal(original.prompt.text);
    });

    it("changes nothing when the same file is imported again", async () => {
      const count = () =>
        withClient(
          db,
          async (c) =>
            (
              await c.query(
                `SELECT (SELECT count(*) FROM message)::int AS m, (SELECT count(*) FROM text_labels)::int AS l, (SELECT count(*) FROM "user")::int AS u`,
              )
            ).rows[0],
        );
      const before = await count();
      const res = await cli(db, "import", "--mode", "restore", FIXTURE);
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stdout).to.include("imported 0 trees").and.include(`${fixtureTrees.length} already present`);
      expect(await count()).to.deep.equal(before);
    });

    it("keeps tree states: active only for non-terminal ones, no transition on restore", async () => {
      const rows = await withClient(db, async (c) => (await c.query(`SELECT message_tree_id AS id, state, active FROM message_tree_state`)).rows);
      const want = new Map(fixtureTrees.map((t) => [t.message_tree_id, t.tree_state]));
      expect(rows).to.have.length(want.size);
      for (const r of rows) {
        expect(r.state).to.equal(want.get(r.id));
        expect(r.active).to.equal(["growing", "initial_prompt_review", "ranking", "ready_for_scoring"].includes(r.state));
      }
    });

    it("filters by default to accepted, live messages of ready_for_export trees without synthetic messages", async () => {
      const exported = await exportTrees(db);
      const want = fixtureTrees.filter((t) => t.tree_state === "ready_for_export" && t.prompt.review_result === true && !t.prompt.deleted);
      expect(exported.map((t) => t.message_tree_id).sort()).to.deep.equal(want.map((t) => t.message_tree_id).sort());
      for (const t of exported) {
        expect(t.tree_state).to.equal("ready_for_export");
        walk(t.prompt, (n) => {
          expect(n.review_result).to.equal(true);
          expect(n.deleted).to.equal(false);
          expect(n).to.not.have.property("labels");
          expect(n).to.not.have.property("events");
        });
      }
      // A live accepted child of a filtered-out parent vanishes with it: count what should survive.
      let expected = 0;
      for (const t of want) {
        const keep = (n: Node): number => (n.review_result === true && !n.deleted ? 1 + (n.replies ?? []).reduce((s, r) => s + keep(r), 0) : 0);
        expected += keep(t.prompt);
      }
      let got = 0;
      for (const t of exported) walk(t.prompt, () => (got += 1));
      expect(got).to.equal(expected);
    });

    it("filters by state and by language, and --limit caps the trees", async () => {
      const growing = await exportTrees(db, "--state", "growing", "--include-spam", "--include-deleted");
      expect(growing.map((t) => t.message_tree_id).sort()).to.deep.equal(
        fixtureTrees
          .filter((t) => t.tree_state === "growing")
          .map((t) => t.message_tree_id)
          .sort(),
      );
      const es = await exportTrees(db, "--state", "all", "--lang", "es", "--include-spam", "--include-deleted");
      const wantEs = fixtureTrees.filter((t) => t.prompt.lang === "es");
      expect(wantEs.length).to.be.greaterThan(0);
      expect(es.map((t) => t.message_tree_id).sort()).to.deep.equal(wantEs.map((t) => t.message_tree_id).sort());
      const limited = await exportTrees(db, "--state", "all", "--include-spam", "--include-deleted", "--limit", "3");
      expect(limited).to.have.length(3);
      const bad = await cli(db, "export", "--state", "nonsense");
      expect(bad.code).to.not.equal(0);
      expect(bad.stderr).to.include("--state must be one of");
    });

    it("--prompts-only exports the roots without replies", async () => {
      const exported = await exportTrees(db, "--state", "all", "--include-spam", "--include-deleted", "--prompts-only");
      expect(exported).to.have.length(fixtureTrees.length);
      for (const t of exported) {
        expect(t.prompt).to.not.have.property("replies");
        expect(t.prompt).to.not.have.property("parent_id");
      }
    });

    it("--include-deleted / --deleted-only and --include-spam / --spam-only switch the message sets", async () => {
      const count = (trees: Tree[]) =>
        trees.reduce((s, t) => {
          let c = 0;
          walk(t.prompt, () => (c += 1));
          return s + c;
        }, 0);
      const all = fixtureTrees.flatMap((t) => {
        const l: Node[] = [];
        walk(t.prompt, (n) => l.push(n));
        return l;
      });
      const withDeleted = await exportTrees(db, "--state", "all", "--include-spam", "--include-deleted");
      const liveOnly = await exportTrees(db, "--state", "all", "--include-spam");
      expect(count(withDeleted)).to.be.greaterThan(count(liveOnly));
      for (const t of liveOnly) walk(t.prompt, (n) => expect(n.deleted).to.equal(false));

      const deletedOnly = parseJsonl((await cli(db, "export", "--state", "all", "--include-spam", "--deleted-only")).stdout) as unknown as Node[];
      expect(deletedOnly.map((n) => n.message_id).sort()).to.deep.equal(
        all
          .filter((n) => n.deleted)
          .map((n) => n.message_id)
          .sort(),
      );
      for (const n of deletedOnly) expect(n).to.not.have.property("replies");

      const spamOnly = parseJsonl((await cli(db, "export", "--state", "all", "--include-deleted", "--spam-only")).stdout) as unknown as Node[];
      expect(spamOnly.map((n) => n.message_id).sort()).to.deep.equal(
        all
          .filter((n) => n.review_result === false)
          .map((n) => n.message_id)
          .sort(),
      );

      const conflicting = await cli(db, "export", "--include-spam", "--spam-only");
      expect(conflicting.code).to.not.equal(0);
    });

    it("--user exports one user's messages as a list", async () => {
      const all = fixtureTrees.flatMap((t) => {
        const l: Node[] = [];
        walk(t.prompt, (n) => l.push(n));
        return l;
      });
      const counts = new Map<string, number>();
      for (const n of all) counts.set(n.user_id as string, (counts.get(n.user_id as string) ?? 0) + 1);
      const [user] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
      const res = await cli(db, "export", "--user", user, "--include-spam", "--include-deleted");
      expect(res.code, res.stderr).to.equal(0);
      const lines = parseJsonl(res.stdout) as unknown as Node[];
      expect(lines.map((n) => n.message_id).sort()).to.deep.equal(
        all
          .filter((n) => n.user_id === user)
          .map((n) => n.message_id)
          .sort(),
      );
    });

    it("anonymizes ids deterministically with the seed", async () => {
      const a = await cli(db, ...["export", ...EVERYTHING, "--anonymizer-seed", "42"]);
      const b = await cli(db, ...["export", ...EVERYTHING, "--anonymizer-seed", "42"]);
      const c = await cli(db, ...["export", ...EVERYTHING, "--anonymizer-seed", "43"]);
      expect(a.stdout).to.equal(b.stdout);
      expect(a.stdout).to.not.equal(c.stdout);
      const sha = (s: string) => crypto.createHash("sha256").update(s).digest("hex");
      const anonymized = parseJsonl(a.stdout);
      const clearIds = new Set(fixtureTrees.map((t) => t.message_tree_id));
      for (const t of anonymized) {
        expect(clearIds.has(t.message_tree_id), "tree ids are anonymized too").to.equal(false);
        expect(t.message_tree_id).to.equal(t.prompt.message_id);
      }
      const original = fixtureTrees[0];
      const anon = anonymized.find((t) => t.prompt.message_id === sha(`message:${original.prompt.message_id}42`));
      expect(anon, "message ids are sha256(message:<id><seed>)").to.not.equal(undefined);
      expect(anon!.prompt.user_id).to.equal(sha(`user:${original.prompt.user_id}42`));
      const reply = anon!.prompt.replies![0];
      expect(reply.parent_id).to.equal(anon!.prompt.message_id);
      expect(a.stdout).to.not.include(original.prompt.user_id as string);
    });

    it("writes and reads .jsonl.gz, and a gz restore round-trips", async () => {
      const out = tmpFile("sample.jsonl.gz");
      const res = await cli(db, "export", ...EVERYTHING, "--out", out);
      expect(res.code, res.stderr).to.equal(0);
      const raw = fs.readFileSync(out);
      expect(raw[0]).to.equal(0x1f);
      expect(raw[1]).to.equal(0x8b);
      const unzipped = parseJsonl(zlib.gunzipSync(raw).toString("utf8"));
      expect(byId(unzipped)).to.deep.equal(byId(fixtureTrees));

      const other = await freshDb();
      const imported = await cli(other, "import", "--mode", "restore", out);
      expect(imported.code, imported.stderr).to.equal(0);
      expect(imported.stdout).to.include(`imported ${fixtureTrees.length} trees`);
      const again = await exportTrees(other, ...EVERYTHING);
      expect(byId(again)).to.deep.equal(byId(fixtureTrees));
    });
  });

  describe("restore of generated trees (events, origin, synthetic messages)", () => {
    it("round-trips events of every type, origins, synthetic flags and model names", async () => {
      const db = await freshDb();
      const trees = [
        generatedTree({ withEvents: true, origin: "generated-1" }),
        generatedTree({ state: "ranking", origin: "generated-2" }),
        generatedTree({ state: "halted_by_moderator", synthetic: false, modelName: null }),
      ];
      const file = tmpFile("gen.jsonl", trees.map((t) => JSON.stringify(t)).join("\n") + "\n");
      const res = await cli(db, "import", "--mode", "restore", file);
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stdout).to.include("imported 3 trees, 12 messages");
      const exported = await exportTrees(db, ...EVERYTHING);
      expect(byId(exported)).to.deep.equal(byId(trees));
      const withEvents = exported.find((t) => t.message_tree_id === trees[0].message_tree_id)!;
      expect(Object.keys(withEvents.prompt.events as object).sort()).to.deep.equal(["emoji", "ranking", "rating"]);
      // Without --include-synthetic, trees holding a synthetic message stay out.
      const natural = await exportTrees(db, "--state", "all", "--include-spam");
      expect(natural.map((t) => t.message_tree_id)).to.deep.equal([trees[2].message_tree_id]);
      const syntheticOnly = parseJsonl((await cli(db, "export", "--state", "all", "--include-spam", "--synthetic-only")).stdout) as unknown as Node[];
      expect(syntheticOnly).to.have.length(4);
      for (const n of syntheticOnly) expect(n.synthetic).to.equal(true);
    });

    it("keeps restored label averages as baselines that later labels add to", async () => {
      const db = await freshDb();
      const tree = generatedTree({ synthetic: false, modelName: null });
      const res = await cli(db, "import", "--mode", "restore", tmpFile("labels.jsonl", JSON.stringify(tree)));
      expect(res.code, res.stderr).to.equal(0);
      // A later free label from a real user, as the labels module writes it.
      await withClient(db, (c) =>
        c.query(
          `INSERT INTO text_labels (id, user_id, api_client_id, text, message_id, labels)
           SELECT gen_random_uuid(), gen_random_uuid(), api_client_id, '', id, '{"quality": 1, "creativity": 0.5}' FROM message WHERE id = $1`,
          [tree.message_tree_id],
        ),
      );
      const [exported] = await exportTrees(db, "--state", "all", "--include-spam", "--export-labels");
      expect(exported.prompt.labels).to.deep.equal({
        spam: { value: 0, count: 3 },
        quality: { value: (0.5833333333333334 * 3 + 1) / 4, count: 4 },
        humor: { value: 0.25, count: 2 },
        creativity: { value: 0.5, count: 1 },
      });
    });
  });

  describe("restore of a file of many batches (written on two connections at once)", () => {
    it("lands every good tree whole, reports the bad one, and leaves search vectors to `chorus search-vectors`, which fills them all", async () => {
      const db = await freshDb();
      // 600 trees are three batches, so two are in flight together; authors are shared across batches, so both
      // connections create the same placeholder users at once.
      const authors = Array.from({ length: 7 }, () => crypto.randomUUID());
      const trees = Array.from({ length: 600 }, (_, i) => {
        const t = generatedTree({ withEvents: i % 50 === 0, origin: `batch-${i % 3}` });
        let k = i;
        walk(t.prompt, (n) => {
          n.user_id = authors[k++ % authors.length];
          n.text = `${n.text} marker${i}`;
        });
        return t;
      });
      // Line 12's prompt reuses line 11's id: their batch fails, is retried tree by tree, and only line 12 is refused.
      const bad = trees[11];
      const clashing = { ...bad, prompt: { ...bad.prompt, message_id: trees[10].prompt.replies![0].message_id } };
      walk(clashing.prompt, (n, parent) => {
        if (parent) n.parent_id = parent.message_id;
      });
      const lines = trees.map((t, i) => JSON.stringify(i === 11 ? clashing : t));
      const res = await cli(db, "import", "--mode", "restore", tmpFile("many.jsonl", lines.join("\n") + "\n"));
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stdout).to.include("imported 599 trees, 2396 messages");
      expect(res.stdout).to.match(/^line 12: /m);
      const good = trees.filter((_, i) => i !== 11);
      const exported = await exportTrees(db, ...EVERYTHING);
      // The export is in tree-id order, whatever order the batches committed in.
      good.sort((a, b) => (a.message_tree_id < b.message_tree_id ? -1 : 1));
      const got = byId(exported);
      const want = byId(good);
      expect([...got.keys()]).to.deep.equal([...want.keys()]);
      for (const [id, tree] of want) expect(got.get(id), id).to.deep.equal(tree);
      const vectors = async () =>
        withClient(
          db,
          async (c) =>
            (
              await c.query(
                `SELECT count(*)::int AS total, count(search_vector)::int AS indexed,
               count(*) FILTER (WHERE search_vector @@ websearch_to_tsquery('english', 'marker599'))::int AS found FROM message`,
              )
            ).rows[0],
        );
      expect(await vectors()).to.deep.equal({ total: 2396, indexed: 0, found: 0 });
      const built = await cli(db, "search-vectors");
      expect(built.code, built.stderr).to.equal(0);
      expect(built.stdout).to.match(/^built 2396 search vectors in [\d.]+ s; 0 pending$/m);
      expect(await vectors()).to.deep.equal({ total: 2396, indexed: 2396, found: 4 });
    });
  });

  describe("backlog import (spec §8.4)", () => {
    it("puts trees in backlog_ranking, --num-activate 1 puts one in ranking, with synthetic defaults", async () => {
      const db = await freshDb();
      const trees = [generatedTree(), generatedTree(), generatedTree({ modelName: null })];
      for (const t of trees)
        walk(t.prompt, (n) => {
          delete n.synthetic;
          delete n.review_result;
        });
      const file = tmpFile("backlog.jsonl", trees.map((t) => JSON.stringify(t)).join("\n"));
      const res = await cli(db, "import", file, "--num-activate", "1", "--origin", "bench-gen", "--model-name", "fallback-model");
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stdout).to.include("imported 3 trees, 12 messages").and.include("1 activated for ranking");
      await withClient(db, async (c) => {
        const states = (await c.query(`SELECT state, active, origin, goal_tree_size FROM message_tree_state ORDER BY state`)).rows;
        expect(states).to.deep.equal([
          { state: "backlog_ranking", active: false, origin: "bench-gen", goal_tree_size: 0 },
          { state: "backlog_ranking", active: false, origin: "bench-gen", goal_tree_size: 0 },
          { state: "ranking", active: true, origin: "bench-gen", goal_tree_size: 0 },
        ]);
        const msgs = (
          await c.query(
            `SELECT m.synthetic, m.review_result, m.model_name, m.frontend_message_id = m.id::text AS same_id, u.username, u.auth_method
           FROM message m JOIN "user" u ON u.id = m.user_id`,
          )
        ).rows;
        expect(msgs).to.have.length(12);
        for (const m of msgs) {
          expect(m).to.include({ synthetic: true, review_result: true, same_id: true, username: "import", auth_method: "system" });
        }
        const models = (await c.query(`SELECT model_name, count(*)::int AS n FROM message GROUP BY model_name ORDER BY model_name`)).rows;
        // The two trees naming tiny-model-1 keep it on their first reply; every other message gets --model-name.
        expect(models).to.deep.equal([
          { model_name: "fallback-model", n: 10 },
          { model_name: "tiny-model-1", n: 2 },
        ]);
        const children = (await c.query(`SELECT children_count FROM message WHERE id = $1`, [trees[0].message_tree_id])).rows[0];
        expect(children.children_count).to.equal(2);
      });
      const again = await cli(db, "import", file);
      expect(again.stdout).to.include("imported 0 trees").and.include("3 already present");
    });

    it("--dry-run checks every line and writes nothing; --max-count stops early", async () => {
      const db = await freshDb();
      const trees = [generatedTree(), generatedTree(), generatedTree()];
      const file = tmpFile("dry.jsonl", [JSON.stringify(trees[0]), "{not json", JSON.stringify(trees[1]), JSON.stringify(trees[2])].join("\n"));
      const dry = await cli(db, "import", file, "--dry-run");
      expect(dry.code, dry.stderr).to.equal(0);
      expect(dry.stdout).to.include("would import 3 trees").and.include("line 2: not JSON");
      const counted = await withClient(
        db,
        async (c) => (await c.query(`SELECT (SELECT count(*) FROM message)::int AS m, (SELECT count(*) FROM message_tree_state)::int AS s`)).rows[0],
      );
      expect(counted).to.deep.equal({ m: 0, s: 0 });
      const capped = await cli(db, "import", file, "--max-count", "2");
      expect(capped.stdout).to.include("imported 2 trees");
    });
  });

  describe("message-list lines", () => {
    it("restore puts a message under its existing parent and reports one whose parent does not exist", async () => {
      const db = await freshDb();
      const tree = generatedTree({ synthetic: false, modelName: null });
      const extra: Node = {
        message_id: crypto.randomUUID(),
        parent_id: tree.prompt.replies![0].replies![0].message_id,
        user_id: crypto.randomUUID(),
        created_date: "2024-02-03T04:05:06+00:00",
        text: "a late reply",
        role: "assistant",
        lang: "en",
        review_count: 0,
        deleted: false,
        synthetic: false,
      };
      const orphan: Node = { ...extra, message_id: crypto.randomUUID(), parent_id: crypto.randomUUID() };
      const file = tmpFile("messages.jsonl", [JSON.stringify(tree), JSON.stringify(extra), JSON.stringify(orphan)].join("\n"));
      const res = await cli(db, "import", "--mode", "restore", file);
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stdout).to.match(new RegExp(`^line 3: parent ${orphan.parent_id} of message ${orphan.message_id} does not exist`, "m"));
      expect(res.stdout).to.include("imported 1 trees, 5 messages (1 message lines)");
      const [exported] = await exportTrees(db, "--state", "all", "--include-spam", "--export-labels");
      const parent = exported.prompt.replies!.find((r) => r.message_id === tree.prompt.replies![0].message_id)!.replies![0];
      expect(parent.replies!.map((r) => r.message_id)).to.deep.equal([extra.message_id]);
      expect(parent.replies![0]).to.include({ created_date: "2024-02-03T04:05:06+00:00", text: "a late reply", user_id: extra.user_id });
    });

    it("backlog imports message lines as standalone prompts without a tree state", async () => {
      const db = await freshDb();
      const line = { message_id: crypto.randomUUID(), text: "a lone prompt", role: "prompter", lang: "de" };
      const res = await cli(db, "import", tmpFile("lone.jsonl", JSON.stringify(line) + "\n"));
      expect(res.code, res.stderr).to.equal(0);
      const rows = await withClient(db, async (c) => (await c.query(`SELECT message_tree_id, parent_id, synthetic, review_result, lang FROM message`)).rows);
      expect(rows).to.deep.equal([{ message_tree_id: line.message_id, parent_id: null, synthetic: true, review_result: true, lang: "de" }]);
      const states = await withClient(db, async (c) => (await c.query(`SELECT count(*)::int AS n FROM message_tree_state`)).rows[0].n);
      expect(states).to.equal(0);
    });
  });

  describe("bad input", () => {
    it("reports malformed lines by number, imports a repeated tree once, and never half-imports a tree", async () => {
      const db = await freshDb();
      const good = fixtureLines[0];
      const goodTree = fixtureTrees[0];
      const badRole = generatedTree();
      (badRole.prompt.replies![0] as Node).role = "robot";
      const missingId = generatedTree();
      delete (missingId.prompt.replies![1] as Record<string, unknown>).message_id;
      const wrongParent = generatedTree();
      (wrongParent.prompt.replies![0].replies![0] as Node).parent_id = crypto.randomUUID();
      // PostgreSQL refuses February 30th (JavaScript's date parser does not): the tree fails inside its
      // transaction, after its first statements ran.
      const failsInDb = generatedTree();
      (failsInDb.prompt.replies![1] as Node).created_date = "2023-02-30T10:00:00+00:00";
      const nul = generatedTree();
      (nul.prompt.replies![1] as Node).text = "nul \u0000 byte";
      const okTree = generatedTree();
      const lines = [
        good,
        "{broken json",
        JSON.stringify(badRole),
        good,
        JSON.stringify(missingId),
        JSON.stringify(wrongParent),
        JSON.stringify(failsInDb),
        "[1, 2, 3]",
        JSON.stringify(okTree),
        JSON.stringify(nul),
        "",
      ];
      const file = tmpFile("messy.jsonl", lines.join("\n"));
      const res = await cli(db, "import", "--mode", "restore", file);
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stdout).to.match(/^line 2: not JSON/m);
      expect(res.stdout).to.match(/^line 3: .*unknown role "robot"/m);
      expect(res.stdout).to.match(/^line 4: duplicate of line 1 \(a52f790d-6a8d-4b73-b79f-3da1be7f6724\), imported once/m);
      expect(res.stdout).to.match(/^line 5: .*message_id missing/m);
      expect(res.stdout).to.match(/^line 6: .*does not match its place in the tree/m);
      expect(res.stdout).to.match(/^line 7: rejected by the database/m);
      expect(res.stdout).to.match(/^line 8: not a JSON object/m);
      expect(res.stdout).to.match(/^line 10: message .*: text: contains a NUL character/m);
      expect(res.stdout).to.include("imported 2 trees").and.include("1 duplicate lines, 7 bad lines");
      await withClient(db, async (c) => {
        const trees = (await c.query(`SELECT message_tree_id AS id FROM message_tree_state ORDER BY 1`)).rows.map((r) => r.id);
        expect(trees).to.deep.equal([goodTree.message_tree_id, okTree.message_tree_id].sort());
        const rejectedIds = [badRole, missingId, wrongParent, failsInDb, nul].flatMap((t) => {
          const ids: string[] = [];
          walk(t.prompt, (n) => n.message_id && ids.push(n.message_id));
          return ids;
        });
        const leftovers = (await c.query(`SELECT count(*)::int AS n FROM message WHERE id = ANY($1::uuid[])`, [rejectedIds])).rows[0].n;
        expect(leftovers).to.equal(0);
      });
    });
  });
});
