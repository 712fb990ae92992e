import { print, type ExecutionResult } from "graphql";
import type { Client } from "graphql-ws";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { wsClient } from "./graphql.js";
import {
  WorkerFailDocument,
  WorkerFinishDocument,
  WorkerJobsDocument,
  WorkerTokensDocument,
  type WorkerJobsSubscription,
} from "../../client/generated/graphql.js";

export type TestJob = WorkerJobsSubscription["workerJobs"];

export interface TestWorkerOptions {
  name?: string;
  models?: string[];
  capacity?: number;
  /** Batches each job sends before finishing. */
  batches?: number;
  /** Pause before each batch. */
  delayMs?: number;
  /** Fail every job with this (retryable) code instead of generating. */
  failWith?: { code: string; retryable: boolean };
  /** How a job that ran all its batches ends (default STOP); LENGTH makes answers continueGeneration can extend. */
  finishReason?: "STOP" | "LENGTH";
  /** After this many batches, hang: no more batches, heartbeats or finish, while the connection stays open. */
  hangAfter?: number;
  /** Announce that it continues partial answers (it then gets `continueFrom`). */
  canContinue?: boolean;
  /** Send this text as each job's only batch (instead of the numbered batches). */
  answer?: string;
  /** Only record the jobs; the test reports on them itself with `request`. */
  manual?: boolean;
  /** The hello's sessionId (such a worker heartbeats even when idle, or is dropped as silent). */
  sessionId?: string;
}

/**
 * A GPU worker as the tests need one: connects over graphql-ws with a worker key, takes jobs through
 * `workerJobs`, sends numbered batches (" w0", " w1", ...) through `workerTokens` on the same socket (job reports
 * are accepted only there), one at a time, then `workerFinish`; stops a job the server cancels or takes back.
 */
export class TestWorker {
  readonly jobs: TestJob[] = [];
  /** Text each job sent, by job id. */
  readonly sent = new Map<string, string>();
  readonly errors: unknown[] = [];
  /** Jobs running now, and the most that ever ran at once. */
  active = 0;
  maxActive = 0;
  private client: Client | null = null;
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  /** Jobs no longer counted in `active`. */
  private readonly endedJobs = new Set<string>();

  constructor(
    private readonly wsUrl: string,
    private readonly key: string,
    private readonly options: TestWorkerOptions = {},
  ) {}

  /** Resolves once the server has accepted the subscription (its first job or a short grace period). */
  async start(): Promise<void> {
    this.client = wsClient(this.wsUrl, { authorization: `Bearer ${this.key}` });
    const connected = new Promise<void>((resolve) => this.client!.on("connected", () => resolve()));
    this.client.subscribe<WorkerJobsSubscription>(
      {
        query: print(WorkerJobsDocument),
        variables: {
          input: {
            protocolVersion: 1,
            models: this.options.models ?? ["synthetic"],
            capacity: this.options.capacity ?? 4,
            hardware: { device: "test", description: "mocha" },
            name: this.options.name ?? "test-worker",
            ...(this.options.canContinue ? { canContinue: true } : {}),
            ...(this.options.sessionId ? { sessionId: this.options.sessionId } : {}),
          },
        },
      },
      {
        next: (r) => {
          if (r.errors) this.errors.push(r.errors);
          if (!r.data) return;
          const job = r.data.workerJobs;
          this.jobs.push(job);
          if (this.options.manual) return;
          this.maxActive = Math.max(this.maxActive, ++this.active);
          const p = this.run(job)
            .catch((err) => void this.errors.push(err))
            .finally(() => this.ended(job));
          this.running.add(p);
          void p.finally(() => this.running.delete(p));
        },
        error: (err) => void this.errors.push(err),
        complete: () => undefined,
      },
    );
    await connected;
    // graphql-ws sends the subscribe message right after connecting; give the server a moment to open the session.
    await new Promise((r) => setTimeout(r, 100));
  }

  /** One query or mutation over the worker's own socket. */
  request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    onResult?: (result: ExecutionResult<TResult>) => void,
  ): Promise<ExecutionResult<TResult>> {
    return this.requestText<TResult>(print(document), variables as Record<string, unknown>, onResult);
  }

  /** One operation over the worker's own socket, as text (to send a document exactly as written). */
  requestText<TResult = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    /** Called as the result arrives, before any message that follows it on the socket is handled. */
    onResult?: (result: ExecutionResult<TResult>) => void,
  ): Promise<ExecutionResult<TResult>> {
    const client = this.client;
    if (!client) return Promise.reject(new Error("the worker is not started"));
    return new Promise((resolve, reject) => {
      let result: ExecutionResult<TResult> | null = null;
      client.subscribe<TResult>(
        { query, variables },
        {
          next: (r) => {
            result = r as ExecutionResult<TResult>;
            onResult?.(result);
          },
          error: (err) => (Array.isArray(err) ? resolve({ errors: err } as ExecutionResult<TResult>) : reject(err)),
          complete: () => (result ? resolve(result) : reject(new Error("no result"))),
        },
      );
    });
  }

  /**
   * A job stops counting as active as soon as the answer that ends it arrives: the server frees the worker's capacity
   * before it answers, and its next job may come in the same read from the socket, before the job's run has
   * returned (counted then, a worker filled to capacity 3 looked like one running 4).
   */
  private ended(job: TestJob): void {
    if (this.endedJobs.has(job.jobId)) return;
    this.endedJobs.add(job.jobId);
    this.active--;
  }

  private async run(job: TestJob): Promise<void> {
    if (this.options.failWith) {
      await this.request(
        WorkerFailDocument,
        { input: { jobId: job.jobId, code: this.options.failWith.code, reason: "test failure", retryable: this.options.failWith.retryable } },
        () => this.ended(job),
      );
      return;
    }
    let text = "";
    let count = 0;
    const batches = this.options.answer !== undefined ? 1 : (this.options.batches ?? 5);
    for (let i = 0; i < batches; i++) {
      if (this.options.hangAfter !== undefined && i >= this.options.hangAfter) return;
      if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
      if (this.stopped) return;
      const piece = this.options.answer ?? ` w${i}`;
      const res = await this.request(WorkerTokensDocument, { input: { jobId: job.jobId, text: piece, tokenCount: 1 } }, (r) => {
        if (r.data && !r.data.workerTokens.ok) this.ended(job);
      });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      if (!res.data!.workerTokens.ok) return; // the job went to another worker
      text += piece;
      count++;
      this.sent.set(job.jobId, text);
      if (res.data!.workerTokens.cancel) {
        await this.request(WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: "CANCELLED", text, tokenCount: count } }, () => this.ended(job));
        return;
      }
    }
    const res = await this.request(
      WorkerFinishDocument,
      { input: { jobId: job.jobId, finishReason: this.options.finishReason ?? "STOP", text, tokenCount: count } },
      () => this.ended(job),
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
  }

  /** Drops the connection without finishing running jobs, as a crashed worker would. */
  async kill(): Promise<void> {
    this.stopped = true;
    await this.client?.dispose();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running]);
    await this.client?.dispose();
  }
}
