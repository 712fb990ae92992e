import type { AppServices } from "../../../server/services.js";
import type { PeriodicJob } from "../../../infra/periodic.js";

/** The chat side's periodic job: PostgreSQL is the record, so lost and stale generations are found there. */
export function generationJobs(app: AppServices): PeriodicJob[] {
  return [
    {
      name: "chat-reconcile",
      everyMs: app.config.chat.reconcileIntervalSeconds * 1000,
      runAtStart: true,
      run: async () => {
        await app.workers.reconcile();
      },
    },
  ];
}
