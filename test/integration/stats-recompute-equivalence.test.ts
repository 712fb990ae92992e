import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { gql } from "../helpers/graphql.js";
import { STATS_TIME_FRAMES, statsWindowStart, type StatsTimeFrame } from "../../src/modules/consensus/scores.js";
import { TROLL_STATS_TOTAL_SQL, USER_STATS_TOTAL_SQL } from "../../src/modules/stats/stats.service.js";
import { LeaderboardDocument, RefreshLeaderboardsDocument, TrollboardDocument, UserStatsDocument } from "../../client/generated/graphql.js";

/** The recompute statements as they were before the restructuring (ballot positions, user joins). */
const BEFORE = JSON.parse(fs.readFileSync(path.join(__dirname, "../../../test/fixtures/stats-recompute-before.json"), "utf8")) as {
  user_stats: string;
  troll_stats: string;
};

const WINDOW: Record<StatsTimeFrame, "DAY" | "WEEK" | "MONTH" | "TOTAL"> = { day: "DAY", week: "WEEK", month: "MONTH", total: "TOTAL" };

describe("stats recompute: the restructured statements give the rows the earlier ones gave", function () {
  this.timeout(120_000);
  let server: TestServer;
  const ds = () => server.chorus.app.ds;

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false" });
    const client = (await server.createClient({ name: "data", trusted: true })).id;
    // A seeded random data set with the awkward cases: ballots of one to four replies, ballots naming deleted
    // replies, replies of authors with no user row, unknown ids, replies without author; hidden, disabled and
    // deleted users; items on both sides of every window's start.
    await ds().transaction(async (em) => {
      await em.query(`SELECT setseed(0.17)`);
      await em.query(
        `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id, show_on_leaderboard, enabled, deleted)
         SELECT md5('eq-u' || i)::uuid, 'eq-' || i, 'local', 'Eq ' || i, $1, i % 7 <> 0, i % 11 <> 0, i % 13 = 0
         FROM generate_series(1, 60) AS i`,
        [client],
      );
      // author: a user, an id without a user row (i % 23 = 5), or nobody (i % 29 = 3)
      await em.query(
        `INSERT INTO message (id, parent_id, message_tree_id, user_id, role, api_client_id, frontend_message_id, created_date, text,
                              depth, deleted, review_count, review_result, emojis)
         SELECT md5('eq-m' || i)::uuid,
                CASE WHEN i % 4 = 0 THEN NULL ELSE md5('eq-m' || (i - i % 4))::uuid END,
                md5('eq-m' || (i - i % 4))::uuid,
                CASE WHEN i % 29 = 3 THEN NULL WHEN i % 23 = 5 THEN md5('eq-ghost' || i)::uuid ELSE md5('eq-u' || (1 + floor(random() * 60))::int)::uuid END,
                CASE WHEN i % 4 IN (0, 3) THEN 'prompter' ELSE 'assistant' END,
                $1, 'eq-' || i, now() - random() * interval '60 days', 'text ' || i, CASE WHEN i % 4 = 0 THEN 0 ELSE 1 END,
                random() < 0.1, 3, CASE WHEN random() < 0.1 THEN NULL ELSE random() < 0.8 END,
                CASE WHEN random() < 0.4 THEN jsonb_build_object('+1', floor(random() * 3)::int, '-1', floor(random() * 2)::int, 'red_flag', floor(random() * 2)::int) ELSE '{}'::jsonb END
         FROM generate_series(0, 799) AS i`,
        [client],
      );
      await em.query(
        `INSERT INTO message_tree_state (message_tree_id, goal_tree_size, max_depth, max_children_count, state, active, lang)
         SELECT md5('eq-m' || i)::uuid, 4, 3, 3, CASE WHEN random() < 0.2 THEN 'aborted_low_grade' ELSE 'ready_for_export' END, false, 'en'
         FROM generate_series(0, 799, 4) AS i`,
      );
      await em.query(
        `INSERT INTO task (id, created_date, user_id, payload_type, payload, api_client_id, ack, done)
         SELECT md5('eq-t' || i)::uuid, now() - random() * interval '60 days', CASE WHEN i % 31 = 0 THEN NULL ELSE md5('eq-u' || (1 + floor(random() * 60))::int)::uuid END,
                (ARRAY['LabelInitialPromptPayload', 'LabelAssistantReplyPayload', 'LabelPrompterReplyPayload', 'AssistantReplyPayload'])[1 + i % 4],
                jsonb_build_object('mode', CASE WHEN random() < 0.5 THEN 'full' ELSE 'simple' END), $1, true, random() < 0.8
         FROM generate_series(1, 600) AS i`,
        [client],
      );
      await em.query(
        `INSERT INTO text_labels (id, user_id, created_date, api_client_id, message_id, labels, task_id)
         SELECT md5('eq-l' || i)::uuid, md5('eq-u' || (1 + floor(random() * 60))::int)::uuid, now() - random() * interval '60 days', $1,
                md5('eq-m' || floor(random() * 800)::int)::uuid,
                jsonb_build_object('spam', (random() < 0.2)::int, 'lang_mismach', (random() < 0.1)::int, 'pii', round(random()::numeric, 2),
                                   'hate_speech', (random() < 0.1)::int, 'quality', round(random()::numeric * 4) / 4, 'toxicity', round(random()::numeric * 4) / 4),
                md5('eq-lt' || i)::uuid
         FROM generate_series(1, 700) AS i
         ON CONFLICT DO NOTHING`,
        [client],
      );
      // ballots over a tree's replies, of 1 to 4 ids; some name an unknown message
      await em.query(
        `INSERT INTO message_reaction (task_id, user_id, created_date, payload_type, payload, api_client_id, message_id)
         SELECT md5('eq-r' || i)::uuid, md5('eq-u' || (1 + floor(random() * 60))::int)::uuid, now() - random() * interval '60 days',
                'RankingReactionPayload',
                jsonb_build_object('type', 'message_ranking', 'ranked_message_ids',
                  (SELECT jsonb_agg(CASE WHEN k = 2 AND i % 17 = 0 THEN md5('eq-missing' || i)::uuid::text ELSE md5('eq-m' || (t * 4 + 1 + (i + k) % 3))::uuid::text END ORDER BY k)
                   FROM generate_series(0, i % 4) AS k)),
                $1, md5('eq-m' || (t * 4))::uuid
         FROM (SELECT i, floor(random() * 200)::int AS t FROM generate_series(1, 500) AS i) AS b`,
        [client],
      );
      // reactions that are not ballots do not count
      await em.query(
        `INSERT INTO message_reaction (task_id, user_id, created_date, payload_type, payload, api_client_id, message_id)
         SELECT md5('eq-x' || i)::uuid, md5('eq-u' || i)::uuid, now(), 'SomethingElsePayload',
                jsonb_build_object('ranked_message_ids', jsonb_build_array(md5('eq-m1')::uuid::text)), $1, NULL
         FROM generate_series(1, 5) AS i`,
        [client],
      );
    });
  });
  after(async () => {
    await server.stop();
  });

  const STATS_COLUMNS = `time_frame, user_id, base_date, leader_score, prompts, replies_assistant, replies_prompter, labels_simple, labels_full,
    rankings_total, rankings_good, accepted_prompts, accepted_replies_assistant, accepted_replies_prompter, reply_ranked_1, reply_ranked_2, reply_ranked_3`;
  const TROLL_COLUMNS = `time_frame, user_id, base_date, troll_score, red_flags, upvotes, downvotes, spam_prompts, spam, lang_mismach,
    not_appropriate, pii, hate_speech, sexual_content, political_content, quality, humor, toxicity, violence, helpfulness`;
  type Rows = { stats: Record<string, unknown>[]; troll: Record<string, unknown>[] };
  /**
   * A frame's rows. The earlier statements stored ranks (visible users ranked, the others not), the current ones
   * a visibility flag that reads rank by: the earlier rows are read with `visible` as "has a rank", and their
   * ranks apart (`rank`), left out of the comparison.
   */
  const read = async (
    q: { query: (sql: string, p?: unknown[]) => Promise<Record<string, unknown>[]> },
    frame: StatsTimeFrame,
    earlier = false,
  ): Promise<Rows> => ({
    stats: await q.query(
      `SELECT ${STATS_COLUMNS}, ${earlier ? "rank IS NOT NULL AS visible, rank" : "visible"} FROM user_stats WHERE time_frame = $1 ORDER BY user_id`,
      [frame],
    ),
    troll: await q.query(`SELECT ${TROLL_COLUMNS}${earlier ? ", rank" : ""} FROM troll_stats WHERE time_frame = $1 ORDER BY user_id`, [frame]),
  });
  /** Base dates differ by the time between the two runs: compared apart; so are the earlier statements' ranks. */
  const withoutBase = (rows: Rows) => ({
    stats: rows.stats.map(({ base_date: _b, rank: _r, ...r }) => r),
    troll: rows.troll.map(({ base_date: _b, rank: _r, ...r }) => r),
  });

  /**
   * One frame computed by the given statements in a transaction that is rolled back; the earlier ones get back the
   * stored rank they wrote (migration StatsDays dropped it), for that transaction only.
   */
  async function computeWith(userSql: string, trollSql: string, frame: StatsTimeFrame, earlier = false): Promise<Rows> {
    const qr = ds().createQueryRunner();
    await qr.startTransaction();
    try {
      if (earlier) for (const t of ["user_stats", "troll_stats"]) await qr.query(`ALTER TABLE ${t} ADD COLUMN rank int`);
      const baseDate = statsWindowStart(frame, new Date());
      await qr.query(`DELETE FROM user_stats WHERE time_frame = $1`, [frame]);
      await qr.query(`DELETE FROM troll_stats WHERE time_frame = $1`, [frame]);
      await qr.query(userSql, [baseDate, frame]);
      await qr.query(trollSql, [baseDate, frame]);
      return await read(qr, frame, earlier);
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
  }

  it("the whole-history shape (TOTAL's) gives the earlier rows in every window too", async () => {
    for (const frame of STATS_TIME_FRAMES) {
      const earlier = await computeWith(BEFORE.user_stats, BEFORE.troll_stats, frame, true);
      const now = await computeWith(USER_STATS_TOTAL_SQL, TROLL_STATS_TOTAL_SQL, frame);
      expect(now.stats.length, frame).to.be.greaterThan(10);
      expect(withoutBase(now), frame).to.deep.equal(withoutBase(earlier));
    }
  });

  it("every window: the same user stats and troll stats, row for row, as the earlier statements", async () => {
    const before: Record<string, Rows> = {};
    for (const frame of STATS_TIME_FRAMES) before[frame] = await computeWith(BEFORE.user_stats, BEFORE.troll_stats, frame, true);
    const res = await gql(server.url, RefreshLeaderboardsDocument, { input: null }, { key: server.adminKey });
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    for (const frame of STATS_TIME_FRAMES) {
      const after = await read(ds(), frame);
      expect(after.stats.length, frame).to.be.greaterThan(10);
      expect(after.troll.length, frame).to.be.greaterThan(10);
      expect(withoutBase(after), frame).to.deep.equal(withoutBase(before[frame]));
      // the data set exercises what changed: replies ranked at each position, hidden users, orphan authors dropped
      expect(
        after.stats.some((r) => (r.reply_ranked_3 as number) > 0),
        frame,
      ).to.equal(true);
      expect(
        after.stats.some((r) => !r.visible),
        frame,
      ).to.equal(true);
    }
    const ids: string[] = (await ds().query(`SELECT user_id FROM user_stats`)).map((r: { user_id: string }) => r.user_id);
    expect(ids.filter((id) => !id).length).to.equal(0);
    const [{ ghosts }] = await ds().query(`SELECT count(*)::int AS ghosts FROM user_stats s WHERE NOT EXISTS (SELECT 1 FROM "user" u WHERE u.id = s.user_id)`);
    expect(ghosts).to.equal(0);

    // and the API reads what was computed: the TOTAL board's order (as the earlier statements ranked it) and one
    // user's counters
    const total = before.total.stats.filter((r) => r.rank !== null).sort((a, b) => (a.rank as number) - (b.rank as number));
    const board = await gql(server.url, LeaderboardDocument, { window: WINDOW.total, first: 10, after: null }, { key: server.adminKey });
    expect(board.data!.leaderboard.edges.map((e) => e.node.userId)).to.deep.equal(total.slice(0, 10).map((r) => r.user_id));
    const top = total[0];
    const us = await gql(server.url, UserStatsDocument, { userId: top.user_id as string }, { key: server.adminKey });
    expect(us.data!.userStats.total).to.include({
      leaderScore: top.leader_score,
      replyRanked1: top.reply_ranked_1,
      replyRanked2: top.reply_ranked_2,
      replyRanked3: top.reply_ranked_3,
    });
    const trolls = before.total.troll.sort((a, b) => (a.rank as number) - (b.rank as number));
    const tb = await gql(server.url, TrollboardDocument, { window: WINDOW.total, first: 5 }, { key: server.adminKey });
    expect(tb.errors, JSON.stringify(tb.errors)).to.equal(undefined);
    expect(tb.data!.trollboard.edges.map((e) => e.node.userId)).to.deep.equal(trolls.slice(0, 5).map((r) => r.user_id));
  });
});
