/**
 * The GPU worker's connection to Chorus: one outbound graphql-ws connection per session, over which it says what
 * it serves (workerJobs), receives jobs, sends token batches, finishes or fails each job, and heartbeats. Every
 * job runs on its own; an error in one job fails that job only. A lost connection is retried with backoff and a
 * new session; an admin's drain ends the subscription once the jobs are done, and the worker then exits.
 */
import crypto from "node:crypto";
import os from "node:os";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { BackendError, type FinishReason, type ModelBackend } from "../backends/index.js";
import {
  WorkerFailDocument,
  WorkerFinishDocument,
  WorkerHeartbeatDocument,
  WorkerJobsDocument,
  WorkerTokensDocument,
  type WorkerFinishReason,
  type WorkerJobsSubscription,
  type WorkerJobsSubscriptionVariables,
  type TypedDocumentString,
  TokenBatcher,
  backendRequest,
} from "@chorus/worker-protocol";
import { backoffDelay, type WorkerConfig } from "./config.js";

export type Job = WorkerJobsSubscription["workerJobs"];

export type WorkerLog = (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

/** Why a session ended. */
type SessionEnd =
  | { kind: "drained" }
  | { kind: "stopped" }
  | { kind: "refused"; message: string; exitCode: number }
  | { kind: "lost"; message: string; connected: boolean };

interface RunningJob {
  abort: AbortController;
  lost: boolean;
  cancelled: boolean;
}

/** What the server says when it refuses a worker for good: reconnecting would not help. */
function refusal(errors: readonly { message?: string; extensions?: Record<string, unknown> }[]): { message: string; exitCode: number } | null {
  for (const e of errors) {
    const code = e.extensions?.code;
    if (code === "BAD_USER_INPUT" && e.extensions?.field === "protocolVersion") return { message: e.message ?? "protocol version refused", exitCode: 2 };
    if (code === "FORBIDDEN" || code === "UNAUTHENTICATED") return { message: `the API refused the key: ${e.message}`, exitCode: 3 };
    if (code === "BAD_USER_INPUT") return { message: e.message ?? "the API refused the hello", exitCode: 2 };
  }
  return null;
}

function messageOf(err: unknown): string {
  if (Array.isArray(err)) return err.map(messageOf).join("; ");
  if (err instanceof Error) return err.message;
  if (typeof err === "object" && err !== null) {
    const e = err as { message?: unknown; reason?: unknown; code?: unknown };
    if (typeof e.message === "string") return e.message;
    if (typeof e.code === "number") return `connection closed (${e.code}${e.reason ? `: ${String(e.reason)}` : ""})`;
  }
  return String(err);
}

function toFinishReason(reason: FinishReason): WorkerFinishReason {
  return reason === "cancelled" ? "CANCELLED" : reason === "length" ? "LENGTH" : "STOP";
}

export class ChorusWorker {
  private client: Client | null = null;
  private readonly running = new Map<string, RunningJob>();
  private stopping = false;
  private stopSession: (() => void) | null = null;
  private heartbeatMs = 3_000;
  private draining = false;
  /** Jobs taken since start, for logs and tests. */
  jobsTaken = 0;

  constructor(
    private readonly config: WorkerConfig,
    private readonly backend: ModelBackend,
    private readonly log: WorkerLog,
    private readonly random: () => number = Math.random,
  ) {}

  /** Serves until drained (0), stopped (0) or refused for good (2: protocol, 3: key); reconnects otherwise. */
  async run(): Promise<number> {
    let failures = 0;
    while (!this.stopping) {
      const end = await this.session(crypto.randomUUID());
      if (end.kind === "drained") {
        this.log("info", "drained: every job is done; exiting");
        return 0;
      }
      if (end.kind === "stopped") return 0;
      if (end.kind === "refused") {
        this.log("error", end.message);
        return end.exitCode;
      }
      if (this.draining) {
        // Its jobs went back to the queue with the connection; a drained worker does not come back.
        this.log("warn", "connection lost while draining; exiting", { reason: end.message });
        return 0;
      }
      failures = end.connected ? 0 : failures + 1;
      const delay = backoffDelay(failures, 500, this.config.reconnectMaxDelayMs, this.random);
      this.log("warn", "connection lost; reconnecting", { reason: end.message, inMs: delay });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.stopSession = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return 0;
  }

  /** Ends the current session; running jobs are abandoned (the API gives them to other workers). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const job of this.running.values()) {
      job.lost = true;
      job.abort.abort();
    }
    this.stopSession?.();
    await this.client?.dispose();
  }

  private hello(sessionId: string): WorkerJobsSubscriptionVariables["input"] {
    const cpus = os.cpus();
    return {
      protocolVersion: this.config.protocolVersion,
      models: this.config.models,
      capacity: this.config.capacity,
      name: this.config.name,
      sessionId,
      // Only where the backend really continues a partial answer; otherwise the API restarts taken-over answers.
      canContinue: this.backend.canContinue,
      hardware: {
        device: this.backend.device,
        description: `${this.backend.modelName} on ${this.backend.device}; ${os.hostname()}, ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      },
    };
  }

  private session(sessionId: string): Promise<SessionEnd> {
    return new Promise<SessionEnd>((resolveSession) => {
      let connected = false;
      let settled = false;
      let heartbeat: NodeJS.Timeout | null = null;
      const client = createClient({
        url: this.config.apiUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${this.config.workerKey}` },
        retryAttempts: 0,
        lazy: false,
        keepAlive: 10_000,
        shouldRetry: () => false,
      });
      this.client = client;
      const finish = (end: SessionEnd) => {
        if (settled) return;
        settled = true;
        if (heartbeat) clearTimeout(heartbeat);
        this.stopSession = null;
        // The server hands this session's jobs to others when the connection goes: stop them here too.
        if (end.kind !== "drained") {
          for (const job of this.running.values()) {
            job.lost = true;
            job.abort.abort();
          }
        }
        void client.dispose();
        resolveSession(end);
      };
      this.stopSession = () => finish({ kind: "stopped" });
      client.on("connected", () => {
        connected = true;
        this.log("info", "connected", { url: this.config.apiUrl, sessionId, models: this.config.models, device: this.backend.device });
      });
      client.on("closed", (event) => {
        // 4401/4403: the API refused the key (unknown, revoked, rotated or expired): reconnecting would not help.
        const code = (event as { code?: unknown }).code;
        if (!this.stopping && (code === 4401 || code === 4403)) {
          finish({ kind: "refused", message: `the API refused the key: ${messageOf(event)}`, exitCode: 3 });
          return;
        }
        finish(this.stopping ? { kind: "stopped" } : { kind: "lost", message: messageOf(event), connected });
      });
      client.on("error", (err) => {
        finish({ kind: "lost", message: messageOf(err), connected });
      });

      const beat = async () => {
        heartbeat = null;
        if (settled) return;
        try {
          const r = (await this.request(client, WorkerHeartbeatDocument, { input: { jobIds: [...this.running.keys()], sessionId } })).workerHeartbeat;
          for (const id of r.lost) this.markLost(id);
          for (const id of r.cancel) this.markCancelled(id);
          if (r.drain && !this.draining) {
            this.draining = true;
            this.log("info", "drain requested: finishing running jobs, taking no new ones", { running: this.running.size });
          }
          this.heartbeatMs = Math.max(100, Math.floor(r.leaseMs / 3));
        } catch (err) {
          this.log("warn", "heartbeat failed", { error: messageOf(err) });
        }
        if (!settled) heartbeat = setTimeout(() => void beat(), this.heartbeatMs);
      };
      heartbeat = setTimeout(() => void beat(), Math.min(this.heartbeatMs, 1_000));

      client.subscribe<WorkerJobsSubscription>(
        { query: WorkerJobsDocument.toString(), variables: { input: this.hello(sessionId) } },
        {
          next: (result) => {
            if (result.errors?.length) {
              const refused = refusal(result.errors as never);
              finish(refused ? { kind: "refused", ...refused } : { kind: "lost", message: messageOf(result.errors), connected });
              return;
            }
            const job = result.data?.workerJobs;
            if (!job) return;
            this.jobsTaken++;
            // Each job on its own: its failure is reported as that job's and never reaches the connection.
            void this.runJob(client, job).catch((err) => this.log("error", "job runner failed", { jobId: job.jobId, error: messageOf(err) }));
          },
          error: (err) => {
            const refused = Array.isArray(err) ? refusal(err as never) : null;
            finish(refused ? { kind: "refused", ...refused } : { kind: "lost", message: messageOf(err), connected });
          },
          complete: () => {
            // The server completes workerJobs only for a drained session whose jobs are done.
            this.draining = true;
            void this.idle().then(() => finish({ kind: "drained" }));
          },
        },
      );
    });
  }

  /** Resolves when no job runs. */
  private async idle(): Promise<void> {
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private markLost(jobId: string): void {
    const job = this.running.get(jobId);
    if (!job) return;
    job.lost = true;
    job.abort.abort();
  }

  private markCancelled(jobId: string): void {
    const job = this.running.get(jobId);
    if (!job || job.cancelled) return;
    job.cancelled = true;
    job.abort.abort();
  }

  /** One query or mutation over the worker's connection. */
  private request<R, V>(client: Client, doc: TypedDocumentString<R, V>, variables: V): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let data: R | null = null;
      client.subscribe<R>(
        { query: doc.toString(), variables: variables as Record<string, unknown> },
        {
          next: (r) => {
            if (r.errors?.length) reject(new Error(messageOf(r.errors)));
            else data = r.data as R;
          },
          error: (err) => reject(err instanceof Error ? err : new Error(messageOf(err))),
          complete: () => (data === null ? reject(new Error("no result")) : resolve(data)),
        },
      );
    });
  }

  private async runJob(client: Client, job: Job): Promise<void> {
    const state: RunningJob = { abort: new AbortController(), lost: false, cancelled: false };
    this.running.set(job.jobId, state);
    const react = (ack: { ok: boolean; cancel: boolean }) => {
      if (!ack.ok) this.markLost(job.jobId);
      else if (ack.cancel) this.markCancelled(job.jobId);
    };
    const batcher = new TokenBatcher(job.tokenBatchMs, async (text, tokenCount) => {
      if (state.lost) return;
      react((await this.request(client, WorkerTokensDocument, { input: { jobId: job.jobId, text, tokenCount } })).workerTokens);
    });
    // `prefix` is what this job reports back before its new text; the backend continues after `request.continueFrom`,
    // which also holds a continued answer's stored text (see prompt.ts).
    const prefix = job.continueFrom ?? "";
    const request = backendRequest(job, state.abort.signal);
    let text = "";
    let tokenCount = 0;
    try {
      let finishReason: FinishReason | null = null;
      for await (const event of this.backend.generate({
        ...request,
        messages: request.messages.map((m) => ({ role: m.role as "system" | "user" | "assistant", content: m.content })),
      })) {
        if (event.type === "token") {
          text += event.text;
          tokenCount += event.tokenCount;
          batcher.add(event.text, event.tokenCount);
        } else {
          finishReason = event.finishReason;
          tokenCount = event.tokenCount;
        }
      }
      await batcher.flush();
      if (state.lost) return;
      const reason: WorkerFinishReason = state.cancelled ? "CANCELLED" : toFinishReason(finishReason ?? "stop");
      await this.request(client, WorkerFinishDocument, { input: { jobId: job.jobId, finishReason: reason, text: prefix + text, tokenCount } });
      this.log("info", "job finished", { jobId: job.jobId, finishReason: reason, tokens: tokenCount, continued: prefix.length > 0 });
    } catch (err) {
      if (state.lost) return;
      await batcher.flush().catch(() => undefined);
      const code = err instanceof BackendError ? err.code : "WORKER_ERROR";
      const retryable = err instanceof BackendError ? err.retryable : true;
      this.log("warn", "job failed", { jobId: job.jobId, code, retryable, error: messageOf(err) });
      await this.request(client, WorkerFailDocument, {
        input: { jobId: job.jobId, code, reason: messageOf(err).slice(0, 2000), retryable },
      }).catch((e) => this.log("warn", "could not report a failed job", { jobId: job.jobId, error: messageOf(e) }));
    } finally {
      this.running.delete(job.jobId);
    }
  }
}
