import { expect } from "chai";
import {
  LEADER_SCORE_TERMS,
  STATS_TIME_FRAMES,
  TROLL_SCORE_TERMS,
  leaderScore,
  leaderScoreSql,
  leaderboardWindowBounds,
  levelForScore,
  statsWindowStart,
  trollScore,
  trollScoreSql,
  type LeaderCounters,
  type TrollCounters,
} from "../../../src/modules/consensus/scores.js";
import { decodeRankCursor, encodeRankCursor } from "../../../src/modules/stats/stats.resolver.js";
import { ConfigError, loadConfig } from "../../../src/config/index.js";
import { createRng } from "../../../src/db/random.js";

const date = (iso: string) => new Date(iso);

/** Evaluates the SQL score expression for non-negative integer counters the way PostgreSQL does (int / int truncates). */
function evalSql(sql: string, values: Record<string, number>): number {
  const js = sql
    .replace(/\(([a-z_0-9]+) \/ 10\)/g, (_m, col: string) => `Math.trunc(${values[col]} / 10)`)
    .replace(/\b[a-z_][a-z_0-9]*\b/g, (name) => (name === "Math" || name === "trunc" ? name : String(values[name])));
  return Function(`"use strict"; return (${js});`)() as number;
}

describe("stats rules (spec §6.1-6.5)", () => {
  describe("leader score in TypeScript and in SQL", () => {
    it("has the spec's weights: a tenth of prompts and accepted prompts, 4 per assistant reply, 9/3/1 for ranked first/second/third", () => {
      expect(LEADER_SCORE_TERMS.map((t) => [t.column, t.perTen ? "/10" : t.weight])).to.deep.equal([
        ["prompts", "/10"],
        ["replies_assistant", 4],
        ["replies_prompter", 1],
        ["labels_simple", 1],
        ["labels_full", 2],
        ["rankings_total", 1],
        ["rankings_good", 1],
        ["accepted_prompts", "/10"],
        ["accepted_replies_assistant", 4],
        ["accepted_replies_prompter", 1],
        ["reply_ranked_1", 9],
        ["reply_ranked_2", 3],
        ["reply_ranked_3", 1],
      ]);
    });

    it("the §10.4 example scores 133 (level 13) by the SQL expression too", () => {
      const counters: LeaderCounters = {
        prompts: 15,
        repliesAssistant: 10,
        repliesPrompter: 5,
        labelsSimple: 7,
        labelsFull: 4,
        rankingsTotal: 6,
        rankingsGood: 0,
        acceptedPrompts: 12,
        acceptedRepliesAssistant: 8,
        acceptedRepliesPrompter: 5,
        replyRanked1: 2,
        replyRanked2: 3,
        replyRanked3: 1,
      };
      const byColumn = Object.fromEntries(LEADER_SCORE_TERMS.map((t) => [t.column, counters[t.counter]]));
      expect(evalSql(leaderScoreSql(), byColumn)).to.equal(133);
      expect(leaderScore(counters)).to.equal(133);
      expect(levelForScore(133)).to.equal(13);
    });

    it("integer division by 10 in SQL equals int(0.1·n) for every count up to 100,000", () => {
      for (let n = 0; n <= 100_000; n++) expect(Math.trunc(n / 10), String(n)).to.equal(Math.trunc(0.1 * n));
    });

    it("agrees with the TypeScript score on 500 random counter sets", () => {
      const rng = createRng(11);
      for (let i = 0; i < 500; i++) {
        const counters = Object.fromEntries(LEADER_SCORE_TERMS.map((t) => [t.counter, Math.floor(rng() * 1000)])) as unknown as LeaderCounters;
        const byColumn = Object.fromEntries(LEADER_SCORE_TERMS.map((t) => [t.column, counters[t.counter]]));
        expect(evalSql(leaderScoreSql(), byColumn)).to.equal(leaderScore(counters));
      }
    });

    it("qualifies the columns when asked (for joins)", () => {
      expect(leaderScoreSql("t.")).to.match(/^\(t\.prompts \/ 10\) \+ 4 \* t\.replies_assistant/);
    });
  });

  describe("troll score", () => {
    const zero: TrollCounters = {
      redFlags: 0,
      upvotes: 0,
      downvotes: 0,
      spamPrompts: 0,
      langMismatch: 0,
      notAppropriate: 0,
      pii: 0,
      hateSpeech: 0,
      sexualContent: 0,
      politicalContent: 0,
    };
    const example: TrollCounters = { ...zero, redFlags: 2, upvotes: 5, downvotes: 3, spamPrompts: 1, langMismatch: 1, pii: 1, politicalContent: 2 };

    it("the §6.5 / §10.4 example ⇒ 6−5+3+1+1+1+2 = 9, in TypeScript and in SQL", () => {
      expect(trollScore(example)).to.equal(9);
      const byColumn = Object.fromEntries(TROLL_SCORE_TERMS.map((t) => [t.column, example[t.counter]]));
      expect(evalSql(trollScoreSql(), byColumn)).to.equal(9);
    });

    it("weighs a red flag 3, an upvote −1, everything else 1, and has no term for the spam label", () => {
      for (const t of TROLL_SCORE_TERMS) expect(trollScore({ ...zero, [t.counter]: 1 }), t.counter).to.equal(t.weight);
      expect(TROLL_SCORE_TERMS.map((t) => t.column)).to.not.include("spam");
      expect(TROLL_SCORE_TERMS.map((t) => t.column)).to.include("lang_mismach");
      expect(trollScore({ ...zero, redFlags: 1 })).to.equal(3);
      expect(trollScore({ ...zero, upvotes: 7 })).to.equal(-7);
    });
  });

  describe("leaderboardWindow bounds (QUIRK fixed: exactly `size` ranks)", () => {
    /** The reference's rows: min_rank ≤ rank ≤ min_rank + size, min_rank = max(0, rank − ⌊size/2⌋), ranks from 1. */
    const referenceRows = (rank: number, size: number, lastRank: number) => {
      const min = Math.max(0, rank - Math.floor(size / 2));
      let n = 0;
      for (let r = Math.max(1, min); r <= Math.min(lastRank, min + size); r++) n++;
      return n;
    };

    it("centres the user: rank 10, size 5 ⇒ ranks 8..12 (the reference gave 8..13, six rows)", () => {
      expect(leaderboardWindowBounds(10, 5, 100)).to.deep.equal({ first: 8, last: 12 });
      expect(referenceRows(10, 5, 100)).to.equal(6);
    });

    it("an even size puts one more rank above: rank 10, size 4 ⇒ 8..11", () => {
      expect(leaderboardWindowBounds(10, 4, 100)).to.deep.equal({ first: 8, last: 11 });
    });

    it("at the top starts at rank 1: rank 1 or 2, size 5 ⇒ 1..5", () => {
      expect(leaderboardWindowBounds(1, 5, 100)).to.deep.equal({ first: 1, last: 5 });
      expect(leaderboardWindowBounds(2, 5, 100)).to.deep.equal({ first: 1, last: 5 });
    });

    it("at the bottom slides up so the window stays full: rank 100 of 100, size 5 ⇒ 96..100", () => {
      expect(leaderboardWindowBounds(100, 5, 100)).to.deep.equal({ first: 96, last: 100 });
      expect(leaderboardWindowBounds(99, 5, 100)).to.deep.equal({ first: 96, last: 100 });
      expect(leaderboardWindowBounds(98, 5, 100)).to.deep.equal({ first: 96, last: 100 });
    });

    it("on a board shorter than the window shows the whole board", () => {
      expect(leaderboardWindowBounds(2, 5, 3)).to.deep.equal({ first: 1, last: 5 });
    });

    it("size 1 is the user alone", () => {
      expect(leaderboardWindowBounds(42, 1, 100)).to.deep.equal({ first: 42, last: 42 });
    });

    it("always spans exactly `size` ranks that include the user, for every rank and size on a board of 30", () => {
      for (let size = 1; size <= 12; size++) {
        for (let rank = 1; rank <= 30; rank++) {
          const { first, last } = leaderboardWindowBounds(rank, size, 30);
          expect(last - first + 1, `rank ${rank} size ${size}`).to.equal(size);
          expect(first <= rank && rank <= last, `rank ${rank} size ${size}`).to.equal(true);
          expect(first).to.be.at.least(1);
          if (size <= 30) expect(last).to.be.at.most(30);
        }
      }
    });

    it("refuses ranks and sizes below 1", () => {
      expect(() => leaderboardWindowBounds(0, 5)).to.throw(RangeError);
      expect(() => leaderboardWindowBounds(3, 0)).to.throw(RangeError);
      expect(() => leaderboardWindowBounds(1.5, 5)).to.throw(RangeError);
    });
  });

  describe("windows", () => {
    it("lists the four frames shortest first", () => {
      expect(STATS_TIME_FRAMES).to.deep.equal(["day", "week", "month", "total"]);
    });

    it("week and month start at UTC midnight whatever the time of day, day is exact to the millisecond", () => {
      for (const t of ["2024-03-10T00:00:00.000Z", "2024-03-10T23:59:59.999Z"]) {
        expect(statsWindowStart("week", date(t))).to.deep.equal(date("2024-03-03T00:00:00Z"));
        expect(statsWindowStart("month", date(t))).to.deep.equal(date("2024-02-09T00:00:00Z"));
      }
      expect(statsWindowStart("day", date("2024-03-01T00:00:00.123Z"))).to.deep.equal(date("2024-02-29T00:00:00.123Z"));
    });

    it("month goes back across a year end", () => {
      expect(statsWindowStart("month", date("2024-01-15T12:00:00Z"))).to.deep.equal(date("2023-12-16T00:00:00Z"));
    });
  });

  describe("board cursors", () => {
    it("round-trip a rank; no cursor means from the top", () => {
      expect(decodeRankCursor(encodeRankCursor(37))).to.equal(37);
      expect(decodeRankCursor(null)).to.equal(0);
      expect(decodeRankCursor(undefined)).to.equal(0);
    });

    it("refuse anything else with INVALID_CURSOR_VALUE", () => {
      for (const bad of ["", "garbage", Buffer.from("rank:-1").toString("base64url"), Buffer.from("rank:abc").toString("base64url")]) {
        expect(() => decodeRankCursor(bad), bad)
          .to.throw()
          .with.nested.property("extensions.code", "INVALID_CURSOR_VALUE");
      }
    });
  });

  describe("configuration", () => {
    it("refreshes day, week, month, total every 5, 15, 60, 240 minutes and checks streaks every 4 h by default", () => {
      const c = loadConfig({});
      expect(c.stats.refreshMinutes).to.deep.equal({ day: 5, week: 15, month: 60, total: 240 });
      expect(c.stats.streakResetIntervalMinutes).to.equal(240);
    });

    it("reads STATS_REFRESH_MINUTES and STREAK_RESET_INTERVAL_MINUTES", () => {
      const c = loadConfig({ STATS_REFRESH_MINUTES: " 1, 2,3 ,4 ", STREAK_RESET_INTERVAL_MINUTES: "30" });
      expect(c.stats.refreshMinutes).to.deep.equal({ day: 1, week: 2, month: 3, total: 4 });
      expect(c.stats.streakResetIntervalMinutes).to.equal(30);
    });

    for (const bad of ["5,15,60", "5,15,60,240,1", "0,15,60,240", "a,b,c,d", "5;15;60;240"]) {
      it(`refuses STATS_REFRESH_MINUTES=${bad}, naming the variable`, () => {
        expect(() => loadConfig({ STATS_REFRESH_MINUTES: bad }))
          .to.throw(ConfigError)
          .with.property("variable", "STATS_REFRESH_MINUTES");
      });
    }
  });
});
