import type { AppServices } from "../../server/services.js";
import type { PeriodicJob } from "../../infra/periodic.js";

/**
 * The cached stats job (spec §9.7: hourly). It also runs at start, so a new deployment has its figures at once,
 * but skips a snapshot younger than half the interval: replicas starting together, or restarting, recompute once.
 */
export function cachedStatsJobs(app: AppServices): PeriodicJob[] {
  const everyMs = app.config.stats.cachedStatsRefreshMinutes * 60_000;
  return [
    {
      name: "cached-stats",
      everyMs,
      runAtStart: true,
      run: async () => {
        const started = Date.now();
        if (await app.cachedStats.refreshIfOlderThan(everyMs / 2)) app.log.info({ ms: Date.now() - started }, "cached stats recomputed");
      },
    },
  ];
}
