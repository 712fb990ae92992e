/**
 * `npm run bench -- stream [--quick] [--streams 100,1000]`: the Streams workload of bench-workloads.md.
 *
 * C concurrent chats, each asking for one 256-token answer at a time and subscribing to it; synthetic workers emit
 * 20 tokens/s per stream and flush a batch every 50 ms (CHAT_TOKEN_BATCH_MS), over the real worker protocol
 * (workerJobs subscription, workerTokens/workerFinish mutations on the worker's graphql-ws connection). Measured
 * per run: added latency per batch (worker's emit → client's receipt), time to first token added by the server
 * (everything but the model's own wait) with its parts: the sendChatMessage round trip, the hand-out (request →
 * job at a worker: send, queueing and hand-out) and the delivery (the worker's first batch → the client),
 * tokens/s delivered, CPU per 1,000 tokens of the server processes, of Redis and of PostgreSQL, and tokens lost,
 * duplicated or reordered (checked token by token; "acknowledged" counts the lost tokens whose batch the server had
 * answered ok, which only the server can have lost). The synthetic workers behave as gpu-workers' worker: a batch
 * answered `ok: false` ends the job, one answered with an error fails it (workerFail, retryable), and a session the
 * server dropped is opened again. A client whose subscription ends before the answer's end (an error result under
 * overload) resumes it with `after`, up to five times; an answer not followed to its end is a failed answer, not
 * tokens lost. A send answered SERVICE_UNAVAILABLE is sent again after its retryAfterSeconds, as docs/errors.md
 * tells a client (counted apart as send retries); a send that fails otherwise is a failed answer, counted by cause
 * (fetch's own failures included: a connection reset or refused before the server saw the request).
 * `--watchers N`: N more subscribers per answer besides the one that checks it, each on a socket of its own, which only
 * count the tokens they get (`watcherTokens`); the CPU figures "per 1k tokens sent" divide by every subscriber's
 * tokens, so they show what each further subscriber of a stream costs (issue 13: no more than the bytes it is sent).
 * `--server-log FILE` keeps each API replica's log. Runs, in one go and on one private redis-server: the bare
 * forwarder (bench/forwarder.ts: worker websocket → Redis pub/sub → client websocket, no GraphQL, no database),
 * Chorus with one API replica, Chorus with two. `--quick`: one answer per chat instead of two.
 *
 * `--model chorus-tiny [--streams 20] [--tokens 64]`: instead of synthetic workers, real worker processes of the
 * gpu-workers package (transformers.js on the generated tiny model) serve one Chorus replica, one answer per chat.
 * The model generates as fast as it can and its tokens carry no index, so integrity is checked by text: the stored
 * answer must equal the streamed one. A websocket proxy between the workers and the API notes when each batch and
 * each job pass, so batch latency and TTFT added are measured as with the synthetic workers.
 *
 * `--model chorus-tiny --local`: local mode instead (one API process without Redis, its in-process worker runs the
 * model); TTFT added is each answer's time to first token less the model's own wait that the worker logs (from the
 * job's arrival to the moment the model made the token), with its hand-out and delivery from the instants it logs.
 *
 * `--backend openai [--streams 100] [--tokens 64]`: the same with real worker processes on gpu-workers' openai
 * backend, against a fake OpenAI-compatible server in this process that streams every answer at 20 tokens/s (its
 * first token 50 ms after the request, the "model's own wait"), as a vLLM server answering at a fixed pace would.
 */
import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { print, type DocumentNode, type ExecutionResult } from "graphql";
import type { Client } from "graphql-ws";
import WebSocket, { WebSocketServer } from "ws";
import { gql, wsClient } from "../test/helpers/graphql.js";
import { buildGpuWorkers, startWorkerProcess, type WorkerProcess } from "../test/helpers/gpu-worker-process.js";
import { startNode } from "../test/helpers/process.js";
import { freePort, setReplicaNodeArgs, startCluster, type Cluster } from "../test/helpers/replicas.js";
import { ApiClientKind } from "../src/modules/api-clients/api-client.entity.js";
import {
  ChatMessageDocument,
  CreateChatDocument,
  GenerationDocument,
  SendChatMessageDocument,
  WorkerFailDocument,
  WorkerFinishDocument,
  WorkerJobsDocument,
  WorkerTokensDocument,
  type GenerationSubscription,
  type WorkerJobsSubscription,
} from "../client/generated/graphql.js";
import { cpuMsOfPid, postgresCpuMs } from "./proc.js";

const ROOT = path.resolve(__dirname, "..", "..");
const args = process.argv.slice(2);
const argValue = (name: string) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
const quick = args.includes("--quick");
/** A model served by real gpu-workers processes instead of the synthetic workers. */
const TOKENS_PER_SECOND = 20;
/**
 * `--backend openai`: real worker processes on gpu-workers' openai backend, against a fake OpenAI-compatible server
 * in this process that answers at a fixed pace (its first token after one token's time, then TOKENS_PER_SECOND).
 */
const OPENAI = argValue("--backend") === "openai";
/**
 * `--model chorus-tiny --local`: local mode instead of worker processes: one API process without Redis whose
 * in-process worker runs the model (LOCAL_WORKER), as `npm start` does. The model's own wait for each answer's first
 * token is what the in-process worker logs (at debug level) from the job to the model's first token.
 */
const LOCAL = args.includes("--local");
/**
 * `--warm`: answers before the clock starts, so the run measures a replica that has served before, as a deployed one
 * has. Local mode: one answer, so the run measures a loaded model (the in-process worker loads the tiny model on its
 * first job, and that load, a second or so of CPU in the model's thread, then competes with the run's sends). With
 * workers (synthetic or openai): up to 100 answers at once, from users of their own, so that V8 has compiled the chat
 * start's code and the database pool is open (a fresh process spends 1.5-2x a warm one's CPU per chat start; RESULTS,
 * section start3). Without it the run starts cold, as it always has.
 */
const WARM = args.includes("--warm");
/** The model real workers serve (the tiny model, or the API's synthetic model behind the fake OpenAI server). */
const MODEL = argValue("--model") ?? (OPENAI ? "synthetic" : undefined);
const STREAM_COUNTS = argValue("--streams")?.split(",").map(Number) ?? (OPENAI ? [100] : MODEL ? [20] : [100, 1000]);
const only = MODEL ? ["chorus-1"] : (argValue("--only")?.split(",") ?? ["forwarder", "chorus-1", "chorus-2"]);
const ANSWERS = quick || MODEL ? 1 : 2;
const TOKENS = Number(argValue("--tokens") ?? (MODEL ? 64 : 256));
/** `--watchers N`: further subscribers per answer that only count what they get. */
const WATCHERS = Number(argValue("--watchers") ?? 0);
const WINDOW_MS = 50;
/** Attempts to follow one answer to its end: a subscription that breaks off is resumed after its last seq. */
const SUBSCRIBE_ATTEMPTS = 5;
/** Attempts of one send answered SERVICE_UNAVAILABLE (each after the retryAfterSeconds it was told). */
const SEND_ATTEMPTS = 30;
/** A subscription attempt silent this long (at 20 tokens/s an answer sends an event every 50 ms) is given up. */
const STALL_MS = 60_000;
/** Jobs per worker connection, as a vLLM-backed worker would take; C / 50 workers in all. */
const WORKER_CAPACITY = 50;
/** `--cpu-prof DIR`: the API replicas write V8 CPU profiles there when they stop (summarise: bench/profile-top.ts). */
const CPU_PROF_DIR = argValue("--cpu-prof");
/** `--worker-cpu-prof DIR`: the real worker processes (openai backend, tiny model) write V8 CPU profiles there. */
const WORKER_CPU_PROF_DIR = argValue("--worker-cpu-prof");
/** `--server-log FILE`: each API replica's log (warnings and errors) is written to FILE.<streams>.<replicas>.<index>. */
const SERVER_LOG = argValue("--server-log");
/**
 * `--timeline`: batch latency p50 / p99 by the second of the run in which the batch was emitted, with the sends
 * answered in that second, and apart for the batches of flowing streams (the subscriber had an event of the answer
 * before the batch was emitted) and of starting ones (still waiting for their subscription to start): where a batch
 * waits during the start burst.
 */
const TIMELINE = args.includes("--timeline");
/**
 * `--connect page-load` (the default): each chat client opens its websocket (graphql-ws, connection_init
 * acknowledged) before the clock starts, as a chat UI does when its page loads (graphql-ws `lazy: false`); the run
 * then measures the chat itself: the send over HTTP and the subscription on the open socket. `--connect at-send`: the
 * behaviour of every run before branch burst2, the socket opened lazily by the first subscription, after the
 * send's answer, so that each chat start also pays a websocket connection (accept, upgrade, connection_init) inside
 * the burst. Batch latency is worker emit → client receipt in both.
 */
const CONNECT = argValue("--connect") ?? "page-load";
/**
 * `--send http` (the default): sendChatMessage is a POST, on a connection of its own as a browser's would be once
 * the server's keep-alive (5 s) has closed the one its page loaded with. `--send ws`: sendChatMessage on the chat's
 * own websocket (graphql-ws executes mutations too, as clients that use one socket for every operation do), so that
 * no chat start waits for the server to accept a connection.
 */
const SEND = argValue("--send") ?? "http";
if (SEND !== "http" && SEND !== "ws") throw new Error(`--send http|ws, got ${SEND}`);
if (CONNECT !== "page-load" && CONNECT !== "at-send") throw new Error(`--connect page-load|at-send, got ${CONNECT}`);
/** `--node-args "--a --b"`: Node options for the Chorus replicas only (not this client, not the forwarder). */
const REPLICA_NODE_ARGS = argValue("--node-args")?.split(/\s+/).filter(Boolean) ?? [];
setReplicaNodeArgs([...(CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`] : []), ...REPLICA_NODE_ARGS]);

// ---------------------------------------------------------------------------------------------------------------
// measuring

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Token k of every answer is " t<k>", so the client can check each one's place. */
function tokenText(from: number, to: number): string {
  let s = "";
  for (let k = from; k < to; k++) s += ` t${k}`;
  return s;
}

/** Where each batch starts in its answer, so its receipt can be matched with its emit. */
interface Positions {
  add(text: string): number;
}

/** Tokens of one answer as they arrive: each must come once, in order, all of them. */
class Checker implements Positions {
  private seen = new Set<number>();
  private max = -1;
  duplicated = 0;
  reordered = 0;
  add(text: string): number {
    let first = -1;
    for (const word of text.trim().split(" ")) {
      const k = Number(word.slice(1));
      if (first < 0) first = k;
      if (this.seen.has(k)) this.duplicated++;
      else {
        if (k < this.max) this.reordered++;
        this.seen.add(k);
        this.max = Math.max(this.max, k);
      }
    }
    return first;
  }
  get lost(): number {
    return TOKENS - this.seen.size;
  }
  /** The indexes of the tokens that never came. */
  missing(): number[] {
    const out: number[] = [];
    for (let k = 0; k < TOKENS; k++) if (!this.seen.has(k)) out.push(k);
    return out;
  }
  /** GenerationRestarted: the client drops what it had, and the answer's tokens come again from the first. */
  restart(): void {
    this.seen.clear();
    this.max = -1;
  }
}

/**
 * A real model's answer as it arrives: its tokens carry no index, so a batch's place is its character offset and
 * the check is that the stored answer equals the streamed text.
 */
class TextChecker implements Positions {
  text = "";
  add(text: string): number {
    const at = this.text.length;
    this.text += text;
    return at;
  }
  /** GenerationRestarted: the client drops the partial text; the stored answer is the one streamed after it. */
  restart(): void {
    this.text = "";
  }
}

/** What every run collects, whichever transport. */
class Tally {
  readonly batchLatencies: number[] = [];
  /**
   * `--timeline`: each batch's emit instant (performance.now()) beside its latency, and whether its answer's stream
   * was flowing then (the subscriber had had an event of it), or still starting (waiting for the subscription).
   */
  readonly batchTimeline: { emittedAt: number; latency: number; flowing: boolean }[] = [];
  /** When the client got the first event of each answer's stream (its subscription was live), by answer key. */
  readonly liveAt = new Map<string, number>();
  /** When each sendChatMessage round trip ended, performance.now(). */
  readonly sendEnds: number[] = [];
  readonly ttftAdded: number[] = [];
  tokens = 0;
  /** Tokens the watchers (--watchers) got. */
  watcherTokens = 0;
  lost = 0;
  duplicated = 0;
  reordered = 0;
  errors = 0;
  /** GenerationRestarted events (a job taken over by another worker that starts the answer again); also in errors. */
  restarted = 0;
  /** Subscriptions resumed (with `after`) because an attempt broke off before the answer's end. */
  resumed = 0;
  /** Subscription attempts that heard nothing for STALL_MS and were given up (then resumed). */
  stalled = 0;
  /** Answers whose request or subscription failed (the server too busy to take it), counted apart from tokens lost. */
  refused = 0;
  /**
   * Sends answered SERVICE_UNAVAILABLE and sent again after its retryAfterSeconds, as docs/errors.md tells a client
   * to (counted apart: a retried send that then went through is no failed answer).
   */
  sendRetries = 0;
  /** Sends that failed for good, by what the server (or fetch) said. */
  readonly sendFailures = new Map<string, number>();
  /** Real model only: answers checked by text, and those whose stored text differed from the streamed one. */
  checked = 0;
  mismatched = 0;
  /** Time to first token as the client sees it, the model's own wait included. */
  readonly ttft: number[] = [];
  /** The same by answer key (local mode subtracts the model's own wait the server logged). */
  readonly ttftByKey = new Map<string, number>();
  /** Local mode: TTFT added with the model's wait counted up to the token's arrival at the in-process worker. */
  readonly ttftAddedAtWorker: number[] = [];
  /** Emit time of each batch, by `answer key:position` (token index, or character offset for a real model). */
  readonly emitted = new Map<string, number>();
  /** When the worker got the job and when it emitted the first batch, by answer key. */
  readonly jobStart = new Map<string, number>();
  readonly firstEmit = new Map<string, number>();
  /** When the client asked for the answer, by answer key. */
  readonly sentAt = new Map<string, number>();
  /** sendChatMessage round trips (the send part of the time to first token). */
  readonly sends: number[] = [];
  /** From the worker's first batch to its receipt by the client (the delivery part). */
  readonly deliveries: number[] = [];
  /**
   * The tokens the server acknowledged (workerTokens answered ok), by answer key, for the answer's latest hand-out:
   * a token lost in a completed answer that the server had acknowledged is the server's loss (`lostAcked`), one it
   * never acknowledged is the worker's (a batch that failed and was not sent again).
   */
  readonly acked = new Map<string, { jobId: string; tokens: Set<number> }>();
  lostAcked = 0;
  /** Token batches the server answered with an error or with ok: false, by what it said. */
  readonly batchFailures = new Map<string, number>();

  batchFailed(what: string): void {
    this.batchFailures.set(what, (this.batchFailures.get(what) ?? 0) + 1);
  }

  ack(key: string, jobId: string, from: number, to: number): void {
    let a = this.acked.get(key);
    if (!a || a.jobId !== jobId) this.acked.set(key, (a = { jobId, tokens: new Set() }));
    for (let k = from; k < to; k++) a.tokens.add(k);
  }

  /** From the client's request to the job's arrival at a worker: queueing and hand-out. */
  handOuts(): number[] {
    const out: number[] = [];
    for (const [key, sent] of this.sentAt) {
      const start = this.jobStart.get(key);
      if (start !== undefined) out.push(start - sent);
    }
    return out.sort((a, b) => a - b);
  }

  received(key: string, text: string, tokenCount: number, checker: Positions, now: number, sentAt: number, firstReceipt: { at: number | null }): void {
    if (!this.sentAt.has(key)) this.sentAt.set(key, sentAt);
    const first = checker.add(text);
    this.tokens += tokenCount;
    const emittedAt = this.emitted.get(`${key}:${first}`);
    if (emittedAt !== undefined) {
      this.batchLatencies.push(now - emittedAt);
      if (TIMELINE) {
        const live = this.liveAt.get(key);
        this.batchTimeline.push({
          emittedAt,
          latency: now - emittedAt,
          flowing: live !== undefined && live < emittedAt,
        });
      }
      this.emitted.delete(`${key}:${first}`);
    }
    if (first === 0 && firstReceipt.at === null) {
      firstReceipt.at = now;
      this.ttft.push(now - sentAt);
      this.ttftByKey.set(key, now - sentAt);
      const start = this.jobStart.get(key);
      const emit = this.firstEmit.get(key);
      // the server's share of the time to first token: all of it but the model's own wait for its first token
      if (start !== undefined && emit !== undefined) {
        this.ttftAdded.push(now - sentAt - (emit - start));
        this.deliveries.push(now - emit);
      }
    }
  }

  /**
   * Where the tokens missing from a completed answer went: answers whose events skipped seqs (the server fell back
   * to the stored row), and missing tokens that the finished event's stored text has.
   */
  readonly missingIn = { answers: 0, skippedAnswers: 0, tokensInSkipped: 0, inFinishedText: 0 };
  lossDiagnosis(key: string, checker: Checker, skipped: boolean, finishedText: string | null): void {
    const missing = checker.missing();
    this.missingIn.answers++;
    if (skipped) {
      this.missingIn.skippedAnswers++;
      this.missingIn.tokensInSkipped += missing.length;
    }
    const words = new Set((finishedText ?? "").trim().split(" "));
    const inText = missing.filter((k) => words.has(`t${k}`)).length;
    this.missingIn.inFinishedText += inText;
    if (this.missingIn.answers <= 5) {
      const acked = missing.filter((k) => this.acked.get(key)?.tokens.has(k)).length;
      console.error(
        `answer ${key}: ${missing.length} tokens missing (first ${missing.slice(0, 6).join(",")}), ${acked} acknowledged, seqs skipped: ${skipped}, in the finished text: ${inText} (text ${finishedText === null ? "none" : `${words.size} words`})`,
      );
    }
  }

  endedAnswers = 0;
  ended(key: string, checker: Checker): void {
    this.endedAnswers++;
    const acked = this.acked.get(key)?.tokens;
    for (const k of checker.missing()) if (acked?.has(k)) this.lostAcked++;
    this.lost += checker.lost;
    this.duplicated += checker.duplicated;
    this.reordered += checker.reordered;
  }
}

/** What an operation's failure says: an Error, graphql-ws's list of GraphQL errors, or a close event. */
function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (Array.isArray(err)) return err.map((e) => (e as { message?: string }).message ?? String(e)).join("; ");
  if (err && typeof err === "object" && "code" in err) return `connection closed (${(err as { code: unknown }).code})`;
  return String(err);
}

/** How the server answered a token batch: taken, "lost" (ok: false, the hand-out is no longer the worker's) or an error. */
type BatchAnswer = { ok: true; cancel: boolean } | { ok: false; error?: string };

/** What the synthetic worker does with one job: send a batch, finish, fail (as gpu-workers' worker reports them). */
interface SyntheticJob {
  send: (from: number, to: number) => Promise<BatchAnswer>;
  finish: () => Promise<void>;
  fail: (reason: string) => Promise<void>;
}

/**
 * The synthetic model: every job emits a token each 1/20 s, gathered in 50 ms batches, one batch in flight. Jobs are
 * kept by hand-out (job id): an answer taken over by another worker is a new job beside the old one's last batch.
 * A batch answered as gpu-workers' worker (src/worker/worker.ts) handles it: `ok: false` ends the job silently (the
 * hand-out is lost: another worker has it, or nobody); an error fails the job (workerFail, retryable), which is
 * then the server's to retry or fail; a job never carries on after a batch that did not go through. (The real
 * worker keeps generating until its model ends and reports the failure then; this one reports it at once.)
 */
class SyntheticEmitter {
  private readonly jobs = new Map<string, { jobId: string; key: string; start: number; sent: number; inflight: boolean; job: SyntheticJob }>();
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly tally: Tally) {
    this.timer = setInterval(() => this.tick(), WINDOW_MS);
  }
  add(jobId: string, key: string, job: SyntheticJob): void {
    const now = performance.now();
    this.tally.jobStart.set(key, now);
    this.jobs.set(jobId, { jobId, key, start: now, sent: 0, inflight: false, job });
  }
  private tick(): void {
    const now = performance.now();
    for (const j of this.jobs.values()) {
      if (j.inflight) continue;
      const due = Math.min(TOKENS, Math.floor(((now - j.start) * TOKENS_PER_SECOND) / 1000));
      if (due <= j.sent) continue;
      const from = j.sent;
      j.inflight = true;
      this.tally.emitted.set(`${j.key}:${from}`, now);
      if (from === 0) this.tally.firstEmit.set(j.key, now);
      j.job
        .send(from, due)
        .catch((err: unknown): BatchAnswer => ({ ok: false, error: messageOf(err) }))
        .then(async (answer) => {
          j.inflight = false;
          if (answer.ok) {
            this.tally.ack(j.key, j.jobId, from, due);
            j.sent = due;
            if (due === TOKENS) {
              this.jobs.delete(j.jobId);
              await j.job.finish();
            }
            return;
          }
          this.tally.errors++;
          this.tally.batchFailed(answer.error ?? "ok: false");
          this.jobs.delete(j.jobId);
          if (answer.error !== undefined) await j.job.fail(answer.error);
        })
        .catch(() => void this.tally.errors++);
    }
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** One GraphQL operation over a graphql-ws connection. */
function execute<T>(client: Client, document: DocumentNode, variables: Record<string, unknown>): Promise<ExecutionResult<T>> {
  return new Promise((resolve, reject) => {
    let result: ExecutionResult<T> | undefined;
    client.subscribe<T>(
      { query: print(document), variables },
      { next: (r) => void (result = r as ExecutionResult<T>), error: reject, complete: () => resolve(result ?? { errors: [] }) },
    );
  });
}

async function inBatches<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

interface RunResult {
  run: string;
  streams: number;
  seconds: number;
  tokens: number;
  tokensPerSecond: number;
  batchP50: number;
  batchP99: number;
  ttftAddedP50: number;
  ttftAddedP99: number;
  /** Local mode: the same with the model's wait counted up to the token's arrival at the in-process worker. */
  ttftAddedAtWorkerP50: number | null;
  ttftAddedAtWorkerP99: number | null;
  ttftP50: number;
  ttftP99: number;
  handOutP50: number;
  handOutP99: number;
  sendP50: number;
  sendP99: number;
  deliveryP50: number;
  deliveryP99: number;
  serverCpuMsPer1kTokens: number;
  /**
   * The same, streaming only: from the moment every chat of the run has had its first token until the first answer
   * ends (or the run does), so no send, subscription start or finish is in it: what a delivered token itself costs.
   * Null when that window was under one second.
   */
  streamingServerCpuMsPer1kTokens: number | null;
  watcherTokens: number;
  /** Server CPU per 1,000 tokens sent to any subscriber, watchers included (whole run, streaming only). */
  serverCpuMsPer1kSent: number;
  streamingServerCpuMsPer1kSent: number | null;
  redisCpuMsPer1kTokens: number;
  pgCpuMsPer1kTokens: number;
  benchCpuMsPer1kTokens: number;
  /** The real worker processes' CPU (openai backend, tiny model); null with the in-process synthetic workers. */
  workerCpuMsPer1kTokens: number | null;
  lost: number;
  /** Of those, tokens the server had acknowledged (workerTokens ok): lost by the server, not by the worker. */
  lostAcked: number;
  /** Token batches answered with an error or ok: false (the job then failed or ended, as the real worker does). */
  batchesFailed: number;
  duplicated: number;
  reordered: number;
  errors: number;
  restarted: number;
  resumed: number;
  stalled: number;
  refused: number;
  sendRetries: number;
  checked: number;
  mismatched: number;
  peakServerRssMb: number;
}

/**
 * Runs `body` while sampling CPU and memory of `serverPids`, Redis and PostgreSQL, and the CPU of the real worker
 * processes (`workerPids`, none with the synthetic workers that run in this process): on this one machine they take
 * their share of the same cores, which a deployment's GPU machines would not.
 */
async function measure(
  run: string,
  streams: number,
  serverPids: number[],
  redisPid: number,
  tally: Tally,
  body: () => Promise<void>,
  workerPids: number[] = [],
): Promise<RunResult> {
  const s0 = serverPids.reduce((a, p) => a + cpuMsOfPid(p), 0);
  const w0 = workerPids.reduce((a, p) => a + cpuMsOfPid(p), 0);
  const r0 = cpuMsOfPid(redisPid);
  const p0 = postgresCpuMs();
  const b0 = process.cpuUsage();
  let peak = 0;
  const sampler = setInterval(
    () =>
      (peak = Math.max(
        peak,
        serverPids.reduce((a, p) => a + rssMb(p), 0),
      )),
    1000,
  );
  const serverCpu = () => serverPids.reduce((a, p) => a + cpuMsOfPid(p), 0);
  const mark = () => ({ at: performance.now(), cpu: serverCpu(), tokens: tally.tokens, sent: tally.tokens + tally.watcherTokens });
  let streaming: { from?: ReturnType<typeof mark>; to?: ReturnType<typeof mark> } = {};
  const streamingWatch = setInterval(() => {
    if (!streaming.from && tally.ttft.length >= streams && tally.endedAnswers === 0) streaming.from = mark();
    else if (streaming.from && !streaming.to && tally.endedAnswers > 0) streaming.to = mark();
  }, 100);
  const t0 = performance.now();
  const progress = setInterval(
    () =>
      console.error(`  ${Math.round((performance.now() - t0) / 1000)} s: ${tally.tokens} tokens, ${tally.endedAnswers} answers ended, ${tally.refused} failed`),
    15_000,
  );
  await body().finally(() => clearInterval(progress));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  clearInterval(streamingWatch);
  if (streaming.from && !streaming.to) streaming.to = mark();
  const window = streaming.from && streaming.to && streaming.to.at - streaming.from.at >= 1000 ? streaming : (streaming = {});
  const b = process.cpuUsage(b0);
  const per1k = (ms: number) => round((ms / Math.max(1, tally.tokens)) * 1000, 2);
  const lat = [...tally.batchLatencies].sort((a, b) => a - b);
  const ttft = [...tally.ttftAdded].sort((a, b) => a - b);
  const result: RunResult = {
    run,
    streams,
    seconds: round(seconds),
    tokens: tally.tokens,
    tokensPerSecond: Math.round(tally.tokens / seconds),
    batchP50: round(percentile(lat, 50)),
    batchP99: round(percentile(lat, 99)),
    ttftAddedP50: round(percentile(ttft, 50)),
    ttftAddedP99: round(percentile(ttft, 99)),
    ttftAddedAtWorkerP50: tally.ttftAddedAtWorker.length
      ? round(
          percentile(
            [...tally.ttftAddedAtWorker].sort((a, b) => a - b),
            50,
          ),
        )
      : null,
    ttftAddedAtWorkerP99: tally.ttftAddedAtWorker.length
      ? round(
          percentile(
            [...tally.ttftAddedAtWorker].sort((a, b) => a - b),
            99,
          ),
        )
      : null,
    ttftP50: round(
      percentile(
        [...tally.ttft].sort((a, b) => a - b),
        50,
      ),
    ),
    ttftP99: round(
      percentile(
        [...tally.ttft].sort((a, b) => a - b),
        99,
      ),
    ),
    handOutP50: round(percentile(tally.handOuts(), 50)),
    handOutP99: round(percentile(tally.handOuts(), 99)),
    sendP50: round(
      percentile(
        [...tally.sends].sort((a, b) => a - b),
        50,
      ),
    ),
    sendP99: round(
      percentile(
        [...tally.sends].sort((a, b) => a - b),
        99,
      ),
    ),
    deliveryP50: round(
      percentile(
        [...tally.deliveries].sort((a, b) => a - b),
        50,
      ),
    ),
    deliveryP99: round(
      percentile(
        [...tally.deliveries].sort((a, b) => a - b),
        99,
      ),
    ),
    serverCpuMsPer1kTokens: per1k(serverCpu() - s0),
    watcherTokens: tally.watcherTokens,
    serverCpuMsPer1kSent: round(((serverCpu() - s0) / Math.max(1, tally.tokens + tally.watcherTokens)) * 1000, 2),
    streamingServerCpuMsPer1kSent:
      window.from && window.to ? round(((window.to.cpu - window.from.cpu) / Math.max(1, window.to.sent - window.from.sent)) * 1000, 2) : null,
    streamingServerCpuMsPer1kTokens:
      window.from && window.to ? round(((window.to.cpu - window.from.cpu) / Math.max(1, window.to.tokens - window.from.tokens)) * 1000, 2) : null,
    redisCpuMsPer1kTokens: per1k(cpuMsOfPid(redisPid) - r0),
    pgCpuMsPer1kTokens: per1k(postgresCpuMs() - p0),
    benchCpuMsPer1kTokens: per1k((b.user + b.system) / 1000),
    workerCpuMsPer1kTokens: workerPids.length ? per1k(workerPids.reduce((a, p) => a + cpuMsOfPid(p), 0) - w0) : null,
    lost: tally.lost,
    lostAcked: tally.lostAcked,
    batchesFailed: [...tally.batchFailures.values()].reduce((a, n) => a + n, 0),
    duplicated: tally.duplicated,
    reordered: tally.reordered,
    errors: tally.errors,
    restarted: tally.restarted,
    resumed: tally.resumed,
    stalled: tally.stalled,
    refused: tally.refused,
    sendRetries: tally.sendRetries,
    checked: tally.checked,
    mismatched: tally.mismatched,
    peakServerRssMb: Math.round(peak),
  };
  console.error(JSON.stringify(result));
  if (TIMELINE) printTimeline(tally, t0);
  if (tally.sendFailures.size) console.error(`sends failed: ${JSON.stringify(Object.fromEntries(tally.sendFailures))}`);
  if (tally.missingIn.answers) {
    const m = tally.missingIn;
    console.error(
      `answers with tokens missing: ${m.answers}; ${m.skippedAnswers} of them skipped seqs (${m.tokensInSkipped} tokens); ${m.inFinishedText} missing tokens are in the finished event's text`,
    );
  }
  const failures = [...tally.batchFailures].map(([what, n]) => [what.replace(/\(request [0-9a-f-]+\)/g, "(request …)"), n] as const);
  const merged = new Map<string, number>();
  for (const [what, n] of failures) merged.set(what, (merged.get(what) ?? 0) + n);
  for (const [what, n] of merged) console.error(`token batches failed (${n}): ${what.slice(0, 300)}`);
  return result;
}

/** `--timeline`: batch latency by the second the batch was emitted in (from the run's start), and by phase. */
function printTimeline(tally: Tally, t0: number): void {
  const pcts = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return `n ${sorted.length}, p50 ${round(percentile(sorted, 50))}, p99 ${round(percentile(sorted, 99))}, max ${round(sorted[sorted.length - 1] ?? 0)}`;
  };
  const bySecond = new Map<number, number[]>();
  for (const b of tally.batchTimeline) {
    const s = Math.floor((b.emittedAt - t0) / 1000);
    if (!bySecond.has(s)) bySecond.set(s, []);
    bySecond.get(s)!.push(b.latency);
  }
  const sendsBySecond = new Map<number, number>();
  for (const at of tally.sendEnds) {
    const s = Math.floor((at - t0) / 1000);
    sendsBySecond.set(s, (sendsBySecond.get(s) ?? 0) + 1);
  }
  console.error(`batch latency by emit second (run started at ${new Date(performance.timeOrigin + t0).toISOString()}):`);
  for (const s of [...bySecond.keys()].sort((a, b) => a - b)) {
    console.error(`  ${s} s: ${pcts(bySecond.get(s)!)} ms; sends answered ${sendsBySecond.get(s) ?? 0}`);
  }
  // A stream whose subscriber already had an event when the batch was emitted is flowing: its batches wait only
  // for the server's own work, not for a subscription still being set up.
  console.error(
    `  flowing (the subscriber had an event of the answer before the emit): ${pcts(tally.batchTimeline.filter((b) => b.flowing).map((b) => b.latency))} ms`,
  );
  console.error(`  starting (no event yet): ${pcts(tally.batchTimeline.filter((b) => !b.flowing).map((b) => b.latency))} ms`);
}

// ---------------------------------------------------------------------------------------------------------------
// the bare forwarder

async function forwarderRun(streams: number, redisUrl: string, redisPid: number): Promise<RunResult> {
  const port = await freePort();
  const proc = spawn(process.execPath, [path.join(ROOT, "dist", "bench", "forwarder.js"), String(port), redisUrl], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => proc.stdout!.once("data", () => resolve()));
  const tally = new Tally();
  const emitter = new SyntheticEmitter(tally);
  const workerCount = Math.ceil(streams / WORKER_CAPACITY);
  const workers = await Promise.all(
    Array.from(
      { length: workerCount },
      () =>
        new Promise<WebSocket>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/worker`);
          ws.once("open", () => resolve(ws));
        }),
    ),
  );
  const clients = await Promise.all(
    Array.from(
      { length: streams },
      (_, i) =>
        new Promise<{ ws: WebSocket; onMessage: (m: Record<string, unknown>) => void }>((resolve) => {
          const c = { ws: new WebSocket(`ws://127.0.0.1:${port}/client?s=${i}`), onMessage: (_m: Record<string, unknown>) => undefined as undefined };
          c.ws.on("message", (data: Buffer) => {
            const m = JSON.parse(data.toString());
            if (m.subscribed) resolve(c);
            else c.onMessage(m);
          });
        }),
    ),
  );
  const watchers = await Promise.all(
    Array.from(
      { length: streams * WATCHERS },
      (_, n) =>
        new Promise<WebSocket>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/client?s=${n % streams}`);
          ws.on("message", (data: Buffer) => {
            const m = JSON.parse(data.toString());
            if (m.subscribed) resolve(ws);
            else if (typeof m.t === "string") tally.watcherTokens += m.t.trim().split(" ").length;
          });
        }),
    ),
  );
  const result = await measure("bare forwarder", streams, [proc.pid!], redisPid, tally, async () => {
    await Promise.all(
      clients.map(async (c, i) => {
        await sleep((i / streams) * 1000);
        const worker = workers[i % workerCount];
        for (let a = 0; a < ANSWERS; a++) {
          const key = `${i}.${a}`;
          const checker = new Checker();
          const firstReceipt = { at: null as number | null };
          const sentAt = performance.now();
          const done = new Promise<void>((resolve) => {
            c.onMessage = (m) => {
              if (m.end) return resolve();
              tally.received(key, m.t as string, (m.t as string).trim().split(" ").length, checker, performance.now(), sentAt, firstReceipt);
            };
          });
          emitter.add(key, key, {
            send: async (from, to) => {
              worker.send(JSON.stringify({ s: String(i), t: tokenText(from, to) }));
              return { ok: true, cancel: false };
            },
            finish: async () => worker.send(JSON.stringify({ s: String(i), end: true })),
            fail: async () => undefined,
          });
          await done;
          tally.ended(key, checker);
        }
      }),
    );
  });
  emitter.stop();
  for (const ws of [...workers, ...clients.map((c) => c.ws), ...watchers]) ws.terminate();
  proc.kill("SIGTERM");
  await new Promise((r) => proc.once("exit", r));
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// real workers

/**
 * A websocket proxy between worker processes and the API. It passes every frame through untouched and notes in the
 * tally when each job reaches its worker and when each token batch leaves it (its character offset in the answer),
 * which a real worker does not report.
 */
async function workerProxy(apiWsUrl: string, tally: Tally): Promise<{ url: string; close: () => void }> {
  const port = await freePort();
  const wss = new WebSocketServer({ host: "127.0.0.1", port, handleProtocols: (protocols) => [...protocols][0] ?? false });
  await new Promise((resolve) => wss.once("listening", resolve));
  const jobs = new Map<string, { messageId: string; offset: number }>();
  // 1005 and 1006 say no code was sent; neither may be sent on
  const closeCode = (code: number) => (code === 1005 || code === 1006 ? 1000 : code);
  wss.on("connection", (worker) => {
    const api = new WebSocket(apiWsUrl, worker.protocol);
    const pending: [Buffer, boolean][] = [];
    api.on("open", () => {
      for (const [data, binary] of pending.splice(0)) api.send(data, { binary });
    });
    // Only the frames it timestamps are parsed (a job, a token batch): the proxy runs in the load generator's one
    // event loop, beside the chat clients whose receipts it times.
    worker.on("message", (data: Buffer, binary: boolean) => {
      const m = data.includes("workerTokens") ? JSON.parse(data.toString()) : undefined;
      const input = m?.type === "subscribe" ? m.payload?.variables?.input : undefined;
      const job = input?.jobId ? jobs.get(input.jobId) : undefined;
      if (job && typeof input.text === "string" && /workerTokens/.test(m.payload.query)) {
        const now = performance.now();
        tally.emitted.set(`${job.messageId}:${job.offset}`, now);
        if (job.offset === 0) tally.firstEmit.set(job.messageId, now);
        job.offset += input.text.length;
      }
      if (api.readyState === WebSocket.OPEN) api.send(data, { binary });
      else pending.push([data, binary]);
    });
    api.on("message", (data: Buffer, binary: boolean) => {
      const m = data.includes("workerJobs") ? JSON.parse(data.toString()) : undefined;
      const job = m?.type === "next" ? m.payload?.data?.workerJobs : undefined;
      if (job) {
        jobs.set(job.jobId, { messageId: job.messageId, offset: 0 });
        tally.jobStart.set(job.messageId, performance.now());
      }
      worker.send(data, { binary });
    });
    worker.on("close", (code, reason) => api.close(closeCode(code), reason));
    api.on("close", (code, reason) => worker.close(closeCode(code), reason));
    api.on("error", () => worker.terminate());
  });
  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/** Starts `count` gpu-workers processes serving `model` through the proxy; resolves once each is connected. */
async function startRealWorkers(count: number, model: string, apiUrl: string, workerKey: string, openaiUrl?: string): Promise<WorkerProcess[]> {
  const workers = Array.from({ length: count }, (_, w) =>
    startWorkerProcess(
      {
        CHORUS_API_URL: apiUrl,
        CHORUS_WORKER_KEY: workerKey,
        CHORUS_WORKER_MODELS: model,
        ...(openaiUrl
          ? { CHORUS_WORKER_BACKEND: "openai", CHORUS_OPENAI_BASE_URL: openaiUrl, CHORUS_OPENAI_MODEL: FAKE_OPENAI_MODEL }
          : { CHORUS_WORKER_BACKEND: "transformers" }),
        CHORUS_WORKER_CAPACITY: String(WORKER_CAPACITY),
        CHORUS_WORKER_NAME: `bench-${w}`,
      },
      WORKER_CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(WORKER_CPU_PROF_DIR)}`] : [],
    ),
  );
  await Promise.all(workers.map((w) => w.waitFor(/"msg":"connected"/, 120_000)));
  return workers;
}

/** Waits until the in-process worker of a local-mode server serves `model` (it loads the tiny model after start). */
async function waitForLocalModel(replica: { output: () => { stdout: string } }, model: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const out = replica.output().stdout;
    if (out.split("\n").some((line) => line.includes('"worker connected"') && line.includes(`"${model}"`))) return;
    await sleep(100);
  }
  throw new Error(`the in-process worker did not start serving ${model} within 60 s`);
}

/** `--warm`: asks one answer of `model` (as user `n` of the warm-up) and waits until it is stored, before the clock starts. */
async function warmUp(url: string, key: string, model: string, n = 0, maxNewTokens = 4): Promise<void> {
  const as = { key, user: `local:stream-warm-up-${n}` };
  const chat = await gql(url, CreateChatDocument, { input: {} }, as);
  const sent = await gql(url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text: "warm up", model, sampling: { maxNewTokens } } }, as);
  if (sent.errors) throw new Error(`the warm-up answer was refused: ${JSON.stringify(sent.errors)}`);
  const id = sent.data!.sendChatMessage.assistantMessage.id;
  for (let i = 0; i < 600; i++) {
    const m = await gql(url, ChatMessageDocument, { id }, as);
    if (m.data?.chatMessage?.state === "COMPLETE") return;
    await sleep(100);
  }
  throw new Error("the warm-up answer did not complete within 60 s");
}

/**
 * The model's own wait for each answer's first token, from the in-process worker's debug log, by message id: from
 * the job's arrival at the in-process worker to the moment the model made the token (`modelFirstTokenMs`), and, as
 * measured before the model had a thread of its own, to the token's arrival back at the worker
 * (`workerFirstTokenMs`; older servers log only this one, as modelFirstTokenMs). The second also counts as the
 * model's what the token then took to reach the worker, so it flatters the server; both are reported.
 */
function localModelWaits(log: string): {
  model: Map<string, number>;
  atWorker: Map<string, number>;
  /** When the job reached the in-process worker and when the model made the first token, ms since the epoch. */
  instants: Map<string, { jobAt: number; firstTokenAt: number }>;
} {
  const model = new Map<string, number>();
  const atWorker = new Map<string, number>();
  const instants = new Map<string, { jobAt: number; firstTokenAt: number }>();
  for (const line of log.split("\n")) {
    if (!line.includes("in-process worker: first token")) continue;
    try {
      const entry = JSON.parse(line) as { messageId?: string; modelFirstTokenMs?: number; workerFirstTokenMs?: number; jobAt?: number; firstTokenAt?: number };
      if (!entry.messageId || typeof entry.modelFirstTokenMs !== "number") continue;
      model.set(entry.messageId, entry.modelFirstTokenMs);
      atWorker.set(entry.messageId, entry.workerFirstTokenMs ?? entry.modelFirstTokenMs);
      if (typeof entry.jobAt === "number" && typeof entry.firstTokenAt === "number") {
        instants.set(entry.messageId, { jobAt: entry.jobAt, firstTokenAt: entry.firstTokenAt });
      }
    } catch {
      // not a log line of ours
    }
  }
  return { model, atWorker, instants };
}

const FAKE_OPENAI_MODEL = "fixed-pace";

/**
 * The fake OpenAI-compatible server (bench/fake-openai-server.ts) in a process of its own, as a model server is.
 */
async function fakeOpenAIServer(): Promise<{ url: string; pid: number; close: () => Promise<void> }> {
  const server = startNode(path.join(__dirname, "fake-openai-server.js"), [FAKE_OPENAI_MODEL, String(TOKENS_PER_SECOND)], {});
  const [, port] = await server.waitFor(/listening (\d+)/);
  return {
    url: `http://127.0.0.1:${port}/v1`,
    pid: server.child.pid!,
    close: async () => {
      server.child.kill("SIGTERM");
      await server.exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Chorus

async function chorusRun(streams: number, replicas: number, redisUrl: string, redisPid: number): Promise<RunResult> {
  const cluster: Cluster = await startCluster(replicas, {
    // local mode: no Redis (in-process queue and streams), the in-process worker, its debug log of each first token
    ...(LOCAL ? { REDIS_URL: "", LOCAL_WORKER: "true", LOG_LEVEL: "debug" } : { REDIS_URL: redisUrl }),
    NODE_ENV: "production",
    DATABASE_POOL_SIZE: "10",
    CHAT_RATE_LIMIT_GENERATIONS: "0",
    CHAT_MAX_QUEUE_SIZE: "100000",
    CHAT_TOKEN_BATCH_MS: String(WINDOW_MS),
  });
  let realWorkers: WorkerProcess[] = [];
  let proxy: { close: () => void } | undefined;
  let openai: Awaited<ReturnType<typeof fakeOpenAIServer>> | undefined;
  try {
    const key = await cluster.createClient({ name: "bench chat app", trusted: true });
    const workerKey = await cluster.createClient({ name: "bench workers", kind: ApiClientKind.WORKER });
    const rs = cluster.replicas;
    const tally = new Tally();
    const emitter = new SyntheticEmitter(tally);

    // chats, made before the clock starts
    const chats: string[] = new Array(streams);
    await inBatches(
      Array.from({ length: streams }, (_, i) => i),
      16,
      async (i) => {
        const r = rs[i % replicas];
        const res = await gql(r.url, CreateChatDocument, { input: {} }, { key, user: `local:stream-${i}` });
        chats[i] = res.data!.createChat.id;
      },
    );

    // workers, spread over the replicas
    const workerCount = Math.ceil(streams / WORKER_CAPACITY);
    const workerClients: Client[] = [];
    const stopping = { value: false };
    if (LOCAL) {
      await waitForLocalModel(rs[0], MODEL!);
      if (WARM) await warmUp(rs[0].url, key, MODEL!);
    } else if (MODEL) {
      const p = await workerProxy(rs[0].wsUrl, tally);
      proxy = p;
      if (OPENAI) openai = await fakeOpenAIServer();
      realWorkers = await startRealWorkers(workerCount, MODEL, p.url, workerKey, openai?.url);
    }
    for (let w = 0; w < (MODEL ? 0 : workerCount); w++) {
      const r = rs[w % replicas];
      const client = wsClient(r.wsUrl, { authorization: `Bearer ${workerKey}` });
      workerClients.push(client);
      // As gpu-workers' worker does, a session that ends (the server dropped it as silent, under overload) is opened
      // again; its jobs went back to the queue.
      const serve = (): (() => void) =>
        client.subscribe<WorkerJobsSubscription>(
          {
            query: print(WorkerJobsDocument),
            variables: { input: { protocolVersion: 1, models: ["synthetic"], capacity: WORKER_CAPACITY, hardware: { device: "bench" }, name: `bench-${w}` } },
          },
          {
            next: (res) => {
              if (!res.data) return void tally.errors++;
              const job = res.data.workerJobs;
              emitter.add(job.jobId, job.messageId, {
                send: async (from, to) => {
                  const r2 = await execute<{ workerTokens: { ok: boolean; cancel: boolean } }>(client, WorkerTokensDocument, {
                    input: { jobId: job.jobId, text: tokenText(from, to), tokenCount: to - from },
                  });
                  if (r2.errors?.length) return { ok: false, error: r2.errors.map((e) => e.message).join("; ") };
                  return r2.data?.workerTokens.ok ? { ok: true, cancel: r2.data.workerTokens.cancel } : { ok: false };
                },
                finish: async () => {
                  const r3 = await execute(client, WorkerFinishDocument, {
                    input: { jobId: job.jobId, finishReason: "LENGTH", text: tokenText(0, TOKENS), tokenCount: TOKENS },
                  }).catch(() => ({ errors: [{ message: "request failed" }] }));
                  if (r3.errors?.length) tally.errors++;
                },
                fail: async (reason) => {
                  const r4 = await execute(client, WorkerFailDocument, {
                    input: { jobId: job.jobId, code: "WORKER_ERROR", reason: reason.slice(0, 2000), retryable: true },
                  }).catch(() => ({ errors: [{ message: "request failed" }] }));
                  if (r4.errors?.length) tally.errors++;
                },
              });
            },
            error: () => {
              tally.errors++;
              if (!stopping.value) setTimeout(serve, 500);
            },
            complete: () => {
              if (!stopping.value) setTimeout(serve, 500);
            },
          },
        );
      serve();
    }
    await sleep(500);
    if (WARM && !LOCAL) {
      await Promise.all(Array.from({ length: Math.min(streams, 100) }, (_, i) => warmUp(rs[i % replicas].url, key, MODEL ?? "synthetic", i, TOKENS)));
    }

    const chatClients: Client[] = new Array(streams);
    // page-load: each socket open (connection_init acknowledged) before the clock, 16 connecting at a time
    await inBatches(
      Array.from({ length: streams }, (_, i) => i),
      CONNECT === "page-load" ? 16 : streams,
      (i) =>
        new Promise<void>((resolve, reject) => {
          const as = { authorization: `Bearer ${key}`, user: `local:stream-${i}` };
          if (CONNECT === "at-send") {
            chatClients[i] = wsClient(rs[i % replicas].wsUrl, as);
            return resolve();
          }
          chatClients[i] = wsClient(rs[i % replicas].wsUrl, as, {
            lazy: false,
            onConnected: resolve,
            onClose: (code, reason) => reject(new Error(`chat client ${i}'s websocket closed before the run (${code} ${reason})`)),
          });
        }),
    );
    const watcherClients = Array.from({ length: streams * WATCHERS }, (_, n) =>
      wsClient(rs[(n % streams) % replicas].wsUrl, { authorization: `Bearer ${key}`, user: `local:stream-${n % streams}` }),
    );
    /** The watchers of chat i follow its answer from its first event, counting its tokens. */
    const watch = (i: number, messageId: string) => {
      for (let w = 0; w < WATCHERS; w++) {
        watcherClients[w * streams + i].subscribe<GenerationSubscription>(
          { query: print(GenerationDocument), variables: { messageId, after: 0 } },
          {
            next: (res) => {
              const e = res.data?.generation;
              if (e?.__typename === "GenerationTokens") tally.watcherTokens += e.tokenCount;
            },
            error: () => undefined,
            complete: () => undefined,
          },
        );
      }
    };
    const result = await measure(
      `Chorus, ${replicas} replica${replicas > 1 ? "s" : ""}`,
      streams,
      rs.map((r) => r.pid),
      redisPid,
      tally,
      async () => {
        await Promise.all(
          chatClients.map(async (client, i) => {
            await sleep((i / streams) * 1000);
            const r = rs[i % replicas];
            const as = { key, user: `local:stream-${i}` };
            let parentId: string | undefined;
            for (let a = 0; a < ANSWERS; a++) {
              const sentAt = performance.now();
              let sent: Awaited<ReturnType<typeof gql<import("../client/generated/graphql.js").SendChatMessageMutation, unknown>>>;
              // docs/errors.md: SERVICE_UNAVAILABLE (the server busy, nothing stored) is retried after
              // extensions.retryAfterSeconds (or the Retry-After header); a real client does so, and so does this one,
              // up to SEND_ATTEMPTS times. Any other error fails the answer.
              for (let attempt = 1; ; attempt++) {
                try {
                  const input = { chatId: chats[i], parentId, text: `question ${a}`, model: MODEL ?? "synthetic", sampling: { maxNewTokens: TOKENS } };
                  if (SEND === "ws") {
                    const res = await execute<import("../client/generated/graphql.js").SendChatMessageMutation>(client, SendChatMessageDocument, { input });
                    sent = {
                      status: 200,
                      data: res.data ?? undefined,
                      errors: res.errors?.length ? (res.errors as unknown as typeof sent.errors) : undefined,
                      headers: new Headers(),
                    };
                  } else {
                    sent = await gql(r.url, SendChatMessageDocument, { input }, as);
                  }
                } catch (err) {
                  // fetch's own failure (the connection refused or reset): its cause says which
                  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
                  sent = { status: 0, errors: [{ message: `request failed: ${cause?.code ?? cause?.message ?? String(err)}` }], headers: new Headers() };
                }
                const busy = sent.errors?.find((e) => (e as { extensions?: { code?: string } }).extensions?.code === "SERVICE_UNAVAILABLE") as
                  | { extensions?: { retryAfterSeconds?: number } }
                  | undefined;
                if (!busy || attempt >= SEND_ATTEMPTS) break;
                tally.sendRetries++;
                const after = busy.extensions?.retryAfterSeconds ?? Number(sent.headers.get("retry-after") ?? 1);
                await sleep(after * 1000);
              }
              tally.sends.push(performance.now() - sentAt);
              tally.sendEnds.push(performance.now());
              if (sent.errors) {
                const what = String((sent.errors[0] as { extensions?: { code?: string }; message?: string }).extensions?.code ?? sent.errors[0].message).slice(
                  0,
                  120,
                );
                tally.sendFailures.set(what, (tally.sendFailures.get(what) ?? 0) + 1);
                // an answer never asked for: counted apart from tokens lost in answers that ran
                tally.errors++;
                tally.refused += ANSWERS - a;
                return;
              }
              const messageId = sent.data!.sendChatMessage.assistantMessage.id;
              watch(i, messageId);
              const checker = MODEL ? new TextChecker() : new Checker();
              const firstReceipt = { at: null as number | null };
              let failed = false;
              /** Seq of the last event: a subscription that breaks is resumed after it, as a client does. */
              let lastSeq = 0;
              /** A jump in seqs: the server skipped events (its fallback to the stored row). */
              let skipped = false;
              let finishedText: string | null = null;
              /** Whether an attempt saw the answer's terminal event (finished, cancelled or failed). */
              let ended = false;
              const follow = () =>
                new Promise<void>((resolve) => {
                  // An attempt that hears nothing for STALL_MS (no event, no end, no error) is given up and resumed:
                  // counted apart as stalled, since a subscription must never wait silently on an answer that ended.
                  let stall: NodeJS.Timeout;
                  const watch = () => {
                    clearTimeout(stall);
                    stall = setTimeout(() => {
                      tally.stalled++;
                      unsubscribe();
                      resolve();
                    }, STALL_MS);
                  };
                  const settle = () => {
                    clearTimeout(stall);
                    resolve();
                  };
                  const unsubscribe = client.subscribe<GenerationSubscription>(
                    { query: print(GenerationDocument), variables: { messageId, after: lastSeq } },
                    {
                      next: (res) => {
                        watch();
                        const e = res.data?.generation;
                        // An error result (the server too busy to start the subscription): the attempt ends without
                        // the answer's end, and is resumed.
                        if (!e) return void tally.errors++;
                        if (!tally.liveAt.has(messageId)) tally.liveAt.set(messageId, performance.now());
                        if (e.seq !== lastSeq + 1) skipped = true;
                        lastSeq = e.seq;
                        if (e.__typename === "GenerationFinished") finishedText = e.chatMessage?.text ?? null;
                        if (e.__typename === "GenerationTokens")
                          tally.received(messageId, e.text, e.tokenCount, checker, performance.now(), sentAt, firstReceipt);
                        if (e.__typename === "GenerationRestarted" || e.__typename === "GenerationFailed") tally.errors++;
                        if (e.__typename === "GenerationFailed") failed = true;
                        if (e.__typename === "GenerationRestarted") {
                          tally.restarted++;
                          checker.restart();
                        }
                        if (e.__typename === "GenerationFinished" || e.__typename === "GenerationCancelled" || e.__typename === "GenerationFailed") {
                          ended = true;
                        }
                      },
                      error: () => {
                        tally.errors++;
                        settle();
                      },
                      complete: settle,
                    },
                  );
                  watch();
                });
              for (let attempt = 0; attempt < SUBSCRIBE_ATTEMPTS && !ended; attempt++) {
                if (attempt > 0) {
                  tally.resumed++;
                  await sleep(1_000);
                }
                await follow();
              }
              // An answer whose subscription could not be followed to its end (the server too busy to serve it, every
              // attempt) says nothing about the stream's integrity: it is counted as failed, not its tokens as lost.
              // An answer that ended failed (no worker started it in time, under overload) is a failed answer too, and
              // the tokens it never had are not counted as lost.
              if (!ended || failed) tally.refused++;
              else if (checker instanceof Checker) {
                tally.ended(messageId, checker);
                if (checker.lost > 0) tally.lossDiagnosis(messageId, checker, skipped, finishedText);
              } else {
                // the answer as stored, read back after the stream ended, must be the text streamed
                const stored = await gql(r.url, ChatMessageDocument, { id: messageId }, as);
                tally.checked++;
                if (stored.errors || stored.data?.chatMessage?.text !== checker.text) tally.mismatched++;
              }
              parentId = messageId;
            }
          }),
        );
        if (LOCAL) {
          // The server's share: each answer's time to first token less the model's own wait for it.
          const waits = localModelWaits(rs[0].output().stdout);
          for (const [key, ttft] of tally.ttftByKey) {
            const wait = waits.model.get(key);
            if (wait !== undefined) tally.ttftAdded.push(ttft - wait);
            const atWorker = waits.atWorker.get(key);
            if (atWorker !== undefined) tally.ttftAddedAtWorker.push(ttft - atWorker);
            // The parts, where the server logs their instants (same machine, same clock): the hand-out from the
            // request to the job's arrival at the in-process worker, and the delivery from the model's first token
            // to the client.
            const at = waits.instants.get(key);
            const sent = tally.sentAt.get(key);
            if (at && sent !== undefined) {
              tally.jobStart.set(key, at.jobAt - performance.timeOrigin);
              tally.deliveries.push(sent + ttft - (at.firstTokenAt - performance.timeOrigin));
            }
          }
        }
      },
      realWorkers.map((w) => w.child.pid!),
    );
    emitter.stop();
    stopping.value = true;
    for (const c of [...chatClients, ...workerClients, ...watcherClients]) await c.dispose();
    return result;
  } finally {
    for (const w of realWorkers) w.child.kill("SIGTERM");
    await Promise.all(realWorkers.map((w) => w.exited));
    proxy?.close();
    await openai?.close();
    if (SERVER_LOG) {
      for (const [i, r] of cluster.replicas.entries()) {
        const { stdout, stderr } = r.output();
        fs.writeFileSync(`${SERVER_LOG}.${streams}.${replicas}.${i}`, stdout + stderr);
      }
    }
    await cluster.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  // A private redis-server, so its CPU is this benchmark's alone (and the machine's shared Redis is left alone).
  const redisPort = await freePort();
  const redis: ChildProcess = spawn(
    "redis-server",
    ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve) => {
    let out = "";
    redis.stdout!.on("data", (d) => {
      out += d;
      if (/Ready to accept connections/.test(out)) resolve();
    });
  });
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  // Measurements on a Redis that went away mean nothing: say so loudly.
  redis.once("exit", (code, signal) => {
    if (!stopping) console.error(`the benchmark's redis-server exited (code ${code}, signal ${signal}); the runs from now on are void`);
  });
  let stopping = false;
  const results: RunResult[] = [];
  // the worker program as shipped, built from its sources (it writes the tiny model itself when missing)
  if (MODEL) buildGpuWorkers();
  try {
    for (const streams of STREAM_COUNTS) {
      if (only.includes("forwarder")) results.push(await forwarderRun(streams, redisUrl, redis.pid!));
      if (only.includes("chorus-1")) results.push(await chorusRun(streams, 1, redisUrl, redis.pid!));
      if (only.includes("chorus-2")) results.push(await chorusRun(streams, 2, redisUrl, redis.pid!));
    }
  } finally {
    stopping = true;
    redis.kill("SIGTERM");
  }
  if (MODEL) {
    console.log(
      `\nChorus bench (stream, model ${MODEL}${LOCAL ? `, local mode (in-process worker${WARM ? ", warmed up" : ""})` : ""}${OPENAI ? `, openai backend against a server at ${TOKENS_PER_SECOND} tokens/s` : ""}${WARM && !LOCAL ? ", warmed up by up to 100 answers" : ""}), ${new Date().toISOString()}: 1 answer of at most ${TOKENS} tokens per chat, real workers (capacity ${WORKER_CAPACITY}), ${WINDOW_MS} ms batches\n`,
    );
    console.log(
      "| run | streams | s | tokens | tokens/s | TTFT p50 / p99 ms | TTFT added p50 / p99 ms | send p50 / p99 ms | hand-out p50 / p99 ms | delivery p50 / p99 ms | batch p50 / p99 ms | server CPU ms/1k tokens | workers' CPU ms/1k tokens | answers checked | stored ≠ streamed | errors | answers failed | send retries |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of results) {
      console.log(
        `| ${r.run} | ${r.streams} | ${r.seconds} | ${r.tokens} | ${r.tokensPerSecond} | ${r.ttftP50} / ${r.ttftP99} | ${r.ttftAddedP50} / ${r.ttftAddedP99}${r.ttftAddedAtWorkerP50 === null ? "" : ` (model's wait up to the worker: ${r.ttftAddedAtWorkerP50} / ${r.ttftAddedAtWorkerP99})`} | ${r.sendP50} / ${r.sendP99} | ${r.handOutP50} / ${r.handOutP99} | ${r.deliveryP50} / ${r.deliveryP99} | ${r.batchP50} / ${r.batchP99} | ${r.serverCpuMsPer1kTokens} | ${r.workerCpuMsPer1kTokens ?? "–"} | ${r.checked} | ${r.mismatched} | ${r.errors} | ${r.refused} | ${r.sendRetries} |`,
      );
    }
    return;
  }
  console.log(
    `\nChorus bench (stream${quick ? ", quick" : ""}${WARM ? ", warmed up by up to 100 answers before the clock starts" : ""}, chat websockets opened ${CONNECT === "page-load" ? "at page load (before the clock)" : "at the first subscription (after the send)"}, sends over ${SEND === "ws" ? "the chat's websocket" : "HTTP"}), ${new Date().toISOString()}: ${ANSWERS} answer(s) of ${TOKENS} tokens per chat at ${TOKENS_PER_SECOND} tokens/s, ${WINDOW_MS} ms batches\n`,
  );
  console.log(
    "| run | streams | s | tokens | tokens/s | batch p50 ms | batch p99 ms | TTFT added p50 / p99 ms | send p50 / p99 ms | hand-out p50 / p99 ms | delivery p50 / p99 ms | server CPU ms/1k tokens | of it streaming only | Redis CPU ms/1k | PG CPU ms/1k | load generator CPU ms/1k | lost (of them acknowledged) | duplicated | reordered | batches failed | errors | answers failed | send retries | peak server RSS MB |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(
      `| ${r.run} | ${r.streams} | ${r.seconds} | ${r.tokens} | ${r.tokensPerSecond} | ${r.batchP50} | ${r.batchP99} | ${r.ttftAddedP50} / ${r.ttftAddedP99} | ${r.sendP50} / ${r.sendP99} | ${r.handOutP50} / ${r.handOutP99} | ${r.deliveryP50} / ${r.deliveryP99} | ${r.serverCpuMsPer1kTokens} | ${r.streamingServerCpuMsPer1kTokens ?? "–"} | ${r.redisCpuMsPer1kTokens} | ${r.pgCpuMsPer1kTokens} | ${r.benchCpuMsPer1kTokens} | ${r.lost} (${r.lostAcked}) | ${r.duplicated} | ${r.reordered} | ${r.batchesFailed} | ${r.errors} | ${r.refused} | ${r.sendRetries} | ${r.peakServerRssMb} |`,
    );
  }
  for (const streams of STREAM_COUNTS) {
    const of = (name: string) => results.find((r) => r.streams === streams && r.run.startsWith(name));
    const [f, c1, c2] = [of("bare"), of("Chorus, 1"), of("Chorus, 2")];
    const lines: string[] = [];
    if (f && c1) {
      lines.push(
        `Chorus (1 replica) / bare forwarder: delivered tokens/s ${round(c1.tokensPerSecond / f.tokensPerSecond, 2)}, server CPU per token ${round(c1.serverCpuMsPer1kTokens / Math.max(0.01, f.serverCpuMsPer1kTokens), 1)}x` +
          (c1.streamingServerCpuMsPer1kTokens !== null && f.streamingServerCpuMsPer1kTokens
            ? ` (streaming only ${round(c1.streamingServerCpuMsPer1kTokens / f.streamingServerCpuMsPer1kTokens, 1)}x)`
            : ""),
      );
    }
    if (c1 && c2)
      lines.push(
        `Chorus 2 replicas / 1 replica: delivered tokens/s ${round(c2.tokensPerSecond / c1.tokensPerSecond, 2)}, batch p99 ${c1.batchP99} → ${c2.batchP99} ms`,
      );
    if (WATCHERS > 0) {
      for (const r of [f, c1, c2]) {
        if (r)
          lines.push(
            `${r.run}: ${r.watcherTokens} tokens to ${WATCHERS} watcher(s) per answer, server CPU ms per 1k tokens sent ${r.serverCpuMsPer1kSent} (streaming only ${r.streamingServerCpuMsPer1kSent ?? "–"})`,
          );
      }
    }
    if (lines.length) console.log(`\n${streams} streams: ${lines.join("; ")}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
