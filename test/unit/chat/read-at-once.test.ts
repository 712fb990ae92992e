/**
 * Which generation events a replica's own subscribers get without the stream readers' gathering wait
 * (AppendOptions.readAtOnce; READ_GATHER_MS in the Redis store): an answer's first token batch (after its start, a
 * restart or a continuation) and its end, the moments a user waits for. The batches after the first may wait: one read
 * then brings many answers' batches.
 */
import "reflect-metadata";
import { expect } from "chai";
import pino from "pino";
import type { DataSource } from "typeorm";
import { GenerationService, type GenerationStreams } from "../../../src/modules/chat/generation/generation.service.js";
import type { GenerationQueue } from "../../../src/infra/queue/index.js";
import type { AppendOptions } from "../../../src/infra/streams/index.js";

describe("generation events read at once", () => {
  function service() {
    const appended: { type: string; readAtOnce: boolean }[] = [];
    const ds = { query: async () => [{ stream_segment: 0, seq_offset: 0 }] } as unknown as DataSource;
    const streams = {
      append: async (_key: string, event: { type: string }, options: AppendOptions = {}) => {
        appended.push({ type: event.type, readAtOnce: options.readAtOnce === true });
        return appended.length;
      },
    } as unknown as GenerationStreams;
    const generations = new GenerationService(ds, streams, {} as GenerationQueue, pino({ level: "silent" }));
    return { generations, appended };
  }

  it("marks an answer's first token batch, and the first after a restart, but not the batches after them", async () => {
    const { generations, appended } = service();
    generations.opened("m1");
    await generations.emit("m1", { type: "started", workerName: "w" });
    for (const t of [" a", " b", " c"]) await generations.tokens("m1", t, 1);
    await generations.emit("m1", { type: "restarted", reason: "the worker stopped answering" });
    for (const t of [" a", " b"]) await generations.tokens("m1", t, 1);
    expect(appended.map((a) => `${a.type}:${a.readAtOnce}`)).to.deep.equal([
      "started:false",
      "tokens:true",
      "tokens:false",
      "tokens:false",
      "restarted:false",
      "tokens:true",
      "tokens:false",
    ]);
  });

  it("marks an answer's end", async () => {
    const { generations, appended } = service();
    generations.opened("m2");
    await generations.tokens("m2", " a", 1);
    await generations.emit("m2", { type: "finished", finishReason: "stop" }, true);
    expect(appended.map((a) => `${a.type}:${a.readAtOnce}`)).to.deep.equal(["tokens:true", "finished:true"]);
  });
});
