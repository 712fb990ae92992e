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
 * duplicated or reordered (checked token by token). Runs, in one go and on one private redis-server: the bare
 * forwarder (bench/forwarder.ts: worker websocket → Redis pub/sub → client websocket, no GraphQL, no database),
 * Chorus with one API replica, Chorus with two. `--quick`: one answer per chat instead of two.
 *
 * `--model chorus-tiny [--streams 20] [--tokens 64]`: instead of synthetic workers, real worker processes of the
 * gpu-workers package (transformers.js on the generated tiny model) serve one Chorus replica, one answer per chat.
 * The model generates as fast as it can and its tokens carry no index, so integrity is checked by text: the stored
 * answer must equal the streamed one. A websocket proxy between the workers and the API notes when each batch and
 * each job pass, so batch latency and TTFT added are measured as with the synthetic workers.
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
import { freePort, setReplicaNodeArgs, startCluster, type Cluster } from "../test/helpers/replicas.js";
import { ApiClientKind } from "../src/modules/api-clients/api-client.entity.js";
import {
  ChatMessageDocument,
  CreateChatDocument,
  GenerationDocument,
  SendChatMessageDocument,
  WorkerFinishDocument,
  WorkerJobsDocument,
  WorkerTokensDocument,
  type GenerationSubscription,
  type WorkerJobsSubscription,
} from "../client/generated/graphql.js";

const ROOT = path.resolve(__dirname, "..", "..");
const args = process.argv.slice(2);
const argValue = (name: string) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
const quick = args.includes("--quick");
/** A model served by real gpu-workers processes instead of the synthetic workers. */
const MODEL = argValue("--model");
const STREAM_COUNTS = argValue("--streams")?.split(",").map(Number) ?? (MODEL ? [20] : [100, 1000]);
const only = MODEL ? ["chorus-1"] : (argValue("--only")?.split(",") ?? ["forwarder", "chorus-1", "chorus-2"]);
const ANSWERS = quick || MODEL ? 1 : 2;
const TOKENS = Number(argValue("--tokens") ?? (MODEL ? 64 : 256));
const TOKENS_PER_SECOND = 20;
const WINDOW_MS = 50;
/** Jobs per worker connection, as a vLLM-backed worker would take; C / 50 workers in all. */
const WORKER_CAPACITY = 50;
/** `--cpu-prof DIR`: the API replicas write V8 CPU profiles there when they stop (summarise: bench/profile-top.ts). */
const CPU_PROF_DIR = argValue("--cpu-prof");
if (CPU_PROF_DIR) setReplicaNodeArgs(["--cpu-prof", `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`]);

// ---------------------------------------------------------------------------------------------------------------
// measuring

function cpuMsOfPid(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

function postgresCpu(): number {
  let total = 0;
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, "utf8").startsWith("postgres")) total += cpuMsOfPid(Number(pid));
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

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
}

/** What every run collects, whichever transport. */
class Tally {
  readonly batchLatencies: number[] = [];
  readonly ttftAdded: number[] = [];
  tokens = 0;
  lost = 0;
  duplicated = 0;
  reordered = 0;
  errors = 0;
  /** GenerationRestarted events (a job taken over by another worker that starts the answer again); also in errors. */
  restarted = 0;
  /** Answers whose request or subscription failed (the server too busy to take it), counted apart from tokens lost. */
  refused = 0;
  /** Real model only: answers checked by text, and those whose stored text differed from the streamed one. */
  checked = 0;
  mismatched = 0;
  /** Time to first token as the client sees it, the model's own wait included. */
  readonly ttft: number[] = [];
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
      this.emitted.delete(`${key}:${first}`);
    }
    if (first === 0 && firstReceipt.at === null) {
      firstReceipt.at = now;
      this.ttft.push(now - sentAt);
      const start = this.jobStart.get(key);
      const emit = this.firstEmit.get(key);
      // the server's share of the time to first token: all of it but the model's own wait for its first token
      if (start !== undefined && emit !== undefined) {
        this.ttftAdded.push(now - sentAt - (emit - start));
        this.deliveries.push(now - emit);
      }
    }
  }

  ended(checker: Checker): void {
    this.lost += checker.lost;
    this.duplicated += checker.duplicated;
    this.reordered += checker.reordered;
  }
}

/** The synthetic model: every job emits a token each 1/20 s, gathered in 50 ms batches, one batch in flight. */
class SyntheticEmitter {
  private readonly jobs = new Map<
    string,
    { key: string; start: number; sent: number; inflight: boolean; send: (from: number, to: number) => Promise<boolean>; finish: () => Promise<void> }
  >();
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly tally: Tally) {
    this.timer = setInterval(() => this.tick(), WINDOW_MS);
  }
  add(key: string, send: (from: number, to: number) => Promise<boolean>, finish: () => Promise<void>): void {
    const now = performance.now();
    this.tally.jobStart.set(key, now);
    this.jobs.set(key, { key, start: now, sent: 0, inflight: false, send, finish });
  }
  private tick(): void {
    const now = performance.now();
    for (const job of this.jobs.values()) {
      if (job.inflight) continue;
      const due = Math.min(TOKENS, Math.floor(((now - job.start) * TOKENS_PER_SECOND) / 1000));
      if (due <= job.sent) continue;
      const from = job.sent;
      job.inflight = true;
      this.tally.emitted.set(`${job.key}:${from}`, now);
      if (from === 0) this.tally.firstEmit.set(job.key, now);
      job
        .send(from, due)
        .then(async (ok) => {
          if (!ok) this.tally.errors++;
          job.sent = due;
          job.inflight = false;
          if (due === TOKENS) {
            this.jobs.delete(job.key);
            await job.finish();
          }
        })
        .catch(() => {
          this.tally.errors++;
          job.inflight = false;
          this.jobs.delete(job.key);
        });
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
  ttftP50: number;
  ttftP99: number;
  handOutP50: number;
  handOutP99: number;
  sendP50: number;
  sendP99: number;
  deliveryP50: number;
  deliveryP99: number;
  serverCpuMsPer1kTokens: number;
  redisCpuMsPer1kTokens: number;
  pgCpuMsPer1kTokens: number;
  benchCpuMsPer1kTokens: number;
  lost: number;
  duplicated: number;
  reordered: number;
  errors: number;
  restarted: number;
  refused: number;
  checked: number;
  mismatched: number;
  peakServerRssMb: number;
}

/** Runs `body` while sampling CPU and memory of `serverPids`, Redis and PostgreSQL. */
async function measure(run: string, streams: number, serverPids: number[], redisPid: number, tally: Tally, body: () => Promise<void>): Promise<RunResult> {
  const s0 = serverPids.reduce((a, p) => a + cpuMsOfPid(p), 0);
  const r0 = cpuMsOfPid(redisPid);
  const p0 = postgresCpu();
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
  const t0 = performance.now();
  await body();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
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
    serverCpuMsPer1kTokens: per1k(serverPids.reduce((a, p) => a + cpuMsOfPid(p), 0) - s0),
    redisCpuMsPer1kTokens: per1k(cpuMsOfPid(redisPid) - r0),
    pgCpuMsPer1kTokens: per1k(postgresCpu() - p0),
    benchCpuMsPer1kTokens: per1k((b.user + b.system) / 1000),
    lost: tally.lost,
    duplicated: tally.duplicated,
    reordered: tally.reordered,
    errors: tally.errors,
    restarted: tally.restarted,
    refused: tally.refused,
    checked: tally.checked,
    mismatched: tally.mismatched,
    peakServerRssMb: Math.round(peak),
  };
  console.error(JSON.stringify(result));
  return result;
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
          emitter.add(
            key,
            async (from, to) => {
              worker.send(JSON.stringify({ s: String(i), t: tokenText(from, to) }));
              return true;
            },
            async () => worker.send(JSON.stringify({ s: String(i), end: true })),
          );
          await done;
          tally.ended(checker);
        }
      }),
    );
  });
  emitter.stop();
  for (const ws of [...workers, ...clients.map((c) => c.ws)]) ws.terminate();
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
    worker.on("message", (data: Buffer, binary: boolean) => {
      const m = JSON.parse(data.toString());
      const input = m.type === "subscribe" ? m.payload?.variables?.input : undefined;
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
      const m = JSON.parse(data.toString());
      const job = m.type === "next" ? m.payload?.data?.workerJobs : undefined;
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
async function startRealWorkers(count: number, model: string, apiUrl: string, workerKey: string): Promise<WorkerProcess[]> {
  const workers = Array.from({ length: count }, (_, w) =>
    startWorkerProcess({
      CHORUS_API_URL: apiUrl,
      CHORUS_WORKER_KEY: workerKey,
      CHORUS_WORKER_MODELS: model,
      CHORUS_WORKER_BACKEND: "transformers",
      CHORUS_WORKER_CAPACITY: String(WORKER_CAPACITY),
      CHORUS_WORKER_NAME: `bench-${w}`,
    }),
  );
  await Promise.all(workers.map((w) => w.waitFor(/"msg":"connected"/, 120_000)));
  return workers;
}

// ---------------------------------------------------------------------------------------------------------------
// Chorus

async function chorusRun(streams: number, replicas: number, redisUrl: string, redisPid: number): Promise<RunResult> {
  const cluster: Cluster = await startCluster(replicas, {
    REDIS_URL: redisUrl,
    NODE_ENV: "production",
    DATABASE_POOL_SIZE: "10",
    CHAT_RATE_LIMIT_GENERATIONS: "0",
    CHAT_MAX_QUEUE_SIZE: "100000",
    CHAT_TOKEN_BATCH_MS: String(WINDOW_MS),
  });
  let realWorkers: WorkerProcess[] = [];
  let proxy: { close: () => void } | undefined;
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
    if (MODEL) {
      const p = await workerProxy(rs[0].wsUrl, tally);
      proxy = p;
      realWorkers = await startRealWorkers(workerCount, MODEL, p.url, workerKey);
    }
    for (let w = 0; w < (MODEL ? 0 : workerCount); w++) {
      const r = rs[w % replicas];
      const client = wsClient(r.wsUrl, { authorization: `Bearer ${workerKey}` });
      workerClients.push(client);
      client.subscribe<WorkerJobsSubscription>(
        {
          query: print(WorkerJobsDocument),
          variables: { input: { protocolVersion: 1, models: ["synthetic"], capacity: WORKER_CAPACITY, hardware: { device: "bench" }, name: `bench-${w}` } },
        },
        {
          next: (res) => {
            if (!res.data) return void tally.errors++;
            const job = res.data.workerJobs;
            emitter.add(
              job.messageId,
              async (from, to) => {
                const r2 = await execute<{ workerTokens: { ok: boolean } }>(client, WorkerTokensDocument, {
                  input: { jobId: job.jobId, text: tokenText(from, to), tokenCount: to - from },
                });
                return !r2.errors?.length && r2.data?.workerTokens.ok === true;
              },
              async () => {
                const r3 = await execute(client, WorkerFinishDocument, {
                  input: { jobId: job.jobId, finishReason: "LENGTH", text: tokenText(0, TOKENS), tokenCount: TOKENS },
                });
                if (r3.errors?.length) tally.errors++;
              },
            );
          },
          error: () => void tally.errors++,
          complete: () => undefined,
        },
      );
    }
    await sleep(500);

    const chatClients = Array.from({ length: streams }, (_, i) =>
      wsClient(rs[i % replicas].wsUrl, { authorization: `Bearer ${key}`, user: `local:stream-${i}` }),
    );
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
              try {
                sent = await gql(
                  r.url,
                  SendChatMessageDocument,
                  { input: { chatId: chats[i], parentId, text: `question ${a}`, model: MODEL ?? "synthetic", sampling: { maxNewTokens: TOKENS } } },
                  as,
                );
              } catch {
                sent = { status: 0, errors: [{ message: "request failed" }], headers: new Headers() };
              }
              tally.sends.push(performance.now() - sentAt);
              if (sent.errors) {
                if (tally.refused === 0) console.error(`a send failed: ${JSON.stringify(sent.errors).slice(0, 300)}`);
                // an answer never asked for: counted apart from tokens lost in answers that ran
                tally.errors++;
                tally.refused += ANSWERS - a;
                return;
              }
              const messageId = sent.data!.sendChatMessage.assistantMessage.id;
              const checker = MODEL ? new TextChecker() : new Checker();
              const firstReceipt = { at: null as number | null };
              let failed = false;
              const completed = await new Promise<boolean>((resolve) => {
                client.subscribe<GenerationSubscription>(
                  { query: print(GenerationDocument), variables: { messageId } },
                  {
                    next: (res) => {
                      const e = res.data?.generation;
                      if (!e) return void tally.errors++;
                      if (e.__typename === "GenerationTokens")
                        tally.received(messageId, e.text, e.tokenCount, checker, performance.now(), sentAt, firstReceipt);
                      if (e.__typename === "GenerationRestarted" || e.__typename === "GenerationFailed") tally.errors++;
                      if (e.__typename === "GenerationFailed") failed = true;
                      if (e.__typename === "GenerationRestarted") {
                        tally.restarted++;
                        if (checker instanceof Checker) checker.restart();
                      }
                    },
                    error: () => {
                      tally.errors++;
                      resolve(false);
                    },
                    complete: () => resolve(true),
                  },
                );
              });
              // A subscription that failed (the server too busy to accept the connection) says nothing about the
              // stream's integrity: the answer is counted as failed, not its tokens as lost.
              // An answer that ended failed (no worker started it in time, under overload) is a failed answer too, and
              // the tokens it never had are not counted as lost.
              if (!completed || failed) tally.refused++;
              else if (checker instanceof Checker) tally.ended(checker);
              else {
                // the answer as stored, read back after the stream ended, must be the text streamed
                const stored = await gql(r.url, ChatMessageDocument, { id: messageId }, as);
                tally.checked++;
                if (stored.errors || stored.data?.chatMessage?.text !== checker.text) tally.mismatched++;
              }
              parentId = messageId;
            }
          }),
        );
      },
    );
    emitter.stop();
    for (const c of [...chatClients, ...workerClients]) await c.dispose();
    return result;
  } finally {
    for (const w of realWorkers) w.child.kill("SIGTERM");
    await Promise.all(realWorkers.map((w) => w.exited));
    proxy?.close();
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
      `\nChorus bench (stream, model ${MODEL}), ${new Date().toISOString()}: 1 answer of at most ${TOKENS} tokens per chat, real workers (capacity ${WORKER_CAPACITY}), ${WINDOW_MS} ms batches\n`,
    );
    console.log(
      "| run | streams | s | tokens | tokens/s | TTFT p50 / p99 ms | TTFT added p50 / p99 ms | hand-out p50 / p99 ms | batch p50 / p99 ms | server CPU ms/1k tokens | answers checked | stored ≠ streamed | errors | answers failed |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of results) {
      console.log(
        `| ${r.run} | ${r.streams} | ${r.seconds} | ${r.tokens} | ${r.tokensPerSecond} | ${r.ttftP50} / ${r.ttftP99} | ${r.ttftAddedP50} / ${r.ttftAddedP99} | ${r.handOutP50} / ${r.handOutP99} | ${r.batchP50} / ${r.batchP99} | ${r.serverCpuMsPer1kTokens} | ${r.checked} | ${r.mismatched} | ${r.errors} | ${r.refused} |`,
      );
    }
    return;
  }
  console.log(
    `\nChorus bench (stream${quick ? ", quick" : ""}), ${new Date().toISOString()}: ${ANSWERS} answer(s) of ${TOKENS} tokens per chat at ${TOKENS_PER_SECOND} tokens/s, ${WINDOW_MS} ms batches\n`,
  );
  console.log(
    "| run | streams | s | tokens | tokens/s | batch p50 ms | batch p99 ms | TTFT added p50 / p99 ms | send p50 / p99 ms | hand-out p50 / p99 ms | delivery p50 / p99 ms | server CPU ms/1k tokens | Redis CPU ms/1k | PG CPU ms/1k | load generator CPU ms/1k | lost | duplicated | reordered | errors | answers failed | peak server RSS MB |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(
      `| ${r.run} | ${r.streams} | ${r.seconds} | ${r.tokens} | ${r.tokensPerSecond} | ${r.batchP50} | ${r.batchP99} | ${r.ttftAddedP50} / ${r.ttftAddedP99} | ${r.sendP50} / ${r.sendP99} | ${r.handOutP50} / ${r.handOutP99} | ${r.deliveryP50} / ${r.deliveryP99} | ${r.serverCpuMsPer1kTokens} | ${r.redisCpuMsPer1kTokens} | ${r.pgCpuMsPer1kTokens} | ${r.benchCpuMsPer1kTokens} | ${r.lost} | ${r.duplicated} | ${r.reordered} | ${r.errors} | ${r.refused} | ${r.peakServerRssMb} |`,
    );
  }
  for (const streams of STREAM_COUNTS) {
    const of = (name: string) => results.find((r) => r.streams === streams && r.run.startsWith(name));
    const [f, c1, c2] = [of("bare"), of("Chorus, 1"), of("Chorus, 2")];
    const lines: string[] = [];
    if (f && c1) {
      lines.push(
        `Chorus (1 replica) / bare forwarder: delivered tokens/s ${round(c1.tokensPerSecond / f.tokensPerSecond, 2)}, server CPU per token ${round(c1.serverCpuMsPer1kTokens / Math.max(0.01, f.serverCpuMsPer1kTokens), 1)}x`,
      );
    }
    if (c1 && c2)
      lines.push(
        `Chorus 2 replicas / 1 replica: delivered tokens/s ${round(c2.tokensPerSecond / c1.tokensPerSecond, 2)}, batch p99 ${c1.batchP99} → ${c2.batchP99} ms`,
      );
    if (lines.length) console.log(`\n${streams} streams: ${lines.join("; ")}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
