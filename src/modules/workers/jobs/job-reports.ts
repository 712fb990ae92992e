/**
 * A worker's reports on its jobs: token batches, finish, fail and heartbeats. Each acts only on a hand-out that a
 * session of the calling connection holds (JobLeases.holderOf); the rest answer "not yours" and change nothing.
 */
import type { DataSource } from "typeorm";
import type { ChatConfig } from "../../../config/index.js";
import { JobLeaseLostError } from "../../../infra/queue/index.js";
import { rowsOf } from "../../../db/rows.js";
import type { GenerationService } from "../../chat/generation/generation.service.js";
import type { WorkerAck, WorkerFinishReason, WorkerHeartbeatResult } from "../worker.types.js";
import type { WorkerSession } from "../sessions/worker-session.js";
import type { JobLeases, WorkerCaller } from "./job-leases.js";
import { parseJobId } from "./job-ids.js";

export class JobReports {
  /** Messages whose cancellation was asked for, with when; workers learn it in their next ack. */
  readonly cancelRequested = new Map<string, number>();

  constructor(
    private readonly ds: DataSource,
    private readonly config: ChatConfig,
    private readonly generations: GenerationService,
    private readonly leases: JobLeases,
  ) {}

  /**
   * A batch of tokens; it also renews the lease. Written with one promise reaction instead of an async function
   * awaiting the append's promise mapped by another: token batches come thousands a second, and every promise pays
   * AsyncLocalStorage's promise hooks and the garbage collector (bench/RESULTS.md, branch cpu5). Failures reject the
   * returned promise as the async function's did, synchronous ones included.
   */
  tokens(caller: WorkerCaller, jobId: string, text: string, tokenCount: number): Promise<WorkerAck> {
    let queueJobId: string;
    let messageId: string;
    let owner: WorkerSession | null;
    try {
      ({ queueJobId, messageId } = parseJobId(jobId));
      owner = this.leases.holderOf(caller, queueJobId, messageId);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!owner) return Promise.resolve({ ok: false, cancel: false });
    const holder = owner;
    holder.seen();
    const starting = holder.inflight.get(queueJobId)?.starting;
    // The usual batch (its job claimed, its lease renewed lately) waits for nothing but its append, which counts as
    // taken whatever it settles with (a seq, or null for a stream that ended: a late batch); the others say.
    const usual = !starting && this.leases.renewedRecently(queueJobId);
    const work: Promise<unknown> = usual
      ? this.generations.tokens(messageId, text, tokenCount)
      : this.checkedTokens(starting, queueJobId, messageId, text, tokenCount);
    holder.reports.add(work);
    return work.then(
      (taken) => {
        holder.reports.delete(work);
        if (!usual && !taken) return { ok: false, cancel: false };
        const job = holder.inflight.get(queueJobId);
        if (job) holder.countTokens(job.model, tokenCount);
        return { ok: true, cancel: this.cancelRequested.has(messageId) };
      },
      (err: unknown) => {
        holder.reports.delete(work);
        throw err;
      },
    );
  }

  /** A batch that must wait for its job's claim or renew its lease first. */
  private async checkedTokens(
    starting: Promise<boolean> | undefined,
    queueJobId: string,
    messageId: string,
    text: string,
    tokenCount: number,
  ): Promise<boolean> {
    // A job handed out before its claim: its tokens land after GenerationStarted, and only if the claim took.
    if (starting && !(await starting)) return false;
    if (!(await this.leases.holds(queueJobId, true))) {
      this.leases.forget(queueJobId);
      return false;
    }
    await this.generations.tokens(messageId, text, tokenCount);
    return true;
  }

  async finish(caller: WorkerCaller, jobId: string, finishReason: WorkerFinishReason, text: string, tokenCount: number): Promise<WorkerAck> {
    const { queueJobId, messageId } = parseJobId(jobId);
    const owner = this.leases.holderOf(caller, queueJobId, messageId);
    if (!owner) return { ok: false, cancel: false };
    owner.seen();
    if (!(await this.claimed(owner, queueJobId))) return { ok: false, cancel: false };
    // A lease renewed lately is certainly held (JobLeases.holds): the finish of an answer that streamed until now
    // (its batches renew the lease) costs no Redis call for it; the queue's complete checks it again anyway.
    if (!(await this.leases.holds(queueJobId, true))) {
      this.leases.forget(queueJobId);
      return { ok: false, cancel: false };
    }
    await this.generations.end(messageId, finishReason.toLowerCase(), { text, tokenCount });
    await this.generations.queue.complete(queueJobId).catch((err) => {
      if (!(err instanceof JobLeaseLostError)) throw err;
    });
    this.leases.forget(queueJobId);
    this.cancelRequested.delete(messageId);
    return { ok: true, cancel: false };
  }

  async fail(caller: WorkerCaller, jobId: string, code: string, reason: string, retryable: boolean): Promise<WorkerAck> {
    const { queueJobId, messageId } = parseJobId(jobId);
    const owner = this.leases.holderOf(caller, queueJobId, messageId);
    if (!owner) return { ok: false, cancel: false };
    owner.seen();
    if (!(await this.claimed(owner, queueJobId))) return { ok: false, cancel: false };
    await this.leases.release(queueJobId, messageId, retryable, code, reason);
    this.cancelRequested.delete(messageId);
    return { ok: true, cancel: false };
  }

  /**
   * Waits for the claim of a job handed out before it (JobHandOut.handOutAtOnce): its end must not overtake its
   * start. False when the hand-out ended there (the claim was refused or failed).
   */
  private async claimed(owner: WorkerSession, queueJobId: string): Promise<boolean> {
    const starting = owner.inflight.get(queueJobId)?.starting;
    return !starting || (await starting);
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
      const owner = this.leases.holderOf(caller, queueJobId, messageId);
      owner?.seen();
      if (owner && (await this.leases.holds(queueJobId))) {
        held.push(jobId);
        heldMessages.set(messageId, jobId);
      } else {
        // Only the caller's own hand-out is forgotten; another session's job is merely not the caller's.
        if (owner) this.leases.forget(queueJobId);
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
}
