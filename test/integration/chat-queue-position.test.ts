import crypto from "node:crypto";
import { expect } from "chai";
import type { Client } from "graphql-ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { collect, gql, wsClient } from "../helpers/graphql.js";
import { TestWorker } from "../helpers/test-worker.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import {
  CancelGenerationDocument,
  CreateChatDocument,
  GenerationDocument,
  SendChatMessageDocument,
  type GenerationSubscription,
} from "../../client/generated/graphql.js";

type Event = GenerationSubscription["generation"];

for (const driver of ["local", "redis"] as const) {
  describe(`a waiting answer's place in the queue (${driver} drivers)`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let key: string;
    let workerKey: string;
    let ws: Client;

    before(async () => {
      server = await startTestServer(
        { LOCAL_WORKER: "false", CHAT_QUEUE_POSITION_INTERVAL_MS: "100", REDIS_KEY_PREFIX: `chorus-test-${crypto.randomUUID().slice(0, 8)}:` },
        { redis: driver === "redis" },
      );
      key = (await server.createClient({ name: "chat app", trusted: true })).key;
      workerKey = (await server.createClient({ name: "gpu", kind: ApiClientKind.WORKER })).key;
      ws = wsClient(server.wsUrl, { authorization: `Bearer ${key}`, user: "local:third" });
    });
    after(async () => {
      await ws?.dispose();
      await server?.stop();
    });

    async function ask(user: string): Promise<string> {
      const as = { key, user };
      const chat = await gql(server.url, CreateChatDocument, { input: {} }, as);
      const sent = await gql(server.url, SendChatMessageDocument, { input: { chatId: chat.data!.createChat.id, text: "Wait", model: "synthetic" } }, as);
      expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
      return sent.data!.sendChatMessage.assistantMessage.id;
    }

    it("re-sends GenerationQueued as the place moves, and never after the worker started", async () => {
      const first = await ask("local:first");
      const second = await ask("local:second");
      const third = await ask("local:third");
      const queuedAfter = async (after: number) => {
        const r = await collect(ws, GenerationDocument, { messageId: third, after }, 1, 15_000);
        if (r.error) throw r.error instanceof Error ? r.error : new Error(JSON.stringify(r.error));
        return r.results[0].data!.generation as Extract<Event, { __typename: "GenerationQueued" }>;
      };
      // The third answer waits behind two; each time one before it leaves the queue, its subscribers are told.
      expect(await queuedAfter(0)).to.deep.include({ __typename: "GenerationQueued", seq: 1, position: 3 });
      await gql(server.url, CancelGenerationDocument, { messageId: first }, { key, user: "local:first" });
      expect(await queuedAfter(1)).to.deep.include({ __typename: "GenerationQueued", seq: 2, position: 2 });
      await gql(server.url, CancelGenerationDocument, { messageId: second }, { key, user: "local:second" });
      expect(await queuedAfter(2)).to.deep.include({ __typename: "GenerationQueued", seq: 3, position: 1 });

      const worker = new TestWorker(server.wsUrl, workerKey, { batches: 3 });
      await worker.start();
      const all = (await collect(ws, GenerationDocument, { messageId: third }, Number.POSITIVE_INFINITY, 15_000)).results.map((r) => r.data!.generation);
      await worker.stop();
      const started = all.findIndex((e) => e.__typename === "GenerationStarted");
      expect(started).to.be.greaterThan(0);
      expect(all.slice(started).map((e) => e.__typename)).to.not.include("GenerationQueued");
      expect(all[all.length - 1].__typename).to.equal("GenerationFinished");
    });
  });
}
