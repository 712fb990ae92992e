/**
 * Issue 14: a restore writes one label row per labelled message, carrying each label's review count
 * (`label_counts`, migration ImportLabelCounts), where it wrote one row per review before. Every label reader
 * weighs a label by its count, so the restored data reads exactly as the reviews it stands for would: the
 * export's averages and counts, and the troll board (both the whole-history statements and the per-day buckets
 * the leaderboard refresh keeps), are the same as with the same reviews written one row each.
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { CLI, runNode } from "../helpers/process.js";
import { gql } from "../helpers/graphql.js";
import { liveTreeLines } from "../../bench/generate.js";
import { statsWindowStart } from "../../src/modules/consensus/scores.js";
import { TROLL_STATS_TOTAL_SQL } from "../../src/modules/stats/stats.service.js";
import { TROLL_AVG_LABELS, TROLL_INT_COLUMNS } from "../../src/modules/stats/stats-sql.js";
import { RefreshLeaderboardsDocument } from "../../client/generated/graphql.js";

type Labels = Record<string, { value: number | null; count: number }>;
interface FileNode {
  message_id: string;
  labels?: Labels;
  replies: FileNode[];
}

/** Labels of varied counts (1 to 4, some unreviewed), in quarters so every sum is exact in floating point. */
function variedLabels(i: number): Labels {
  const q = (k: number) => ((i + k) % 5) / 4;
  return {
    spam: { value: q(0), count: 1 + (i % 4) },
    lang_mismatch: { value: q(1), count: 1 + ((i + 1) % 3) },
    pii: { value: (i + 2) % 2, count: 2 },
    quality: { value: q(3), count: 1 + ((i + 3) % 4) },
    toxicity: { value: q(4), count: 1 + (i % 2) },
    humor: { value: i % 7 === 0 ? null : q(2), count: i % 7 === 0 ? 0 : 3 },
    helpfulness: { value: q(1), count: i % 5 === 0 ? 0 : 4 },
  };
}

const TROLL_COLUMNS = ["user_id", "troll_score", ...TROLL_INT_COLUMNS, ...TROLL_AVG_LABELS];

describe("datasets: a restore's labels, one row per message with review counts, read as one row per review", function () {
  this.timeout(300_000);
  let server: TestServer;
  let dir: string;
  let lines: string[];
  const ds = () => server.chorus.app.ds;

  before(async () => {
    server = await startTestServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-restore-labels-"));
    let i = 0;
    lines = [...liveTreeLines(21, 60)].map((line) => {
      const tree = JSON.parse(line) as { prompt: FileNode };
      const walk = (n: FileNode) => {
        if (n.labels) n.labels = variedLabels(i++);
        for (const c of n.replies) walk(c);
      };
      walk(tree.prompt);
      return JSON.stringify(tree);
    });
    const file = path.join(dir, "labels.jsonl");
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    const restored = await runNode(CLI, ["import", "--mode", "restore", file], { DATABASE_URL: server.db.url }, 240_000);
    expect(restored.code, restored.stderr).to.equal(0);
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes one row per labelled message with the counts of the file", async () => {
    const expected = new Map<string, Labels>();
    for (const line of lines) {
      const walk = (n: FileNode) => {
        if (n.labels) expected.set(n.message_id, n.labels);
        for (const c of n.replies) walk(c);
      };
      walk((JSON.parse(line) as { prompt: FileNode }).prompt);
    }
    expect(expected.size).to.be.greaterThan(100);
    const rows: { message_id: string; labels: Record<string, number>; label_counts: Record<string, number> }[] = await ds().query(
      `SELECT message_id, labels, label_counts FROM text_labels`,
    );
    expect(rows).to.have.length(expected.size);
    for (const r of rows) {
      const reviewed = Object.entries(expected.get(r.message_id)!).filter(([, v]) => v.value !== null && v.count > 0);
      expect(r.labels, r.message_id).to.deep.equal(Object.fromEntries(reviewed.map(([k, v]) => [k, v.value])));
      expect(r.label_counts, r.message_id).to.deep.equal(Object.fromEntries(reviewed.map(([k, v]) => [k, v.count])));
    }
  });

  /** TOTAL's troll rows as the whole-history statement computes them, in a transaction rolled back. */
  async function trollRows(setup?: (q: (sql: string) => Promise<unknown>) => Promise<void>): Promise<Record<string, unknown>[]> {
    const qr = ds().createQueryRunner();
    await qr.startTransaction();
    try {
      if (setup) await setup((sql) => qr.query(sql));
      await qr.query(`DELETE FROM troll_stats WHERE time_frame = 'total'`);
      await qr.query(TROLL_STATS_TOTAL_SQL, [statsWindowStart("total", new Date()), "total"]);
      return await qr.query(`SELECT ${TROLL_COLUMNS.join(", ")} FROM troll_stats WHERE time_frame = 'total' ORDER BY user_id`);
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
  }

  /** The same reviews written one row each (as a restore wrote them before), from reviewers made up for them. */
  const onePerReview = async (q: (sql: string) => Promise<unknown>) => {
    await q(`CREATE TEMP TABLE restored ON COMMIT DROP AS SELECT * FROM text_labels WHERE label_counts IS NOT NULL`);
    await q(`DELETE FROM text_labels WHERE label_counts IS NOT NULL`);
    await q(
      `INSERT INTO text_labels (id, user_id, api_client_id, text, message_id, labels, created_date)
       SELECT gen_random_uuid(), gen_random_uuid(), r.api_client_id, '', r.message_id,
              (SELECT jsonb_object_agg(k, r.labels->k) FROM jsonb_each_text(r.label_counts) c(k, n) WHERE n::int > i), r.created_date
       FROM restored r, generate_series(0, (SELECT max(n::int) FROM jsonb_each_text(r.label_counts) c(k, n)) - 1) AS i`,
    );
  };

  it("the troll board's whole-history statement and its per-day buckets count each label once per review", async () => {
    const asReviews = await trollRows(onePerReview);
    expect(asReviews.length).to.be.greaterThan(10);
    expect(asReviews.some((r) => (r.spam as number) > 0 && r.quality !== null)).to.equal(true);
    expect(await trollRows()).to.deep.equal(asReviews);
    // The leaderboard refresh (per-day buckets, then the windows) on the restored rows.
    const res = await gql(server.url, RefreshLeaderboardsDocument, { input: null }, { key: server.adminKey });
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    const refreshed = await ds().query(`SELECT ${TROLL_COLUMNS.join(", ")} FROM troll_stats WHERE time_frame = 'total' ORDER BY user_id`);
    expect(refreshed).to.deep.equal(asReviews);
  });

  it("exports the averages and counts of the file, and a later label joins them as one more review", async () => {
    const exportLabels = async () => {
      const out = path.join(dir, "out.jsonl");
      const res = await runNode(
        CLI,
        ["export", "--state", "all", "--include-deleted", "--include-spam", "--include-synthetic", "--export-labels", "--out", out],
        {
          DATABASE_URL: server.db.url,
        },
      );
      expect(res.code, res.stderr).to.equal(0);
      const labels = new Map<string, Labels>();
      for (const line of fs.readFileSync(out, "utf8").split("\n").filter(Boolean)) {
        const walk = (n: FileNode) => {
          if (n.labels) labels.set(n.message_id, n.labels);
          for (const c of n.replies) walk(c);
        };
        walk((JSON.parse(line) as { prompt: FileNode }).prompt);
      }
      return labels;
    };
    const exported = await exportLabels();
    let checked = 0;
    for (const line of lines) {
      const walk = (n: FileNode) => {
        if (n.labels) {
          const reviewed = Object.entries(n.labels).filter(([, v]) => v.value !== null && v.count > 0);
          expect(exported.get(n.message_id), n.message_id).to.deep.equal(Object.fromEntries(reviewed));
          checked += 1;
        }
        for (const c of n.replies) walk(c);
      };
      walk((JSON.parse(line) as { prompt: FileNode }).prompt);
    }
    expect(checked).to.be.greaterThan(100);
    // One live review of a restored message: quality 1 joins the restored average with its count's weight.
    const [{ message_id, labels, label_counts }] = await ds().query(
      `SELECT message_id, labels, label_counts FROM text_labels WHERE label_counts ? 'quality' ORDER BY message_id LIMIT 1`,
    );
    await ds().query(
      `INSERT INTO text_labels (id, user_id, api_client_id, text, message_id, labels, task_id)
       SELECT gen_random_uuid(), gen_random_uuid(), api_client_id, '', id, '{"quality": 1}', gen_random_uuid() FROM message WHERE id = $1`,
      [message_id],
    );
    const after = (await exportLabels()).get(message_id)!;
    const n = label_counts.quality as number;
    expect(after.quality).to.deep.equal({ value: (labels.quality * n + 1) / (n + 1), count: n + 1 });
  });
});
