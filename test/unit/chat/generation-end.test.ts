/**
 * An answer's end (GenerationService.end and failed): the row gets its state, the streamed text and the seq its
 * terminal event is to get in one UPDATE, and the event is appended only while the stream is still where it was read.
 * What is appended after that read goes before the terminal event and into the stored text as well, so the stored
 * text stays the streamed text; an event that could not be appended leaves the row with no recorded seq, as before.
 * A new answer whose every event this replica appended (opened, then no gap in the seqs) is ended without reading its
 * stream: the replica knows its text.
 * The rows are a stand-in that applies the service's statements (by their text) to one row in memory.
 */
import "reflect-metadata";
import { expect } from "chai";
import pino from "pino";
import type { DataSource } from "typeorm";
import { GenerationService } from "../../../src/modules/chat/generation/generation.service.js";
import type { StoredGenerationEvent } from "../../../src/modules/chat/generation/generation-events.js";
import { LocalEventStreamStore } from "../../../src/infra/streams/local-event-stream-store.js";
import { ChatMessageState } from "../../../src/modules/chat/chat.entity.js";
import type { GenerationQueue } from "../../../src/infra/queue/index.js";

interface Row {
  state: string;
  text: string;
  token_count: number | null;
  stream_last_seq: number;
}

/** One chat_message row and the statements the service sent, applied to it as PostgreSQL would. */
function rowStandIn(row: Row) {
  const updates: string[] = [];
  const ds = {
    query: async (sql: string, p: unknown[]) => {
      const open = row.state === "PENDING" || row.state === "IN_PROGRESS";
      if (sql.startsWith("UPDATE")) updates.push(sql);
      if (/finish_reason = \$5|error = \$5/.test(sql)) {
        if (!open) return [];
        Object.assign(row, { state: p[1], text: p[2], token_count: p[3], stream_last_seq: p[5] ?? row.stream_last_seq });
        return [{ id: p[0] }];
      }
      if (/^UPDATE chat_message SET stream_last_seq = \$2 WHERE id = \$1$/.test(sql)) {
        row.stream_last_seq = p[1] as number;
        return [];
      }
      if (sql.includes("COALESCE($2, text)")) {
        if (row.stream_last_seq === p[4]) Object.assign(row, { text: p[1] ?? row.text, token_count: p[2] ?? row.token_count, stream_last_seq: p[3] });
        return [];
      }
      if (sql.includes("SET stream_last_seq = 0")) {
        if (row.stream_last_seq === p[1]) row.stream_last_seq = 0;
        return [];
      }
      if (sql.includes("SELECT text, token_count")) return [{ text: row.text, token_count: row.token_count }];
      if (sql.includes("SELECT stream_segment")) return [{ stream_segment: 0, seq_offset: 0 }];
      throw new Error(`unexpected statement ${sql}`);
    },
  } as unknown as DataSource;
  return { ds, updates };
}

describe("an answer's end", () => {
  const key = "generation:m1";

  /** `opened`: the answer was stored by this replica (a send's), so it knows the stream from its first event. */
  async function setUp(opened = true) {
    const row: Row = { state: ChatMessageState.IN_PROGRESS, text: "", token_count: null, stream_last_seq: 0 };
    const { ds, updates } = rowStandIn(row);
    const streams = new LocalEventStreamStore<StoredGenerationEvent>();
    const generations = new GenerationService(ds, streams, {} as GenerationQueue, pino({ level: "silent" }));
    if (opened) generations.opened("m1");
    await generations.emit("m1", { type: "queued", position: 1, queueSize: 1 });
    await generations.emit("m1", { type: "started", workerName: "w" });
    await generations.tokens("m1", " a", 1);
    await generations.tokens("m1", " b", 1);
    return { row, updates, streams, generations };
  }

  it("writes the row once, with the streamed text and the seq its terminal event then gets", async () => {
    const { row, updates, streams, generations } = await setUp();
    expect(await generations.end("m1", "stop", { text: "ignored", tokenCount: 9 })).to.equal(true);
    const events = await streams.read(key);
    expect(events.map((e) => e.event.type)).to.deep.equal(["queued", "started", "tokens", "tokens", "finished"]);
    expect(row).to.deep.equal({ state: "COMPLETE", text: " a b", token_count: 2, stream_last_seq: 5 });
    expect(updates).to.have.length(1);
  });

  it("stores what was appended after the stream was read for the text: the stored text stays the streamed text", async () => {
    const { row, streams, generations } = await setUp(false);
    // A batch lands between the read for the row's text and the terminal event's append.
    const read = streams.read.bind(streams);
    let late = false;
    streams.read = async (...args: Parameters<typeof read>) => {
      const events = await read(...args);
      if (!late) {
        late = true;
        await streams.append(key, { type: "tokens", text: " late", tokenCount: 1 });
      }
      return events;
    };
    expect(await generations.end("m1", "stop", null)).to.equal(true);
    const events = await read(key);
    expect(events.map((e) => e.event.type)).to.deep.equal(["queued", "started", "tokens", "tokens", "tokens", "finished"]);
    expect(row).to.deep.equal({ state: "COMPLETE", text: " a b late", token_count: 3, stream_last_seq: 6 });
  });

  it("ends a new answer whose events this replica appended without reading its stream", async () => {
    const { row, streams, generations } = await setUp();
    await generations.emit("m1", { type: "restarted", reason: "again" });
    await generations.tokens("m1", " c", 1);
    let reads = 0;
    const read = streams.read.bind(streams);
    streams.read = async (...args: Parameters<typeof read>) => {
      reads++;
      return read(...args);
    };
    expect(await generations.end("m1", "stop", null)).to.equal(true);
    expect(reads).to.equal(0);
    expect(row).to.deep.equal({ state: "COMPLETE", text: " c", token_count: 1, stream_last_seq: 7 });
  });

  it("reads the stream of an answer that another replica appended to, and stores its text", async () => {
    const { row, streams, generations } = await setUp();
    // Not through this service: its seqs have a gap, so what it knows of the text is dropped.
    await streams.append(key, { type: "tokens", text: " elsewhere", tokenCount: 1 });
    await generations.tokens("m1", " c", 1);
    expect(await generations.end("m1", "stop", null)).to.equal(true);
    expect(row).to.deep.equal({ state: "COMPLETE", text: " a b elsewhere c", token_count: 4, stream_last_seq: 7 });
  });

  it("stores what was appended after the last event this replica appended, before the terminal event", async () => {
    const { row, streams, generations } = await setUp();
    const append = streams.append.bind(streams);
    let late = false;
    /** The row's text when the terminal event was appended: what its subscribers read. */
    let textAtFinished: string | null = null;
    streams.append = async (k, event, options) => {
      if (options?.terminal && !late) {
        late = true;
        await append(k, { type: "tokens", text: " late", tokenCount: 1 });
      }
      const seq = await append(k, event, options);
      if (options?.terminal) textAtFinished = row.text;
      return seq;
    };
    expect(await generations.end("m1", "stop", null)).to.equal(true);
    expect((await streams.read(key)).map((e) => e.event.type)).to.deep.equal(["queued", "started", "tokens", "tokens", "tokens", "finished"]);
    expect(row).to.deep.equal({ state: "COMPLETE", text: " a b late", token_count: 3, stream_last_seq: 6 });
    expect(textAtFinished).to.equal(" a b late");
  });

  it("keeps the known text when the store lost the stream before the terminal event", async () => {
    const { row, streams, generations } = await setUp();
    const lost = new LocalEventStreamStore<StoredGenerationEvent>();
    streams.append = lost.append.bind(lost);
    streams.read = lost.read.bind(lost);
    expect(await generations.end("m1", "stop", null)).to.equal(true);
    expect(row).to.deep.equal({ state: "COMPLETE", text: " a b", token_count: 2, stream_last_seq: 1 });
  });

  it("leaves no recorded seq when the terminal event could not be appended (the store is down), as before", async () => {
    const { row, streams, generations } = await setUp();
    const append = streams.append.bind(streams);
    streams.append = async (k, event, options) => {
      if (options?.terminal) throw new Error("the store is down");
      return append(k, event, options);
    };
    expect(await generations.failed("m1", ChatMessageState.FAILED, "WORKER_FAILED", "gone")).to.equal(true);
    expect(row).to.deep.equal({ state: "FAILED", text: " a b", token_count: 2, stream_last_seq: 0 });
  });

  it("ends an answer whose stream is gone with the stored text and the worker's, and the seq of the event it appends", async () => {
    const { row, streams, generations } = await setUp(false);
    streams.read = async () => [];
    row.text = "kept";
    row.token_count = 1;
    expect(await generations.end("m1", "length", { text: " more", tokenCount: 1 })).to.equal(true);
    expect(row).to.deep.equal({ state: "COMPLETE", text: "kept more", token_count: 2, stream_last_seq: 5 });
  });

  it("ends a row once: a second end changes nothing and appends nothing", async () => {
    const { row, updates, streams, generations } = await setUp();
    expect(await generations.end("m1", "stop", null)).to.equal(true);
    expect(await generations.end("m1", "cancelled", null)).to.equal(false);
    expect((await streams.read(key)).map((e) => e.event.type)).to.deep.equal(["queued", "started", "tokens", "tokens", "finished"]);
    expect(row.state).to.equal("COMPLETE");
    expect(updates).to.have.length(2);
  });
});
