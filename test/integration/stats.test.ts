import crypto from "node:crypto";
import { expect } from "chai";
import pino from "pino";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { World } from "../helpers/world.js";
import type { Annotator } from "../helpers/annotator.js";
import { errorCode, gql, wsClient } from "../helpers/graphql.js";
import { testRedisUrl } from "../helpers/database.js";
import { Role } from "../../src/modules/users/role.js";
import { loadConfig } from "../../src/config/index.js";
import { startChorus, type ChorusInstance } from "../../src/app.js";
import { leaderScore, statsWindowStart } from "../../src/modules/consensus/scores.js";
import {
  LeaderboardDocument,
  LeaderboardWindowDocument,
  RefreshLeaderboardsDocument,
  SetEmojiDocument,
  SetLeaderboardVisibilityDocument,
  TrollboardDocument,
  UserStatsDocument,
  ViewerDocument,
  type LeaderboardQuery,
  type LeaderboardUpdatedSubscription,
  type StatsWindow,
  type UserScoreFieldsFragment,
} from "../../client/generated/graphql.js";
import { testRedisPrefix } from "../helpers/redis-keys.js";

async function userIdOf(server: TestServer, key: string, a: Annotator): Promise<string> {
  const res = await gql(server.url, ViewerDocument, {}, { key, user: a.userHeader });
  return res.data!.viewer.user!.id;
}

async function refresh(server: TestServer, key: string, windows?: StatsWindow[]) {
  const res = await gql(server.url, RefreshLeaderboardsDocument, { input: windows ? { windows } : null }, { key });
  expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
  return res.data!.refreshLeaderboards;
}

async function stats(server: TestServer, key: string, userId: string) {
  const res = await gql(server.url, UserStatsDocument, { userId }, { key });
  expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
  return res.data!.userStats;
}

async function board(server: TestServer, key: string, window: StatsWindow): Promise<UserScoreFieldsFragment[]> {
  const rows: UserScoreFieldsFragment[] = [];
  let after: string | null = null;
  for (;;) {
    const res: Awaited<ReturnType<typeof gql<LeaderboardQuery, unknown>>> = await gql(server.url, LeaderboardDocument, { window, first: 7, after }, { key });
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    rows.push(...res.data!.leaderboard.edges.map((e) => e.node));
    if (!res.data!.leaderboard.pageInfo.hasNextPage) return rows;
    after = res.data!.leaderboard.pageInfo.endCursor!;
  }
}

/** The score the counters give by the formula of scores.ts: the SQL of the recompute must agree. */
const scoreOf = (s: UserScoreFieldsFragment) => leaderScore(s);

describe("stats, leaderboards, streaks and the troll board (spec §6)", function () {
  this.timeout(120_000);
  let server: TestServer;
  let key: string;
  let modKey: string;
  let adminKey: string;
  before(async () => {
    server = await startTestServer({ TREE_MANAGER__GOAL_TREE_SIZE: "4" });
    key = (await server.createClient({ name: "frontend", trusted: true })).key;
    modKey = (await server.createClient({ name: "moderators", trusted: true, role: Role.MODERATOR })).key;
    adminKey = server.adminKey;
  });
  after(async () => {
    await server.stop();
  });

  it("counts real task submissions: prompts, replies, labels, rankings and the replies ranked first to third", async () => {
    const w = new World(server, key, "st1");
    const prompter = w.annotator();
    await w.growingTree(prompter);
    const repliers = [w.annotator(), w.annotator(), w.annotator()];
    const authorOf = new Map<string, Annotator>();
    for (const a of repliers) authorOf.set((await w.replyTo(a, "ASSISTANT_REPLY")).messageId, a);
    const reviewers = Array.from({ length: 9 }, () => w.annotator());
    for (const r of reviewers) await w.review(r, "LABEL_ASSISTANT_REPLY");
    const rankers = [w.annotator(), w.annotator(), w.annotator()];
    const expectedRanked = new Map<Annotator, [number, number, number]>(repliers.map((a) => [a, [0, 0, 0]]));
    for (const k of rankers) {
      const t = await w.task(k, "RANK_ASSISTANT_REPLIES", "RankAssistantRepliesTask");
      const { frontendMessageId } = await k.ack(t.id);
      expect((await k.rank(frontendMessageId, [0, 1, 2])).errors).to.equal(undefined);
      t.replyMessages.slice(0, 3).forEach((m, pos) => expectedRanked.get(authorOf.get(m.id)!)![pos]++);
    }
    await refresh(server, adminKey);

    const p = await stats(server, key, await userIdOf(server, key, prompter));
    expect(p.total).to.include({ prompts: 1, acceptedPrompts: 1, repliesAssistant: 0, leaderScore: 0, level: 1, window: "TOTAL" });
    expect(p.day).to.include({ prompts: 1, acceptedPrompts: 1 });
    expect(p.level).to.equal(1);

    for (const a of repliers) {
      const s = await stats(server, key, await userIdOf(server, key, a));
      const [r1, r2, r3] = expectedRanked.get(a)!;
      // each reply had three reviews with spam 0: accepted
      expect(s.total).to.include({ repliesAssistant: 1, acceptedRepliesAssistant: 1, replyRanked1: r1, replyRanked2: r2, replyRanked3: r3 });
      expect(s.total.leaderScore).to.equal(8 + 9 * r1 + 3 * r2 + r3);
      expect(s.total.leaderScore).to.equal(scoreOf(s.total));
    }
    for (const r of reviewers) {
      // assistant replies asked for by type are labelled in full mode
      const s = await stats(server, key, await userIdOf(server, key, r));
      expect(s.total).to.include({ labelsFull: 1, labelsSimple: 0, leaderScore: 2, level: 1 });
    }
    for (const k of rankers) {
      const s = await stats(server, key, await userIdOf(server, key, k));
      expect(s.total).to.include({ rankingsTotal: 1, leaderScore: 1 });
      expect(s.week).to.include({ rankingsTotal: 1 });
    }
  });

  it("a user without activity gets zero counters and level 0 in every window; an unknown user is NOT_FOUND", async () => {
    const w = new World(server, key, "st2");
    const idle = w.annotator();
    const id = await userIdOf(server, key, idle);
    await refresh(server, adminKey);
    const s = await stats(server, key, id);
    for (const frame of [s.day, s.week, s.month, s.total]) {
      expect(frame).to.include({ prompts: 0, leaderScore: 0, level: 0, rank: null, modifiedDate: null });
    }
    expect(s.level).to.equal(0);
    expect(errorCode(await gql(server.url, UserStatsDocument, { userId: crypto.randomUUID() }, { key }))).to.equal("NOT_FOUND");
    expect(errorCode(await gql(server.url, UserStatsDocument, { userId: "nope" }, { key }))).to.equal("NOT_FOUND");
  });

  it("filters by window: the last 24 h exactly, since UTC midnight 7 and 30 days ago, all time", async () => {
    const w = new World(server, key, "st3");
    const u = w.annotator();
    const fresh = await w.prompt(u);
    const ages = ["25 hours", "20 days", "40 days"];
    for (const age of ages) {
      const id = await w.prompt(u);
      await server.chorus.app.ds.query(`UPDATE message SET created_date = now() - $2::interval WHERE id = $1`, [id, age]);
    }
    expect(fresh).to.be.a("string");
    const refreshed = await refresh(server, adminKey);
    const s = await stats(server, key, await userIdOf(server, key, u));
    expect([s.day.prompts, s.week.prompts, s.month.prompts, s.total.prompts]).to.deep.equal([1, 2, 3, 4]);
    const week = refreshed.find((r) => r.window === "WEEK")!;
    expect(new Date(week.baseDate!).getTime()).to.equal(statsWindowStart("week", new Date(week.refreshedAt))!.getTime());
    const day = refreshed.find((r) => r.window === "DAY")!;
    expect(new Date(refreshed.find((r) => r.window === "DAY")!.baseDate!).getTime()).to.equal(new Date(day.refreshedAt).getTime() - 86_400_000);
    expect(refreshed.find((r) => r.window === "TOTAL")!.baseDate).to.equal(null);
  });

  it("ranks by score then user id, without gaps; hidden and disabled users keep their counters but leave the board", async () => {
    const w = new World(server, key, "st4");
    await w.acceptedPrompt(w.annotator());
    // the three reviewers tie at 2 points each
    const ids: string[] = [];
    for (const row of (await server.chorus.app.ds.query(
      `SELECT DISTINCT t.user_id FROM task t JOIN "user" u ON u.id = t.user_id WHERE t.done AND t.payload_type = 'LabelInitialPromptPayload' AND u.username LIKE 'st4-%'`,
    )) as { user_id: string }[])
      ids.push(row.user_id);
    expect(ids).to.have.length(3);
    const [hidden, disabled, shown] = ids;
    const hiddenUser = await server.chorus.app.users.byId(hidden);
    // a user may hide themselves, not others
    const self = await gql(
      server.url,
      SetLeaderboardVisibilityDocument,
      { input: { show: false } },
      { key, user: `${hiddenUser.authMethod}:${hiddenUser.username}` },
    );
    expect(self.data!.setLeaderboardVisibility).to.deep.equal({ id: hidden, showOnLeaderboard: false });
    const other = await gql(
      server.url,
      SetLeaderboardVisibilityDocument,
      { input: { show: false, userId: shown } },
      { key, user: `${hiddenUser.authMethod}:${hiddenUser.username}` },
    );
    expect(errorCode(other)).to.equal("FORBIDDEN");
    // no API disables users yet (moderation does): set the flag as an admin tool would
    await server.chorus.app.ds.query(`UPDATE "user" SET enabled = false WHERE id = $1`, [disabled]);
    await refresh(server, adminKey);

    const rows = await board(server, key, "TOTAL");
    expect(rows.map((r) => r.rank)).to.deep.equal(rows.map((_, i) => i + 1));
    const sorted = [...rows].sort((a, b) => b.leaderScore - a.leaderScore || (a.userId < b.userId ? -1 : 1));
    expect(rows.map((r) => r.userId)).to.deep.equal(sorted.map((r) => r.userId));
    for (const r of rows) expect(r.leaderScore).to.equal(scoreOf(r));
    const onBoard = new Set(rows.map((r) => r.userId));
    expect(onBoard.has(shown)).to.equal(true);
    expect(onBoard.has(hidden)).to.equal(false);
    expect(onBoard.has(disabled)).to.equal(false);
    // ties at 2 points order by user id
    const twos = rows.filter((r) => r.leaderScore === 2).map((r) => r.userId);
    expect(twos).to.deep.equal([...twos].sort());

    const h = await stats(server, key, hidden);
    expect(h.total).to.include({ labelsFull: 1, leaderScore: 2, rank: null, level: 1 });
    expect((await gql(server.url, LeaderboardWindowDocument, { userId: hidden, window: "TOTAL", size: 3 }, { key })).data!.leaderboardWindow).to.equal(null);
    expect((await gql(server.url, LeaderboardWindowDocument, { userId: disabled, window: "TOTAL", size: 3 }, { key })).data!.leaderboardWindow).to.equal(null);

    // shown again, ranked again at the next recompute
    await gql(server.url, SetLeaderboardVisibilityDocument, { input: { show: true, userId: hidden } }, { key: modKey });
    await refresh(server, adminKey, ["TOTAL"]);
    expect((await stats(server, key, hidden)).total.rank).to.be.a("number");
  });

  it("leaderboardWindow returns exactly `size` ranks around the user (the reference returned size + 1)", async () => {
    const w = new World(server, key, "st5");
    for (let i = 0; i < 2; i++) await w.acceptedPrompt(w.annotator());
    await refresh(server, adminKey, ["TOTAL"]);
    const rows = await board(server, key, "TOTAL");
    expect(rows.length).to.be.at.least(8);
    const last = rows.length;
    const windowOf = async (rank: number, size: number) => {
      const res = await gql(server.url, LeaderboardWindowDocument, { userId: rows[rank - 1].userId, window: "TOTAL", size }, { key });
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      return res.data!.leaderboardWindow!;
    };
    const mid = Math.ceil(last / 2);
    for (const size of [4, 5]) {
      const got = await windowOf(mid, size);
      expect(got.map((r) => r.rank)).to.deep.equal(Array.from({ length: size }, (_, i) => mid - Math.floor(size / 2) + i));
      expect(got.filter((r) => r.highlighted).map((r) => r.rank)).to.deep.equal([mid]);
    }
    expect((await windowOf(1, 5)).map((r) => r.rank)).to.deep.equal([1, 2, 3, 4, 5]);
    expect((await windowOf(last, 5)).map((r) => r.rank)).to.deep.equal([last - 4, last - 3, last - 2, last - 1, last]);
    expect((await windowOf(mid, 1)).map((r) => r.rank)).to.deep.equal([mid]);
    expect(errorCode(await gql(server.url, LeaderboardWindowDocument, { userId: rows[0].userId, window: "TOTAL", size: 0 }, { key }))).to.equal(
      "BAD_USER_INPUT",
    );
    expect(errorCode(await gql(server.url, LeaderboardWindowDocument, { userId: rows[0].userId, window: "TOTAL", size: 101 }, { key }))).to.equal(
      "BAD_USER_INPUT",
    );
    expect(errorCode(await gql(server.url, LeaderboardDocument, { window: "TOTAL", first: 0 }, { key }))).to.equal("BAD_USER_INPUT");
    expect(errorCode(await gql(server.url, LeaderboardDocument, { window: "TOTAL", after: "garbage" }, { key }))).to.equal("INVALID_CURSOR_VALUE");
  });

  it("the streak job ends streaks after more than 36 hours without activity; the next task starts a new one", async () => {
    const w = new World(server, key, "st6");
    const lapsed = w.annotator();
    const active = w.annotator();
    await w.prompt(lapsed);
    await w.prompt(active);
    const lapsedId = await userIdOf(server, key, lapsed);
    const activeId = await userIdOf(server, key, active);
    const started = await stats(server, key, lapsedId);
    expect(started.streakDays).to.equal(0);
    expect(started.streakLastDayDate).to.be.a("string");
    // as if days had passed
    await server.chorus.app.ds.query(
      `UPDATE "user" SET streak_last_day_date = now() - interval '5 days', streak_days = 4,
              last_activity_date = now() - CASE WHEN id = $1 THEN interval '37 hours' ELSE interval '35 hours' END
       WHERE id IN ($1, $2)`,
      [lapsedId, activeId],
    );
    await server.chorus.runJob("streak-reset");
    const ended = await stats(server, key, lapsedId);
    expect(ended).to.include({ streakDays: 0, streakLastDayDate: null });
    const kept = await stats(server, key, activeId);
    expect(kept.streakDays).to.equal(4);
    expect(kept.streakLastDayDate).to.be.a("string");

    await w.prompt(lapsed);
    const again = await stats(server, key, lapsedId);
    expect(again.streakDays).to.equal(0);
    expect(Date.now() - new Date(again.streakLastDayDate!).getTime()).to.be.below(3_600_000);
    await w.prompt(active); // 5 days into the streak
    expect((await stats(server, key, activeId)).streakDays).to.equal(5);
  });

  it("trollboard and refreshLeaderboards need MODERATOR and ADMIN (a USER gets FORBIDDEN); the refresh is journaled", async () => {
    const userKey = (await server.createClient({ name: "plain", role: Role.USER })).key;
    expect(errorCode(await gql(server.url, TrollboardDocument, { window: "TOTAL" }, { key: userKey }))).to.equal("FORBIDDEN");
    expect(errorCode(await gql(server.url, TrollboardDocument, { window: "TOTAL" }, { key, user: "local:st7-someone" }))).to.equal("FORBIDDEN");
    expect(errorCode(await gql(server.url, RefreshLeaderboardsDocument, {}, { key: userKey }))).to.equal("FORBIDDEN");
    expect(errorCode(await gql(server.url, RefreshLeaderboardsDocument, {}, { key: modKey }))).to.equal("FORBIDDEN");
    expect((await gql(server.url, TrollboardDocument, { window: "TOTAL" }, { key: modKey })).errors).to.equal(undefined);
    // leaderboards themselves are open to any caller with a key
    expect((await gql(server.url, LeaderboardDocument, { window: "DAY" }, { key: userKey })).errors).to.equal(undefined);

    const adminClient = await server.createClient({ name: "admin console", trusted: true, role: Role.ADMIN });
    const before: { n: number }[] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM journal WHERE event_type = 'leaderboards_refreshed'`);
    const done = await refresh(server, adminClient.key, ["MONTH", "DAY"]);
    expect(done.map((r) => [r.window, r.trigger])).to.deep.equal([
      ["DAY", "ADMIN"],
      ["MONTH", "ADMIN"],
    ]);
    const rows: { api_client_id: string; event_payload: { time_frames: { time_frame: string }[] } }[] = await server.chorus.app.ds.query(
      `SELECT api_client_id, event_payload FROM journal WHERE event_type = 'leaderboards_refreshed' ORDER BY id DESC LIMIT 1`,
    );
    const after: { n: number }[] = await server.chorus.app.ds.query(`SELECT count(*)::int AS n FROM journal WHERE event_type = 'leaderboards_refreshed'`);
    expect(after[0].n).to.equal(before[0].n + 1);
    expect(rows[0].api_client_id).to.equal(adminClient.id);
    expect(rows[0].event_payload.time_frames.map((f) => f.time_frame)).to.deep.equal(["day", "month"]);
    expect(errorCode(await gql(server.url, RefreshLeaderboardsDocument, { input: { windows: [] } }, { key: adminKey }))).to.equal("BAD_USER_INPUT");
  });

  it("the troll board: 3·red flags − up + down + spam prompts + trouble labels, labels counted on messages nobody reacted to", async () => {
    const w = new World(server, key, "st8");
    const troll = w.annotator();
    const quiet = w.annotator();
    const flagged = await w.prompt(troll);
    for (const [i, emoji] of ["red_flag", "red_flag", "+1", "-1"].entries()) {
      const res = await gql(server.url, SetEmojiDocument, { input: { messageId: flagged, emoji, op: "ADD" } }, { key, user: `local:st8-reactor-${i}` });
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    }
    // the troll's second prompt is rejected as spam by its three reviewers: its tree is aborted (a spam prompt)
    const spam = await w.prompt(troll);
    // the quiet author's prompt: no reactions at all, one reviewer marks lang_mismatch and pii
    const quietPrompt = await w.prompt(quiet);
    const reviews: Record<string, Record<string, number>[]> = {
      [flagged]: [
        { spam: 0, lang_mismatch: 0 },
        { spam: 0, lang_mismatch: 0 },
        { spam: 0, lang_mismatch: 0 },
      ],
      [spam]: [
        { spam: 1, lang_mismatch: 0 },
        { spam: 1, lang_mismatch: 0 },
        { spam: 1, lang_mismatch: 0 },
      ],
      [quietPrompt]: [
        { spam: 0, lang_mismatch: 1, pii: 1, quality: 0.5 },
        { spam: 0, lang_mismatch: 0, quality: 1 },
        { spam: 0, lang_mismatch: 0 },
      ],
    };
    // reviewers get prompts in random order: label each task by the prompt it names
    const done = new Map<string, number>();
    for (let i = 0; i < 9; i++) {
      const r = w.annotator();
      const t = await w.task(r, "LABEL_INITIAL_PROMPT", "LabelInitialPromptTask");
      await r.ack(t.id);
      const n = done.get(t.messageId) ?? 0;
      done.set(t.messageId, n + 1);
      const res = await r.label(t.id, t.messageId, reviews[t.messageId][n]);
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    }
    expect((await w.state(spam)).state).to.equal("ABORTED_LOW_GRADE");
    await refresh(server, adminKey, ["DAY"]);

    const res = await gql(server.url, TrollboardDocument, { window: "DAY", first: 100 }, { key: modKey });
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    const rows = res.data!.trollboard.edges.map((e) => e.node);
    const trollId = await userIdOf(server, key, troll);
    const quietId = await userIdOf(server, key, quiet);
    const t = rows.find((r) => r.userId === trollId)!;
    expect(t).to.include({ redFlags: 2, upvotes: 1, downvotes: 1, spamPrompts: 1, spam: 3, langMismatch: 0, window: "DAY" });
    expect(t.trollScore).to.equal(6 - 1 + 1 + 1); // the spam label sum is not part of the score
    const q = rows.find((r) => r.userId === quietId)!;
    // QUIRK fixed: the reference only summed labels of messages with reactions, so this would have been 0
    expect(q).to.include({ redFlags: 0, langMismatch: 1, pii: 1, trollScore: 2 });
    expect(q.quality).to.equal(0.75);
    expect(rows.map((r) => r.rank)).to.deep.equal(rows.map((_, i) => i + 1));
    const sorted = [...rows].sort((a, b) => b.trollScore - a.trollScore || (a.userId < b.userId ? -1 : 1));
    expect(rows.map((r) => r.userId)).to.deep.equal(sorted.map((r) => r.userId));
    expect(rows.findIndex((r) => r.userId === trollId)).to.be.below(rows.findIndex((r) => r.userId === quietId));

    // the enabled filter
    await server.chorus.app.ds.query(`UPDATE "user" SET enabled = false WHERE id = $1`, [quietId]);
    const disabledOnly = await gql(server.url, TrollboardDocument, { window: "DAY", enabled: false }, { key: modKey });
    expect(disabledOnly.data!.trollboard.edges.map((e) => e.node.userId))
      .to.include(quietId)
      .and.not.include(trollId);
    await server.chorus.app.ds.query(`UPDATE "user" SET enabled = true WHERE id = $1`, [quietId]);
  });

  it("leaderboardUpdated fires after refreshLeaderboards for the window subscribed to", async () => {
    const client = wsClient(server.wsUrl, { authorization: `Bearer ${key}` });
    try {
      const events = await eventsDuring(client, "WEEK", () => refresh(server, adminKey, ["WEEK", "DAY"]));
      expect(events.map((e) => e.window)).to.satisfy((ws: string[]) => ws.every((x) => x === "WEEK"));
      expect(events.some((e) => e.trigger === "ADMIN")).to.equal(true);
    } finally {
      await client.dispose();
    }
  });

  it("leaderboardUpdated refuses callers without a key", async () => {
    const client = wsClient(server.wsUrl, {});
    try {
      const got = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: `subscription { leaderboardUpdated(window: DAY) { window } }` },
          { next: resolve, error: resolve, complete: () => resolve(null) },
        );
      });
      expect(JSON.stringify(got)).to.match(/UNAUTHENTICATED/);
    } finally {
      await client.dispose();
    }
  });
});

/**
 * Subscribes, then runs `act` until an ADMIN event arrives (the subscription may not be listening yet the first
 * time: Redis subscribes asynchronously), and returns the events received.
 */
async function eventsDuring(
  client: ReturnType<typeof wsClient>,
  window: StatsWindow,
  act: () => Promise<unknown>,
): Promise<LeaderboardUpdatedSubscription["leaderboardUpdated"][]> {
  const events: LeaderboardUpdatedSubscription["leaderboardUpdated"][] = [];
  let failure: unknown;
  const stop = client.subscribe<LeaderboardUpdatedSubscription>(
    {
      query: `subscription($w: StatsWindow!) { leaderboardUpdated(window: $w) { window refreshedAt users rankedUsers trollUsers trigger } }`,
      variables: { w: window },
    },
    { next: (r) => (r.data ? events.push(r.data.leaderboardUpdated) : (failure = r.errors)), error: (e) => (failure = e), complete: () => undefined },
  );
  try {
    for (let i = 0; i < 50 && !events.some((e) => e.trigger === "ADMIN") && !failure; i++) {
      await act();
      for (let j = 0; j < 10 && !events.some((e) => e.trigger === "ADMIN"); j++) await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    stop();
  }
  if (failure) throw new Error(JSON.stringify(failure));
  return events;
}

describe("leaderboardUpdated across replicas (Redis pub/sub)", function () {
  this.timeout(60_000);
  let server: TestServer;
  let second: ChorusInstance;
  before(async () => {
    const prefix = testRedisPrefix();
    server = await startTestServer({ REDIS_KEY_PREFIX: prefix, LOCAL_WORKER: "false" }, { redis: true });
    const config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: server.db.url,
      DATABASE_POOL_SIZE: "3",
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      LOCAL_WORKER: "false",
    });
    second = await startChorus(config, { log: pino({ level: "silent" }), defaultMetrics: false });
    await second.ready;
  });
  after(async () => {
    await second.stop();
    await server.stop();
  });

  it("a subscriber on one replica hears a refresh made on another", async () => {
    const client = wsClient(`ws://127.0.0.1:${second.http.port}/graphql`, { authorization: `Bearer ${server.adminKey}` });
    try {
      const events = await eventsDuring(client, "TOTAL", () => refresh(server, server.adminKey, ["TOTAL"]));
      expect(events.some((e) => e.trigger === "ADMIN" && e.window === "TOTAL")).to.equal(true);
      expect(events.every((e) => e.window === "TOTAL")).to.equal(true);
    } finally {
      await client.dispose();
    }
  });
});
