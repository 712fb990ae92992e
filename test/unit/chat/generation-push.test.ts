/**
 * The fan-out's live path (subscribeSerialised with a socket to send on): an event the plan serialises goes
 * straight to the socket while graphql-ws waits for the next event; an event that needs execution, and every event
 * behind it, goes through graphql-ws's loop; the order of the frames is the order of the events either way, and the
 * end (done, or the failure) comes through the loop after everything before it.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { buildSchema, parse, type ExecutionResult, type GraphQLField } from "graphql";
import { SerialisedResult, subscribeSerialised } from "../../../src/modules/chat/generation/generation-fan-out.js";
import { toEventValue, type GenerationEventValue } from "../../../src/modules/chat/generation/generation.service.js";
import type { StoredGenerationEvent } from "../../../src/modules/chat/generation/generation-events.js";
import type { EventSink, PushableEvents } from "../../../src/infra/streams/index.js";
import { StreamSubscription } from "../../../src/infra/streams/stream-subscription.js";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const MESSAGE = "5b1c9f0e-8f4e-4a54-9d59-0e0d6c1f2a11";
const MAX = 1_000_000;
/** seq alone for token batches (serialised), the worker's name for a start (executed: it needs a resolver). */
const DOCUMENT = parse(`subscription { generation(messageId: "${MESSAGE}") { seq ... on GenerationStarted { workerName } } }`);

/** A source that pushes: the test plays the stream store's part through `sink`. */
class PushedSource implements PushableEvents<GenerationEventValue> {
  sink?: EventSink<GenerationEventValue>;
  returned = false;
  deliverTo(sink: EventSink<GenerationEventValue>): void {
    this.sink = sink;
  }
  next(): Promise<IteratorResult<GenerationEventValue>> {
    throw new Error("the live path does not pull");
  }
  async return(): Promise<IteratorResult<GenerationEventValue>> {
    this.returned = true;
    return { done: true, value: undefined };
  }
  [Symbol.asyncIterator]() {
    return this;
  }
}

function value(seq: number, event: StoredGenerationEvent): GenerationEventValue {
  return toEventValue(MESSAGE, { seq, event, terminal: false });
}

async function subscription(source: PushedSource, sent: string[]): Promise<AsyncIterableIterator<ExecutionResult>> {
  const schema = buildSchema(fs.readFileSync(path.join(ROOT, "schema", "schema.graphql"), "utf8"));
  const field = schema.getSubscriptionType()!.getFields().generation as GraphQLField<unknown, unknown>;
  field.subscribe = () => source;
  field.resolve = (event) => event;
  const events = await subscribeSerialised({ schema, document: DOCUMENT }, MAX, { next: (json) => sent.push(json) });
  expect(Symbol.asyncIterator in (events as object)).to.equal(true);
  return events as AsyncIterableIterator<ExecutionResult>;
}

const tokens = (text: string): StoredGenerationEvent => ({ type: "tokens", text, tokenCount: 1 });
const seqOf = (json: string) => (JSON.parse(json) as { data: { generation: { seq: number } } }).data.generation.seq;

describe("generation events pushed to the socket", () => {
  it("sends while graphql-ws waits, and hands graphql-ws what needs execution and what came while it was busy, in order", async () => {
    const source = new PushedSource();
    const sent: string[] = [];
    const events = await subscription(source, sent);
    const first = events.next(); // graphql-ws waits for the first event
    source.sink!.event(value(3, tokens(" a")));
    source.sink!.event(value(4, tokens(" b")));
    expect(sent.map(seqOf)).to.deep.equal([3, 4]);
    source.sink!.event(value(5, { type: "started", workerName: "gpu-1" }));
    // graphql-ws is now sending seq 5: what comes meanwhile waits for it
    source.sink!.event(value(6, tokens(" c")));
    expect(sent.map(seqOf)).to.deep.equal([3, 4]);
    expect((await first).value).to.deep.equal({ data: { generation: { seq: 5, workerName: "gpu-1" } } });
    const second = await events.next();
    expect(second.value).to.be.instanceOf(SerialisedResult);
    expect(seqOf((second.value as SerialisedResult).json)).to.equal(6);
    const third = events.next(); // waiting again: live events go straight out
    source.sink!.event(value(7, tokens(" d")));
    expect(sent.map(seqOf)).to.deep.equal([3, 4, 7]);
    source.sink!.end();
    expect(await third).to.deep.equal({ done: true, value: undefined });
  });

  it("sends the same string to every subscriber of one selection", async () => {
    const a = new PushedSource();
    const b = new PushedSource();
    const sentA: string[] = [];
    const sentB: string[] = [];
    const [ea, eb] = [await subscription(a, sentA), await subscription(b, sentB)];
    void ea.next();
    void eb.next();
    // One stored event, as the stream store shares it between the subscribers of its stream.
    const stored = { seq: 2, event: tokens(' "x"'), terminal: false };
    a.sink!.event(toEventValue(MESSAGE, stored));
    b.sink!.event(toEventValue(MESSAGE, stored));
    expect(sentA).to.deep.equal([`{"data":{"generation":{"seq":2}}}`]);
    expect(sentB[0]).to.equal(sentA[0]);
  });

  it("ends with the source's failure after the events before it, and stops its source when graphql-ws returns", async () => {
    const source = new PushedSource();
    const sent: string[] = [];
    const events = await subscription(source, sent);
    const first = events.next();
    source.sink!.event(value(1, { type: "started", workerName: "w" }));
    source.sink!.event(value(2, tokens(" a")));
    source.sink!.end(new Error("stream lost"));
    expect((await first).value).to.deep.equal({ data: { generation: { seq: 1, workerName: "w" } } });
    expect(seqOf(((await events.next()).value as SerialisedResult).json)).to.equal(2);
    let failure: unknown;
    await events.next().catch((err) => (failure = err));
    expect((failure as Error).message).to.equal("stream lost");

    const other = new PushedSource();
    const otherEvents = await subscription(other, []);
    const waiting = otherEvents.next();
    await otherEvents.return!();
    expect(await waiting).to.deep.equal({ done: true, value: undefined });
    expect(other.returned).to.equal(true);
    other.sink!.event(value(1, tokens(" late")));
  });
});

describe("a stream subscription delivering to a sink", () => {
  const stored = (seq: number, terminal = false) => ({ seq, event: { n: seq }, terminal });

  it("hands what it buffered first, then each event as it is accepted, then the end after the terminal event", () => {
    const subscription = new StreamSubscription<{ n: number }>("s", 0);
    const got: number[] = [];
    let ended: unknown = "no";
    subscription.accept(stored(1));
    subscription.deliverTo({ event: (e) => got.push(e.seq), end: (err) => (ended = err) });
    expect(got).to.deep.equal([1]);
    subscription.accept(stored(2));
    subscription.accept(stored(2)); // a repeat is dropped, as for next()
    subscription.accept(stored(3, true));
    expect(got).to.deep.equal([1, 2, 3]);
    expect(ended).to.equal(undefined);
    expect(subscription.isOpen).to.equal(false);
  });

  it("passes a failure, and a gap, to the sink's end", () => {
    const subscription = new StreamSubscription<{ n: number }>("s", 0);
    let ended: unknown;
    subscription.deliverTo({ event: () => undefined, end: (err) => (ended = err) });
    subscription.accept(stored(1));
    subscription.accept(stored(3));
    expect((ended as Error).name).to.equal("StreamLostError");
  });

  it("ends the sink when its consumer returns, and answers next() done", async () => {
    const subscription = new StreamSubscription<{ n: number }>("s", 0);
    let ends = 0;
    subscription.deliverTo({ event: () => undefined, end: () => ends++ });
    expect(await subscription.next()).to.deep.equal({ done: true, value: undefined });
    await subscription.return();
    subscription.accept(stored(1));
    expect(ends).to.equal(1);
  });
});
