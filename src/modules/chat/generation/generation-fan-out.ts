/**
 * The `generation` subscription's events serialised once per stream, event and selection set, and the same bytes
 * sent to every subscriber of that stream that asked for that selection.
 *
 * Through graphql-js, every event is executed for every subscriber: the root resolver with its middlewares and
 * argument validation, field collection, completion, then two JSON serialisations (the size check and the message).
 * For a token batch that is most of the server's CPU per token. Yet for the fields a stored event carries as they
 * are (seq, messageId, text, tokenCount, ...), the result depends only on the event and on the selection set: this
 * module compiles the selection once per document into a plan, serialises each event by it once (memoised on the
 * stored event that the stream store shares among the subscribers of a stream), and hands graphql-ws the JSON.
 *
 * Everything else still goes through graphql-js, unchanged: a document this module cannot compile (directives,
 * several root fields), and, per event, a type whose selected fields need a resolver with the subscriber's context
 * (GenerationStarted.workerName and GenerationFailed.reason are hidden in blind battles; GenerationFinished's
 * chatMessage is read as the subscriber) or an event whose values are not what their types say (graphql-js then
 * reports the error as it always did). The subscribe resolver (authorisation, the message's visibility) runs as
 * before, once per subscription.
 */
import {
  Kind,
  createSourceEventStream,
  execute,
  getOperationAST,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { isPushable, type EventSink, type PushableEvents } from "../../../infra/streams/index.js";

/** The stored event a GraphQL event value was made from; shared by the subscribers of one stream in a process. */
export const EVENT_SOURCE = Symbol("generation event source");

/**
 * A result already serialised: `json` is the whole payload of the graphql-ws `next` message. It passes through
 * graphql-ws as an ExecutionResult until the server's onNext hands graphql-ws the JSON (src/server/serialised-send.ts).
 */
export class SerialisedResult implements ExecutionResult {
  /** Never set: the result is `json`. Declared so that the type is an ExecutionResult. */
  declare readonly data?: undefined;
  constructor(readonly json: string) {}
}

type ScalarKind = "Int" | "String" | "ID" | "Boolean";

/** The fields of each event type that are the stored event's own values, with their scalar types. */
const PLAIN_FIELDS: Record<string, Record<string, ScalarKind>> = {
  GenerationQueued: { seq: "Int", messageId: "ID", position: "Int", queueSize: "Int" },
  GenerationStarted: { seq: "Int", messageId: "ID" },
  GenerationTokens: { seq: "Int", messageId: "ID", text: "String", tokenCount: "Int" },
  GenerationRestarted: { seq: "Int", messageId: "ID", reason: "String" },
  GenerationContinued: { seq: "Int", messageId: "ID", text: "String", tokenCount: "Int" },
  GenerationFinished: { seq: "Int", messageId: "ID", finishReason: "String" },
  GenerationFailed: { seq: "Int", messageId: "ID", code: "String" },
  GenerationCancelled: { seq: "Int", messageId: "ID" },
};
const INTERFACE = "GenerationEvent";
const ROOT_FIELD = "generation";

/**
 * For one event type: the response keys in order with their field, or null when some field needs execution. `prefix`
 * is the key's JSON with its colon (and the comma before it but for the first), made once per plan rather than per
 * event.
 */
type TypePlan = { key: string; field: string; kind: ScalarKind | "__typename"; prefix: string }[] | null;

interface Plan {
  rootKey: string;
  /** The payload's JSON up to the event's first key: `{"data":{"<rootKey>":{`. */
  head: string;
  byType: Map<string, TypePlan>;
  /** Equal for two documents that ask for the same thing. */
  id: string;
  /** The memo's key: a number per distinct `id` (see memoKeyOf). */
  memoKey: number;
}

/** Compiled plans per document and operation name (null: the document is executed by graphql-js). */
const plans = new WeakMap<DocumentNode, Map<string, Plan | null>>();

/** A serialisation of one stored event: by which plan, for which seq and message. */
interface Serialised {
  memoKey: number;
  seq: unknown;
  messageId: unknown;
  json: string | null;
}

/**
 * Per stored event (shared by a stream's subscribers): its serialisations, one per distinct selection its
 * subscribers asked for (usually one or two, so a list).
 */
const serialised = new WeakMap<object, Serialised[]>();
const MAX_SERIALISATIONS_PER_EVENT = 16;

/**
 * The memo key of each distinct plan id, so a memo lookup compares numbers instead of hashing the id with the seq
 * and message for every event. Bounded: past the bound a new plan gets a key of its own (its events are then
 * serialised apart from the other documents with the same selection, still correct).
 */
const memoKeys = new Map<string, number>();
const MAX_MEMO_KEYS = 10_000;
let nextMemoKey = 0;

function memoKeyOf(id: string): number {
  const known = memoKeys.get(id);
  if (known !== undefined) return known;
  const key = nextMemoKey++;
  if (memoKeys.size < MAX_MEMO_KEYS) memoKeys.set(id, key);
  return key;
}

export function planOf(document: DocumentNode, operationName: string | null | undefined): Plan | null {
  let byName = plans.get(document);
  if (!byName) plans.set(document, (byName = new Map()));
  const name = operationName ?? "";
  let plan = byName.get(name);
  if (plan === undefined) {
    plan = compile(document, operationName ?? undefined);
    byName.set(name, plan);
  }
  return plan;
}

function compile(document: DocumentNode, operationName: string | undefined): Plan | null {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== "subscription") return null;
  const roots = operation.selectionSet.selections;
  if (roots.length !== 1 || roots[0].kind !== Kind.FIELD) return null;
  const root = roots[0];
  if (root.name.value !== ROOT_FIELD || root.directives?.length || !root.selectionSet) return null;
  if (operation.directives?.length) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  if (!simple(root.selectionSet, fragments, new Set())) return null;
  const byType = new Map<string, TypePlan>();
  for (const typeName of Object.keys(PLAIN_FIELDS)) byType.set(typeName, planForType(typeName, root.selectionSet, fragments));
  const rootKey = root.alias?.value ?? ROOT_FIELD;
  const id = JSON.stringify([rootKey, [...byType]]);
  return { rootKey, head: `{"data":{${JSON.stringify(rootKey)}:{`, byType, id, memoKey: memoKeyOf(id) };
}

/** No directives anywhere (they may depend on variables) and only leaf fields: what a plan can serialise. */
function simple(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): boolean {
  for (const s of set.selections) {
    if (s.directives?.length) return false;
    if (s.kind === Kind.FIELD) {
      if (s.selectionSet) {
      }
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      if (!simple(s.selectionSet, fragments, seen)) return false;
    } else {
      const f = fragments.get(s.name.value);
      if (!f || f.directives?.length) return false;
      if (seen.has(f.name.value)) continue;
      seen.add(f.name.value);
      if (!simple(f.selectionSet, fragments, seen)) return false;
    }
  }
  return true;
}

/** graphql-js's field collection for one runtime type, in document order, first occurrence of a key first. */
function planForType(typeName: string, set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): TypePlan {
  const plain = PLAIN_FIELDS[typeName];
  const out: NonNullable<TypePlan> = [];
  const keys = new Set<string>();
  let executable = true;
  const applies = (condition: string | undefined) => condition === undefined || condition === typeName || condition === INTERFACE;
  const walk = (s: SelectionSetNode, visited: Set<string>) => {
    for (const sel of s.selections) {
      if (sel.kind === Kind.FIELD) {
        const key = sel.alias?.value ?? sel.name.value;
        if (keys.has(key)) continue;
        keys.add(key);
        const field = sel.name.value;
        const prefix = `${out.length === 0 ? "" : ","}${JSON.stringify(key)}:`;
        if (field === "__typename") out.push({ key, field, kind: "__typename", prefix });
        else if (plain[field] && !sel.selectionSet) out.push({ key, field, kind: plain[field], prefix });
        else executable = false;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (applies(sel.typeCondition?.name.value)) walk(sel.selectionSet, visited);
      } else {
        const f = fragments.get(sel.name.value);
        if (!f || visited.has(f.name.value) || !applies(f.typeCondition.name.value)) continue;
        visited.add(f.name.value);
        walk(f.selectionSet, visited);
      }
    }
  };
  walk(set, new Set());
  return executable ? out : null;
}

/**
 * The payload JSON of `value` by `plan`, or null when graphql-js must execute it (a field needing a resolver, or
 * a value that is not what its type says: graphql-js reports that as it always did).
 */
export function serialise(plan: Plan, value: Record<string, unknown> & { __typename?: unknown }, maxBytes: number): string | null {
  const typeName = value.__typename;
  if (typeof typeName !== "string") return null;
  const typePlan = plan.byType.get(typeName);
  if (!typePlan) return null;
  const source = (value as Record<symbol, unknown>)[EVENT_SOURCE];
  const { memoKey } = plan;
  const { seq, messageId } = value;
  let memo: Serialised[] | undefined;
  if (source !== null && typeof source === "object") {
    memo = serialised.get(source);
    if (memo) {
      for (const m of memo) if (m.memoKey === memoKey && m.seq === seq && m.messageId === messageId) return m.json;
    }
  }
  let json = plan.head;
  for (let i = 0; i < typePlan.length; i++) {
    const { field, kind, prefix } = typePlan[i];
    const v = kind === "__typename" ? typeName : value[field];
    let out: string;
    switch (kind) {
      case "__typename":
      case "String":
        if (typeof v !== "string") return null;
        out = JSON.stringify(v);
        break;
      case "ID":
        // graphql-js's ID serialises strings and integers (as strings).
        if (typeof v === "string") out = JSON.stringify(v);
        else if (Number.isInteger(v)) out = JSON.stringify(String(v));
        else return null;
        break;
      case "Int":
        if (typeof v !== "number" || !Number.isInteger(v) || v > 2147483647 || v < -2147483648) return null;
        out = String(v);
        break;
      case "Boolean":
        if (typeof v !== "boolean") return null;
        out = String(v);
        break;
    }
    json += prefix + out;
  }
  json += "}}}";
  // Too large is answered by graphql-js's path (its error, its metrics); a token batch never is.
  const bytes = json.length * 3 <= maxBytes ? json.length : Buffer.byteLength(json);
  const result = bytes > maxBytes ? null : json;
  if (source !== null && typeof source === "object") {
    if (!memo) serialised.set(source, (memo = []));
    // Bounded, so many distinct selections on one stream cannot make each lookup long.
    if (memo.length < MAX_SERIALISATIONS_PER_EVENT) memo.push({ memoKey, seq, messageId, json: result });
  }
  return result;
}

/**
 * The socket of one subscription, for the events the fan-out sends itself (see subscribeSerialised): `next` sends a
 * graphql-ws `next` message whose payload is `payloadJson` at once, exactly as graphql-ws would have sent it.
 */
export interface DirectSend {
  next(payloadJson: string): void;
}

/**
 * graphql-js's `subscribe` for the `generation` subscription, with each event serialised by the document's plan
 * (shared with the stream's other subscribers) instead of executed; null for any other operation, which the caller
 * subscribes to as before. Same source stream, same errors, same order.
 *
 * With `direct` (the subscription's socket) and a source that pushes (GenerationService.subscribe), a live event that
 * the plan serialises is sent on the socket within the stream reader's dispatch, while graphql-ws waits for the next
 * event: no promise, no iterator step, no graphql-ws message building per subscriber, only the frame. Every other
 * event, and every event that arrives while graphql-ws is still sending an earlier one, goes through graphql-ws's
 * loop as before, in order; so does the end (graphql-ws's `complete`, or its `error`).
 */
export async function subscribeSerialised(
  args: ExecutionArgs,
  maxResponseBytes: number,
  direct?: DirectSend,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult | null> {
  const plan = planOf(args.document, args.operationName);
  if (!plan) return null;
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
  const events = source as AsyncIterableIterator<Record<string, unknown>>;
  const render = async (value: Record<string, unknown>): Promise<ExecutionResult> => {
    const json = serialise(plan, value, maxResponseBytes);
    if (json !== null) return new SerialisedResult(json);
    return (await execute({ ...args, rootValue: value })) as ExecutionResult;
  };
  if (direct && isPushable(events)) return pushedEvents(events, plan, render, direct, maxResponseBytes);
  const map = async (r: IteratorResult<Record<string, unknown>>): Promise<IteratorResult<ExecutionResult>> => {
    if (r.done) return { done: true, value: undefined };
    return { done: false, value: await render(r.value) };
  };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    next: () => events.next().then(map),
    return: async () => {
      await events.return?.();
      return { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      await events.return?.();
      throw error;
    },
  };
  return iterator;
}

/**
 * The iterator graphql-js's loop pulls (see subscribeSerialised), fed by the source's pushes: an event goes straight
 * to the socket when graphql-ws is waiting in next() with nothing queued before it (so everything it was handed
 * earlier has been sent) and the plan serialises it; otherwise it waits in the queue for graphql-ws to pull it.
 */
function pushedEvents(
  events: PushableEvents<Record<string, unknown>>,
  plan: Plan,
  render: (value: Record<string, unknown>) => Promise<ExecutionResult>,
  direct: DirectSend,
  maxResponseBytes: number,
): AsyncIterableIterator<ExecutionResult> {
  const queue: Record<string, unknown>[] = [];
  let started = false;
  let ended = false;
  let failure: { error: unknown } | undefined;
  /** graphql-ws's pending next(), parked while events go straight to the socket. */
  let waiting: { resolve: (value: Record<string, unknown> | null) => void; reject: (error: unknown) => void } | null = null;

  const sink: EventSink<Record<string, unknown>> = {
    event(value) {
      if (ended) return;
      if (waiting && queue.length === 0) {
        const json = serialise(plan, value, maxResponseBytes);
        if (json !== null) return direct.next(json);
        const w = waiting;
        waiting = null;
        return w.resolve(value);
      }
      queue.push(value);
    },
    end(error) {
      if (ended) return;
      ended = true;
      if (error !== undefined) failure = { error };
      if (waiting) {
        const w = waiting;
        waiting = null;
        if (failure) {
          const { error } = failure;
          failure = undefined;
          w.reject(error);
        } else w.resolve(null);
      }
    },
  };

  /** The next value for graphql-ws's loop, null at the end. */
  const take = (): Promise<Record<string, unknown> | null> => {
    if (!started) {
      started = true;
      events.deliverTo(sink);
    }
    if (queue.length > 0) return Promise.resolve(queue.shift()!);
    if (failure) {
      const { error } = failure;
      failure = undefined;
      return Promise.reject(error);
    }
    if (ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      waiting = { resolve, reject };
    });
  };

  const iterator: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    // An async function: what render executes runs in the context of graphql-ws's next() (its operation budget).
    next: async () => {
      const value = await take();
      if (value === null) return { done: true, value: undefined };
      return { done: false, value: await render(value) };
    },
    return: async () => {
      sink.end();
      queue.length = 0;
      await events.return?.();
      return { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      sink.end();
      queue.length = 0;
      await events.return?.();
      throw error;
    },
  };
  return iterator;
}
