import type { AppServices } from "../../server/services.js";
import type { PeriodicJob } from "../../infra/periodic.js";
import { buildPendingSearchVectors } from "../trees/search-backfill.js";

/** The task and tree jobs of spec §9.7. */
export function treeAndTaskJobs(app: AppServices): PeriodicJob[] {
  return [
    {
      name: "expired-tasks",
      everyMs: 60 * 60 * 1000,
      runAtStart: true,
      run: async () => {
        // Expired tasks nobody finished are deleted; the prompts of disabled or deleted users stop waiting (T8b).
        const deleted = await app.tasks.deleteExpired();
        const halted = await app.trees.haltPromptsOfDisabledUsers();
        app.log.info({ deletedTasks: deleted, haltedPrompts: halted }, "expired tasks cleaned up");
      },
    },
    {
      // Imported messages come without search vectors (search reads their text meanwhile): built here after the
      // load. Not at start, so that start-up jobs never wait on a large backlog; a run yields after a minute so
      // the other jobs of a shared queue get their turn, and the next run goes on.
      name: "search-vectors",
      everyMs: app.config.searchVectorsIntervalSeconds * 1000,
      runAtStart: false,
      run: async () => {
        const built = await buildPendingSearchVectors(app.ds, 60_000);
        if (built > 0) app.log.info({ built }, "search vectors built for imported messages");
      },
    },
  ];
}
