import path from "node:path";
import { expect } from "chai";
import { DatasetImporter } from "../../src/modules/datasets/import.service.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import {
  STATS_TIME_FRAMES,
  leaderboardRanks,
  leaderboardWindowBounds,
  statsWindowStart,
  trollboardRanks,
  type StatsTimeFrame,
} from "../../src/modules/consensus/scores.js";
import { TROLL_STATS_SQL, TROLL_STATS_TOTAL_SQL, USER_STATS_SQL, USER_STATS_TOTAL_SQL } from "../../src/modules/stats/stats.service.js";
import { REBUILD_SQL } from "../../src/modules/stats/stats-days-sql.js";
import { internalRequestContext } from "../../src/common/request-context.js";
import { Role } from "../../src/modules/users/role.js";

/**
 * The periodic job keeps the boards incrementally (only the users whose data changed, plus those whose activity
 * crossed a window's start; WEEK, MONTH and TOTAL from per-day buckets). The full recompute is the oracle: after
 * every kind of change, and as the windows roll forward, the stored rows of every frame equal, column for column,
 * what a full recompute at the same moment gives, and the ranks the reads number equal the board's rule (visible
 * users by score, then id; the troll board every user) over the oracle's rows.
 */
describe("stats: the incremental boards equal a full recompute after every kind of change", function () {
  this.timeout(300_000);
  let server: TestServer;
  let client: string;
  const ds = () => server.chorus.app.ds;
  const app = () => server.chorus.app;
  const DAY = 86_400_000;
  /** The moment each round's runs take as "now": it moves forward so the windows roll over. */
  let at = new Date();

  const STATS_COLUMNS = `user_id, leader_score, visible, prompts, replies_assistant, replies_prompter, labels_simple, labels_full,
    rankings_total, rankings_good, accepted_prompts, accepted_replies_assistant, accepted_replies_prompter, reply_ranked_1, reply_ranked_2, reply_ranked_3`;
  const TROLL_COLUMNS = `user_id, troll_score, red_flags, upvotes, downvotes, spam_prompts, spam, lang_mismach,
    not_appropriate, pii, hate_speech, sexual_content, political_content, quality, humor, toxicity, violence, helpfulness`;
  type Rows = { stats: Record<string, unknown>[]; troll: Record<string, unknown>[] };
  type Q = { query: (sql: string, p?: unknown[]) => Promise<Record<string, unknown>[]> };
  const read = async (q: Q, frame: StatsTimeFrame): Promise<Rows> => ({
    stats: await q.query(`SELECT ${STATS_COLUMNS} FROM user_stats WHERE time_frame = $1 ORDER BY user_id`, [frame]),
    troll: await q.query(`SELECT ${TROLL_COLUMNS} FROM troll_stats WHERE time_frame = $1 ORDER BY user_id`, [frame]),
  });

  /** The full recompute of one frame at `at`, in a transaction that is rolled back. */
  async function oracle(frame: StatsTimeFrame): Promise<Rows> {
    const qr = ds().createQueryRunner();
    await qr.startTransaction();
    try {
      const baseDate = statsWindowStart(frame, at);
      await qr.query(`DELETE FROM user_stats WHERE time_frame = $1`, [frame]);
      await qr.query(`DELETE FROM troll_stats WHERE time_frame = $1`, [frame]);
      await qr.query(frame === "total" ? USER_STATS_TOTAL_SQL : USER_STATS_SQL, [baseDate, frame]);
      await qr.query(frame === "total" ? TROLL_STATS_TOTAL_SQL : TROLL_STATS_SQL, [baseDate, frame]);
      return await read(qr, frame);
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
  }

  /**
   * Every frame's scheduled run at `at` (in the given order: the first of WEEK, MONTH and TOTAL to run brings the
   * shared buckets up to date), each checked against the oracle, and its ranks as the reads number them.
   */
  async function runAndCompare(label: string, frames: readonly StatsTimeFrame[] = STATS_TIME_FRAMES): Promise<void> {
    for (const frame of frames) {
      const refreshed = await app().stats.refresh(frame, at);
      const expected = await oracle(frame);
      const stored = await read(ds(), frame);
      expect(stored, `${label}: ${frame}`).to.deep.equal(expected);
      expect(refreshed.users, `${label}: ${frame} users`).to.equal(expected.stats.length);
      expect(refreshed.rankedUsers, `${label}: ${frame} ranked`).to.equal(expected.stats.filter((r) => r.visible).length);
      expect(refreshed.trollUsers, `${label}: ${frame} troll users`).to.equal(expected.troll.length);
      expect(refreshed.baseDate?.getTime() ?? null, `${label}: ${frame} base`).to.equal(statsWindowStart(frame, at)?.getTime() ?? null);
      await compareRanks(`${label}: ${frame}`, frame, expected);
    }
    await compareScoreCounts(label);
  }

  /** The per-score counts the triggers keep (one user's rank sums them) equal a count of the visible rows. */
  async function compareScoreCounts(label: string): Promise<void> {
    const kept = await ds().query(`SELECT time_frame, leader_score, n FROM stats_score_count ORDER BY 1, 2`);
    const counted = await ds().query(`SELECT time_frame, leader_score, count(*)::int AS n FROM user_stats WHERE visible GROUP BY 1, 2 ORDER BY 1, 2`);
    expect(kept, `${label}: score counts`).to.deep.equal(counted);
  }

  /** The per-day buckets and running sums as they are, and as a rebuild from every source row gives them (rolled back). */
  async function buckets(): Promise<{ kept: unknown[]; rebuilt: unknown[] }> {
    const q = (qr: Q) =>
      qr
        .query(`SELECT to_jsonb(d) AS row FROM stats_day d ORDER BY user_id, day`)
        .then(async (days) => [days, await qr.query(`SELECT to_jsonb(t) AS row FROM stats_total t ORDER BY user_id`)]);
    const kept = await q(ds());
    const qr = ds().createQueryRunner();
    await qr.startTransaction();
    try {
      for (const sql of REBUILD_SQL) await qr.query(sql);
      return { kept, rebuilt: await q(qr) };
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
  }

  /**
   * The ranks the reads give (the whole leaderboard in pages of 7, a user's stats, the troll board) against the
   * boards' rule over the oracle's rows: visible users by score, then id; every troll board row by score, then id.
   */
  async function compareRanks(label: string, frame: StatsTimeFrame, expected: Rows): Promise<void> {
    const rc = internalRequestContext("system", app().log, Role.ADMIN);
    const want = leaderboardRanks(
      expected.stats.map((r) => ({ userId: String(r.user_id), leaderScore: Number(r.leader_score), showOnLeaderboard: Boolean(r.visible), enabled: true })),
    );
    const pages: { userId: string; rank: number | null }[] = [];
    for (let after = 0; ; ) {
      const page = await app().stats.leaderboard(rc, frame, 7, after);
      pages.push(...page.nodes.map((n) => ({ userId: n.userId, rank: n.rank })));
      if (!page.hasNextPage) break;
      after = page.nodes[page.nodes.length - 1].rank!;
    }
    const ranked = [...want].filter(([, r]) => r !== null).map(([userId, rank]) => ({ userId, rank }));
    ranked.sort((a, b) => a.rank! - b.rank!);
    expect(pages, `${label}: leaderboard`).to.deep.equal(ranked);
    // a user's own rank, and its windows, for a few users (ranked or not; at the top, in the middle, at the bottom)
    const picked = new Set([
      ...expected.stats.slice(0, 6).map((r) => String(r.user_id)),
      ...[0, 1, Math.floor(ranked.length / 2), ranked.length - 2, ranked.length - 1].filter((i) => i >= 0 && i < ranked.length).map((i) => ranked[i].userId),
    ]);
    for (const userId of picked) {
      const scores = await app().stats.userStats(rc, userId);
      expect(scores[STATS_TIME_FRAMES.indexOf(frame)].rank, `${label}: userStats rank of ${userId}`).to.equal(want.get(userId));
      for (const size of [1, 4, 5]) {
        const window = await app().stats.leaderboardWindow(rc, userId, frame, size);
        const rank = want.get(userId);
        if (rank === null || rank === undefined) {
          expect(window, `${label}: window of an unranked user`).to.equal(null);
          continue;
        }
        const { first, last } = leaderboardWindowBounds(rank, size, ranked.length);
        expect(
          window?.map((n) => [n.userId, n.rank]),
          `${label}: window of ${size} around rank ${rank}`,
        ).to.deep.equal(ranked.filter((r) => r.rank! >= first && r.rank! <= last).map((r) => [r.userId, r.rank]));
      }
    }
    const troll = trollboardRanks(expected.troll.map((r) => ({ userId: String(r.user_id), trollScore: Number(r.troll_score) })));
    const trollPage = await app().stats.trollboard(rc, frame, 10_000, 0, null);
    expect(
      trollPage.nodes.map((n) => [n.userId, n.rank]),
      `${label}: troll board`,
    ).to.deep.equal([...troll].sort((a, b) => a[1] - b[1]));
  }

  /** A user of the seeded population (some ids have no user row: activity of unknown authors counts nowhere). */
  const user = (i: number | string) => `md5('inc-u' || ${i})::uuid`;

  before(async () => {
    // the scheduled runs (at the real clock) would race the test's own runs: about once in three weeks
    server = await startTestServer({ LOCAL_WORKER: "false", STATS_REFRESH_MINUTES: "30000,30000,30000,30000" });
    client = (await server.createClient({ name: "data", trusted: true })).id;
    await ds().transaction(async (em) => {
      await em.query(`SELECT setseed(0.23)`);
      await em.query(
        `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id, show_on_leaderboard, enabled, deleted)
         SELECT ${user("i")}, 'inc-' || i, 'local', 'Inc ' || i, $1, i % 7 <> 0, i % 11 <> 0, i % 13 = 0
         FROM generate_series(1, 80) AS i`,
        [client],
      );
    });
    // activity spread over 60 days before the first run: every window has rows inside and outside
    await addMessages(0, 600, 60);
    await addTasks(0, 400, 60);
    await addLabels(0, 500);
    await addBallots(0, 400, 60);
  });
  after(async () => {
    await server.stop();
  });

  /**
   * The id numbers each helper has used: rows are keyed by them (inc-m<n>, inc-t<n>, inc-r<n>), so a range used twice
   * collides whenever the random author drawn for a number is the same both times (a ballot's key is task and user):
   * a failure in some runs only. Every helper call takes numbers no earlier call of its kind took.
   */
  const used = new Map<string, [number, number][]>();
  function takeIds(kind: string, from: number, count: number): void {
    const ranges = used.get(kind) ?? [];
    const clash = ranges.find(([a, n]) => from < a + n && a < from + count);
    if (clash) throw new Error(`${kind} ids ${from}..${from + count - 1} overlap ${clash[0]}..${clash[0] + clash[1] - 1}, taken earlier`);
    used.set(kind, [...ranges, [from, count]]);
  }

  /**
   * Trees of 4 (a prompt, 3 replies) with ids inc-m<n>; authors: a user, an id without a user row (n % 23 = 5) or
   * nobody (n % 29 = 3); created within `days` before `at`.
   */
  async function addMessages(from: number, count: number, days: number): Promise<void> {
    takeIds("message", from, count);
    await ds().query(
      `INSERT INTO message (id, parent_id, message_tree_id, user_id, role, api_client_id, frontend_message_id, created_date, text,
                            depth, deleted, review_count, review_result, emojis)
       SELECT md5('inc-m' || i)::uuid,
              CASE WHEN i % 4 = 0 THEN NULL ELSE md5('inc-m' || (i - i % 4))::uuid END,
              md5('inc-m' || (i - i % 4))::uuid,
              CASE WHEN i % 29 = 3 THEN NULL WHEN i % 23 = 5 THEN md5('inc-ghost' || i)::uuid ELSE ${user("(1 + floor(random() * 80))::int")} END,
              CASE WHEN i % 4 IN (0, 3) THEN 'prompter' ELSE 'assistant' END,
              $1, 'inc-' || i, $2::timestamptz - random() * $3 * interval '1 day', 'text ' || i, CASE WHEN i % 4 = 0 THEN 0 ELSE 1 END,
              random() < 0.1, 3, CASE WHEN random() < 0.1 THEN NULL ELSE random() < 0.8 END,
              CASE WHEN random() < 0.4 THEN jsonb_build_object('+1', floor(random() * 3)::int, '-1', floor(random() * 2)::int, 'red_flag', floor(random() * 2)::int) ELSE '{}'::jsonb END
       FROM generate_series($4::int, $4::int + $5::int - 1) AS i`,
      [client, at, days, from, count],
    );
    await ds().query(
      `INSERT INTO message_tree_state (message_tree_id, goal_tree_size, max_depth, max_children_count, state, active, lang)
       SELECT md5('inc-m' || i)::uuid, 4, 3, 3, CASE WHEN random() < 0.2 THEN 'aborted_low_grade' ELSE 'ready_for_export' END, false, 'en'
       FROM generate_series($1::int, $1::int + $2::int - 1) AS i WHERE i % 4 = 0`,
      [from, count],
    );
  }

  /** Label and reply tasks (only done label tasks count), some without a user. */
  async function addTasks(from: number, count: number, days: number): Promise<void> {
    takeIds("task", from, count);
    await ds().query(
      `INSERT INTO task (id, created_date, user_id, payload_type, payload, api_client_id, ack, done)
       SELECT md5('inc-t' || i)::uuid, $2::timestamptz - random() * $3 * interval '1 day',
              CASE WHEN i % 31 = 0 THEN NULL ELSE ${user("(1 + floor(random() * 80))::int")} END,
              (ARRAY['LabelInitialPromptPayload', 'LabelAssistantReplyPayload', 'LabelPrompterReplyPayload', 'AssistantReplyPayload'])[1 + i % 4],
              jsonb_build_object('mode', CASE WHEN random() < 0.5 THEN 'full' ELSE 'simple' END), $1, true, random() < 0.8
       FROM generate_series($4::int, $4::int + $5::int - 1) AS i`,
      [client, at, days, from, count],
    );
  }

  /** Labels on random messages among the first 4 × trees ones. */
  async function addLabels(from: number, count: number): Promise<void> {
    const [{ n }] = await ds().query(`SELECT count(*)::int AS n FROM message WHERE frontend_message_id LIKE 'inc-%'`);
    await ds().query(
      `INSERT INTO text_labels (id, user_id, created_date, api_client_id, message_id, labels, task_id)
       SELECT md5('inc-l' || i)::uuid, ${user("(1 + floor(random() * 80))::int")}, $2, $1,
              md5('inc-m' || floor(random() * $5)::int)::uuid,
              jsonb_build_object('spam', (random() < 0.2)::int, 'lang_mismach', (random() < 0.1)::int, 'pii', round(random()::numeric, 2),
                                 'hate_speech', (random() < 0.1)::int, 'quality', round(random()::numeric * 4) / 4, 'toxicity', round(random()::numeric * 4) / 4),
              md5('inc-lt' || i)::uuid
       FROM generate_series($3::int, $3::int + $4::int - 1) AS i
       ON CONFLICT DO NOTHING`,
      [client, at, from, count, n],
    );
  }

  /** Ballots of 1 to 4 ids over a tree's replies; some name an unknown message. */
  async function addBallots(from: number, count: number, days: number): Promise<void> {
    takeIds("ballot", from, count);
    const [{ trees }] = await ds().query(`SELECT count(*)::int AS trees FROM message WHERE frontend_message_id LIKE 'inc-%' AND parent_id IS NULL`);
    await ds().query(
      `INSERT INTO message_reaction (task_id, user_id, created_date, payload_type, payload, api_client_id, message_id)
       SELECT md5('inc-r' || i)::uuid, ${user("(1 + floor(random() * 80))::int")}, $2::timestamptz - random() * $3 * interval '1 day',
              'RankingReactionPayload',
              jsonb_build_object('type', 'message_ranking', 'ranked_message_ids',
                (SELECT jsonb_agg(CASE WHEN k = 2 AND i % 17 = 0 THEN md5('inc-missing' || i)::uuid::text ELSE md5('inc-m' || (t * 4 + 1 + (i + k) % 3))::uuid::text END ORDER BY k)
                 FROM generate_series(0, i % 4) AS k)),
              $1, md5('inc-m' || (t * 4))::uuid
       FROM (SELECT i, floor(random() * $6)::int AS t FROM generate_series($4::int, $4::int + $5::int - 1) AS i) AS b`,
      [client, at, days, from, count, trees],
    );
  }

  /** Some rows of `table` picked by a seeded random draw. */
  const some = (table: string, share: number, extra = "true") =>
    `SELECT id FROM ${table} WHERE ${extra} AND abs(hashtext(id::text || '${at.getTime()}')) % 1000 < ${Math.round(share * 1000)}`;

  it("the first scheduled runs (every seeded user marked) equal the full recompute", async () => {
    await runAndCompare("seeded");
    const [{ marks }] = await ds().query(`SELECT count(*)::int AS marks FROM stats_dirty`);
    expect(marks).to.equal(0);
  });

  it("a run with nothing changed changes nothing", async () => {
    const before = await Promise.all(STATS_TIME_FRAMES.map((f) => read(ds(), f)));
    await runAndCompare("unchanged");
    expect(await Promise.all(STATS_TIME_FRAMES.map((f) => read(ds(), f)))).to.deep.equal(before);
  });

  it("new prompts and replies, by known users, unknown ids and nobody", async () => {
    at = new Date(at.getTime() + 3_600_000);
    await addMessages(600, 120, 1);
    await runAndCompare("messages");
    // an incremental run: only the changed users' rows were written again
    const [{ stamps }] = await ds().query(`SELECT count(DISTINCT modified_date)::int AS stamps FROM user_stats WHERE time_frame = 'total'`);
    expect(stamps).to.be.greaterThan(1);
  });

  it("labels: label tasks done, new label tasks, labels on messages, a label changed", async () => {
    at = new Date(at.getTime() + 3_600_000);
    await ds().query(`UPDATE task SET done = true WHERE id IN (${some("task", 0.3, "NOT done")})`);
    await addTasks(400, 80, 1);
    await addLabels(500, 100);
    await ds().query(`UPDATE text_labels SET labels = labels || '{"spam": 1, "quality": 1}'::jsonb WHERE id IN (${some("text_labels", 0.1)})`);
    await ds().query(`UPDATE task SET payload = '{"mode": "full"}'::jsonb WHERE id IN (${some("task", 0.1)})`);
    await runAndCompare("labels");
  });

  it("rankings: new ballots, a ballot reordered, ballots deleted", async () => {
    at = new Date(at.getTime() + 3_600_000);
    await addBallots(400, 80, 1);
    await ds().query(
      `UPDATE message_reaction SET payload = jsonb_set(payload, '{ranked_message_ids}', (SELECT jsonb_agg(e ORDER BY n DESC) FROM jsonb_array_elements(payload->'ranked_message_ids') WITH ORDINALITY AS x(e, n)))
       WHERE task_id IN (SELECT task_id FROM message_reaction WHERE abs(hashtext(task_id::text)) % 10 = 0)`,
    );
    await ds().query(`DELETE FROM message_reaction WHERE task_id IN (SELECT task_id FROM message_reaction WHERE abs(hashtext(task_id::text)) % 10 = 1)`);
    await runAndCompare("rankings");
  });

  it("reviews accepted and rejected, emojis, deletions and undeletions", async () => {
    at = new Date(at.getTime() + 3_600_000);
    // updates the boards do not read mark nobody (nothing is marked before them: the last round took every mark)
    await ds().query(`UPDATE message SET review_count = review_count + 1, ranking_count = ranking_count + 1`);
    const [{ marks }] = await ds().query(`SELECT count(*)::int AS marks FROM stats_dirty`);
    expect(marks).to.equal(0);
    await ds().query(`UPDATE message SET review_result = true WHERE id IN (${some("message", 0.1, "review_result IS NOT TRUE")})`);
    await ds().query(`UPDATE message SET review_result = false WHERE id IN (${some("message", 0.05, "review_result")})`);
    await ds().query(`UPDATE message SET emojis = jsonb_build_object('red_flag', 2, '+1', 1) WHERE id IN (${some("message", 0.05)})`);
    await ds().query(`UPDATE message SET deleted = NOT deleted WHERE id IN (${some("message", 0.05)})`);
    await runAndCompare("reviews");
  });

  it("tree states: prompts aborted as low grade (spam prompts) and back", async () => {
    at = new Date(at.getTime() + 3_600_000);
    await ds().query(`UPDATE message_tree_state SET state = 'aborted_low_grade' WHERE message_tree_id IN (${some("message", 0.3, "parent_id IS NULL")})`);
    await ds().query(
      `UPDATE message_tree_state SET state = 'ready_for_export' WHERE state = 'aborted_low_grade' AND message_tree_id IN (${some("message", 0.3, "parent_id IS NULL")})`,
    );
    await runAndCompare("tree states");
  });

  it("authors changed, hard deletions, users hidden, disabled, deleted and created for earlier unknown ids", async () => {
    at = new Date(at.getTime() + 3_600_000);
    await ds().query(`UPDATE message SET user_id = ${user(5)} WHERE id IN (${some("message", 0.03)})`);
    await ds().query(`DELETE FROM message_tree_state WHERE message_tree_id IN (SELECT md5('inc-m' || i)::uuid FROM generate_series(0, 40, 4) AS i)`);
    await ds().query(`DELETE FROM message WHERE id IN (SELECT md5('inc-m' || i)::uuid FROM generate_series(1, 41) AS i WHERE i % 4 <> 0)`);
    await ds().query(`DELETE FROM task WHERE id IN (${some("task", 0.05)})`);
    await ds().query(`DELETE FROM text_labels WHERE id IN (${some("text_labels", 0.05)})`);
    await ds().query(`UPDATE "user" SET show_on_leaderboard = NOT show_on_leaderboard WHERE id IN (${user(2)}, ${user(3)})`);
    await ds().query(`UPDATE "user" SET enabled = NOT enabled WHERE id IN (${user(4)}, ${user(11)})`);
    await ds().query(`UPDATE "user" SET deleted = true WHERE id = ${user(6)}`);
    // an id that had activity before it had a user row
    await ds().query(
      `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id)
       SELECT DISTINCT user_id, 'late-' || user_id, 'local', 'Late', $1::uuid FROM message WHERE frontend_message_id = 'inc-5' AND user_id IS NOT NULL
       ON CONFLICT DO NOTHING`,
      [client],
    );
    await runAndCompare("authors and users");
  });

  it("moderation: a merge of users and a purge with ban", async () => {
    at = new Date(at.getTime() + 3_600_000);
    const rc = internalRequestContext("system", app().log, Role.ADMIN);
    await app().userAdmin.merge(rc, await id(8), [await id(9), await id(10)]);
    await app().purge.purgeUser(rc, await id(12), true, false);
    await runAndCompare("moderation");
  });

  it("the buckets brought up to date by TOTAL's run, then MONTH's and WEEK's from them; ballots and labels on old days", async () => {
    at = new Date(at.getTime() + 3_600_000);
    await addMessages(2000, 40, 1);
    // changes dated on earlier days: a label on an old message, ballots of a month ago reordered, an old task done
    await ds().query(`UPDATE text_labels SET labels = labels || '{"hate_speech": 1, "toxicity": 0.5}'::jsonb WHERE id IN (${some("text_labels", 0.05)})`);
    await ds().query(
      `UPDATE message_reaction SET payload = jsonb_set(payload, '{ranked_message_ids}', (SELECT jsonb_agg(e ORDER BY n DESC) FROM jsonb_array_elements(payload->'ranked_message_ids') WITH ORDINALITY AS x(e, n)))
       WHERE created_date < $1::timestamptz - interval '20 days' AND abs(hashtext(task_id::text)) % 10 = 2`,
      [at],
    );
    await ds().query(`UPDATE task SET done = NOT done WHERE id IN (${some("task", 0.05)})`);
    await runAndCompare("reversed order", [...STATS_TIME_FRAMES].reverse());
  });

  it("a hard-deleted reply loses its ballot credit on the ballots' days; an invalidation rebuilds the buckets", async () => {
    at = new Date(at.getTime() + 3_600_000);
    // replies named by ballots: their credit is dated by the ballots, not by the reply
    await ds().query(
      `DELETE FROM message WHERE id IN (SELECT stats_try_uuid(payload->'ranked_message_ids'->>0) FROM message_reaction WHERE abs(hashtext(task_id::text)) % 10 = 3)
         AND NOT EXISTS (SELECT 1 FROM message c WHERE c.parent_id = message.id)`,
    );
    await runAndCompare("credit deleted");
    // what a TRUNCATE of a source table's trigger does: every frame recomputed in full, the buckets rebuilt
    await ds().query(`DELETE FROM stats_frame`);
    at = new Date(at.getTime() + 3_600_000);
    await addLabels(1000, 50);
    await runAndCompare("after invalidation");
    const [{ built }] = await ds().query(`SELECT count(*)::int AS built FROM stats_frame WHERE time_frame = 'days'`);
    expect(built).to.equal(1);
  });

  it("the day-counter job between changes brings the buckets up to date; the windows' runs after it equal the full recompute", async () => {
    at = new Date(at.getTime() + 3_600_000);
    await addMessages(2100, 40, 1);
    await addBallots(600, 20, 3);
    await ds().query(`UPDATE task SET done = NOT done WHERE id IN (${some("task", 0.03)})`);
    await server.chorus.runJob("leaderboard-day-counters");
    const [{ marks }] = await ds().query(`SELECT count(*)::int AS marks FROM stats_day_dirty`);
    expect(marks).to.equal(0);
    const { kept, rebuilt } = await buckets();
    expect(kept).to.deep.equal(rebuilt);
    // changes after the job: the windows' runs bring the buckets up to date for those only
    await addLabels(1100, 40);
    await ds().query(`UPDATE message SET deleted = NOT deleted WHERE id IN (${some("message", 0.02)})`);
    await runAndCompare("after the day-counter job", [...STATS_TIME_FRAMES].reverse());
    // nothing marked: the job changes nothing
    const before = await buckets();
    const r = await app().stats.refreshDayCounters();
    expect(r).to.deep.equal({ rebuilt: false, marks: 0 });
    expect((await buckets()).kept).to.deep.equal(before.kept);
  });

  it("windows rolling over: an hour, a day, eight days, a month later, without other changes", async () => {
    for (const [label, ms] of [
      ["an hour", 3_600_000],
      ["a day", DAY],
      ["eight days", 8 * DAY],
      ["a month", 31 * DAY],
    ] as const) {
      at = new Date(at.getTime() + ms);
      await runAndCompare(`rolled ${label}`);
    }
  });

  it("activity dated into windows the clock has not reached, then the clock going back", async () => {
    await addMessages(720, 80, 0.5);
    await addBallots(480, 40, 0.5);
    at = new Date(at.getTime() - 2 * DAY);
    await runAndCompare("clock back");
    at = new Date(at.getTime() + 3 * DAY);
    await runAndCompare("clock forward");
  });

  it("a change marking most users (as an import does) is taken by the full recompute, with the same rows", async () => {
    at = new Date(at.getTime() + 3_600_000);
    await ds().query(
      `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id)
       SELECT md5('inc-bulk' || i)::uuid, 'inc-bulk-' || i, 'local', 'Bulk ' || i, $1 FROM generate_series(1, 1500) AS i`,
      [client],
    );
    await ds().query(
      `INSERT INTO message (id, parent_id, message_tree_id, user_id, role, api_client_id, frontend_message_id, created_date, text, review_result)
       SELECT md5('inc-bulk-m' || i)::uuid, NULL, md5('inc-bulk-m' || i)::uuid, md5('inc-bulk' || i)::uuid, 'prompter', $1,
              'inc-bulk-' || i, $2::timestamptz - interval '1 minute', 'bulk ' || i, i % 2 = 0
       FROM generate_series(1, 1500) AS i`,
      [client, at],
    );
    await runAndCompare("bulk");
    const [{ marks }] = await ds().query(`SELECT count(*)::int AS marks FROM stats_dirty`);
    expect(marks).to.equal(0);
    // the full recompute wrote every row of the window in one transaction (an incremental run only the changed ones)
    const [{ stamps }] = await ds().query(`SELECT count(DISTINCT modified_date)::int AS stamps FROM user_stats WHERE time_frame = 'total'`);
    expect(stamps).to.equal(1);
  });

  it("a dataset restore marks no users, asks for a full recompute instead, and the boards count what it wrote", async () => {
    at = new Date(at.getTime() + 3_600_000);
    const summary = await new DatasetImporter(ds(), {
      mode: "restore",
      origin: null,
      modelName: null,
      numActivate: 0,
      maxCount: null,
      dryRun: false,
      restoredTreeLimits: { goalTreeSize: 12, maxDepth: 5, maxChildrenCount: 5 },
    }).run(path.resolve("test/fixtures/oasst2-sample.trees.jsonl"));
    expect(summary.treesImported).to.equal(40);
    // the nil mark, and none for the restored authors (only the import's few system users, written outside its batches)
    const marks: { user_id: string }[] = await ds().query(`SELECT DISTINCT user_id FROM stats_dirty`);
    expect(marks.map((m) => m.user_id)).to.include("00000000-0000-0000-0000-000000000000");
    const [{ authors }] = await ds().query(
      `SELECT count(*)::int AS authors FROM stats_dirty d JOIN "user" u ON u.id = d.user_id WHERE u.auth_method = 'import'`,
    );
    expect(authors).to.equal(0);
    const [{ imported }] = await ds().query(`SELECT count(*)::int AS imported FROM "user" WHERE auth_method = 'import'`);
    expect(imported).to.be.greaterThan(10);
    await runAndCompare("restore");
    const [{ stamps }] = await ds().query(`SELECT count(DISTINCT modified_date)::int AS stamps FROM user_stats WHERE time_frame = 'total'`);
    expect(stamps).to.equal(1);
    const [{ restored }] = await ds().query(
      `SELECT count(*)::int AS restored FROM user_stats s JOIN message m ON m.user_id = s.user_id WHERE s.time_frame = 'total' AND m.frontend_message_id NOT LIKE 'inc-%'`,
    );
    expect(restored).to.be.greaterThan(0);
  });

  it("the admin refresh (a full recompute) and the scheduled runs after it agree", async () => {
    at = new Date();
    await addMessages(800, 40, 1);
    const res = await app().stats.refreshByAdmin(internalRequestContext("system", app().log, Role.ADMIN));
    expect(res.map((r) => r.timeFrame)).to.deep.equal([...STATS_TIME_FRAMES]);
    await addBallots(520, 40, 1);
    await runAndCompare("after the admin refresh");
  });

  async function id(i: number): Promise<string> {
    const [{ id: v }] = await ds().query(`SELECT ${user(i)}::text AS id`);
    return v as string;
  }
});
