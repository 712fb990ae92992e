/**
 * Periodic jobs behind one interface. With Redis, BullMQ job schedulers run each job once per interval across
 * every replica (whichever worker takes it); in local mode, timers in the one process. Jobs are idempotent, so a
 * run repeated after a crash does no harm.
 */
import { Queue, Worker } from "bullmq";
import type { Logger } from "pino";

export interface PeriodicJob {
  name: string;
  everyMs: number;
  /** Also run once at start (the reference runs most jobs at startup). */
  runAtStart: boolean;
  run(): Promise<void>;
}

export interface PeriodicScheduler {
  start(jobs: PeriodicJob[]): Promise<void>;
  /** Runs a job now, in this process (admin "refresh" mutations, tests). */
  runNow(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * `keyPrefix` (REDIS_KEY_PREFIX) keeps the schedulers of deployments (and test servers) that share one Redis
 * apart: without it every one of them would run the others' jobs.
 */
export function createPeriodicScheduler(redisUrl: string | undefined, log: Logger, keyPrefix = "chorus:", queueName = "chorus-periodic"): PeriodicScheduler {
  return redisUrl ? new BullPeriodicScheduler(redisUrl, log, queueName, `${keyPrefix}bull`) : new LocalPeriodicScheduler(log);
}

class LocalPeriodicScheduler implements PeriodicScheduler {
  private timers: NodeJS.Timeout[] = [];
  private jobs = new Map<string, PeriodicJob>();
  constructor(private readonly log: Logger) {}

  async start(jobs: PeriodicJob[]): Promise<void> {
    for (const job of jobs) {
      this.jobs.set(job.name, job);
      if (job.runAtStart) await this.runNow(job.name);
      const t = setInterval(() => void this.runNow(job.name), job.everyMs);
      t.unref();
      this.timers.push(t);
    }
  }

  async runNow(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown periodic job ${name}`);
    try {
      await job.run();
    } catch (err) {
      this.log.error({ err, job: name }, "periodic job failed");
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}

class BullPeriodicScheduler implements PeriodicScheduler {
  private queue: Queue;
  private worker: Worker | undefined;
  private jobs = new Map<string, PeriodicJob>();
  private keeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly log: Logger,
    private readonly queueName: string,
    private readonly prefix: string,
  ) {
    this.queue = new Queue(queueName, { prefix, connection: { url: redisUrl, maxRetriesPerRequest: null } });
    this.queue.on("error", (err) => log.debug({ error: err.message }, "periodic queue error"));
  }

  private schedule(job: PeriodicJob) {
    // The scheduler is keyed by name: every replica upserts the same one, so the job runs once per interval.
    return this.queue.upsertJobScheduler(job.name, { every: job.everyMs }, { name: job.name, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }

  async start(jobs: PeriodicJob[]): Promise<void> {
    for (const job of jobs) {
      this.jobs.set(job.name, job);
      await this.schedule(job);
      if (job.runAtStart) await this.runNow(job.name);
    }
    // The schedulers live in Redis, which may lose everything (a restart keeps nothing on disk): without this,
    // the reconciler and every other periodic job would stop until a replica restarts (found by the fault test).
    // Each replica checks every few seconds and puts back the schedulers that are gone.
    const keepEveryMs = Math.max(1_000, Math.min(5_000, ...jobs.map((j) => j.everyMs)));
    this.keeper = setInterval(() => void this.restoreLost(), keepEveryMs);
    this.keeper.unref();
    this.worker = new Worker(
      this.queueName,
      async (j) => {
        const job = this.jobs.get(j.name);
        if (job) await job.run();
      },
      { prefix: this.prefix, connection: { url: this.redisUrl, maxRetriesPerRequest: null }, concurrency: 1 },
    );
    this.worker.on("error", (err) => this.log.debug({ error: err.message }, "periodic worker error"));
    this.worker.on("failed", (j, err) => this.log.error({ err, job: j?.name }, "periodic job failed"));
  }

  async runNow(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown periodic job ${name}`);
    try {
      await job.run();
    } catch (err) {
      this.log.error({ err, job: name }, "periodic job failed");
    }
  }

  private async restoreLost(): Promise<void> {
    for (const job of this.jobs.values()) {
      try {
        if (!(await this.queue.getJobScheduler(job.name))) {
          await this.schedule(job);
          this.log.warn({ job: job.name }, "periodic job scheduler was lost (Redis restarted?); restored");
        }
      } catch (err) {
        this.log.debug({ error: (err as Error).message }, "periodic scheduler check failed");
      }
    }
  }

  async close(): Promise<void> {
    if (this.keeper) clearInterval(this.keeper);
    await this.worker?.close();
    await this.queue.close();
  }
}
