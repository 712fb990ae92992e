import type { AppServices } from "../../server/services.js";
import type { PeriodicJob } from "../../infra/periodic.js";
import { STATS_TIME_FRAMES } from "../consensus/scores.js";

/**
 * The stats jobs of spec §9.7: each time frame's boards on its own interval (first run at start), and the streak
 * reset. With Redis they are BullMQ job schedulers, so each runs once per interval whichever replicas are up.
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
