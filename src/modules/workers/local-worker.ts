/**
 * The in-process worker of local mode: it takes jobs from this replica's dispatcher exactly as a remote worker
 * does through `workerJobs` (same session, same batching, leases and cancellation), so `npm start` with nothing
 * set streams tokens. It serves the synthetic model.
 */
import type { Logger } from "pino";
import type { WorkerService, WorkerSession } from "./worker.service.js";
import { WORKER_PROTOCOL_VERSION, WorkerFinishReason, type WorkerJob } from "./worker.types.js";
import { syntheticTokens } from "./synthetic-model.js";

export const LOCAL_WORKER_MODEL = "synthetic";

export class LocalWorker {
  private session: WorkerSession | null = null;
  private readonly running = new Map<string, AbortController>();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly workers: WorkerService,
    private readonly tokensPerSecond: number,
    private readonly log: Logger,
    private readonly capacity = 8,
  ) {}

  start(): void {
    const session = this.workers.connect({
      protocolVersion: WORKER_PROTOCOL_VERSION,
      models: [LOCAL_WORKER_MODEL],
      capacity: this.capacity,
      hardware: { device: "synthetic", description: "in-process worker of local mode" },
      name: "local-synthetic",
    });
    this.session = session;
    this.loop = (async () => {
      for await (const job of session) void this.run(job);
    })().catch((err) => this.log.error({ err }, "the in-process worker stopped"));
  }

  private async run(job: WorkerJob): Promise<void> {
    const abort = new AbortController();
    this.running.set(job.jobId, abort);
    let lost = false;
    const react = (ack: { ok: boolean; cancel: boolean }) => {
      if (!ack.ok) lost = true;
      if (!ack.ok || ack.cancel) abort.abort();
    };
    const heartbeat = setInterval(() => {
      this.workers
        .heartbeat([job.jobId])
        .then((r) => react({ ok: r.held.length > 0, cancel: r.cancel.length > 0 }))
        .catch((err) => this.log.warn({ err }, "in-process worker heartbeat failed"));
    }, Math.max(100, Math.floor(job.leaseMs / 3)));
    try {
      const batcher = new TokenBatcher(job.tokenBatchMs, (text, count) => this.workers.tokens(job.jobId, text, count).then(react));
      const tokens = syntheticTokens({ maxNewTokens: job.sampling.maxNewTokens, seed: job.sampling.seed, tokensPerSecond: this.tokensPerSecond, signal: abort.signal });
      let text = "";
      let count = 0;
      let r = await tokens.next();
      while (!r.done) {
        text += r.value;
        count++;
        batcher.add(r.value);
        r = await tokens.next();
      }
      await batcher.flush();
      if (lost) return;
      const reason = r.value === "cancelled" ? WorkerFinishReason.CANCELLED : r.value === "length" ? WorkerFinishReason.LENGTH : WorkerFinishReason.STOP;
      await this.workers.finish(job.jobId, reason, text, count);
    } catch (err) {
      this.log.warn({ err, jobId: job.jobId }, "in-process job failed");
      await this.workers.fail(job.jobId, "BACKEND_ERROR", (err as Error).message, true).catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
      this.running.delete(job.jobId);
    }
  }

  async stop(): Promise<void> {
    for (const a of this.running.values()) a.abort();
    await this.session?.return();
    await this.loop;
  }
}

/**
 * Gathers token text for `windowMs` after the first token of a batch, then sends it; sends go one at a time, in
 * order, because the server appends each batch as it arrives.
 */
export class TokenBatcher {
  private text = "";
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly windowMs: number,
    private readonly send: (text: string, tokenCount: number) => Promise<void>,
  ) {}

  add(text: string, tokenCount = 1): void {
    this.text += text;
    this.count += tokenCount;
    // A failed send is reported by the final flush(), which the job awaits.
    if (this.windowMs === 0) this.flush().catch(() => undefined);
    else this.timer ??= setTimeout(() => this.flush().catch(() => undefined), this.windowMs);
  }

  /** Sends what is gathered and resolves when every batch so far was sent. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.text.length > 0 || this.count > 0) {
      const text = this.text;
      const count = this.count;
      this.text = "";
      this.count = 0;
      this.chain = this.chain.then(() => this.send(text, count));
    }
    return this.chain;
  }
}
