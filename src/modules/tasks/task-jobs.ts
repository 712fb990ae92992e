import type { AppServices } from "../../server/services.js";
import type { PeriodicJob } from "../../infra/periodic.js";
import { rowsOf } from "../../db/rows.js";

/** The task and tree jobs of spec §9.7. */
export function treeAndTaskJobs(app: AppServices): PeriodicJob[] {
  return [
    {
      name: "expired-tasks",
      everyMs: 60 * 60 * 1000,
      runAtStart: true,
      run: async () => {
        // Expired tasks nobody finished are deleted; the prompts of disabled or deleted users stop waiting (T8b).
        const deleted = rowsOf(await app.ds.query(`DELETE FROM task WHERE expiry_date < now() AND NOT done RETURNING id`));
        const halted = await app.trees.haltPromptsOfDisabledUsers();
        app.log.info({ deletedTasks: deleted.length, haltedPrompts: halted }, "expired tasks cleaned up");
      },
    },
  ];
}
