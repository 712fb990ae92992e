/**
 * Hand-out: takes jobs from the shared queue for a session (models in turn, users in turn within a model) and
 * starts each one: claims the answer, reads its conversation at the same time, and builds what the worker gets.
 */
import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import type { ChatConfig } from "../../../config/index.js";
import type { TakenJob } from "../../../infra/queue/index.js";
import type { ModelCatalog } from "../../chat/models.js";
import type { GenerationService } from "../../chat/generation/generation.service.js";
import { buildConversation, ConversationLoader, type GenerationJobPayload } from "../../chat/generation/job-conversation.js";
import type { WorkerJob } from "../worker.types.js";
import type { WorkerSession } from "../sessions/worker-session.js";
import type { JobLeases } from "./job-leases.js";
import { publicJobId } from "./job-ids.js";

export class JobHandOut {
  /** A wave of hand-outs reads its conversations together. */
  private readonly conversations: ConversationLoader;

  constructor(
    ds: DataSource,
    private readonly config: ChatConfig,
    private readonly catalog: ModelCatalog,
    private readonly generations: GenerationService,
    private readonly leases: JobLeases,
    private readonly log: Logger,
  ) {
    this.conversations = new ConversationLoader(ds);
  }

  /**
   * Takes up to `max` jobs for the session from the queue, models in turn, and counts them in flight; `prepare` then
   * starts each one. A round asks each model still open for its share of the free slots (as the slots would be
   * dealt out one by one, models in turn) in one atomic take, so users keep their turns and a session with 50 free
   * slots costs one script per model, not 50; a model that gave fewer than its share is dry and left out of the
   * next round.
   */
  async takeFor(session: WorkerSession, max: number): Promise<{ job: TakenJob; model: string }[]> {
    const taken: { job: TakenJob; model: string }[] = [];
    let open = session.modelsInTurn();
    while (taken.length < max && open.length && !session.closed) {
      const wanted = max - taken.length;
      const shares = open
        .map((model, i) => ({ model, count: Math.floor(wanted / open.length) + (i < wanted % open.length ? 1 : 0) }))
        .filter((s) => s.count > 0);
      const askedAt = Date.now();
      const results = await Promise.allSettled(
        shares.map((s) => this.generations.queue.takeMany(s.model, session.id, s.count, { leaseMs: this.config.workerLeaseMs })),
      );
      const dry = new Set<string>();
      let failure: { reason: unknown } | null = null;
      results.forEach((r, i) => {
        const { model, count } = shares[i];
        if (r.status === "rejected") {
          failure ??= { reason: r.reason };
          return;
        }
        if (r.value.length < count) dry.add(model);
        for (const job of r.value) {
          // Tracked even when another take of the round failed: the session holds it, and gives it back if it closes.
          this.leases.track(session, job, model, askedAt);
          session.seen();
          taken.push({ job, model });
        }
      });
      if (failure) {
        if (taken.length) break;
        throw (failure as { reason: unknown }).reason;
      }
      open = open.filter((m) => !dry.has(m));
    }
    return taken;
  }

  /**
   * Starts a taken job and builds what the worker gets; null when the hand-out ended here (the job is settled).
   * When preparing fails the job goes back to the queue and the error is thrown.
   *
   * Until its claim has settled, the job is this preparation's to put back (InFlight.preparing): a session that
   * closes meanwhile leaves it here, and it goes back to the queue only once nothing of this hand-out can still claim
   * the answer. Put back at once, the job could reach another worker that claims the answer and streams, and then
   * this claim would land: it takes an IN_PROGRESS answer from whichever hand-out holds it (a lapsed one must be
   * taken over), so it appended GenerationRestarted in the middle of the new worker's answer and set the answer back
   * to PENDING, and subscribers and the stored text lost the tokens acknowledged before it (bench/RESULTS.md, issue 13).
   */
  async prepare(session: WorkerSession, taken: TakenJob, model: string): Promise<WorkerJob | null> {
    try {
      return await this.prepareJob(session, taken, model);
    } catch (err) {
      this.log.warn({ err, messageId: taken.messageId }, "could not hand out a job: put back");
      await this.leases.release(taken.jobId, taken.messageId, true, "WORKER_FAILED", "The job could not be handed out").catch(() => undefined);
      throw err;
    } finally {
      // A job handed out at once is claimed behind the worker: prepared once that claim has settled.
      const job = session.inflight.get(taken.jobId);
      if (job) void (job.starting ?? Promise.resolve()).then(() => this.prepared(session, taken));
    }
  }

  /** The hand-out's claim has settled: a session that closed meanwhile left the job to be put back here. */
  private prepared(session: WorkerSession, taken: TakenJob): void {
    const job = session.inflight.get(taken.jobId);
    if (!job) return; // already put back or settled
    job.preparing = false;
    if (!session.closed) return;
    void this.leases
      .release(taken.jobId, taken.messageId, true, "WORKER_DISCONNECTED", "The worker disconnected")
      .catch((err) => this.log.warn({ err, messageId: taken.messageId }, "could not put back a disconnected worker's job"));
  }

  private async prepareJob(session: WorkerSession, taken: TakenJob, model: string): Promise<WorkerJob | null> {
    if (session.admit && !(await session.admit())) {
      // The key was revoked: this job is not started, and closing the session puts back every other job the session
      // holds, as a disconnect does; this one goes back once this preparation ends (prepared). Not awaited: the
      // close does not wait for this preparation, but nothing is gained by waiting for the close here.
      session.refused ??= "The worker key is no longer valid (revoked, rotated or expired)";
      void session.return();
      return null;
    }
    // A hand-out whose lease lapsed while it waited here (for the database, under load) is not started: its job may
    // be another worker's already, and the claim would take the answer from it. Lazy: a take less than a quarter of
    // the lease time ago costs no Redis call; a check that renews the lease leaves the claim most of a lease time.
    if (!(await this.leases.holds(taken.jobId, true))) {
      this.leases.forget(taken.jobId);
      return null;
    }
    // Nor is the job of a session that closed while it waited here: prepared puts it back.
    if (session.closed) return null;
    const payload = taken.payload as GenerationJobPayload;
    if (taken.attempt === 1 && payload.conversation && payload.sampling) return this.handOutAtOnce(session, taken, model, payload);
    // The conversation is read while the answer is claimed (its place in the tree never changes); a job without
    // the payload (put back by the reconciler) reads it after the claim.
    const source = payload.chatId ? this.conversations.load(payload.parentId ?? null, payload.chatId) : null;
    source?.catch(() => undefined); // awaited below, or not needed when the hand-out ends here
    const started = await this.generations.start(taken.messageId, session.hello.name, {
      canContinue: Boolean(session.hello.canContinue),
      handOutId: taken.jobId,
    });
    if (!started.started) {
      // Cancelled while queued, or deleted with its chat: the hand-out ends here.
      await this.generations.queue.complete(taken.jobId).catch(() => undefined);
      this.leases.forget(taken.jobId);
      return null;
    }
    if (session.closed) {
      await this.leases.release(taken.jobId, taken.messageId, true, "WORKER_DISCONNECTED", "The worker disconnected");
      return null;
    }
    const continued = started.continueFrom;
    const sampling = started.message.sampling!;
    const maxNewTokens = sampling.maxNewTokens - (continued?.tokenCount ?? 0);
    if (maxNewTokens <= 0) {
      // The earlier workers streamed the whole token budget and only their finish was lost.
      await this.generations.end(taken.messageId, "length", null);
      await this.generations.queue.complete(taken.jobId).catch(() => undefined);
      this.leases.forget(taken.jobId);
      return null;
    }
    const conversation = await (source ?? this.conversations.load(started.message.parentId, started.message.chatId));
    return this.workerJob(
      taken,
      model,
      buildConversation(conversation, started.message.text, this.catalog.get(started.message.model ?? "")),
      continued?.text ?? null,
      {
        ...sampling,
        maxNewTokens,
      },
    );
  }

  /**
   * The first hand-out of a job that carries its conversation and sampling (a send's): the worker has it at once, and
   * the answer is claimed behind it (PENDING → IN_PROGRESS, GenerationStarted). The job's reports wait for that
   * claim (JobReports), so nothing it streams lands before GenerationStarted or on an answer that was cancelled
   * meanwhile; when the claim is refused or fails, the hand-out ends there and the worker's next report is answered
   * `ok: false`, which stops it. A first attempt has streamed nothing before, so there is nothing to continue.
   */
  private handOutAtOnce(session: WorkerSession, taken: TakenJob, model: string, payload: GenerationJobPayload): WorkerJob {
    const job = this.workerJob(taken, model, buildConversation(payload.conversation!, "", this.catalog.get(model)), null, payload.sampling!);
    const starting = this.startBehind(session, taken);
    const inflight = session.inflight.get(taken.jobId);
    if (inflight) {
      inflight.starting = starting;
      // Once the claim took, the job's reports have nothing to wait for (an await of it per token batch otherwise).
      void starting.then((took) => {
        if (took && inflight.starting === starting) inflight.starting = undefined;
      });
    }
    // A session that closes meanwhile puts its jobs back only once the claim is settled (closeSession waits for it).
    session.reports.add(starting);
    void starting.finally(() => session.reports.delete(starting));
    return job;
  }

  /** Claims a job already handed out; false when its hand-out ended here (cancelled, gone, or the claim failed). */
  private async startBehind(session: WorkerSession, taken: TakenJob): Promise<boolean> {
    try {
      const started = await this.generations.start(taken.messageId, session.hello.name, {
        canContinue: Boolean(session.hello.canContinue),
        handOutId: taken.jobId,
        neverHandedOut: true,
      });
      if (started.started) return true;
      // Cancelled while queued, or deleted with its chat.
      await this.generations.queue.complete(taken.jobId).catch(() => undefined);
      this.leases.forget(taken.jobId);
      return false;
    } catch (err) {
      this.log.warn({ err, messageId: taken.messageId }, "could not claim a job handed out: put back");
      await this.leases.release(taken.jobId, taken.messageId, true, "WORKER_FAILED", "The job could not be handed out").catch(() => undefined);
      return false;
    }
  }

  private workerJob(
    taken: TakenJob,
    model: string,
    messages: WorkerJob["messages"],
    continueFrom: string | null,
    sampling: NonNullable<GenerationJobPayload["sampling"]>,
  ): WorkerJob {
    return {
      jobId: publicJobId(taken),
      messageId: taken.messageId,
      model,
      messages,
      continueFrom,
      sampling: {
        maxNewTokens: sampling.maxNewTokens,
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
}
