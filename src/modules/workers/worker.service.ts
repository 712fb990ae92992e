/**
 * The dispatcher of one API replica: its worker sessions (connect, close, the shared registry, drains, silence),
 * and the signals between replicas (jobs, cancellations, drains). The rest is in files of their own: sessions
 * (sessions/worker-session.ts), leases (jobs/job-leases.ts), hand-out (jobs/job-hand-out.ts), reports
 * (jobs/job-reports.ts), the reconciler (jobs/generation-reconciler.ts) and admin views (worker-admin.ts). The queue
 * holds the leases, PostgreSQL the record and the event stream the tokens.
 */
import crypto from "node:crypto";
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { ChatConfig } from "../../config/index.js";
import type { PubSubHandle } from "../../infra/pubsub.js";
import type { TakenJob } from "../../infra/queue/index.js";
import { badInput, ChorusError, ErrorCode } from "../../common/errors.js";
import type { RequestContext } from "../../common/request-context.js";
import { isUuid } from "../../db/rows.js";
import { ModerationAction, writeJournal } from "../moderation/journal.js";
import type { ModelCatalog } from "../chat/models.js";
import type { GenerationService } from "../chat/generation/generation.service.js";
import {
  WORKER_PROTOCOL_VERSION,
  type WorkerAck,
  type WorkerFinishReason,
  type WorkerHeartbeatResult,
  type WorkerInfo,
  type WorkerJob,
  type WorkerPool,
} from "./worker.types.js";
import type { WorkerRecord, WorkerRegistry } from "./sessions/worker-registry.js";
import type { WorkerConnection } from "./sessions/worker-connection.js";
import { isSilent, WorkerSession, type WorkerHello } from "./sessions/worker-session.js";
import { JobLeases, type WorkerCaller } from "./jobs/job-leases.js";
import { JobHandOut } from "./jobs/job-hand-out.js";
import { JobReports } from "./jobs/job-reports.js";
import { reconcileGenerations } from "./jobs/generation-reconciler.js";
import { poolsOf, toWorkerInfo } from "./worker-admin.js";

export { WorkerSession, isSilent, type WorkerHello } from "./sessions/worker-session.js";
export type { WorkerCaller } from "./jobs/job-leases.js";

const JOBS_TOPIC = "chat:jobs";
const CANCEL_TOPIC = "chat:cancel";
const DRAIN_TOPIC = "chat:drain";

export class WorkerService {
  private readonly sessions = new Set<WorkerSession>();
  private readonly leases: JobLeases;
  private readonly handOut: JobHandOut;
  private readonly reports: JobReports;
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
  ) {
    this.leases = new JobLeases(ds, config, generations, (model) => this.jobAvailable(model));
    this.handOut = new JobHandOut(ds, config, catalog, generations, this.leases, log);
    this.reports = new JobReports(ds, config, generations, this.leases);
  }

  /** How often sessions are written to the registry and checked for drain marks and silence. */
  private get refreshMs(): number {
    return Math.max(100, Math.min(2_000, Math.floor(this.config.workerLeaseMs / 4)));
  }

  /** Listens for jobs, cancellations and drains announced by any replica; checks its sessions periodically. */
  start(): void {
    this.listen(JOBS_TOPIC, (model) => this.wakeModel(String(model)));
    this.listen(CANCEL_TOPIC, (messageId) => this.reports.cancelRequested.set(String(messageId), Date.now()));
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

  /** Tells a worker (on any replica) to finish its jobs and take no new ones; journaled. */
  async drain(rc: RequestContext, workerId: string): Promise<WorkerInfo> {
    const wasDraining = (await this.list()).find((w) => w.id === workerId)?.draining ?? false;
    const record = (await this.registry.list()).find((r) => r.id === workerId);
    if (!record) throw new ChorusError(ErrorCode.NOT_FOUND, `No connected worker has the id ${workerId}`);
    await this.registry.requestDrain(workerId);
    const local = [...this.sessions].find((s) => s.id === workerId);
    if (local) this.drainLocal(local);
    else this.pubSub.pubSub.publish(DRAIN_TOPIC, workerId);
    const info = toWorkerInfo(local ? this.recordOf(local) : { ...record, draining: true });
    // Journaled once: draining a draining worker changes nothing. A session id need not be a UUID: then it is in the payload only.
    if (!wasDraining) {
      await writeJournal(
        this.ds.manager,
        rc.actor,
        ModerationAction.WORKER_DRAINED,
        { targetId: isUuid(info.id) ? info.id : null },
        {
          before: { draining: false },
          after: { draining: true },
          worker_id: info.id,
          worker_name: info.name,
          models: info.models,
        },
      );
    }
    return info;
  }

  /** Every connected worker, on every replica. */
  async list(): Promise<WorkerInfo[]> {
    await this.publishLocal();
    return (await this.registry.list()).map(toWorkerInfo);
  }

  /** Per declared model: its workers, their jobs, its queue and its throughput. */
  async pools(): Promise<WorkerPool[]> {
    await this.publishLocal();
    return poolsOf(await this.registry.list(), this.catalog, this.generations.queue);
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

  /**
   * Announces a job for `model` to every replica's idle workers. When a session of this replica was waiting idle with
   * room for it, that session takes it: the other replicas are not told (a PUBLISH per send, and its echo to this
   * replica's own listener waking every session again for a take that found nothing). Should that take get another
   * job of the queue instead, the replicas' idle polls (IDLE_POLL_MS) find this one, as they find any job whose notice
   * was missed.
   */
  jobAvailable(model: string): void {
    if (this.wakeModel(model)) return;
    this.pubSub.pubSub.publish(JOBS_TOPIC, model);
  }

  /** Announces a cancellation to every replica, whose workers learn it in their next ack. */
  cancelRequestedFor(messageId: string): void {
    this.reports.cancelRequested.set(messageId, Date.now());
    this.pubSub.pubSub.publish(CANCEL_TOPIC, messageId);
  }

  /** Wakes this replica's sessions of `model`; true when one of them was idle with room for a job of it (wakeForJob). */
  private wakeModel(model: string): boolean {
    let taker = false;
    for (const s of this.sessions) if (s.hello.models.includes(model) && s.wakeForJob()) taker = true;
    return taker;
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

  async closeSession(session: WorkerSession): Promise<void> {
    this.closedHere.set(session.id, { connectedAt: session.connectedAt, until: Date.now() + this.recordTtlMs });
    this.sessions.delete(session);
    session.connection?.sessions.delete(session);
    // Batches the worker sent before it went away are appended first, so the next worker continues after them.
    await Promise.allSettled([...session.reports]);
    await this.registry.remove(session.id).catch((err) => this.log.warn({ err }, "could not unregister a worker"));
    for (const [jobId, job] of [...session.inflight]) {
      // A job still being prepared is put back by its preparation once its claim has settled (JobHandOut.prepare);
      // one that preparation already put back is gone from inflight.
      if (session.inflight.get(jobId) !== job || job.preparing) continue;
      await this.leases
        .release(jobId, job.messageId, true, "WORKER_DISCONNECTED", "The worker disconnected")
        .catch((err) => this.log.warn({ err, jobId }, "could not put back a disconnected worker's job"));
    }
    this.log.info({ worker: session.id }, "worker disconnected");
  }

  // --- hand-out (job-hand-out.ts), reports (job-reports.ts), reconciler (generation-reconciler.ts) ---------------

  takeFor(session: WorkerSession, max: number): Promise<{ job: TakenJob; model: string }[]> {
    return this.handOut.takeFor(session, max);
  }

  prepare(session: WorkerSession, taken: TakenJob, model: string): Promise<WorkerJob | null> {
    return this.handOut.prepare(session, taken, model);
  }

  tokens(caller: WorkerCaller, jobId: string, text: string, tokenCount: number): Promise<WorkerAck> {
    return this.reports.tokens(caller, jobId, text, tokenCount);
  }

  finish(caller: WorkerCaller, jobId: string, finishReason: WorkerFinishReason, text: string, tokenCount: number): Promise<WorkerAck> {
    return this.reports.finish(caller, jobId, finishReason, text, tokenCount);
  }

  fail(caller: WorkerCaller, jobId: string, code: string, reason: string, retryable: boolean): Promise<WorkerAck> {
    return this.reports.fail(caller, jobId, code, reason, retryable);
  }

  heartbeat(caller: WorkerCaller, jobIds: string[], sessionId?: string | null): Promise<WorkerHeartbeatResult> {
    return this.reports.heartbeat(caller, jobIds, sessionId);
  }

  reconcile(): Promise<{ failed: number; timedOut: number; requeued: number }> {
    return reconcileGenerations({
      ds: this.ds,
      config: this.config,
      generations: this.generations,
      log: this.log,
      jobAvailable: (model) => this.jobAvailable(model),
      cancelRequested: this.reports.cancelRequested,
    });
  }

  async close(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await this.refreshing;
    for (const stop of this.stopListening) stop();
    for (const s of [...this.sessions]) await s.return();
  }
}
