/**
 * The model of the in-process worker: deterministic lorem words at a fixed rate, like the reference's `_lorem`
 * model and gpu-workers' SyntheticBackend, so local mode streams tokens with nothing else installed or started.
 */
import { setTimeout as delay } from "node:timers/promises";
import { createRng } from "../../../db/random.js";
const WORDS = (
  "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore " +
  "magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo " +
  "consequat duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur"
).split(" ");

/** Waits `ms`, or less if the signal aborts first (never rejects: aborting is a normal way to end). */
function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return delay(ms, undefined, { signal }).catch(() => undefined);
}

export interface SyntheticRequest {
  maxNewTokens: number;
  seed: number;
  tokensPerSecond: number;
  signal: AbortSignal;
}

/**
 * Yields one word per token until maxNewTokens or the signal aborts. The answer's natural length (stop) is drawn
 * from the seed too, between 8 and 48 words, so both finish reasons occur.
 */
export async function* syntheticTokens(req: SyntheticRequest): AsyncGenerator<string, "stop" | "length" | "cancelled"> {
  // the project's seeded generator (mulberry32), so the same seed gives the same answer
  const random = createRng(req.seed);
  const natural = 8 + Math.floor(random() * 41);
  const limit = Math.min(req.maxNewTokens, natural);
  const interval = 1000 / req.tokensPerSecond;
  const start = performance.now();
  for (let i = 0; i < limit; i++) {
    await waitOrAbort(start + i * interval - performance.now(), req.signal);
    if (req.signal.aborted) return "cancelled";
    yield (i > 0 ? " " : "") + WORDS[Math.floor(random() * WORDS.length)];
  }
  return limit < req.maxNewTokens ? "stop" : "length";
}
