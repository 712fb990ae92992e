/**
 * The in-process worker of local mode: it takes jobs from this replica's dispatcher exactly as a remote worker
 * does through `workerJobs` (same sessions, same batching, leases and cancellation), so `npm start` with nothing
 * set streams tokens. It serves the synthetic model, and the tiny generated model through gpu-workers'
 * transformers.js backend when that package is installed (see local-models.ts): one session per model.
 */
import type { Logger } from "pino";
import type { WorkerService, WorkerSession } from "../worker.service.js";
import { TokenBatcher, WORKER_PROTOCOL_VERSION } from "@chorus/worker-protocol";
import { WorkerFinishReason, type WorkerJob } from "../worker.types.js";
import { syntheticRunner, tinyModelRunner, type LocalModelRunner } from "./local-models.js";
import { WorkerConnection } from "../sessions/worker-connection.js";

/** The model the in-process worker always serves. */
export { LOCAL_SYNTHETIC_MODEL as LOCAL_WORKER_MODEL } from "./local-models.js";

export class LocalWorker {
  private readonly sessions: WorkerSession[] = [];
  private readonly runners: LocalModelRunner[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly loops: Promise<void>[] = [];
  private stopped = false;
  /** start()'s work, which stop() waits for: a model thread still loading must be closed, not cut off at exit. */
  private starting: Promise<void> | null = null;
  /** Its sessions' connection: reports on their jobs go through it, as a remote worker's go through its socket. */
  private readonly connection = new WorkerConnection<WorkerSession>();

  constructor(
    private readonly workers: WorkerService,
    private readonly tokensPerSecond: number,
    private readonly log: Logger,
    private readonly capacity = 8,
    /** Where the tiny model's runner comes from; tests pass a missing path to see the fallback. */
    private readonly tinyRunner: () => ReturnType<typeof tinyModelRunner> = () => tinyModelRunner(log),
  ) {}

  /** Starts the synthetic session at once and the tiny model's once its files are ready (and, preloaded, the model). */
  start(): Promise<void> {
    this.starting ??= this.startSessions();
    return this.starting;
  }

  private async startSessions(): Promise<void> {
    this.serve(syntheticRunner(this.tokensPerSecond));
    const tiny = await this.tinyRunner();
    if (this.stopped) {
      // Stopped while the tiny model was loading: its thread goes too.
      if ("runner" in tiny) await tiny.runner.close();
      return;
    }
    if ("runner" in tiny) this.serve(tiny.runner);
    else this.log.warn({ reason: tiny.reason }, "the in-process worker serves only the synthetic model: the tiny model needs gpu-workers");
  }

  private serve(runner: LocalModelRunner): void {
    if (!this.workers.declares(runner.model)) {
      this.log.warn({ model: runner.model }, "the in-process worker skips a model the API does not declare");
      void runner.close();
      return;
    }
    const session = this.workers.connect(
      {
        protocolVersion: WORKER_PROTOCOL_VERSION,
        models: [runner.model],
        capacity: runner.capacity ?? this.capacity,
        hardware: { device: runner.device, description: runner.description },
        name: runner.name,
        canContinue: runner.canContinue,
      },
      null,
      this.connection,
    );
    this.sessions.push(session);
    this.runners.push(runner);
    this.loops.push(
      (async () => {
        for await (const job of session) void this.run(runner, job);
      })().catch((err) => this.log.error({ err, model: runner.model }, "the in-process worker stopped")),
    );
  }

  private async run(runner: LocalModelRunner, job: WorkerJob): Promise<void> {
    const abort = new AbortController();
    this.running.set(job.jobId, abort);
    let lost = false;
    const react = (ack: { ok: boolean; cancel: boolean }) => {
      if (!ack.ok) lost = true;
      if (!ack.ok || ack.cancel) abort.abort();
    };
    const heartbeat = setInterval(
      () => {
        this.workers
          .heartbeat(this.connection, [job.jobId])
          .then((r) => react({ ok: r.held.length > 0, cancel: r.cancel.length > 0 }))
          .catch((err) => this.log.warn({ err }, "in-process worker heartbeat failed"));
      },
      Math.max(100, Math.floor(job.leaseMs / 3)),
    );
    const batcher = new TokenBatcher(job.tokenBatchMs, (text, count) => this.workers.tokens(this.connection, job.jobId, text, count).then(react));
    const received = performance.timeOrigin + performance.now();
    try {
      const tokens = runner.generate(job, abort.signal);
      let text = "";
      let count = 0;
      let r = await tokens.next();
      if (!r.done) {
        // The model's own wait for the answer's first token, from the job's arrival here to the moment the model made
        // that token (the stream benchmark's local mode subtracts it); and when the token reached this worker, which
        // also counts the time it then took to get here (the model thread's message, this event loop's turn).
        const at = performance.timeOrigin + performance.now();
        this.log.debug(
          {
            messageId: job.messageId,
            modelFirstTokenMs: (r.value.producedAt ?? at) - received,
            workerFirstTokenMs: at - received,
            // the same instants in ms since the epoch, so the benchmark can split the rest into hand-out and delivery
            jobAt: received,
            firstTokenAt: r.value.producedAt ?? at,
          },
          "in-process worker: first token",
        );
      }
      while (!r.done) {
        text += r.value.text;
        count += r.value.tokenCount;
        batcher.add(r.value.text, r.value.tokenCount);
        r = await tokens.next();
      }
      await batcher.flush();
      if (lost) return;
      const reason =
        abort.signal.aborted || r.value === "cancelled"
          ? WorkerFinishReason.CANCELLED
          : r.value === "length"
            ? WorkerFinishReason.LENGTH
            : WorkerFinishReason.STOP;
      await this.workers.finish(this.connection, job.jobId, reason, (job.continueFrom ?? "") + text, count);
    } catch (err) {
      if (lost) return;
      await batcher.flush().catch(() => undefined);
      const e = err as { code?: unknown; retryable?: unknown; message?: string };
      const code = typeof e.code === "string" ? e.code : "BACKEND_ERROR";
      this.log.warn({ err, jobId: job.jobId, code }, "in-process job failed");
      await this.workers
        .fail(this.connection, job.jobId, code, String(e.message ?? err).slice(0, 2000), typeof e.retryable === "boolean" ? e.retryable : true)
        .catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
      this.running.delete(job.jobId);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const a of this.running.values()) a.abort();
    for (const s of this.sessions) await s.return();
    await Promise.all(this.loops);
    for (const r of this.runners) await r.close().catch(() => undefined);
    // Stopped while the tiny model was still loading (Ctrl-C soon after start): wait until start() has closed its
    // thread. A process that exits while the model thread is inside ONNX Runtime can be aborted (no exit code 0).
    await this.starting?.catch(() => undefined);
  }
}
