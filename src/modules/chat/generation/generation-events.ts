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
  let base = { text: "", tokenCount: 0 };
  let text = "";
  let tokenCount = 0;
  for (const e of events) {
    if (e.type === "continued") {
      base = { text: e.text, tokenCount: e.tokenCount };
      ({ text, tokenCount } = base);
    } else if (e.type === "restarted") {
      ({ text, tokenCount } = base);
    } else if (e.type === "tokens") {
      text += e.text;
      tokenCount += e.tokenCount;
    }
  }
  return { text, tokenCount };
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
