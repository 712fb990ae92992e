import { setTimeout as sleep } from "node:timers/promises";
import type { DataSource } from "typeorm";
import type { Logger } from "pino";

/**
 * Initialises the DataSource, retrying with exponential backoff (capped at `maxDelayMs`) while the database
 * is unreachable, with one clear log line per attempt. Gives up only when `signal` aborts.
 */
export async function connectWithRetry(ds: DataSource, log: Logger, maxDelayMs: number, signal: AbortSignal): Promise<void> {
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await ds.initialize();
      if (attempt > 1) log.info({ attempt }, "database reachable again");
      return;
    } catch (err) {
      if (signal.aborted) throw err;
      log.warn({ attempt, retryInMs: delay, error: (err as Error).message }, "database unreachable; retrying");
      await sleep(delay, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) throw new Error("stopped while waiting for the database");
      delay = Math.min(maxDelayMs, delay * 2);
    }
  }
}
