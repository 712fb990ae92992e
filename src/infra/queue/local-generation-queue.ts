import crypto from "node:crypto";
import {
  defaultLeaseMs,
  defaultMaxAttempts,
  type ActiveJob,
  type CancelOutcome,
  type DeadLetter,
  type EnqueueOptions,
  type EnqueueResult,
  type FailOutcome,
  type GenerationJobInput,
  type GenerationQueue,
  type GenerationQueueOptions,
  type JobPayload,
  type TakenJob,
} from "./generation-queue.js";
import { JobLeaseLostError, QueueFullError } from "./errors.js";
import { roundRobinPosition } from "./round-robin.js";

export interface LocalGenerationQueueOptions extends GenerationQueueOptions {
  /** The clock for leases and timestamps. Default Date.now. */
  now?: () => number;
}

const maxDeadLetters = 10_000;

interface JobRecord {
  model: string;
  messageId: string;
  userId: string;
  /** JSON, so a worker gets a copy, as from Redis. */
  payloadJson: string;
  attempts: number;
  maxAttempts: number;
  enqueuedAt: number;
  lease?: { jobId: string; workerId: string; expiresAt: number; leaseMs: number };
}

interface ModelQueue {
  /** Users with waiting jobs, in the order they are served. */
  ring: string[];
  /** Each user's waiting message ids, oldest first. */
  lines: Map<string, string[]>;
  size: number;
}

/** The in-process driver, for a single process without REDIS_URL. Same semantics as the Redis driver. */
export class LocalGenerationQueue<P extends JobPayload = JobPayload> implements GenerationQueue<P> {
  private readonly jobs = new Map<string, JobRecord>();
  /** jobId of each live hand-out → message id. */
  private readonly leases = new Map<string, string>();
  private readonly models = new Map<string, ModelQueue>();
  private readonly deadLetters: DeadLetter[] = [];
  private readonly maxQueueSize: number;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly newJobId: () => string;
  private readonly now: () => number;

  constructor(options: LocalGenerationQueueOptions = {}) {
    this.maxQueueSize = options.maxQueueSize ?? Infinity;
    this.maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
    this.leaseMs = options.leaseMs ?? defaultLeaseMs;
    this.newJobId = options.newJobId ?? (() => crypto.randomUUID());
    this.now = options.now ?? Date.now;
  }

  async enqueue(model: string, job: GenerationJobInput<P>, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    this.reclaimLapsedLeases();
    const existing = this.jobs.get(job.messageId);
    if (existing) {
      return { created: false, position: existing.lease ? 0 : this.positionOf(existing), queueSize: this.models.get(existing.model)?.size ?? 0 };
    }
    const queue = this.queueFor(model);
    if (!options.bypassSizeLimit && queue.size >= this.maxQueueSize) throw new QueueFullError(model, this.maxQueueSize);
    const record: JobRecord = {
      model,
      messageId: job.messageId,
      userId: job.userId,
      payloadJson: JSON.stringify(job.payload),
      attempts: 0,
      maxAttempts: options.maxAttempts ?? this.maxAttempts,
      enqueuedAt: this.now(),
    };
    this.jobs.set(job.messageId, record);
    this.putInLine(record, "back");
    return { created: true, position: this.positionOf(record), queueSize: queue.size };
  }

  async position(model: string, messageId: string): Promise<number | null> {
    this.reclaimLapsedLeases();
    const record = this.jobs.get(messageId);
    if (!record || record.model !== model || record.lease) return null;
    return this.positionOf(record);
  }

  async size(model: string): Promise<number> {
    this.reclaimLapsedLeases();
    return this.models.get(model)?.size ?? 0;
  }

  async take(model: string, workerId: string, options: { leaseMs?: number } = {}): Promise<TakenJob<P> | null> {
    this.reclaimLapsedLeases();
    // Drawn before looking, as the Redis driver must (it passes the id into its script), so an injected
    // generator yields the same ids from both drivers.
    return this.takeOne(model, workerId, this.newJobId(), options);
  }

  async takeMany(model: string, workerId: string, max: number, options: { leaseMs?: number } = {}): Promise<TakenJob<P>[]> {
    this.reclaimLapsedLeases();
    // All `max` ids drawn first, as the Redis driver passes them into its script.
    const jobIds = Array.from({ length: Math.max(0, max) }, () => this.newJobId());
    const taken: TakenJob<P>[] = [];
    for (const jobId of jobIds) {
      const job = this.takeOne(model, workerId, jobId, options);
      if (!job) break;
      taken.push(job);
    }
    return taken;
  }

  private takeOne(model: string, workerId: string, jobId: string, options: { leaseMs?: number }): TakenJob<P> | null {
    const queue = this.models.get(model);
    const user = queue?.ring.shift();
    if (!queue || user === undefined) return null;
    const line = queue.lines.get(user) ?? [];
    const messageId = line.shift();
    if (line.length > 0) queue.ring.push(user);
    else queue.lines.delete(user);
    if (messageId === undefined) return null;
    queue.size -= 1;
    const record = this.jobs.get(messageId)!;
    const leaseMs = options.leaseMs ?? this.leaseMs;
    record.attempts += 1;
    record.lease = { jobId, workerId, expiresAt: this.now() + leaseMs, leaseMs };
    this.leases.set(record.lease.jobId, messageId);
    return { ...this.describeActive(record), payload: JSON.parse(record.payloadJson) as P };
  }

  async heartbeat(jobId: string): Promise<number> {
    const record = this.leasedRecord(jobId);
    record.lease!.expiresAt = this.now() + record.lease!.leaseMs;
    return record.lease!.expiresAt;
  }

  async complete(jobId: string): Promise<void> {
    const record = this.leasedRecord(jobId);
    this.leases.delete(jobId);
    this.jobs.delete(record.messageId);
  }

  async fail(jobId: string, retryable: boolean): Promise<FailOutcome> {
    const record = this.leasedRecord(jobId);
    this.leases.delete(jobId);
    record.lease = undefined;
    if (retryable && record.attempts < record.maxAttempts) {
      this.putInLine(record, "front");
      return "requeued";
    }
    this.jobs.delete(record.messageId);
    return "dead";
  }

  async cancel(messageId: string): Promise<CancelOutcome> {
    this.reclaimLapsedLeases();
    const record = this.jobs.get(messageId);
    if (!record) return "not_found";
    if (record.lease) return "active";
    const queue = this.models.get(record.model)!;
    const line = queue.lines.get(record.userId)!;
    line.splice(line.indexOf(messageId), 1);
    queue.size -= 1;
    if (line.length === 0) {
      queue.lines.delete(record.userId);
      queue.ring.splice(queue.ring.indexOf(record.userId), 1);
    }
    this.jobs.delete(messageId);
    return "cancelled";
  }

  async activeJobs(): Promise<ActiveJob[]> {
    this.reclaimLapsedLeases();
    return [...this.leases.values()].map((messageId) => this.describeActive(this.jobs.get(messageId)!));
  }

  async drainDeadLetters(limit = 100): Promise<DeadLetter[]> {
    return this.deadLetters.splice(0, limit);
  }

  async close(): Promise<void> {
    // Nothing to release: there are no timers, leases lapse when an operation looks at them.
  }

  private leasedRecord(jobId: string): JobRecord {
    this.reclaimLapsedLeases();
    const messageId = this.leases.get(jobId);
    const record = messageId === undefined ? undefined : this.jobs.get(messageId);
    if (!record || record.lease?.jobId !== jobId) throw new JobLeaseLostError(jobId);
    return record;
  }

  /** Jobs whose worker stopped renewing go back to the queue, or die when out of attempts. */
  private reclaimLapsedLeases(): void {
    const now = this.now();
    for (const [jobId, messageId] of this.leases) {
      const record = this.jobs.get(messageId);
      if (!record?.lease || record.lease.expiresAt > now) continue;
      this.leases.delete(jobId);
      record.lease = undefined;
      if (record.attempts < record.maxAttempts) {
        this.putInLine(record, "front");
      } else {
        this.jobs.delete(messageId);
        this.deadLetters.push({
          model: record.model,
          messageId,
          userId: record.userId,
          attempts: record.attempts,
          reason: "lease_expired",
          diedAt: now,
        });
        // Bounded as in Redis, for a caller that never drains them.
        if (this.deadLetters.length > maxDeadLetters) {
          this.deadLetters.splice(0, this.deadLetters.length - maxDeadLetters);
        }
      }
    }
  }

  /**
   * "back" for new jobs. "front" for a job coming back from a worker: it already waited its turn, so it goes
   * first in its user's line, and a user with nothing else waiting rejoins the ring at its head.
   */
  private putInLine(record: JobRecord, end: "front" | "back"): void {
    const queue = this.queueFor(record.model);
    let line = queue.lines.get(record.userId);
    if (!line) {
      line = [];
      queue.lines.set(record.userId, line);
      if (end === "front") queue.ring.unshift(record.userId);
      else queue.ring.push(record.userId);
    }
    if (end === "front") line.unshift(record.messageId);
    else line.push(record.messageId);
    queue.size += 1;
  }

  private positionOf(record: JobRecord): number {
    const queue = this.models.get(record.model)!;
    const index = queue.lines.get(record.userId)!.indexOf(record.messageId);
    return roundRobinPosition(queue.ring, (user) => queue.lines.get(user)?.length ?? 0, record.userId, index);
  }

  private queueFor(model: string): ModelQueue {
    let queue = this.models.get(model);
    if (!queue) {
      queue = { ring: [], lines: new Map(), size: 0 };
      this.models.set(model, queue);
    }
    return queue;
  }

  private describeActive(record: JobRecord): ActiveJob {
    const lease = record.lease!;
    return {
      jobId: lease.jobId,
      model: record.model,
      messageId: record.messageId,
      userId: record.userId,
      attempt: record.attempts,
      maxAttempts: record.maxAttempts,
      workerId: lease.workerId,
      enqueuedAt: record.enqueuedAt,
      leaseExpiresAt: lease.expiresAt,
    };
  }
}
