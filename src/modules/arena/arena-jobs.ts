import type { AppServices } from "../../server/services.js";
import type { PeriodicJob } from "../../infra/periodic.js";

/** Recomputes the model leaderboards whose battles changed since their last computation (ARENA_LEADERBOARD_REFRESH_SECONDS). */
export function arenaJobs(app: AppServices): PeriodicJob[] {
  return [
    {
      name: "arena-leaderboard",
      everyMs: app.config.arena.leaderboardRefreshSeconds * 1000,
      runAtStart: false,
      run: async () => {
        const started = Date.now();
        const n = await app.arena.refreshChanged();
        if (n > 0) app.log.info({ ms: Date.now() - started, leaderboards: n }, "model leaderboards recomputed");
      },
    },
  ];
}
