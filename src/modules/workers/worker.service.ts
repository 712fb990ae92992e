/**
 * The dispatcher of one API replica: worker sessions (one per `workerJobs` subscription, or the in-process
 * worker), job hand-out under leases from the shared generation queue, and the worker's reports (token batches,
 * finish, fail, heartbeat). Any replica can take any report: the queue holds the leases, PostgreSQL the record
 * and the event stream the tokens.
 */
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { ChatConfig } from "../../config.js";
import type { PubSubHandle } from "../../infra/pubsub.js";
import { JobLeaseLostError, type TakenJob } from "../../infra/queue/index.js";
import { rowsOf } from "../../db/rows.js";
import { badInput } from "../../server/errors.js";
import { ChatMessage, ChatMessageState } from "../chat/chat.entity.js";
import type { ModelCatalog } from "../chat/models.js";
import type { GenerationService } from "../chat/generation.service.js";
import { jobConversation } from "../chat/job-conversation.js";
import { WORKER_PROTOCOL_VERSION, WorkerFinishReason, type WorkerAck, type WorkerHeartbeatResult, type WorkerJob } from "./worker.types.js";

export interface WorkerHello {
  protocolVersion: number;
  models: string[];
  capacity: number;
  hardware: { device: string; description?: string | null };
  name: string;
}

const JOBS_TOPIC = "chat:jobs";
const CANCEL_TOPIC = "chat:cancel";
/** Idle sessions look at the queue this often even without a signal: leases that lapsed put jobs back silently. */
const IDLE_POLL_MS = 1_000;

interface InFlight {
  messageId: string;
  model: string;
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
  closed = false;
  private wakeUp: (() => void) | null = null;
  private nextModel = 0;

  constructor(
    private readonly service: WorkerService,
    readonly id: string,
    readonly hello: WorkerHello,
  ) {}

  [Symbol.asyncIterator]() {
    return this;
  }

  async next(): Promise<IteratorResult<WorkerJob>> {
    while (!this.closed) {
      if (this.inflight.size < this.hello.capacity) {
        const job = await this.service.takeFor(this);
        if (job) return { done: false, value: job };
        if (this.closed) break;
      }
      await this.idle();
    }
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<WorkerJob>> {
    if (!this.closed) {
      this.closed = true;
      this.wake();
      await this.service.closeSession(this);
    }
    return { done: true, value: undefined };
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
    w?.();
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), IDLE_POLL_MS);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

export class WorkerService {
  private readonly sessions = new Set<WorkerSession>();
  /** Queue job id → the session of this replica that runs it. */
  private readonly owners = new Map<string, WorkerSession>();
  /** Messages whose cancellation was asked for, with when; workers learn it in their next ack. */
  private readonly cancelRequested = new Map<string, number>();
  private readonly stopListening: (() => void)[] = [];
  private sessionCounter = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly config: ChatConfig,
    private readonly catalog: ModelCatalog,
    private readonly generations: GenerationService,
    private readonly pubSub: PubSubHandle,
    private readonly log: Logger,
  ) {}

  /** Listens for jobs and cancellations announced by any replica. */
  start(): void {
    this.listen(JOBS_TOPIC, (model) => this.wakeModel(String(model)));
    this.listen(CANCEL_TOPIC, (messageId) => this.cancelRequested.set(String(messageId), Date.now()));
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

  /** Opens a session after checking the worker's hello; iterate it for jobs, `return()` it to disconnect. */
  connect(hello: WorkerHello): WorkerSession {
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
    const session = new WorkerSession(this, `${hello.name}#${++this.sessionCounter}`, hello);
    this.sessions.add(session);
    this.log.info({ worker: session.id, models: hello.models, capacity: hello.capacity, device: hello.hardware.device }, "worker connected");
    return session;
  }

  /** Workers serving `model` connected to this replica. */
  connectedWorkers(model: string): number {
    let n = 0;
    for (const s of this.sessions) if (s.hello.models.includes(model)) n++;
    return n;
  }

  /** The next job for the session, or null when none waits. */
  async takeFor(session: WorkerSession): Promise<WorkerJob | null> {
    for (const model of session.modelsInTurn()) {
      for (;;) {
        const taken = await this.generations.queue.take(model, session.id, { leaseMs: this.config.workerLeaseMs });
        if (!taken) break;
        session.inflight.set(taken.jobId, { messageId: taken.messageId, model });
        this.owners.set(taken.jobId, session);
        const started = await this.generations.start(taken.messageId, session.hello.name);
        if (!started.started) {
          // Cancelled while queued, or deleted with its chat: the hand-out ends here.
          await this.generations.queue.complete(taken.jobId).catch(() => undefined);
          this.forget(taken.jobId);
          continue;
        }
        if (session.closed) {
          await this.release(taken.jobId, taken.messageId, true, "WORKER_DISCONNECTED", "The worker disconnected");
          return null;
        }
        return {
          jobId: publicJobId(taken),
          messageId: taken.messageId,
          model,
          messages: await this.thread(started.message),
          sampling: {
            maxNewTokens: started.message.sampling!.maxNewTokens,
            temperature: started.message.sampling!.temperature,
            topP: started.message.sampling!.topP,
            topK: started.message.sampling!.topK ?? null,
            repetitionPenalty: started.message.sampling!.repetitionPenalty ?? null,
            seed: started.message.sampling!.seed,
          },
          attempt: taken.attempt,
          tokenBatchMs: this.config.tokenBatchMs,
          leaseMs: this.config.workerLeaseMs,
        };
      }
    }
    return null;
  }

  /** The conversation up to the answer's prompt, cut to the model's context window (chat/job-conversation.ts). */
  private async thread(message: ChatMessage): Promise<{ role: string; content: string }[]> {
    return jobConversation(this.ds, message, this.catalog.get(message.model ?? ""));
  }

  async closeSession(session: WorkerSession): Promise<void> {
    this.sessions.delete(session);
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
    let outcome: "requeued" | "dead";
    try {
      outcome = await this.generations.queue.fail(queueJobId, retryable);
    } catch (err) {
      if (err instanceof JobLeaseLostError) return; // someone else holds it now
      throw err;
    }
    if (!message) return;
    if (outcome === "requeued") {
      await this.generations.requeued(messageId, message.model!, reason);
      this.jobAvailable(message.model!);
    } else {
      await this.generations.failed(messageId, ChatMessageState.FAILED, code, reason);
    }
  }

  private async holds(queueJobId: string): Promise<boolean> {
    try {
      await this.generations.queue.heartbeat(queueJobId);
      return true;
    } catch (err) {
      if (err instanceof JobLeaseLostError) return false;
      throw err;
    }
  }

  /** A batch of tokens; it also renews the lease. */
  async tokens(jobId: string, text: string, tokenCount: number): Promise<WorkerAck> {
    const { queueJobId, messageId } = parseJobId(jobId);
    if (!(await this.holds(queueJobId))) {
      this.forget(queueJobId);
      return { ok: false, cancel: false };
    }
    await this.generations.tokens(messageId, text, tokenCount);
    return { ok: true, cancel: this.cancelRequested.has(messageId) };
  }

  async finish(jobId: string, finishReason: WorkerFinishReason, text: string, tokenCount: number): Promise<WorkerAck> {
    const { queueJobId, messageId } = parseJobId(jobId);
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

  async fail(jobId: string, code: string, reason: string, retryable: boolean): Promise<WorkerAck> {
    const { queueJobId, messageId } = parseJobId(jobId);
    await this.release(queueJobId, messageId, retryable, code, reason);
    this.cancelRequested.delete(messageId);
    return { ok: true, cancel: false };
  }

  async heartbeat(jobIds: string[]): Promise<WorkerHeartbeatResult> {
    const held: string[] = [];
    const lost: string[] = [];
    const heldMessages = new Map<string, string>();
    for (const jobId of jobIds) {
      const { queueJobId, messageId } = parseJobId(jobId);
      if (await this.holds(queueJobId)) {
        held.push(jobId);
        heldMessages.set(messageId, jobId);
      } else {
        this.forget(queueJobId);
        lost.push(jobId);
      }
    }
    const cancelled = heldMessages.size
      ? rowsOf<{ id: string }>(
          await this.ds.query(`SELECT id FROM chat_message WHERE id = ANY($1::uuid[]) AND cancel_requested_at IS NOT NULL`, [[...heldMessages.keys()]]),
        )
      : [];
    return { held, lost, cancel: cancelled.map((r) => heldMessages.get(r.id)!) };
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
      await queue.enqueue(m.model, { messageId: m.id, userId: m.user_id, payload: {} }, { bypassSizeLimit: true });
      if (m.state === "IN_PROGRESS") await this.generations.requeued(m.id, m.model, "The worker was lost");
      else await this.generations.queued(m.id, m.model, (await queue.position(m.model, m.id)) ?? 0);
      this.jobAvailable(m.model);
      requeued++;
    }
    const cutoff = Date.now() - 3_600_000;
    for (const [id, at] of this.cancelRequested) if (at < cutoff) this.cancelRequested.delete(id);
    if (failed || timedOut || requeued) this.log.info({ failed, timedOut, requeued }, "generations reconciled");
    return { failed, timedOut, requeued };
  }

  async close(): Promise<void> {
    for (const stop of this.stopListening) stop();
    for (const s of [...this.sessions]) await s.return();
  }
}
