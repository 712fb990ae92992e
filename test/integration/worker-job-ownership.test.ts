/**
 * Class test (issue 12, d): a job belongs to the worker session that received it. Every worker operation that
 * names a job, found in the schema (so a new one cannot be missed), is tried by worker B with worker A's job id,
 * and with B's own hand-out spliced onto A's message id, over B's socket and over HTTP with the same key, and each
 * is refused, changing nothing: A's answer, its stream and its lease are exactly as before, and A carries on.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { buildSchema, getNamedType, isInputObjectType, type GraphQLInputType, type GraphQLSchema } from "graphql";
import type { Client } from "graphql-ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, errorCode, gql, wsClient } from "../helpers/graphql.js";
import { TestWorker, type TestJob } from "../helpers/test-worker.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import { generationStreamKey } from "../../src/modules/chat/generation/generation-events.js";
import {
  CreateChatDocument,
  GenerationDocument,
  SendChatMessageDocument,
  WorkerFailDocument,
  WorkerFinishDocument,
  WorkerHeartbeatDocument,
  WorkerTokensDocument,
} from "../../client/generated/graphql.js";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** Whether an input type carries a job id anywhere (fields named jobId or jobIds, at any depth). */
function namesAJob(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => f.name === "jobId" || f.name === "jobIds" || namesAJob(f.type, seen));
}

/** Every root operation with an argument that names a job. */
function jobOperations(schema: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const [kind, root] of [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
    ["subscription", schema.getSubscriptionType()],
  ] as const) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      if (field.args.some((a) => a.name === "jobId" || a.name === "jobIds" || namesAJob(a.type))) out.push(`${kind} ${field.name}`);
    }
  }
  return out.sort();
}

type Send = (worker: TestWorker, jobId: string) => Promise<{ errors?: readonly unknown[]; refused: boolean }>;
type Http = (key: string, jobId: string) => Promise<string | undefined>;

/** How each operation is tried, and what "refused" means for it. */
const ATTACKS: Record<string, { ws: Send; http: Http }> = {
  "mutation workerTokens": {
    ws: async (w, jobId) => {
      const r = await w.request(WorkerTokensDocument, { input: { jobId, text: " INJECTED-BY-B", tokenCount: 1 } });
      return { errors: r.errors, refused: r.data?.workerTokens.ok === false };
    },
    http: async (key, jobId) => errorCode(await gql(serverUrl, WorkerTokensDocument, { input: { jobId, text: " INJECTED-BY-B", tokenCount: 1 } }, { key })),
  },
  "mutation workerFinish": {
    ws: async (w, jobId) => {
      const r = await w.request(WorkerFinishDocument, { input: { jobId, finishReason: "STOP" as never, text: "INJECTED-BY-B", tokenCount: 1 } });
      return { errors: r.errors, refused: r.data?.workerFinish.ok === false };
    },
    http: async (key, jobId) =>
      errorCode(await gql(serverUrl, WorkerFinishDocument, { input: { jobId, finishReason: "STOP" as never, text: "INJECTED-BY-B", tokenCount: 1 } }, { key })),
  },
  "mutation workerFail": {
    ws: async (w, jobId) => {
      const r = await w.request(WorkerFailDocument, { input: { jobId, code: "INJECTED", reason: "failed by B", retryable: false } });
      return { errors: r.errors, refused: r.data?.workerFail.ok === false };
    },
    http: async (key, jobId) =>
      errorCode(await gql(serverUrl, WorkerFailDocument, { input: { jobId, code: "INJECTED", reason: "failed by B", retryable: true } }, { key })),
  },
  "mutation workerHeartbeat": {
    ws: async (w, jobId) => {
      const r = await w.request(WorkerHeartbeatDocument, { input: { jobIds: [jobId] } });
      const beat = r.data?.workerHeartbeat;
      return { errors: r.errors, refused: beat !== undefined && beat.held.length === 0 && beat.lost.includes(jobId) && beat.cancel.length === 0 };
    },
    http: async (key, jobId) => errorCode(await gql(serverUrl, WorkerHeartbeatDocument, { input: { jobIds: [jobId] } }, { key })),
  },
};

let serverUrl = "";

describe("a worker acts only on the jobs its own session received (every job operation in the schema)", function () {
  this.timeout(60_000);
  let server: TestServer;
  let workerKey: string;
  let otherKey: string;
  let ws: Client;
  const as = { key: "", user: "local:owner" };

  before(async () => {
    server = await startTestServer({ LOCAL_WORKER: "false", CHAT_TOKEN_BATCH_MS: "0" });
    serverUrl = server.url;
    as.key = (await server.createClient({ name: "chat app", trusted: true })).key;
    workerKey = (await server.createClient({ name: "gpu pool", kind: ApiClientKind.WORKER })).key;
    otherKey = (await server.createClient({ name: "another pool", kind: ApiClientKind.WORKER })).key;
    ws = wsClient(server.wsUrl, { authorization: `Bearer ${as.key}`, user: as.user });
  });
  after(async () => {
    await ws?.dispose();
    await server?.stop();
  });

  it("knows how to try every operation that names a job", () => {
    const schema = buildSchema(fs.readFileSync(path.join(ROOT, "schema", "schema.graphql"), "utf8"));
    expect(jobOperations(schema)).to.deep.equal(Object.keys(ATTACKS).sort());
  });

  async function ask(): Promise<string> {
    const chat = await gql(server.url, CreateChatDocument, { input: {} }, as);
    const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text: "Mine", model: "synthetic" } }, as);
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    return sent.data!.sendChatMessage.assistantMessage.id;
  }

  async function jobOf(worker: TestWorker): Promise<TestJob> {
    for (let i = 0; i < 500 && worker.jobs.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(worker.jobs.length, "the worker got its job").to.equal(1);
    return worker.jobs[0];
  }

  async function snapshot(messageId: string) {
    const [row] = await server.chorus.app.ds.query(
      `SELECT state, text, token_count, worker_name, error, finish_reason, hand_out_id, cancel_requested_at FROM chat_message WHERE id = $1`,
      [messageId],
    );
    const events = await server.chorus.app.generations.streams.read(generationStreamKey(messageId));
    return { row, events: events.map((e) => ({ seq: e.seq, event: e.event })) };
  }

  for (const sameKey of [true, false]) {
    it(`refuses worker B (${sameKey ? "the same worker key as A" : "another worker key"}) on A's job, changing nothing`, async () => {
      const a = new TestWorker(server.wsUrl, workerKey, { name: "A", capacity: 1, manual: true });
      await a.start();
      const mA = await ask();
      const jobA = await jobOf(a);
      const first = await a.request(WorkerTokensDocument, { input: { jobId: jobA.jobId, text: " a0", tokenCount: 1 } });
      expect(first.data!.workerTokens.ok).to.equal(true);

      const b = new TestWorker(server.wsUrl, sameKey ? workerKey : otherKey, { name: "B", capacity: 1, manual: true });
      await b.start();
      const mB = await ask();
      const jobB = await jobOf(b);
      const spliced = `${jobB.jobId.split(".")[0]}.${mA}`;

      const beforeA = await snapshot(mA);
      const beforeB = await snapshot(mB);
      for (const [operation, attack] of Object.entries(ATTACKS)) {
        for (const [what, jobId] of [
          ["A's job id", jobA.jobId],
          ["B's hand-out with A's message", spliced],
        ]) {
          const r = await attack.ws(b, jobId);
          expect(r.errors, `${operation} with ${what}`).to.equal(undefined);
          expect(r.refused, `${operation} with ${what} over B's socket`).to.equal(true);
          expect(await attack.http(sameKey ? workerKey : otherKey, jobId), `${operation} with ${what} over HTTP`).to.equal("BAD_USER_INPUT");
        }
      }
      expect(await snapshot(mA)).to.deep.equal(beforeA);
      expect(await snapshot(mB)).to.deep.equal(beforeB);

      // A still holds its job: it carries on and its answer is only its own text; B's job is untouched too.
      const following = collect(ws, GenerationDocument, { messageId: mA, after: beforeA.events.length }, Number.POSITIVE_INFINITY, 15_000);
      expect((await a.request(WorkerTokensDocument, { input: { jobId: jobA.jobId, text: " a1", tokenCount: 1 } })).data!.workerTokens.ok).to.equal(true);
      expect(
        (await a.request(WorkerFinishDocument, { input: { jobId: jobA.jobId, finishReason: "STOP" as never, text: " a0 a1", tokenCount: 2 } })).data!
          .workerFinish.ok,
      ).to.equal(true);
      const rest = await following;
      expect(rest.completed).to.equal(true);
      expect(rest.results.map((r) => r.data!.generation.__typename)).to.deep.equal(["GenerationTokens", "GenerationFinished"]);
      expect((await snapshot(mA)).row).to.include({ state: "COMPLETE", text: " a0 a1", worker_name: "A", error: null });
      expect(
        (await b.request(WorkerFinishDocument, { input: { jobId: jobB.jobId, finishReason: "STOP" as never, text: "", tokenCount: 0 } })).data!.workerFinish.ok,
      ).to.equal(true);
      expect((await snapshot(mB)).row).to.include({ state: "COMPLETE", worker_name: "B" });
      await a.stop();
      await b.stop();
    });
  }
});
