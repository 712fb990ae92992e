/**
 * A backend with no model: deterministic words at a fixed rate, like Open-Assistant's `_lorem` model.
 * Benchmarks use it to load the server and the queue without spending CPU on inference, and tests use it for
 * exact timing-independent text.
 */
import { setImmediate as nextMacrotask, setTimeout as delay } from "node:timers/promises";
import { SeededRandom } from "../random.js";
import { validateSampling } from "./sampling.js";
import type { GenerationEvent, GenerationRequest, ModelBackend } from "./types.js";

export interface SyntheticBackendOptions {
  /** Tokens per second after the first token. */
  tokensPerSecond: number;
  /** Milliseconds before the first token, standing in for prompt processing. Default 0. */
  firstTokenLatencyMs?: number;
  /** When set, answers end by themselves ('stop') after this many tokens, unless maxNewTokens comes first. */
  answerTokens?: number;
  /** Reported as modelName. Default 'synthetic'. */
  modelName?: string;
}

const WORDS = (
  "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore " +
  "magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo " +
  "consequat duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur"
).split(" ");

/** Where the words of an unseeded request come from: the request itself, so equal requests get equal text. */
function requestHash(request: GenerationRequest): number {
  let hash = 0x811c9dc5; // FNV-1a, 32-bit
  const text = JSON.stringify([request.messages, request.continueFrom ?? ""]);
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Waits `ms`, or less if the signal aborts first (never rejects: aborting is a normal way to end). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}

export class SyntheticBackend implements ModelBackend {
  readonly device = "synthetic";
  /** Its words simply go on after `continueFrom`. */
  readonly canContinue = true;
  readonly modelName: string;

  constructor(private readonly options: SyntheticBackendOptions) {
    if (!(options.tokensPerSecond > 0)) throw new RangeError(`tokensPerSecond must be > 0, got ${options.tokensPerSecond}`);
    this.modelName = options.modelName ?? "synthetic";
  }

  async load(): Promise<void> {}

  async *generate(request: GenerationRequest): AsyncGenerator<GenerationEvent, void, undefined> {
    const { sampling, signal } = request;
    validateSampling(sampling);
    const random = new SeededRandom(sampling.seed ?? requestHash(request));
    // Approximate: one token per word of the conversation.
    const promptTokens = [...request.messages.map((m) => m.content), request.continueFrom ?? ""].join(" ").split(/\s+/).filter(Boolean).length;
    const answerLength = Math.min(sampling.maxNewTokens, this.options.answerTokens ?? Infinity);
    const interval = 1000 / this.options.tokensPerSecond;
    // Due times come from the start, so the rate holds however late each timer fires.
    const start = performance.now() + (this.options.firstTokenLatencyMs ?? 0);
    let text = "";
    let tokenCount = 0;
    let cancelled = false;
    while (tokenCount < answerLength) {
      const wait = start + tokenCount * interval - performance.now();
      if (wait > 0) await sleep(wait, signal);
      else if (tokenCount % 64 === 0) await nextMacrotask(); // behind schedule: still let I/O run now and then
      if (signal.aborted) {
        cancelled = true;
        break;
      }
      const word = WORDS[Math.floor(random.next() * WORDS.length)];
      const piece = (request.continueFrom || tokenCount > 0 ? " " : "") + word;
      text += piece;
      tokenCount++;
      yield { type: "token", text: piece, tokenCount: 1 };
    }
    const finishReason = cancelled ? "cancelled" : tokenCount < sampling.maxNewTokens ? "stop" : "length";
    yield { type: "finish", finishReason, tokenCount, promptTokens, text };
  }

  async close(): Promise<void> {}
}
