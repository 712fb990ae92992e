/**
 * The hand-outs this replica's sessions hold: which session runs which queue job (for which message), whether its
 * lease still holds, and how a hand-out that produced no answer ends (back to the queue, or FAILED).
 */
import type { DataSource } from "typeorm";
import type { ChatConfig } from "../../../config/index.js";
import { JobLeaseLostError, type TakenJob } from "../../../infra/queue/index.js";
import { badInput } from "../../../common/errors.js";
import { ChatMessage, ChatMessageState } from "../../chat/chat.entity.js";
import type { GenerationService } from "../../chat/generation/generation.service.js";
import type { WorkerConnection } from "../sessions/worker-connection.js";
import type { WorkerSession } from "../sessions/worker-session.js";

/** The caller of a job report: its connection, or null for a request that came without one (HTTP). */
export type WorkerCaller = WorkerConnection<WorkerSession> | null;

export class JobLeases {
  /** Queue job id → the session of this replica that runs it. */
  readonly owners = new Map<string, WorkerSession>();

  constructor(
    private readonly ds: DataSource,
    private readonly config: ChatConfig,
    private readonly generations: GenerationService,
    /** Announces a job put back in the queue to every replica's idle workers. */
    private readonly jobAvailable: (model: string) => void,
  ) {}

  /** Notes a job just taken for `session` (`askedAt`: when the take, which starts the lease, was asked for). */
  track(session: WorkerSession, job: TakenJob, model: string, askedAt: number): void {
    session.inflight.set(job.jobId, { messageId: job.messageId, model, renewedAt: askedAt, preparing: true });
    this.owners.set(job.jobId, session);
  }

  /**
   * The session of `caller` that holds the job, or null: the hand-out must be one this replica gave to a session of
   * the calling connection, for exactly the message the job id names. Anything else (another worker's job, a job
   * id spliced with another message's id, a hand-out that ended) is not the caller's to act on.
   */
  holderOf(caller: WorkerCaller, queueJobId: string, messageId: string): WorkerSession | null {
    if (caller === null) {
      // Not an authorisation matter (worker keys may use the protocol): the report came by the wrong way.
      throw badInput("Job reports are accepted only on the websocket whose workerJobs subscription received the job", { field: "jobId" });
    }
    const owner = this.owners.get(queueJobId);
    if (!owner || !caller.sessions.has(owner) || owner.inflight.get(queueJobId)?.messageId !== messageId) return null;
    return owner;
  }

  /**
   * Whether this hand-out still holds its lease, renewing it. Token batches come every few tens of milliseconds:
   * a lease renewed (as confirmed) within the last quarter of the lease time is certainly still held, since a lease
   * is lost only by lapsing (this replica's session is the only one that ends it otherwise), so such a batch costs no
   * Redis call for its lease (`lazy`).
   */
  async holds(queueJobId: string, lazy = false): Promise<boolean> {
    const job = this.owners.get(queueJobId)?.inflight.get(queueJobId);
    const askedAt = Date.now();
    if (lazy && this.renewedRecently(queueJobId)) return true;
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
   * Whether the hand-out's lease was renewed (as confirmed) within the last quarter of the lease time: certainly still
   * held (see holds), known without waiting for anything.
   */
  renewedRecently(queueJobId: string): boolean {
    const job = this.owners.get(queueJobId)?.inflight.get(queueJobId);
    return job !== undefined && Date.now() - job.renewedAt < this.config.workerLeaseMs / 4;
  }

  forget(queueJobId: string): void {
    const session = this.owners.get(queueJobId);
    this.owners.delete(queueJobId);
    if (session?.inflight.delete(queueJobId)) session.wake();
  }

  /** Ends a hand-out that produced no answer: back to the queue when retryable with attempts left, else FAILED. */
  async release(queueJobId: string, messageId: string, retryable: boolean, code: string, reason: string): Promise<void> {
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
}
