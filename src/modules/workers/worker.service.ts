/**
 * The dispatcher of one API replica: worker sessions (one per `workerJobs` subscription, or the in-process
 * worker), job hand-out under leases from the shared generation queue, and the worker's reports (token batches,
 * finish, fail, heartbeat). Any replica can take any report: the queue holds the leases, PostgreSQL the record
 * and the event stream the tokens.
 */
import crypto from "node:crypto";
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { ChatConfig } from "../../config.js";
import type { PubSubHandle } from "../../infra/pubsub.js";
import { JobLeaseLostError, type TakenJob } from "../../infra/queue/index.js";
import { rowsOf } from "../../db/rows.js";
import { badInput, ChorusError, ErrorCode } from "../../server/errors.js";
import { ChatMessage, ChatMessageState } from "../chat/chat.entity.js";
import type { ModelCatalog } from "../chat/models.js";
import type { GenerationService } from "../chat/generation.service.js";
import { buildConversation, loadConversation } from "../chat/job-conversation.js";
import {
  WORKER_PROTOCOL_VERSION,
  WorkerFinishReason,
  type WorkerAck,
  type WorkerHeartbeatResult,
  type WorkerInfo,
  type WorkerJob,
  type WorkerPool,
} from "./worker.types.js";
import { RateWindow, type WorkerRecord, type WorkerRegistry } from "./worker-registry.js";
import type { WorkerConnection } from "./worker-connection.js";

/** The caller of a job report: its connection, or null for a request that came without one (HTTP). */
export type WorkerCaller = WorkerConnection<WorkerSession> | null;

export interface WorkerHello {
  protocolVersion: number;
  models: string[];
  capacity: number;
  hardware: { device: string; description?: string | null };
  name: string;
  sessionId?: string | null;
  canContinue?: boolean | null;
}

const JOBS_TOPIC = "chat:jobs";
const CANCEL_TOPIC = "chat:cancel";
const DRAIN_TOPIC = "chat:drain";
/** Idle sessions look at the queue this often even without a signal: leases that lapsed put jobs back silently. */
const IDLE_POLL_MS = 1_000;
/**
 * Jobs one session starts at the same time (the next one is taken as soon as one is ready). Each start takes a few
 * database round trips: a session with a large capacity that started all its jobs at once held the connection pool
 * that the askers' own requests and subscriptions need (the stream benchmark's batch p99 went from 0.1-0.4 s to
 * 2.3-3.2 s with 50 at once, about 0.9 s with 8; see README "Token streams and replicas").
 */
const MAX_PREPARING = 3;

interface InFlight {
  messageId: string;
  model: string;
  /**
   * When the last renewal of the lease that Redis confirmed was asked for (or the take): the lease runs until at
   * least this plus the lease time, whatever Redis' clock says, since only time passes on both sides.
   */
  renewedAt: number;
}

/** The public job id names both the queue's hand-out and the message, so any replica can act on a report. */
function publicJobId(taken: TakenJob): string {
  return `${taken.jobId}.${taken.messageId}`;
}

function parseJobId(jobId: string): { queueJobId: string; messageId: string } {
  const [queueJobId, messageId, ...rest] = jobId.split(".");
  if (!queueJobId || !messageId || rest.length) throw badInput(`"${jobId}" is not a job id`, { field: "jobId" });
  return { queueJobId, messageId };
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

  constructor(
    private readonly service: WorkerService,
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
      if (!this.draining && room > 0) {
        // Takes up to the free capacity (at most MAX_PREPARING being started at a time; each take is quick) and
        // prepares the jobs concurrently, each one delivered as soon as it is started: a burst of asks reaches the
        // worker in waves, not one after the other.
        const taken = await this.service.takeFor(this, room);
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

  private idle(): Promise<void> {
    if (this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), IDLE_POLL_MS);
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
export function isSilent(session: { lastSeenAt: number; inflightCount: number; heartbeatsWhenIdle: boolean }, now: number, leaseMs: number): boolean {
  if (!session.heartbeatsWhenIdle && session.inflightCount === 0) return false;
  return now - session.lastSeenAt > leaseMs;
}

export class WorkerService {
  private readonly sessions = new Set<WorkerSession>();
  /** Queue job id → the session of this replica that runs it. */
  private readonly owners = new Map<string, WorkerSession>();
  /** Messages whose cancellation was asked for, with when; workers learn it in their next ack. */
  private readonly cancelRequested = new Map<string, number>();
  private readonly stopListening: (() => void)[] = [];
  private refreshTimer: NodeJS.Timeout | null = null;
  /**
   * Sessions this replica closed, id → connectedAt, kept for a registry entry's lifetime: between a close and its
   * registry removal the entry still lists the session, and a session id may reconnect elsewhere (a newer
   * connectedAt), so only the entry of the closed connection itself is ignored.
   */
  private readonly closedHere = new Map<string, { connectedAt: number; until: number }>();
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly config: ChatConfig,
    private readonly catalog: ModelCatalog,
    private readonly generations: GenerationService,
    private readonly pubSub: PubSubHandle,
    private readonly log: Logger,
    private readonly registry: WorkerRegistry,
  ) {}

  /** How often sessions are written to the registry and checked for drain marks and silence. */
  private get refreshMs(): number {
    return Math.max(100, Math.min(2_000, Math.floor(this.config.workerLeaseMs / 4)));
  }

  /** Listens for jobs, cancellations and drains announced by any replica; checks its sessions periodically. */
  start(): void {
    this.listen(JOBS_TOPIC, (model) => this.wakeModel(String(model)));
    this.listen(CANCEL_TOPIC, (messageId) => this.cancelRequested.set(String(messageId), Date.now()));
    this.listen(DRAIN_TOPIC, (id) => {
      for (const s of this.sessions) if (s.id === String(id)) this.drainLocal(s);
    });
    this.refreshTimer = setInterval(() => {
      this.refreshing ??= this.refresh()
        .catch((err) => this.log.warn({ err }, "worker session refresh failed"))
        .finally(() => (this.refreshing = null));
    }, this.refreshMs);
    this.refreshTimer.unref();
  }

  /** Drops silent sessions, picks up drain marks and rewrites this replica's registry entries. */
  async refresh(): Promise<void> {
    const now = Date.now();
    for (const session of [...this.sessions]) {
      if (session.closed) continue;
      const silent = isSilent(
        { lastSeenAt: session.lastSeenAt, inflightCount: session.inflight.size, heartbeatsWhenIdle: Boolean(session.hello.sessionId) },
        now,
        this.config.workerLeaseMs,
      );
      if (silent) {
        this.log.warn({ worker: session.id, silentMs: now - session.lastSeenAt }, "worker silent for the lease time: dropped");
        session.dropped = `The worker was silent for more than ${this.config.workerLeaseMs} ms and was dropped; its jobs went to other workers. Reconnect.`;
        await session.return();
        continue;
      }
      if (!session.draining && (await this.registry.drainRequested(session.id))) this.drainLocal(session);
      await this.publish(session);
    }
    for (const [id, c] of this.closedHere) if (c.until < now) this.closedHere.delete(id);
  }

  /** How long a registry entry lives unless refreshed. */
  private get recordTtlMs(): number {
    return this.refreshMs * 3 + 1_000;
  }

  /**
   * Writes a session's registry entry. A write that lands after the session closed (its removal may have gone
   * first) is taken back, so a closed session is not listed until its entry expires.
   */
  private async publish(session: WorkerSession): Promise<void> {
    await this.registry.put(this.recordOf(session), this.recordTtlMs);
    if (session.closed) await this.registry.remove(session.id);
  }

  private recordOf(session: WorkerSession): WorkerRecord {
    const byModel: Record<string, number> = {};
    let total = 0;
    for (const [model, rate] of session.rates) {
      byModel[model] = rate.perSecond();
      total += byModel[model];
    }
    return {
      id: session.id,
      name: session.hello.name,
      models: session.hello.models,
      capacity: session.hello.capacity,
      device: session.hello.hardware.device,
      hardwareDescription: session.hello.hardware.description ?? null,
      protocolVersion: session.hello.protocolVersion,
      canContinue: Boolean(session.hello.canContinue),
      inFlightJobs: session.inflight.size,
      draining: session.draining,
      tokensPerSecond: total,
      tokensPerSecondByModel: byModel,
      connectedAt: session.connectedAt,
      lastSeenAt: session.lastSeenAt,
    };
  }

  private drainLocal(session: WorkerSession): void {
    if (session.draining || session.closed) return;
    session.draining = true;
    this.log.info({ worker: session.id, running: session.inflight.size }, "worker draining");
    session.wake();
  }

  /** Tells a worker (on any replica) to finish its jobs and take no new ones. */
  async drain(workerId: string): Promise<WorkerInfo> {
    const record = (await this.registry.list()).find((r) => r.id === workerId);
    if (!record) throw new ChorusError(ErrorCode.NOT_FOUND, `No connected worker has the id ${workerId}`);
    await this.registry.requestDrain(workerId);
    const local = [...this.sessions].find((s) => s.id === workerId);
    if (local) this.drainLocal(local);
    else this.pubSub.pubSub.publish(DRAIN_TOPIC, workerId);
    return toWorkerInfo(local ? this.recordOf(local) : { ...record, draining: true });
  }

  /** Every connected worker, on every replica. */
  async list(): Promise<WorkerInfo[]> {
    await this.publishLocal();
    return (await this.registry.list()).map(toWorkerInfo);
  }

  /** Per declared model: its workers, their jobs, its queue and its throughput. */
  async pools(): Promise<WorkerPool[]> {
    await this.publishLocal();
    const records = await this.registry.list();
    const active = await this.generations.queue.activeJobs();
    const pools: WorkerPool[] = [];
    for (const model of this.catalog.ids()) {
      const serving = records.filter((r) => r.models.includes(model));
      pools.push({
        model,
        workers: serving.length,
        capacity: serving.filter((r) => !r.draining).reduce((n, r) => n + r.capacity, 0),
        inFlightJobs: active.filter((j) => j.model === model).length,
        queueDepth: await this.generations.queue.size(model),
        tokensPerSecond: serving.reduce((n, r) => n + (r.tokensPerSecondByModel[model] ?? 0), 0),
      });
    }
    return pools;
  }

  /** This replica's sessions as they are now, so an admin reads fresh figures for them. */
  private async publishLocal(): Promise<void> {
    for (const s of this.sessions) if (!s.closed) await this.publish(s);
  }

  /**
   * Workers serving each model on every replica, for the public `models` query: this replica's sessions as they
   * are in memory (a session that just connected or closed is counted right), the other replicas' from the shared
   * registry (Redis with Redis; without it this replica is the only one).
   */
  async connectedWorkersByModel(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const count = (models: string[]) => {
      for (const m of models) counts.set(m, (counts.get(m) ?? 0) + 1);
    };
    const here = new Set<string>();
    for (const s of this.sessions) {
      if (s.closed) continue;
      here.add(s.id);
      count(s.hello.models);
    }
    for (const r of await this.registry.list()) {
      if (here.has(r.id) || this.closedHere.get(r.id)?.connectedAt === r.connectedAt) continue;
      count(r.models);
    }
    return counts;
  }

  private listen(topic: string, onEvent: (payload: unknown) => void): void {
    // Topics are typed per module in infra/pubsub.ts as [payload] tuples; ours carry one string.
    const pubSub = this.pubSub.pubSub as unknown as { subscribe(topic: string): AsyncIterable<unknown> };
    const iterator = pubSub.subscribe(topic)[Symbol.asyncIterator]();
    let running = true;
    void (async () => {
      while (running) {
        const r = await iterator.next();
        if (r.done) return;
        onEvent(r.value);
      }
    })().catch((err) => this.log.warn({ err, topic }, "pub/sub listener stopped"));
    this.stopListening.push(() => {
      running = false;
      void iterator.return?.();
    });
  }

  /** Announces a job for `model` to every replica's idle workers. */
  jobAvailable(model: string): void {
    this.wakeModel(model);
    this.pubSub.pubSub.publish(JOBS_TOPIC, model);
  }

  /** Announces a cancellation to every replica, whose workers learn it in their next ack. */
  cancelRequestedFor(messageId: string): void {
    this.cancelRequested.set(messageId, Date.now());
    this.pubSub.pubSub.publish(CANCEL_TOPIC, messageId);
  }

  private wakeModel(model: string): void {
    for (const s of this.sessions) if (s.hello.models.includes(model)) s.wake();
  }

  /**
   * Opens a session after checking the worker's hello; iterate it for jobs, `return()` it to disconnect. `admit`
   * (see WorkerSession) is asked before each hand-out.
   */
  connect(hello: WorkerHello, admit: (() => Promise<boolean>) | null = null, connection: WorkerConnection<WorkerSession> | null = null): WorkerSession {
    if (hello.protocolVersion !== WORKER_PROTOCOL_VERSION) {
      throw badInput(
        `Worker protocol version ${hello.protocolVersion} is not supported: this API speaks version ${WORKER_PROTOCOL_VERSION}; upgrade the worker`,
        { field: "protocolVersion", supportedProtocolVersions: [WORKER_PROTOCOL_VERSION] },
      );
    }
    if (!Number.isInteger(hello.capacity) || hello.capacity < 1 || hello.capacity > 256) {
      throw badInput(`capacity must be an integer from 1 to 256, got ${hello.capacity}`, { field: "capacity" });
    }
    const unknown = hello.models.filter((m) => !this.catalog.get(m));
    if (unknown.length) {
      throw badInput(`Unknown model(s) ${unknown.join(", ")}; this API declares ${this.catalog.ids().join(", ")}`, { field: "models" });
    }
    const id = hello.sessionId ?? crypto.randomUUID();
    for (const old of this.sessions) {
      // A worker that reconnects faster than its old socket was noticed closing: the new connection wins.
      if (old.id === id) void old.return();
    }
    const session = new WorkerSession(this, id, hello, admit, connection);
    this.sessions.add(session);
    connection?.sessions.add(session);
    void this.publish(session).catch((err) => this.log.warn({ err }, "could not register a worker"));
    this.log.info({ worker: session.id, models: hello.models, capacity: hello.capacity, device: hello.hardware.device }, "worker connected");
    return session;
  }

  /** Whether the API declares `model` (workers may announce only declared models). */
  declares(model: string): boolean {
    return this.catalog.get(model) !== undefined;
  }

  /** Workers serving `model` connected to this replica (the `models` query counts every replica's). */
  connectedWorkers(model: string): number {
    let n = 0;
    for (const s of this.sessions) if (s.hello.models.includes(model)) n++;
    return n;
  }

  /**
   * Takes up to `max` jobs for the session from the queue, one model after another in turn (each take is one atomic
   * script, so users keep their turns), and counts them in flight; `prepare` then starts each one.
   */
  async takeFor(session: WorkerSession, max: number): Promise<{ job: TakenJob; model: string }[]> {
    const taken: { job: TakenJob; model: string }[] = [];
    let open = session.modelsInTurn();
    while (taken.length < max && open.length && !session.closed) {
      for (const model of open) {
        if (taken.length >= max) break;
        const askedAt = Date.now();
        const job = await this.generations.queue.take(model, session.id, { leaseMs: this.config.workerLeaseMs });
        if (!job) {
          open = open.filter((m) => m !== model);
          continue;
        }
        session.inflight.set(job.jobId, { messageId: job.messageId, model, renewedAt: askedAt });
        this.owners.set(job.jobId, session);
        session.seen();
        taken.push({ job, model });
      }
    }
    return taken;
  }

  /**
   * Starts a taken job and builds what the worker gets; null when the hand-out ended here (the job is settled).
   * When preparing fails the job goes back to the queue and the error is thrown.
   */
  async prepare(session: WorkerSession, taken: TakenJob, model: string): Promise<WorkerJob | null> {
    try {
      return await this.prepareJob(session, taken, model);
    } catch (err) {
      this.log.warn({ err, messageId: taken.messageId }, "could not hand out a job: put back");
      await this.release(taken.jobId, taken.messageId, true, "WORKER_FAILED", "The job could not be handed out").catch(() => undefined);
      throw err;
    }
  }

  private async prepareJob(session: WorkerSession, taken: TakenJob, model: string): Promise<WorkerJob | null> {
    if (session.admit && !(await session.admit())) {
      // The key was revoked: this job is not started, and closing the session puts it back in the queue with every
      // other job the session holds, as a disconnect does.
      session.refused ??= "The worker key is no longer valid (revoked, rotated or expired)";
      await session.return();
      return null;
    }
    // The conversation is read while the answer is claimed (its place in the tree never changes); a job without
    // the payload (put back by the reconciler) reads it after the claim.
    const payload = taken.payload as { chatId?: string; parentId?: string | null };
    const source = payload.chatId ? loadConversation(this.ds, payload.parentId ?? null, payload.chatId) : null;
    source?.catch(() => undefined); // awaited below, or not needed when the hand-out ends here
    const started = await this.generations.start(taken.messageId, session.hello.name, { canContinue: Boolean(session.hello.canContinue), handOutId: taken.jobId });
    if (!started.started) {
      // Cancelled while queued, or deleted with its chat: the hand-out ends here.
      await this.generations.queue.complete(taken.jobId).catch(() => undefined);
      this.forget(taken.jobId);
      return null;
    }
    if (session.closed) {
      await this.release(taken.jobId, taken.messageId, true, "WORKER_DISCONNECTED", "The worker disconnected");
      return null;
    }
    const continued = started.continueFrom;
    const sampling = started.message.sampling!;
    const maxNewTokens = sampling.maxNewTokens - (continued?.tokenCount ?? 0);
    if (maxNewTokens <= 0) {
      // The earlier workers streamed the whole token budget and only their finish was lost.
      await this.generations.end(taken.messageId, "length", null);
      await this.generations.queue.complete(taken.jobId).catch(() => undefined);
      this.forget(taken.jobId);
      return null;
    }
    return {
      jobId: publicJobId(taken),
      messageId: taken.messageId,
      model,
      messages: buildConversation(
        await (source ?? loadConversation(this.ds, started.message.parentId, started.message.chatId)),
        started.message.text,
        this.catalog.get(started.message.model ?? ""),
      ),
      continueFrom: continued?.text ?? null,
      sampling: {
        maxNewTokens,
        temperature: sampling.temperature,
        topP: sampling.topP,
        topK: sampling.topK ?? null,
        repetitionPenalty: sampling.repetitionPenalty ?? null,
        seed: sampling.seed,
      },
      attempt: taken.attempt,
      tokenBatchMs: this.config.tokenBatchMs,
      leaseMs: this.config.workerLeaseMs,
    };
  }

  async closeSession(session: WorkerSession): Promise<void> {
    this.closedHere.set(session.id, { connectedAt: session.connectedAt, until: Date.now() + this.recordTtlMs });
    this.sessions.delete(session);
    session.connection?.sessions.delete(session);
    // Batches the worker sent before it went away are appended first, so the next worker continues after them.
    await Promise.allSettled([...session.reports]);
    await this.registry.remove(session.id).catch((err) => this.log.warn({ err }, "could not unregister a worker"));
    for (const [jobId, job] of [...session.inflight]) {
      await this.release(jobId, job.messageId, true, "WORKER_DISCONNECTED", "The worker disconnected").catch((err) =>
        this.log.warn({ err, jobId }, "could not put back a disconnected worker's job"),
      );
    }
    this.log.info({ worker: session.id }, "worker disconnected");
  }

  private forget(queueJobId: string): void {
    const session = this.owners.get(queueJobId);
    this.owners.delete(queueJobId);
    if (session?.inflight.delete(queueJobId)) session.wake();
  }

  /** Ends a hand-out that produced no answer: back to the queue when retryable with attempts left, else FAILED. */
  private async release(queueJobId: string, messageId: string, retryable: boolean, code: string, reason: string): Promise<void> {
    this.forget(queueJobId);
    const message = await this.ds.getRepository(ChatMessage).findOneBy({ id: messageId });
    if (message?.cancelRequestedAt) {
      await this.generations.queue.complete(queueJobId).catch(() => undefined);
      await this.generations.end(messageId, "cancelled", null);
      return;
    }
    // The row is reset first, and only while it names this hand-out: once the job is back in the queue another
    // worker may take it at once, and no write of this attempt may land after that worker's claim.
    const seqAtReset = message && retryable ? await this.generations.unclaim(messageId, queueJobId) : null;
    let outcome: "requeued" | "dead";
    try {
      outcome = await this.generations.queue.fail(queueJobId, retryable);
    } catch (err) {
      if (err instanceof JobLeaseLostError) return; // someone else holds it now
      throw err;
    }
    if (!message) return;
    if (outcome === "requeued") {
      if (seqAtReset !== null) await this.generations.requeued(messageId, message.model!, seqAtReset);
      this.jobAvailable(message.model!);
    } else {
      await this.generations.failed(messageId, ChatMessageState.FAILED, code, reason);
    }
  }

  /**
   * Whether this hand-out still holds its lease, renewing it. Token batches come every few tens of milliseconds:
   * a lease renewed (as confirmed) within the last quarter of the lease time is certainly still held, since a lease
   * is lost only by lapsing (this replica's session is the only one that ends it otherwise), so such a batch costs no
   * Redis call for its lease (`lazy`).
   */
  private async holds(queueJobId: string, lazy = false): Promise<boolean> {
    const job = this.owners.get(queueJobId)?.inflight.get(queueJobId);
    const askedAt = Date.now();
    if (lazy && job && askedAt - job.renewedAt < this.config.workerLeaseMs / 4) return true;
    try {
      await this.generations.queue.heartbeat(queueJobId);
      if (job) job.renewedAt = askedAt;
      return true;
    } catch (err) {
      if (err instanceof JobLeaseLostError) return false;
      throw err;
    }
  }

  /**
   * The session of `caller` that holds the job, or null: the hand-out must be one this replica gave to a session of
   * the calling connection, for exactly the message the job id names. Anything else (another worker's job, a job
   * id spliced with another message's id, a hand-out that ended) is not the caller's to act on.
   */
  private holderOf(caller: WorkerCaller, queueJobId: string, messageId: string): WorkerSession | null {
    if (caller === null) {
      // Not an authorisation matter (worker keys may use the protocol): the report came by the wrong way.
      throw badInput("Job reports are accepted only on the websocket whose workerJobs subscription received the job", { field: "jobId" });
    }
    const owner = this.owners.get(queueJobId);
    if (!owner || !caller.sessions.has(owner) || owner.inflight.get(queueJobId)?.messageId !== messageId) return null;
    return owner;
  }

  /** A batch of tokens; it also renews the lease. */
  async tokens(caller: WorkerCaller, jobId: string, text: string, tokenCount: number): Promise<WorkerAck> {
    const { queueJobId, messageId } = parseJobId(jobId);
    const owner = this.holderOf(caller, queueJobId, messageId);
    if (!owner) return { ok: false, cancel: false };
    owner.seen();
    const work = (async () => {
      if (!(await this.holds(queueJobId, true))) {
        this.forget(queueJobId);
        return false;
      }
      await this.generations.tokens(messageId, text, tokenCount);
      return true;
    })();
    owner.reports.add(work);
    try {
      if (!(await work)) return { ok: false, cancel: false };
    } finally {
      owner.reports.delete(work);
    }
    const job = owner.inflight.get(queueJobId);
    if (job) owner.countTokens(job.model, tokenCount);
    return { ok: true, cancel: this.cancelRequested.has(messageId) };
  }

  async finish(caller: WorkerCaller, jobId: string, finishReason: WorkerFinishReason, text: string, tokenCount: number): Promise<WorkerAck> {
    const { queueJobId, messageId } = parseJobId(jobId);
    const owner = this.holderOf(caller, queueJobId, messageId);
    if (!owner) return { ok: false, cancel: false };
    owner.seen();
    if (!(await this.holds(queueJobId))) {
      this.forget(queueJobId);
      return { ok: false, cancel: false };
    }
    await this.generations.end(messageId, finishReason.toLowerCase(), { text, tokenCount });
    await this.generations.queue.complete(queueJobId).catch((err) => {
      if (!(err instanceof JobLeaseLostError)) throw err;
    });
    this.forget(queueJobId);
    this.cancelRequested.delete(messageId);
    return { ok: true, cancel: false };
  }

  async fail(caller: WorkerCaller, jobId: string, code: string, reason: string, retryable: boolean): Promise<WorkerAck> {
    const { queueJobId, messageId } = parseJobId(jobId);
    const owner = this.holderOf(caller, queueJobId, messageId);
    if (!owner) return { ok: false, cancel: false };
    owner.seen();
    await this.release(queueJobId, messageId, retryable, code, reason);
    this.cancelRequested.delete(messageId);
    return { ok: true, cancel: false };
  }

  async heartbeat(caller: WorkerCaller, jobIds: string[], sessionId?: string | null): Promise<WorkerHeartbeatResult> {
    const parsed = jobIds.map((jobId) => ({ jobId, ...parseJobId(jobId) }));
    // Without a connection there are no sessions or jobs to renew (holderOf refuses), only the answer's settings.
    let session: WorkerSession | undefined;
    if (sessionId && caller) for (const s of caller.sessions) if (s.id === sessionId) session = s;
    session?.seen();
    const held: string[] = [];
    const lost: string[] = [];
    const heldMessages = new Map<string, string>();
    for (const { jobId, queueJobId, messageId } of parsed) {
      const owner = this.holderOf(caller, queueJobId, messageId);
      owner?.seen();
      if (owner && (await this.holds(queueJobId))) {
        held.push(jobId);
        heldMessages.set(messageId, jobId);
      } else {
        // Only the caller's own hand-out is forgotten; another session's job is merely not the caller's.
        if (owner) this.forget(queueJobId);
        lost.push(jobId);
      }
    }
    const cancelled = heldMessages.size
      ? rowsOf<{ id: string }>(
          await this.ds.query(`SELECT id FROM chat_message WHERE id = ANY($1::uuid[]) AND cancel_requested_at IS NOT NULL`, [[...heldMessages.keys()]]),
        )
      : [];
    return {
      held,
      lost,
      cancel: cancelled.map((r) => heldMessages.get(r.id)!),
      drain: Boolean(session?.draining),
      leaseMs: this.config.workerLeaseMs,
    };
  }

  /**
   * PostgreSQL is the record and the queue may have lost jobs: ends dead letters as FAILED and old PENDING
   * messages as TIMEOUT, and puts back every unfinished message that has no job.
   */
  async reconcile(): Promise<{ failed: number; timedOut: number; requeued: number }> {
    const queue = this.generations.queue;
    let failed = 0;
    for (const dead of await queue.drainDeadLetters()) {
      if (await this.generations.failed(dead.messageId, ChatMessageState.FAILED, "WORKER_LOST", `No worker finished the generation in ${dead.attempts} attempts`)) failed++;
    }
    let timedOut = 0;
    const old = rowsOf<{ id: string }>(
      await this.ds.query(
        `SELECT id FROM chat_message WHERE state = 'PENDING' AND COALESCE(continued_at, created_at) < now() - make_interval(secs => $1)`,
        [this.config.pendingTimeoutSeconds],
      ),
    );
    for (const { id } of old) {
      if ((await queue.cancel(id)) === "active") continue; // a worker just took it
      if (await this.generations.failed(id, ChatMessageState.TIMEOUT, "TIMEOUT", `No worker started the generation within ${this.config.pendingTimeoutSeconds} s`)) timedOut++;
    }
    const active = new Set((await queue.activeJobs()).map((j) => j.messageId));
    // A few seconds of grace: sendChatMessage commits its messages just before it enqueues them.
    const unfinished = rowsOf<{ id: string; state: string; model: string; user_id: string; cancel: boolean }>(
      await this.ds.query(
        `SELECT m.id, m.state, m.model, c.user_id, m.cancel_requested_at IS NOT NULL AS cancel
           FROM chat_message m JOIN chat c ON c.id = m.chat_id
          WHERE m.state IN ('PENDING', 'IN_PROGRESS') AND COALESCE(m.continued_at, m.created_at) < now() - interval '5 seconds'`,
      ),
    );
    let requeued = 0;
    for (const m of unfinished) {
      if (active.has(m.id)) continue;
      if (m.cancel) {
        await this.generations.end(m.id, "cancelled", null);
        continue;
      }
      if (m.state === "PENDING" && (await queue.position(m.model, m.id)) !== null) continue;
      // As in release: the row is PENDING before the job is back where a worker can take it.
      const seqAtReset = m.state === "IN_PROGRESS" ? await this.generations.unclaim(m.id, null) : await this.generations.streamSeq(m.id).catch(() => null);
      await queue.enqueue(m.model, { messageId: m.id, userId: m.user_id, payload: {} }, { bypassSizeLimit: true });
      if (seqAtReset !== null) await this.generations.requeued(m.id, m.model, seqAtReset);
      this.jobAvailable(m.model);
      requeued++;
    }
    const cutoff = Date.now() - 3_600_000;
    for (const [id, at] of this.cancelRequested) if (at < cutoff) this.cancelRequested.delete(id);
    if (failed || timedOut || requeued) this.log.info({ failed, timedOut, requeued }, "generations reconciled");
    return { failed, timedOut, requeued };
  }

  async close(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await this.refreshing;
    for (const stop of this.stopListening) stop();
    for (const s of [...this.sessions]) await s.return();
  }
}

function toWorkerInfo(r: WorkerRecord): WorkerInfo {
  return {
    id: r.id,
    name: r.name,
    models: r.models,
    capacity: r.capacity,
    device: r.device,
    hardwareDescription: r.hardwareDescription,
    protocolVersion: r.protocolVersion,
    canContinue: r.canContinue,
    inFlightJobs: r.inFlightJobs,
    draining: r.draining,
    tokensPerSecond: r.tokensPerSecond,
    connectedAt: new Date(r.connectedAt),
    lastSeenAt: new Date(r.lastSeenAt),
  };
}
