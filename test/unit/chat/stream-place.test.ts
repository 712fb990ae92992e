/**
 * Where a token batch is appended (GenerationService.emit): the message's current stream, which a replica keeps for a
 * while instead of reading the row for every batch. A stream that took an append is current for the TTL after it
 * (an ended stream refuses appends far longer), so a live answer's batches never read the row; a place not confirmed
 * for longer is read again. The clock is injected by replacing Date.now; nothing waits.
 */
import "reflect-metadata";
import { expect } from "chai";
import pino from "pino";
import type { DataSource } from "typeorm";
import { GenerationService, type GenerationStreams } from "../../../src/modules/chat/generation/generation.service.js";
import type { GenerationQueue } from "../../../src/infra/queue/index.js";

describe("the generation stream's place", () => {
  const realNow = Date.now;
  let now = 1_000_000;
  beforeEach(() => {
    Date.now = () => now;
  });
  afterEach(() => {
    Date.now = realNow;
  });

  function service() {
    const reads: string[] = [];
    const appended: string[] = [];
    const ds = {
      query: async (sql: string) => {
        reads.push(sql);
        return [{ stream_segment: 0, seq_offset: 0 }];
      },
    } as unknown as DataSource;
    const streams = {
      append: async (key: string) => {
        appended.push(key);
        return appended.length;
      },
    } as unknown as GenerationStreams;
    const generations = new GenerationService(ds, streams, {} as GenerationQueue, pino({ level: "silent" }));
    return { generations, reads, appended };
  }

  it("keeps a live stream's place: batches every 50 ms for a minute read no row", async () => {
    const { generations, reads, appended } = service();
    generations.opened("m1");
    for (let i = 0; i < 1200; i++) {
      now += 50;
      await generations.tokens("m1", " t", 1);
    }
    expect(appended).to.have.length(1200);
    expect(reads).to.deep.equal([]);
  });

  it("reads the row again for a place nothing confirmed within the TTL", async () => {
    const { generations, reads } = service();
    generations.opened("m2");
    await generations.tokens("m2", " a", 1);
    now += 11_000;
    await generations.tokens("m2", " b", 1);
    expect(reads).to.have.length(1);
    expect(reads[0]).to.contain("stream_segment");
  });
});
