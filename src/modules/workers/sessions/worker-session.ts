/**
 * One worker session: a connected worker (a `workerJobs` subscription, or the in-process worker) as a job iterator
 * that hands out jobs while it has capacity, and what the dispatcher knows about it (jobs in flight, last sign of
 * life, drain, throughput).
 */
import type { TakenJob } from "../../../infra/queue/index.js";
import { ChorusError, ErrorCode } from "../../../common/errors.js";
import type { WorkerJob } from "../worker.types.js";
import { RateWindow } from "./worker-registry.js";
import type { WorkerConnection } from "./worker-connection.js";

export interface WorkerHello {
  protocolVersion: number;
  models: string[];
  capacity: number;
  hardware: { device: string; description?: string | null };
  name: string;
  sessionId?: string | null;
  canContinue?: boolean | null;
}

/** Idle sessions look at the queue this often even without a signal: leases that lapsed put jobs back silently. */
const IDLE_POLL_MS = 1_000;
/**
 * Jobs one session starts at the same time (the next one is taken as soon as one is ready). Started one by one, each
 * start took a few database round trips, and a session that started 50 at once held the connection pool that the
 * askers' own requests and subscriptions need (the stream benchmark's batch p99 went from 0.1-0.4 s to 2.3-3.2 s,
 * see bench/RESULTS.md), so at most three started at a time and a wave of 50 asks reached its worker in 17 steps.
 * The starts of one wave now share their statements (the claims in one UPDATE, the conversations in two reads, the
 * key's check in one: GenerationService.claimMany, ConversationLoader, the admit of worker.resolver.ts), so a wave
 * costs a few connections whatever its size.
 */
const MAX_PREPARING = 64;

export interface InFlight {
  messageId: string;
  model: string;
  /**
   * When the last renewal of the lease that Redis confirmed was asked for (or the take): the lease runs until at
   * least this plus the lease time, whatever Redis' clock says, since only time passes on both sides.
   */
  renewedAt: number;
  /**
   * A job handed out before its answer was claimed (JobHandOut.handOutAtOnce): the claim, true when it took. The
   * job's reports wait for it.
   */
  starting?: Promise<boolean>;
  /**
   * Taken, and its claim not settled yet (JobHandOut.prepare). A session that closes leaves such a job to its
   * preparation, which puts it back once its claim has settled: put back at once, the job could go to another worker
   * before this claim lands, and the claim would then take the answer from that worker mid-stream.
   */
  preparing: boolean;
}

/** What a session asks of its replica's dispatcher (WorkerService). */
export interface SessionHost {
  takeFor(session: WorkerSession, max: number): Promise<{ job: TakenJob; model: string }[]>;
  prepare(session: WorkerSession, taken: TakenJob, model: string): Promise<WorkerJob | null>;
  closeSession(session: WorkerSession): Promise<void>;
}

/** One connected worker: a job iterator that hands out jobs while it has capacity. */
export class WorkerSession implements AsyncIterableIterator<WorkerJob> {
  readonly inflight = new Map<string, InFlight>();
  readonly connectedAt = Date.now();
  /** Last time the worker said anything: a report on one of its jobs, a heartbeat, or taking a job. */
  lastSeenAt = Date.now();
  closed = false;
  /** Drained by an admin: no new jobs; the subscription completes once the running ones are done. */
  draining = false;
  /** Set when the server dropped the session (silent for the lease time): the subscription ends with this error. */
  dropped: string | null = null;
  /** Set when the worker's key stopped being valid at a hand-out: the subscription ends with UNAUTHENTICATED. */
  refused: string | null = null;
  /** Token batches being appended now; a disconnect waits for them, so nothing streamed is lost or doubled. */
  readonly reports = new Set<Promise<unknown>>();
  readonly rates = new Map<string, RateWindow>();
  private wakeUp: (() => void) | null = null;
  /**
   * A wake that came while the session was not idle (taking or preparing jobs): the next idle() returns at once, so
   * a job enqueued just after a take found the queue empty is not left for the idle poll.
   */
  private wakePending = false;
  /** Jobs taken and prepared, waiting for the subscription to pull them (they count as in flight already). */
  private readonly ready: WorkerJob[] = [];
  /** A preparation that failed (its job went back to the queue): the subscription ends with it, as before. */
  private failure: { error: unknown } | null = null;
  /** Jobs being started now. */
  private preparing = 0;
  private nextModel = 0;
  /**
   * Jobs announced to the session (wakeForJob) since it was woken from idle, until its next take begins (that take
   * has room for them); -1 when it was not woken from idle or its take has begun.
   */
  private announcedBeforeTake = -1;
  /** Jobs announced to the session (wakeForJob) ever: a take that saw none announced meanwhile may judge the queue dry. */
  private announced = 0;
  /**
   * When the session's last take was asked for, if it found the queue dry (fewer jobs than it had room for) and no job
   * was announced since; null otherwise. A slot freed within IDLE_POLL_MS of that take (a job that ended) makes no take
   * of its own: a job enqueued since was announced (wakeForJob), and one that came back without a notice (a lapsed
   * lease) is found by the take IDLE_POLL_MS after the dry one, as an idle session's poll finds it. Each job's end
   * made a take (a Redis script) that found nothing while the queue was empty.
   */
  private dryAt: number | null = null;

  constructor(
    private readonly service: SessionHost,
    readonly id: string,
    readonly hello: WorkerHello,
    /**
     * Asked before each job is handed out: whether the worker's key is still valid (server/open-sockets.ts). A revoked,
     * rotated or expired key gets no job, even in the moment before its socket is closed.
     */
    readonly admit: (() => Promise<boolean>) | null = null,
    /** The connection that opened the session: only it may report on the session's jobs. */
    readonly connection: WorkerConnection<WorkerSession> | null = null,
  ) {}

  [Symbol.asyncIterator]() {
    return this;
  }

  async next(): Promise<IteratorResult<WorkerJob>> {
    while (!this.closed) {
      if (this.draining && this.inflight.size === 0) {
        await this.return();
        break;
      }
      const job = this.ready.shift();
      if (job) return { done: false, value: job };
      if (this.failure) {
        const { error } = this.failure;
        this.failure = null;
        throw error;
      }
      const room = Math.min(this.hello.capacity - this.inflight.size, MAX_PREPARING - this.preparing);
      if (!this.draining && room > 0 && !this.knownDry()) {
        // Takes up to the free capacity (at most MAX_PREPARING being started at a time; each take is quick) and
        // prepares the jobs concurrently, each one delivered as soon as it is started: a burst of asks reaches the
        // worker in waves, not one after the other.
        this.announcedBeforeTake = -1;
        this.dryAt = null;
        const askedAt = Date.now();
        const announced = this.announced;
        const taken = await this.service.takeFor(this, room);
        if (taken.length < room && this.announced === announced) this.dryAt = askedAt;
        // Prepared even when the session closed meanwhile: prepare puts back what a closed session took.
        for (const { job: t, model } of taken) {
          this.preparing++;
          this.service.prepare(this, t, model).then(
            (prepared) => {
              this.preparing--;
              if (prepared && !this.closed) this.ready.push(prepared);
              this.wake();
            },
            (error: unknown) => {
              this.preparing--;
              this.failure ??= { error };
              this.wake();
            },
          );
        }
        if (this.closed) break;
        if (taken.length) continue;
      }
      await this.idle();
    }
    if (this.refused) throw new ChorusError(ErrorCode.UNAUTHENTICATED, this.refused);
    if (this.dropped) throw new ChorusError(ErrorCode.SERVICE_UNAVAILABLE, this.dropped);
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<WorkerJob>> {
    if (!this.closed) {
      this.closed = true;
      // Taken but never delivered: they are still in flight, so closeSession puts them back with the others.
      this.ready.length = 0;
      this.wake();
      await this.service.closeSession(this);
    }
    return { done: true, value: undefined };
  }

  seen(): void {
    this.lastSeenAt = Date.now();
  }

  countTokens(model: string, count: number): void {
    let rate = this.rates.get(model);
    if (!rate) this.rates.set(model, (rate = new RateWindow()));
    rate.add(count);
  }

  /** The session's models, starting after the one it served last, so one model cannot starve another. */
  modelsInTurn(): string[] {
    const models = this.hello.models;
    const start = this.nextModel++ % models.length;
    return [...models.slice(start), ...models.slice(0, start)];
  }

  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    if (w) w();
    else this.wakePending = true;
  }

  /**
   * Wakes the session for a job just enqueued; true when the session will certainly look at the queue with room for
   * it: it was idle (waiting for a wake-up, not in the middle of a take whose result could fill it), or was woken from
   * idle for jobs announced before and has not begun its take yet, and its free slots cover every job announced to it
   * so far, for every model it serves (a take deals the free slots out to its models in turn, so with fewer slots
   * this model's turn might not come).
   */
  wakeForJob(): boolean {
    const room = Math.min(this.hello.capacity - this.inflight.size, MAX_PREPARING - this.preparing);
    const idle = this.wakeUp !== null;
    this.announced++;
    this.dryAt = null;
    this.wake();
    if (this.closed || this.draining) return false;
    if (idle) this.announcedBeforeTake = 0;
    if (this.announcedBeforeTake < 0 || room < (this.announcedBeforeTake + 1) * this.hello.models.length) return false;
    this.announcedBeforeTake++;
    return true;
  }

  /** Whether the last take found the queue dry within IDLE_POLL_MS and no job was announced since (see dryAt). */
  private knownDry(): boolean {
    return this.dryAt !== null && Date.now() - this.dryAt < IDLE_POLL_MS;
  }

  private idle(): Promise<void> {
    if (this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    // The poll comes IDLE_POLL_MS after the dry take, however often the session was woken since without taking.
    const pollInMs = this.dryAt === null ? IDLE_POLL_MS : Math.max(0, this.dryAt + IDLE_POLL_MS - Date.now());
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), pollInMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/**
 * Whether a session has been silent too long. Sessions that named themselves (sessionId) heartbeat even when idle;
 * the others are only judged while they hold jobs, whose reports are their sign of life.
 */
/**
 * Whether a session has been silent too long. Sessions that named themselves (sessionId) heartbeat even when idle;
 * the others are only judged while they hold jobs, whose reports are their sign of life.
 */
export function isSilent(session: { lastSeenAt: number; inflightCount: number; heartbeatsWhenIdle: boolean }, now: number, leaseMs: number): boolean {
  if (!session.heartbeatsWhenIdle && session.inflightCount === 0) return false;
  return now - session.lastSeenAt > leaseMs;
}
