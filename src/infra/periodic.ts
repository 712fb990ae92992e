/**
 * Periodic jobs behind one interface. With Redis, BullMQ job schedulers run each job once per interval across
 * every replica (whichever replica's BullMQ worker takes it); in local mode, timers in the one process. Jobs are
 * idempotent, so a run repeated after a crash does no harm.
 */
import type { Queue, Worker } from "bullmq";
import type { Logger } from "pino";
import { bullmq } from "./redis-modules.js";

export interface PeriodicJob {
  name: string;
  everyMs: number;
  /** Also run once at start (the reference runs most jobs at startup). */
  runAtStart: boolean;
  run(): Promise<void>;
}

/** Told of every run of a job, wherever it was started from (tests and metrics count runs with it). */
export type PeriodicRunObserver = (job: string, outcome: "ok" | "error", seconds: number, trigger: "schedule" | "manual") => void;

export interface PeriodicScheduler {
  start(jobs: PeriodicJob[]): Promise<void>;
  /** Runs a job now, in this process (admin "refresh" mutations, tests). */
  runNow(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface PeriodicSchedulerOptions {
  /**
   * Prefix of the BullMQ keys: replicas of one deployment share it (REDIS_KEY_PREFIX), so they share one set of
   * schedulers; two deployments (or test servers) on one Redis must not run each other's jobs.
   */
  keyPrefix?: string;
  queueName?: string;
  onRun?: PeriodicRunObserver;
}

export function createPeriodicScheduler(redisUrl: string | undefined, log: Logger, opts: PeriodicSchedulerOptions = {}): PeriodicScheduler {
  const onRun = opts.onRun ?? (() => undefined);
  return redisUrl
    ? new BullPeriodicScheduler(redisUrl, log, opts.queueName ?? "periodic", `${opts.keyPrefix ?? "chorus:"}bull`, onRun)
    : new LocalPeriodicScheduler(log, onRun);
}

/** Runs one job, timing it and telling the observer; a failure is logged, never thrown at the timer or queue. */
async function runObserved(job: PeriodicJob, trigger: "schedule" | "manual", log: Logger, onRun: PeriodicRunObserver, rethrow: boolean): Promise<void> {
  const started = process.hrtime.bigint();
  try {
    await job.run();
    onRun(job.name, "ok", Number(process.hrtime.bigint() - started) / 1e9, trigger);
  } catch (err) {
    onRun(job.name, "error", Number(process.hrtime.bigint() - started) / 1e9, trigger);
    log.error({ err, job: job.name }, "periodic job failed");
    if (rethrow) throw err;
  }
}

/** The longest delay Node's timers take (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

class LocalPeriodicScheduler implements PeriodicScheduler {
  /** Each job's pending timer, by job name. */
  private timers = new Map<string, NodeJS.Timeout>();
  private jobs = new Map<string, PeriodicJob>();
  /** Runs under way: close() waits for them, so none is cut off by the database closing under it. */
  private running = new Set<Promise<void>>();
  private closing = false;
  constructor(
    private readonly log: Logger,
    private readonly onRun: PeriodicRunObserver,
  ) {}

  private track(job: PeriodicJob, trigger: "schedule" | "manual"): Promise<void> {
    const run = runObserved(job, trigger, this.log, this.onRun, false).finally(() => this.running.delete(run));
    this.running.add(run);
    return run;
  }

  async start(jobs: PeriodicJob[]): Promise<void> {
    for (const job of jobs) {
      // A process stopped during the start runs (Ctrl-C right after start) starts nothing more.
      if (this.closing) return;
      this.jobs.set(job.name, job);
      if (job.runAtStart) await this.track(job, "schedule");
      if (this.closing) return;
      this.repeat(job, Date.now() + job.everyMs);
    }
  }

  /**
   * Runs the job at `due`, then every `everyMs`. Not setInterval: Node's timers take at most 2^31 - 1 ms (24.8
   * days) and fire after 1 ms beyond it, so a job every 30,000 minutes or more (STATS_REFRESH_MINUTES allows a
   * year) would run without pause; a long wait is taken in steps instead.
   */
  private repeat(job: PeriodicJob, due: number): void {
    const wait = Math.min(Math.max(0, due - Date.now()), MAX_TIMER_MS);
    const t = setTimeout(() => {
      if (this.closing) return;
      if (Date.now() < due) return this.repeat(job, due);
      void this.track(job, "schedule");
      this.repeat(job, due + job.everyMs);
    }, wait);
    t.unref();
    this.timers.set(job.name, t);
  }

  async runNow(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown periodic job ${name}`);
    await this.track(job, "manual");
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.running]);
  }
}

class BullPeriodicScheduler implements PeriodicScheduler {
  private queue: Queue;
  private worker: Worker | undefined;
  private jobs = new Map<string, PeriodicJob>();
  private keeper: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly redisUrl: string,
    private readonly log: Logger,
    private readonly queueName: string,
    private readonly prefix: string,
    private readonly onRun: PeriodicRunObserver,
  ) {
    this.queue = new (bullmq().Queue)(queueName, { prefix, connection: { url: redisUrl, maxRetriesPerRequest: null } });
    this.queue.on("error", (err) => log.debug({ error: err.message }, "periodic queue error"));
  }

  async start(jobs: PeriodicJob[]): Promise<void> {
    for (const job of jobs) {
      this.jobs.set(job.name, job);
      if (this.closing) return;
      await this.schedule(job);
    }
    // A process stopped while this ran (start is not awaited, it waits for Redis) must not start a worker after close.
    if (this.closing) return;
    // The schedulers live in Redis, which may lose everything (a restart keeps nothing on disk): without this,
    // the reconciler and every other periodic job would stop until a replica restarts (found by the fault test).
    // Each replica checks every few seconds and puts back the schedulers that are gone.
    const keepEveryMs = Math.max(1_000, Math.min(5_000, ...jobs.map((j) => j.everyMs)));
    this.keeper = setInterval(() => void this.restoreLost(), keepEveryMs);
    this.keeper.unref();
    this.worker = new (bullmq().Worker)(
      this.queueName,
      async (j) => {
        const job = this.jobs.get(j.name);
        if (job) await runObserved(job, "schedule", this.log, this.onRun, true);
      },
      { prefix: this.prefix, connection: { url: this.redisUrl, maxRetriesPerRequest: null }, concurrency: 1 },
    );
    this.worker.on("error", (err) => this.log.debug({ error: err.message }, "periodic worker error"));
  }

  /**
   * The scheduler is keyed by name: every replica upserts the same one, so the job runs once per interval across
   * replicas. An `every` scheduler makes its first run at once when it is created, which is the start run; a
   * replica that joins later finds it and adds no run of its own (runAtStart is per deployment here).
   */
  private schedule(job: PeriodicJob) {
    return this.queue.upsertJobScheduler(job.name, { every: job.everyMs }, { name: job.name, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }

  async runNow(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown periodic job ${name}`);
    await runObserved(job, "manual", this.log, this.onRun, false);
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
    this.closing = true;
    if (this.keeper) clearInterval(this.keeper);
    await this.worker?.close();
    // A start still under way (waiting for Redis) is not awaited: it sees `closing` and creates nothing more.
    await this.queue.close();
  }
}
