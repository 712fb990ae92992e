/**
 * Generation jobs waiting for a GPU worker, one queue per model.
 *
 * Within a model, users take turns (round robin over users, FIFO within a user), so one user's burst cannot
 * starve another user's single request. A worker `take`s a job and holds it under a lease that it renews with
 * `heartbeat`; a job whose lease lapses goes back to the queue for another worker. Each hand-out has its own
 * `jobId`, so a worker that lost its lease cannot complete, fail or renew the job that someone else now runs.
 *
 * The queue is not the record. PostgreSQL is: Redis may lose every job at any moment (it keeps nothing on disk
 * here), and the in-process driver loses them with the process. A reconciler re-enqueues every message left
 * PENDING or IN_PROGRESS without a job in `activeJobs()`; `enqueue` is idempotent per message, so that is safe.
 *
 * `take` does not block: dispatchers are expected to retry when told a job arrived (pub/sub) or on a timer.
 */

export type JobPayload = Record<string, unknown>;

export interface GenerationJobInput<P extends JobPayload = JobPayload> {
  /** The assistant message this job generates; at most one job per message exists at a time. */
  messageId: string;
  /** The user whose turn this job takes in the round robin. */
  userId: string;
  /** Stored as JSON and handed to the worker unchanged. */
  payload: P;
}

export interface EnqueueOptions {
  /** Skip the size limit: for putting back work that was already admitted once (the spec's re-enqueue). */
  bypassSizeLimit?: boolean;
  /** Overrides the queue's maxAttempts for this job. */
  maxAttempts?: number;
}

export interface EnqueueResult {
  /** False when a job for this message already existed; nothing changed then. */
  created: boolean;
  /** 1-based place in the model's queue; 0 when the message's job is already running. */
  position: number;
  /**
   * Jobs waiting in the job's model's queue just after, as `size` would say: the send's queue notice tells it, and
   * reading it here saves the send a second round trip to the queue.
   */
  queueSize: number;
}

/** One hand-out of a job to one worker. */
export interface TakenJob<P extends JobPayload = JobPayload> {
  /** Names this hand-out; a later hand-out of the same message gets a new one. */
  jobId: string;
  model: string;
  messageId: string;
  userId: string;
  payload: P;
  /** 1 for the first hand-out, +1 for each one after a failure or a lapsed lease. */
  attempt: number;
  maxAttempts: number;
  workerId: string;
  /** Epoch milliseconds (of the Redis server's clock for the Redis driver). */
  enqueuedAt: number;
  leaseExpiresAt: number;
}

export type ActiveJob = Omit<TakenJob<JobPayload>, "payload">;

export type FailOutcome =
  /** Put back in the queue for another attempt. */
  | "requeued"
  /** Not retryable, or out of attempts: removed. The caller marks the message failed. */
  | "dead";

export type CancelOutcome =
  /** The waiting job was removed. */
  | "cancelled"
  /** A worker holds it; the caller must stop the worker, which then completes or fails the job. */
  | "active"
  | "not_found";

/** A job whose last lease lapsed with no attempts left, so no worker will report on it. */
export interface DeadLetter {
  model: string;
  messageId: string;
  userId: string;
  attempts: number;
  reason: "lease_expired";
  /** Epoch milliseconds. */
  diedAt: number;
}

export interface GenerationQueue<P extends JobPayload = JobPayload> {
  /**
   * Adds a job at the back of its user's line. Idempotent per message: when the message already has a job
   * (waiting or running) nothing changes. Returns the job's place and the model's queue size, read in the same step.
   * @throws QueueFullError when the model's queue holds maxQueueSize waiting jobs; nothing is enqueued.
   */
  enqueue(model: string, job: GenerationJobInput<P>, options?: EnqueueOptions): Promise<EnqueueResult>;

  /** The job's 1-based place in its model's queue, if it waits there; null otherwise. */
  position(model: string, messageId: string): Promise<number | null>;

  /** Jobs waiting in the model's queue (running ones excluded). */
  size(model: string): Promise<number>;

  /** Hands the next job, by round robin over users, to `workerId` under a lease; null when none waits. */
  take(model: string, workerId: string, options?: { leaseMs?: number }): Promise<TakenJob<P> | null>;

  /**
   * Up to `max` jobs for `workerId`, exactly those (in that order) that as many `take`s one after the other would
   * hand out, in one atomic step: a worker with free room asks once, not once per free slot. Fewer than `max`
   * means the model's queue is empty now.
   */
  takeMany(model: string, workerId: string, max: number, options?: { leaseMs?: number }): Promise<TakenJob<P>[]>;

  /**
   * Renews the lease for another lease period and resolves with its new expiry.
   * @throws JobLeaseLostError when this hand-out no longer holds the job; the worker should stop it.
   */
  heartbeat(jobId: string): Promise<number>;

  /** @throws JobLeaseLostError as heartbeat. */
  complete(jobId: string): Promise<void>;

  /**
   * Ends this attempt. A retryable failure with attempts left puts the job back at the front of its user's line.
   * @throws JobLeaseLostError as heartbeat.
   */
  fail(jobId: string, retryable: boolean): Promise<FailOutcome>;

  /** Removes a waiting job; a running one is only reported. */
  cancel(messageId: string): Promise<CancelOutcome>;

  /** Jobs held by workers now, across all models (for the reconciler). */
  activeJobs(): Promise<ActiveJob[]>;

  /**
   * Removes and returns up to `limit` dead letters (default 100), oldest first, so the caller can mark the
   * messages failed. Only the newest 10,000 are kept.
   */
  drainDeadLetters(limit?: number): Promise<DeadLetter[]>;

  close(): Promise<void>;
}

export interface GenerationQueueOptions {
  /** Waiting jobs per model beyond which enqueue throws QueueFullError. Default: no limit. */
  maxQueueSize?: number;
  /** Hand-outs per job before it is dead. Default 3. */
  maxAttempts?: number;
  /** How long a taken job stays with its worker without a heartbeat. Default 30000. */
  leaseMs?: number;
  /** Makes job ids (one per hand-out). Default: random UUIDs. */
  newJobId?: () => string;
}

export const defaultMaxAttempts = 3;
export const defaultLeaseMs = 30_000;
