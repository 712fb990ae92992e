/**
 * Issue 13 ("0 tokens lost; stored text equals streamed text; worker take-over behaves exactly as today"): a hand-out
 * that ended while it was still being prepared (its first read waiting for the database, as under a saturated pool)
 * must never claim the answer after its job went to the next worker: neither when its worker's session closed
 * meanwhile, nor when its lease lapsed meanwhile. Before the fix the session's close put the job back at once (and a
 * lapsed lease put it back anyway); the next worker claimed the answer and streamed, and then the old preparation went
 * on: it claimed the answer again (the claim takes an IN_PROGRESS row from whichever hand-out holds it), appended
 * GenerationRestarted and GenerationStarted in the middle of the new worker's answer and (session closed) set the row
 * back to PENDING. Subscribers dropped the new worker's first tokens and the stored answer lost them too, though the
 * server had acknowledged every one of them (the stream benchmark's "acknowledged tokens lost" under overload,
 * bench/RESULTS.md, section loss).
 */
import crypto from "node:crypto";
import { expect } from "chai";
import type { Client } from "graphql-ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, gql, wsClient } from "../helpers/graphql.js";
import { TestWorker, type TestJob } from "../helpers/test-worker.js";
import { testRedisPrefix } from "../helpers/redis-keys.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import type { HeldIdentity } from "../../src/server/identity-verdict.js";
import type { WorkerService } from "../../src/modules/workers/worker.service.js";
import {
  ChatMessageDocument,
  CreateChatDocument,
  GenerationDocument,
  SendChatMessageDocument,
  WorkerFinishDocument,
  WorkerHeartbeatDocument,
  WorkerTokensDocument,
  type GenerationSubscription,
} from "../../client/generated/graphql.js";

type Event = GenerationSubscription["generation"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const driver of ["local", "redis"] as const) {
  for (const ending of ["session closed", "lease lapsed"] as const) {
    describe(`a hand-out that ended while it was being prepared: ${ending} (${driver} drivers)`, function () {
      this.timeout(60_000);
      let server: TestServer;
      let workerKey: string;
      let slowKey: { key: string; id: string };
      let ws: Client;
      const as = { key: "", user: "local:stale-hand-out" };

      before(async () => {
        server = await startTestServer(
          {
            LOCAL_WORKER: "false",
            CHAT_TOKEN_BATCH_MS: "0",
            REDIS_KEY_PREFIX: testRedisPrefix(),
            // Lapsing: a short lease, which the slow hand-out outwaits.
            ...(ending === "lease lapsed" ? { WORKER_LEASE_MS: "1000" } : {}),
          },
          { redis: driver === "redis" },
        );
        as.key = (await server.createClient({ name: "chat app", trusted: true })).key;
        workerKey = (await server.createClient({ name: "gpu pool", kind: ApiClientKind.WORKER })).key;
        slowKey = await server.createClient({ name: "slow pool", kind: ApiClientKind.WORKER });
        ws = wsClient(server.wsUrl, { authorization: `Bearer ${as.key}`, user: as.user });
      });
      after(async () => {
        await ws?.dispose();
        await server?.stop();
      });

      async function waitFor(what: string, check: () => boolean, ms = 15_000): Promise<void> {
        const until = Date.now() + ms;
        while (!check() && Date.now() < until) await sleep(10);
        expect(check(), what).to.equal(true);
      }

      async function jobOf(worker: TestWorker, ms = 15_000): Promise<TestJob> {
        await waitFor("the worker got a job", () => worker.jobs.length > 0, ms);
        return worker.jobs[worker.jobs.length - 1];
      }

      async function tokens(worker: TestWorker, jobId: string, text: string): Promise<boolean> {
        const r = await worker.request(WorkerTokensDocument, { input: { jobId, text, tokenCount: 1 } });
        expect(r.errors, JSON.stringify(r.errors)).to.equal(undefined);
        return r.data!.workerTokens.ok;
      }

      it("does not claim the answer: the next worker's acknowledged tokens stay in the stream and the stored text", async () => {
        const app = server.chorus.app;
        // The slow pool's hand-outs wait in their first step (the key's check, a database read) until the gate opens.
        let openGate!: () => void;
        const gate = new Promise<void>((resolve) => (openGate = resolve));
        let gated = 0;
        const openSockets = app.openSockets;
        const verdict = openSockets.verdict.bind(openSockets);
        openSockets.verdict = async (held: HeldIdentity, now?: Date) => {
          if (held.apiClientId === slowKey.id) {
            gated++;
            await gate;
          }
          return verdict(held, now);
        };
        // The slow worker's preparations, to wait until they have settled.
        const workers = app.workers as WorkerService;
        const prepare = workers.prepare.bind(workers);
        const slowPreparations: Promise<unknown>[] = [];
        workers.prepare = (session, taken, model) => {
          const p = prepare(session, taken, model);
          if (session.hello.name === "slow") slowPreparations.push(p.catch(() => undefined));
          return p;
        };
        let heartbeats: NodeJS.Timeout | undefined;
        const slowSession = crypto.randomUUID();
        const slow = new TestWorker(server.wsUrl, slowKey.key, { name: "slow", capacity: 1, manual: true, sessionId: slowSession });
        try {
          const chat = await gql(server.url, CreateChatDocument, { input: {} }, as);
          const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text: "Hi", model: "synthetic" } }, as);
          expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
          const messageId = sent.data!.sendChatMessage.assistantMessage.id;

          if (ending === "session closed") {
            // The first worker streams a token and dies: its job goes back to the queue, and the slow worker takes it.
            const first = new TestWorker(server.wsUrl, workerKey, { name: "first", capacity: 1, manual: true });
            await first.start();
            const job0 = await jobOf(first);
            expect(await tokens(first, job0.jobId, " f0")).to.equal(true);
            await slow.start();
            await first.kill();
          } else {
            // The slow worker takes the job and stays connected (it heartbeats as an idle worker does: it does not
            // know of the job yet, which waits in its preparation) while the job's lease lapses.
            await slow.start();
            heartbeats = setInterval(
              () => void slow.request(WorkerHeartbeatDocument, { input: { jobIds: [], sessionId: slowSession } }).catch(() => undefined),
              100,
            );
          }
          await waitFor("the slow worker's hand-out is being prepared", () => gated === 1 && slowPreparations.length === 1);
          if (ending === "session closed") await slow.kill();

          // The next worker gets the job: at once (put back when the session closed, or its lease lapsed), or once the
          // slow preparation has settled (a closing session leaves a job being prepared to its preparation).
          const next = new TestWorker(server.wsUrl, workerKey, { name: "next", capacity: 1, manual: true });
          await next.start();
          const deadline = Date.now() + 3_000;
          while (next.jobs.length === 0 && Date.now() < deadline) await sleep(10);
          if (next.jobs.length === 0) openGate();
          const job = await jobOf(next);
          expect(job.messageId).to.equal(messageId);
          expect(await tokens(next, job.jobId, " n0")).to.equal(true);
          expect(await tokens(next, job.jobId, " n1")).to.equal(true);

          // The slow preparation goes on now (if it had not yet) and settles.
          openGate();
          await Promise.all(slowPreparations);
          await sleep(50);

          expect(await tokens(next, job.jobId, " n2")).to.equal(true);
          const finished = await next.request(WorkerFinishDocument, {
            input: { jobId: job.jobId, finishReason: "STOP" as never, text: " n0 n1 n2", tokenCount: 3 },
          });
          expect(finished.data?.workerFinish.ok, JSON.stringify(finished)).to.equal(true);

          // Every token the server acknowledged to the worker that answered is in the stream after its start, once,
          // and in the stored answer.
          const r = await collect(ws, GenerationDocument, { messageId, after: 0 }, Number.POSITIVE_INFINITY, 15_000);
          expect(r.completed, JSON.stringify(r.error)).to.equal(true);
          const events: Event[] = r.results.map((x) => x.data!.generation);
          let text = "";
          for (const e of events) {
            if (e.__typename === "GenerationRestarted") text = "";
            if (e.__typename === "GenerationTokens") text += e.text;
          }
          const lastStart = events.map((e) => e.__typename).lastIndexOf("GenerationStarted");
          expect(events[lastStart], "the last start is the answering worker's").to.include({ workerName: "next" });
          expect(
            events.slice(lastStart + 1).map((e) => e.__typename),
            "after the answering worker's start: its tokens, then the end",
          ).to.deep.equal(["GenerationTokens", "GenerationTokens", "GenerationTokens", "GenerationFinished"]);
          expect(text).to.equal(" n0 n1 n2");
          const m = (await gql(server.url, ChatMessageDocument, { id: messageId }, as)).data!.chatMessage;
          expect(m).to.include({ state: "COMPLETE", text: " n0 n1 n2", tokenCount: 3, workerName: "next" });
          expect(slow.jobs, "the slow hand-out never reached its worker").to.have.length(0);
          await next.stop();
        } finally {
          clearInterval(heartbeats);
          openGate();
          await slow.kill();
          openSockets.verdict = verdict;
          workers.prepare = prepare;
        }
      });
    });
  }
}
