/**
 * `node dist/bench/chat-start.js [--chats 100] [--rounds 1] [--baseline DIR] [--cpu-prof DIR | --perf DIR] [--node-args "…"]`: server
 * CPU per chat start, phase by phase, on one API replica (a fresh database, the shared Redis under a test prefix).
 * Each phase runs for every chat, four at a time, and the server's CPU (from /proc, user + system) over the phase is
 * divided by the chats, and so is the CPU of the PostgreSQL backends connected to the server's database (only those,
 * so other databases' work on a shared machine does not count):
 *   (viewer query) a control, not part of the chat start: one authenticated `viewer` query over HTTP per chat
 *   send        sendChatMessage over HTTP (no worker connected, so nothing is handed out yet)
 *   subscribe   a new graphql-ws connection per chat (as the stream benchmark's clients open one), its `generation`
 *               subscription and the replayed GenerationQueued
 *   hand-out    one worker connects (capacity: every chat) and gets every job; each subscriber gets GenerationStarted
 *   first token one workerTokens batch per job, and its GenerationTokens at the subscriber
 *   finish      workerFinish per job, and GenerationFinished (with the stored answer) at the subscriber
 * The stream benchmark mixes these in time (and with token batches), so their costs cannot be told apart there; this
 * one measures where a chat start's CPU goes. `--rounds N`: N rounds of new chats on the same server, the first on a
 * cold process (code not yet optimised, connections not yet open: what the stream benchmark's fresh server meets),
 * the others warm. `--baseline DIR`: the same for the build in DIR (a checkout with
 * `dist/` built, e.g. main), run after this one; run it the other way round as well, to alternate. `--cpu-prof DIR`:
 * a V8 CPU profile of the server per phase and build, DIR/<build>-<phase>.cpuprofile; `--perf DIR`: `perf record`
 * instead, DIR/<build>-<phase>.perf.data (bench/phase-profiler.ts; the profiler's own overhead is in that run's CPU
 * figures).
 */
import "reflect-metadata";
import os from "node:os";
import path from "node:path";
import { print } from "graphql";
import type { Client } from "graphql-ws";
import { inspectArgs, PerfProfiler, perfArgs, PhaseProfiler } from "./phase-profiler.js";
import { postgresCpuMsOfDatabase } from "./proc.js";

const args = process.argv.slice(2);
const argValue = (name: string) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
const CHATS = Number(argValue("--chats") ?? 100);
const CONCURRENCY = 4;
const ROUNDS = Number(argValue("--rounds") ?? 1);
const SETTLE_MS = 300;
const CPU_PROF_DIR = argValue("--cpu-prof");
const PERF_DIR = argValue("--perf");
/** `--node-args "--flag …"`: Node options for the server processes (e.g. to try a V8 setting), beside the profiler's. */
const NODE_ARGS = argValue("--node-args")?.split(" ").filter(Boolean) ?? [];

type Helpers = {
  startCluster: typeof import("../test/helpers/replicas.js").startCluster;
  setReplicaNodeArgs: typeof import("../test/helpers/replicas.js").setReplicaNodeArgs;
  gql: typeof import("../test/helpers/graphql.js").gql;
  wsClient: typeof import("../test/helpers/graphql.js").wsClient;
  cpuMsOfPid: typeof import("./proc.js").cpuMsOfPid;
  ApiClientKind: typeof import("../src/modules/api-clients/api-client.entity.js").ApiClientKind;
  documents: typeof import("../client/generated/graphql.js");
};

/** The helpers of the build whose `dist/` is under `root` (its own server, documents and test helpers). */
function helpersOf(root: string): Helpers {
  const load = <T>(file: string): T => require(path.join(root, "dist", file)) as T;
  return {
    startCluster: load<typeof import("../test/helpers/replicas.js")>("test/helpers/replicas.js").startCluster,
    setReplicaNodeArgs: load<typeof import("../test/helpers/replicas.js")>("test/helpers/replicas.js").setReplicaNodeArgs,
    gql: load<typeof import("../test/helpers/graphql.js")>("test/helpers/graphql.js").gql,
    wsClient: load<typeof import("../test/helpers/graphql.js")>("test/helpers/graphql.js").wsClient,
    cpuMsOfPid: load<typeof import("./proc.js")>("bench/proc.js").cpuMsOfPid,
    ApiClientKind: load<typeof import("../src/modules/api-clients/api-client.entity.js")>("src/modules/api-clients/api-client.entity.js").ApiClientKind,
    documents: load<typeof import("../client/generated/graphql.js")>("client/generated/graphql.js"),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inTurns(count: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

/** One GraphQL operation over a graphql-ws connection. */
function execute(client: Client, query: string, variables: Record<string, unknown>): Promise<{ data?: Record<string, unknown> | null; errors?: unknown }> {
  return new Promise((resolve, reject) => {
    let result: { data?: Record<string, unknown> | null; errors?: unknown } = {};
    client.subscribe({ query, variables }, { next: (r) => void (result = r), error: reject, complete: () => resolve(result) });
  });
}

/** One round's CPU ms per chat, phase by phase. */
type PerChat = Record<string, number>;
/** One round's figures: the server's CPU and its database's PostgreSQL backends' CPU. */
type Round = { server: PerChat; postgres: PerChat };

/** ROUNDS rounds of CHATS new chats each on one fresh server: the first round meets a cold process, the later ones a warm one. */
async function measure(root: string, label: string): Promise<Round[]> {
  const h = helpersOf(root);
  const d = h.documents;
  h.setReplicaNodeArgs([...(CPU_PROF_DIR ? inspectArgs : PERF_DIR ? perfArgs : []), ...NODE_ARGS]);
  const cluster = await h.startCluster(1, {
    NODE_ENV: "production",
    DATABASE_POOL_SIZE: "10",
    CHAT_RATE_LIMIT_GENERATIONS: "0",
    CHAT_MAX_QUEUE_SIZE: "100000",
    CHAT_TOKEN_BATCH_MS: "50",
  });
  const clients: Client[] = [];
  let profiler: PhaseProfiler | PerfProfiler | undefined;
  try {
    const server = cluster.replicas[0];
    if (CPU_PROF_DIR) profiler = await PhaseProfiler.attach(() => server.output().stderr, path.resolve(CPU_PROF_DIR));
    if (PERF_DIR) profiler = new PerfProfiler(server.pid, path.resolve(PERF_DIR));
    const key = await cluster.createClient({ name: "bench chat app", trusted: true });
    const workerKey = await cluster.createClient({ name: "bench worker", kind: h.ApiClientKind.WORKER });
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const user = (i: number) => `local:start-${round}-${i}`;
      const as = (i: number) => ({ key, user: user(i) });
      const chats: string[] = [];
      await inTurns(CHATS, async (i) => {
        chats[i] = (await h.gql(server.url, d.CreateChatDocument, { input: {} }, as(i))).data!.createChat.id;
      });
      const perChat: PerChat = {};
      const pgPerChat: PerChat = {};
      const phase = async (name: string, body: () => Promise<void>) => {
        await sleep(SETTLE_MS);
        const before = h.cpuMsOfPid(server.pid);
        const pgBefore = postgresCpuMsOfDatabase(cluster.db.name);
        await (profiler ? profiler.profile(`${label}-${round}-${name}`, body) : body());
        await sleep(SETTLE_MS);
        perChat[name] = Math.round(((h.cpuMsOfPid(server.pid) - before) / CHATS) * 100) / 100;
        pgPerChat[name] = Math.round(((postgresCpuMsOfDatabase(cluster.db.name) - pgBefore) / CHATS) * 100) / 100;
      };

      // A control, not part of a chat start: the cost of any authenticated request through HTTP and GraphQL.
      await phase("(viewer query)", () =>
        inTurns(CHATS, async (i) => {
          const r = await h.gql(server.url, d.ViewerDocument, {}, as(i));
          if (r.errors) throw new Error(JSON.stringify(r.errors));
        }),
      );
      const answers: string[] = [];
      await phase("send", () =>
        inTurns(CHATS, async (i) => {
          const sent = await h.gql(
            server.url,
            d.SendChatMessageDocument,
            { input: { chatId: chats[i], text: `question ${i}`, model: "synthetic", sampling: { maxNewTokens: 2 } } },
            as(i),
          );
          if (sent.errors) throw new Error(JSON.stringify(sent.errors));
          answers[i] = sent.data!.sendChatMessage.assistantMessage.id;
        }),
      );

      // Each chat's events as they come, and a way to wait for the n-th.
      const events: unknown[][] = answers.map(() => []);
      const waiting: ((() => void) | null)[] = answers.map(() => null);
      const eventCount = (i: number, n: number) =>
        new Promise<void>((resolve) => {
          const check = () => (events[i].length >= n ? resolve() : void (waiting[i] = check));
          check();
        });
      await phase("subscribe", () =>
        inTurns(CHATS, async (i) => {
          const client = h.wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: user(i) });
          clients.push(client);
          client.subscribe(
            { query: print(d.GenerationDocument), variables: { messageId: answers[i], after: 0 } },
            {
              next: (r) => {
                events[i].push(r);
                waiting[i]?.();
              },
              error: (err) => console.error("subscription failed", err),
              complete: () => undefined,
            },
          );
          await eventCount(i, 1);
        }),
      );

      const worker = h.wsClient(server.wsUrl, { authorization: `Bearer ${workerKey}` });
      clients.push(worker);
      const jobs = new Map<string, string>();
      await phase("hand-out", async () => {
        await new Promise<void>((resolve, reject) => {
          worker.subscribe<{ workerJobs: { jobId: string; messageId: string } }>(
            {
              query: print(d.WorkerJobsDocument),
              variables: {
                input: { protocolVersion: 1, models: ["synthetic"], capacity: CHATS, hardware: { device: "bench" }, name: `bench-${round}` },
              },
            },
            {
              next: (r) => {
                jobs.set(r.data!.workerJobs.messageId, r.data!.workerJobs.jobId);
                if (jobs.size === CHATS) resolve();
              },
              error: reject,
              complete: () => undefined,
            },
          );
        });
        await Promise.all(answers.map((_, i) => eventCount(i, 2)));
      });

      /** A worker's report on chat i's job, then its event at the chat's subscriber. */
      const report = async (i: number, query: string, input: Record<string, unknown>) => {
        const n = events[i].length;
        const r = await execute(worker, query, { input: { jobId: jobs.get(answers[i]), ...input } });
        if (r.errors) throw new Error(JSON.stringify(r.errors));
        await eventCount(i, n + 1);
      };
      await phase("first token", () => inTurns(CHATS, (i) => report(i, print(d.WorkerTokensDocument), { text: " t0", tokenCount: 1 })));
      await phase("finish", () => inTurns(CHATS, (i) => report(i, print(d.WorkerFinishDocument), { finishReason: "LENGTH", text: " t0 t1", tokenCount: 2 })));
      rounds.push({ server: perChat, postgres: pgPerChat });
      // The next round starts as this one did: no sockets of earlier chats, no worker but its own.
      for (const c of clients.splice(0)) await c.dispose();
    }
    return rounds;
  } finally {
    profiler?.close();
    for (const c of clients) await c.dispose();
    await cluster.stop();
  }
}

async function main() {
  const builds = [path.resolve(__dirname, "..", ".."), ...(argValue("--baseline") ? [path.resolve(argValue("--baseline")!)] : [])];
  for (const [i, root] of builds.entries()) {
    const load = os.loadavg()[0].toFixed(1);
    const started = new Date().toISOString();
    const rounds = await measure(root, i === 0 ? "branch" : "baseline");
    console.log(`${root} (${started}, load ${load} → ${os.loadavg()[0].toFixed(1)}), CPU ms per chat (server; PostgreSQL backends of its database):`);
    for (const [round, { server, postgres }] of rounds.entries()) {
      for (const [who, perChat] of [
        ["server", server],
        ["postgres", postgres],
      ] as const) {
        const phases = Object.entries(perChat);
        const chatStart = phases.filter(([k]) => !k.startsWith("("));
        console.log(
          `  round ${round + 1}${round === 0 ? " (cold)" : ""} ${who}: ${phases.map(([k, v]) => `${k} ${v}`).join(", ")}; total ${Math.round(chatStart.reduce((a, [, v]) => a + v, 0) * 100) / 100}`,
        );
      }
    }
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
