/**
 * The events of one generation as they are kept in its replayable stream (src/infra/streams), keyed by the
 * assistant message id. The GraphQL `GenerationEvent` types are built from these plus their seq.
 */
export type StoredGenerationEvent =
  | { type: "queued"; position: number; queueSize: number }
  | { type: "started"; workerName: string }
  | { type: "tokens"; text: string; tokenCount: number }
  | { type: "restarted"; reason: string }
  | { type: "continued"; text: string; tokenCount: number }
  | { type: "finished"; finishReason: string }
  | { type: "failed"; code: string; reason: string }
  | { type: "cancelled" };

/** The stream of one generation of a message: segment 0 is the first, each continuation opens the next. */
export function generationStreamKey(messageId: string, segment = 0): string {
  return segment === 0 ? `generation:${messageId}` : `generation:${messageId}:${segment}`;
}

/**
 * The answer text a stream carries: the token batches after the last restart, joined, after the text a
 * continuation started from. This is what subscribers assembled, so storing it keeps the stored message equal to
 * the streamed one.
 */
export function streamedText(events: readonly StoredGenerationEvent[]): { text: string; tokenCount: number } {
  const state: StreamedText = { base: "", baseTokens: 0, text: "", tokenCount: 0 };
  for (const e of events) foldStreamedText(state, e);
  return { text: state.text, tokenCount: state.tokenCount };
}

/** What streamedText keeps while it goes through a stream's events: the text so far and the point a restart returns to. */
export interface StreamedText {
  base: string;
  baseTokens: number;
  text: string;
  tokenCount: number;
}

/**
 * One event's step of streamedText, on `state` in place: a replica that appends every event of a stream keeps its text
 * with this, event by event, instead of reading the stream back (generation.service.ts, StreamPlace.text).
 */
export function foldStreamedText(state: StreamedText, e: StoredGenerationEvent): void {
  if (e.type === "continued") {
    state.base = state.text = e.text;
    state.baseTokens = state.tokenCount = e.tokenCount;
  } else if (e.type === "restarted") {
    state.text = state.base;
    state.tokenCount = state.baseTokens;
  } else if (e.type === "tokens") {
    state.text += e.text;
    state.tokenCount += e.tokenCount;
  }
}

/**
 * The text the current generation streamed so far: the token batches since the last event that is not a token
 * batch, a queue notice or a start (a restart, or a point the answer was resumed from). A worker that takes the
 * job over continues after exactly this text, and its token budget is what is left after it.
 */
export function partialAnswer(events: readonly StoredGenerationEvent[]): { text: string; tokenCount: number } {
  let text = "";
  let tokenCount = 0;
  for (const e of events) {
    if (e.type === "tokens") {
      text += e.text;
      tokenCount += e.tokenCount;
    } else if (e.type !== "queued" && e.type !== "started") {
      text = "";
      tokenCount = 0;
    }
  }
  return { text, tokenCount };
}
