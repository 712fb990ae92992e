import type { AppServices } from "../../server/services.js";
import type { PeriodicJob } from "../../infra/periodic.js";
import { STATS_TIME_FRAMES } from "../consensus/scores.js";

/**
 * The stats jobs of spec §9.7: each time frame's boards on its own interval (first run at start), the per-day
 * counters that WEEK, MONTH and TOTAL are summed from, and the streak reset. With Redis they are BullMQ job schedulers, so each runs once per interval whichever replicas are up.
 */
export function statsJobs(app: AppServices): PeriodicJob[] {
  const minutes = app.config.stats.refreshMinutes;
  return [
    ...STATS_TIME_FRAMES.map(
      (frame): PeriodicJob => ({
        name: `leaderboard-${frame}`,
        everyMs: minutes[frame] * 60_000,
        runAtStart: true,
        run: async () => {
          const r = await app.stats.refresh(frame);
          app.log.info({ timeFrame: frame, users: r.users, trollUsers: r.trollUsers }, "leaderboard recomputed");
        },
      }),
    ),
    // The per-day counters of WEEK, MONTH and TOTAL, on DAY's interval (the shortest): each of those windows' runs
    // then only brings them up to date for the marks made since, instead of the first of them paying for all three.
    // Not at start: the windows' first runs build the counters when they are missing.
    {
      name: "leaderboard-day-counters",
      everyMs: minutes.day * 60_000,
      runAtStart: false,
      run: async () => {
        const r = await app.stats.refreshDayCounters();
        app.log.info({ marks: r.marks, rebuilt: r.rebuilt }, "leaderboard day counters brought up to date");
      },
    },
    {
      name: "streak-reset",
      everyMs: app.config.stats.streakResetIntervalMinutes * 60_000,
      runAtStart: false,
      run: async () => {
        const ended = await app.stats.resetStreaks();
        app.log.info({ endedStreaks: ended }, "streaks checked");
      },
    },
  ];
}
