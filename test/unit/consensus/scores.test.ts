import { expect } from "chai";
import {
  LEVEL_THRESHOLDS,
  STREAK_RESET_AFTER_MS,
  isStreakBroken,
  leaderScore,
  leaderboardRanks,
  levelForScore,
  statsWindowStart,
  streakAfterActivity,
  streakAfterPeriodicCheck,
  trollScore,
  trollboardRanks,
  type LeaderCounters,
  type StreakState,
} from "../../../src/modules/consensus/scores.js";

const ZERO: LeaderCounters = {
  prompts: 0,
  repliesAssistant: 0,
  repliesPrompter: 0,
  labelsSimple: 0,
  labelsFull: 0,
  rankingsTotal: 0,
  rankingsGood: 0,
  acceptedPrompts: 0,
  acceptedRepliesAssistant: 0,
  acceptedRepliesPrompter: 0,
  replyRanked1: 0,
  replyRanked2: 0,
  replyRanked3: 0,
};

const date = (iso: string) => new Date(iso);

describe("consensus: scores (spec §6, §10.4)", () => {
  describe("leader score", () => {
    it("the §10.4 example ⇒ 1+40+5+7+8+6+0+1+32+5+18+9+1 = 133, level 13", () => {
      const score = leaderScore({
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
      });
      expect(score).to.equal(133);
      expect(levelForScore(score)).to.equal(13);
    });

    it("weighs each counter as the formula says", () => {
      const weights: [keyof LeaderCounters, number][] = [
        ["repliesAssistant", 4],
        ["repliesPrompter", 1],
        ["labelsSimple", 1],
        ["labelsFull", 2],
        ["rankingsTotal", 1],
        ["rankingsGood", 1],
        ["acceptedRepliesAssistant", 4],
        ["acceptedRepliesPrompter", 1],
        ["replyRanked1", 9],
        ["replyRanked2", 3],
        ["replyRanked3", 1],
      ];
      for (const [counter, weight] of weights) {
        expect(leaderScore({ ...ZERO, [counter]: 1 }), counter).to.equal(weight);
      }
    });

    it("truncates a tenth of the prompts, each term on its own", () => {
      expect(leaderScore({ ...ZERO, prompts: 9 })).to.equal(0);
      expect(leaderScore({ ...ZERO, prompts: 10 })).to.equal(1);
      expect(leaderScore({ ...ZERO, prompts: 19 })).to.equal(1);
      expect(leaderScore({ ...ZERO, prompts: 9, acceptedPrompts: 9 })).to.equal(0);
      expect(leaderScore({ ...ZERO, prompts: 30, acceptedPrompts: 70 })).to.equal(10);
    });
  });

  describe("levels", () => {
    const cases: [number | null, number][] = [
      [0, 1],
      [3, 1],
      [4, 2],
      [9, 3],
      [10, 3],
      [100, 11],
      [1000, 39],
      [10000, 100],
      [null, 0],
    ];
    for (const [score, level] of cases) {
      it(`${score === null ? "no stats row" : `score ${score}`} ⇒ level ${level}`, () => {
        expect(levelForScore(score)).to.equal(level);
      });
    }

    it("has 100 thresholds that are round(Σ_{i=1..k}(1.1521·i + 3)) after 0", () => {
      let sum = 0;
      const computed = [0];
      for (let k = 1; k <= 99; k++) {
        sum += 1.1521 * k + 3;
        computed.push(Math.round(sum));
      }
      expect(LEVEL_THRESHOLDS).to.have.length(100);
      expect(LEVEL_THRESHOLDS).to.deep.equal(computed);
      expect(LEVEL_THRESHOLDS[99]).to.equal(6000);
    });

    it("reaches each level exactly at its threshold", () => {
      LEVEL_THRESHOLDS.forEach((threshold, index) => {
        expect(levelForScore(threshold)).to.equal(index + 1);
        if (threshold > 0) expect(levelForScore(threshold - 1)).to.equal(index);
      });
    });
  });

  describe("troll score", () => {
    it("the §6.5 example: red_flags 2, up 5, down 3, spam_prompts 1, lang_mismach 1, pii 1, political 2 ⇒ 9", () => {
      expect(
        trollScore({
          redFlags: 2,
          upvotes: 5,
          downvotes: 3,
          spamPrompts: 1,
          langMismatch: 1,
          notAppropriate: 0,
          pii: 1,
          hateSpeech: 0,
          sexualContent: 0,
          politicalContent: 2,
        }),
      ).to.equal(9);
    });

    it("counts not_appropriate, hate_speech and sexual_content once each, and can go negative", () => {
      const base = {
        redFlags: 0,
        upvotes: 0,
        downvotes: 0,
        spamPrompts: 0,
        langMismatch: 0,
        notAppropriate: 1,
        pii: 0,
        hateSpeech: 1,
        sexualContent: 1,
        politicalContent: 0,
      };
      expect(trollScore(base)).to.equal(3);
      expect(trollScore({ ...base, notAppropriate: 0, hateSpeech: 0, sexualContent: 0, upvotes: 4 })).to.equal(-4);
    });
  });

  describe("board ordering", () => {
    const u1 = "10000000-0000-4000-8000-000000000000";
    const u2 = "20000000-0000-4000-8000-000000000000";
    const u3 = "30000000-0000-4000-8000-000000000000";
    const u4 = "a0000000-0000-4000-8000-000000000000";

    it("ranks by leader score, equal scores by user id ascending", () => {
      const ranks = leaderboardRanks([
        { userId: u3, leaderScore: 50, showOnLeaderboard: true, enabled: true },
        { userId: u2, leaderScore: 50, showOnLeaderboard: true, enabled: true },
        { userId: u1, leaderScore: 10, showOnLeaderboard: true, enabled: true },
        { userId: u4, leaderScore: 99, showOnLeaderboard: true, enabled: true },
      ]);
      expect(ranks.get(u4)).to.equal(1);
      expect(ranks.get(u2)).to.equal(2);
      expect(ranks.get(u3)).to.equal(3);
      expect(ranks.get(u1)).to.equal(4);
    });

    it("leaves hidden and disabled users unranked, without gaps for the others", () => {
      const ranks = leaderboardRanks([
        { userId: u1, leaderScore: 100, showOnLeaderboard: false, enabled: true },
        { userId: u2, leaderScore: 90, showOnLeaderboard: true, enabled: false },
        { userId: u3, leaderScore: 80, showOnLeaderboard: true, enabled: true },
        { userId: u4, leaderScore: 70, showOnLeaderboard: true, enabled: true },
      ]);
      expect(ranks.get(u1)).to.equal(null);
      expect(ranks.get(u2)).to.equal(null);
      expect(ranks.get(u3)).to.equal(1);
      expect(ranks.get(u4)).to.equal(2);
    });

    it("ranks the trollboard over everyone, highest troll score first, ties by user id", () => {
      const ranks = trollboardRanks([
        { userId: u2, trollScore: 3 },
        { userId: u4, trollScore: 9 },
        { userId: u1, trollScore: 3 },
        { userId: u3, trollScore: -2 },
      ]);
      expect([...ranks.entries()]).to.deep.equal([
        [u4, 1],
        [u1, 2],
        [u2, 3],
        [u3, 4],
      ]);
    });
  });

  describe("stats windows", () => {
    const now = date("2024-03-10T15:30:00Z");
    it("day is exactly 24 hours back", () => {
      expect(statsWindowStart("day", now)).to.deep.equal(date("2024-03-09T15:30:00Z"));
    });
    it("week is UTC midnight 7 days back", () => {
      expect(statsWindowStart("week", now)).to.deep.equal(date("2024-03-03T00:00:00Z"));
    });
    it("month is UTC midnight 30 days back, across month ends", () => {
      expect(statsWindowStart("month", now)).to.deep.equal(date("2024-02-09T00:00:00Z"));
    });
    it("total has no start", () => {
      expect(statsWindowStart("total", now)).to.equal(null);
    });
  });

  describe("streaks", () => {
    const none: StreakState = { streakLastDayDate: null, streakDays: null, lastActivityDate: null };

    it("the §6.4 example: start 2024-01-01T10:00Z, activity 2024-01-03T09:00Z ⇒ 1 day", () => {
      const now = date("2024-01-03T09:00:00Z");
      const state = streakAfterActivity({ streakLastDayDate: date("2024-01-01T10:00:00Z"), streakDays: 0, lastActivityDate: null }, now);
      expect(state).to.deep.equal({ streakLastDayDate: date("2024-01-01T10:00:00Z"), streakDays: 1, lastActivityDate: now });
    });

    it("counts full days only: 48 h after the start is 2 days, 47:59:59 is 1", () => {
      const start = date("2024-01-01T10:00:00Z");
      expect(streakAfterActivity({ ...none, streakLastDayDate: start }, date("2024-01-03T10:00:00Z")).streakDays).to.equal(2);
      expect(streakAfterActivity({ ...none, streakLastDayDate: start }, date("2024-01-03T09:59:59Z")).streakDays).to.equal(1);
    });

    it("starts a streak at 0 when there is none", () => {
      const now = date("2024-01-05T08:00:00Z");
      expect(streakAfterActivity(none, now)).to.deep.equal({ streakLastDayDate: now, streakDays: 0, lastActivityDate: now });
    });

    it("restarts a streak whose start lies in the future", () => {
      const now = date("2024-01-05T08:00:00Z");
      const state = streakAfterActivity({ streakLastDayDate: date("2024-01-06T00:00:00Z"), streakDays: 4, lastActivityDate: now }, now);
      expect(state).to.deep.equal({ streakLastDayDate: now, streakDays: 0, lastActivityDate: now });
    });

    it("the periodic job breaks a streak after more than 36 hours without activity", () => {
      const now = date("2024-01-10T12:00:00Z");
      const state: StreakState = {
        streakLastDayDate: date("2024-01-01T00:00:00Z"),
        streakDays: 7,
        lastActivityDate: new Date(now.getTime() - STREAK_RESET_AFTER_MS - 1),
      };
      expect(isStreakBroken(state, now)).to.equal(true);
      expect(streakAfterPeriodicCheck(state, now)).to.deep.equal({ ...state, streakDays: 0, streakLastDayDate: null });
    });

    it("keeps a streak whose last activity is exactly 36 hours old (strict <)", () => {
      const now = date("2024-01-10T12:00:00Z");
      const state: StreakState = {
        streakLastDayDate: date("2024-01-01T00:00:00Z"),
        streakDays: 7,
        lastActivityDate: date("2024-01-09T00:00:00Z"),
      };
      expect(STREAK_RESET_AFTER_MS).to.equal(36 * 3600 * 1000);
      expect(isStreakBroken(state, now)).to.equal(false);
      expect(streakAfterPeriodicCheck(state, now)).to.equal(state);
    });

    it("leaves users without a streak or without any activity date alone", () => {
      const now = date("2024-01-10T12:00:00Z");
      expect(isStreakBroken({ streakLastDayDate: null, streakDays: 0, lastActivityDate: date("2023-01-01T00:00:00Z") }, now)).to.equal(false);
      expect(isStreakBroken({ streakLastDayDate: date("2023-01-01T00:00:00Z"), streakDays: 3, lastActivityDate: null }, now)).to.equal(false);
    });

    it("after a broken streak, the next activity starts a new one at 0", () => {
      const broken = streakAfterPeriodicCheck(
        { streakLastDayDate: date("2024-01-01T00:00:00Z"), streakDays: 5, lastActivityDate: date("2024-01-06T00:00:00Z") },
        date("2024-01-08T00:00:00Z"),
      );
      const now = date("2024-01-09T00:00:00Z");
      expect(streakAfterActivity(broken, now)).to.deep.equal({ streakLastDayDate: now, streakDays: 0, lastActivityDate: now });
    });
  });
});
