import type { SeededRandom } from "../random.js";
import { BackendError } from "./errors.js";
import type { SamplingParameters } from "./types.js";

/** Rejects sampling values no backend can honour, before any work starts. */
export function validateSampling(sampling: SamplingParameters): void {
  const fail = (message: string) => {
    throw new BackendError("BAD_REQUEST", message);
  };
  const { maxNewTokens, temperature, topP, topK, repetitionPenalty, seed } = sampling;
  if (!Number.isSafeInteger(maxNewTokens) || maxNewTokens < 1) fail(`maxNewTokens must be a positive integer, got ${maxNewTokens}`);
  if (!Number.isFinite(temperature) || temperature < 0) fail(`temperature must be >= 0, got ${temperature}`);
  if (!Number.isFinite(topP) || topP <= 0 || topP > 1) fail(`topP must be in (0, 1], got ${topP}`);
  if (topK !== undefined && (!Number.isSafeInteger(topK) || topK < 0)) fail(`topK must be a non-negative integer, got ${topK}`);
  if (repetitionPenalty !== undefined && (!Number.isFinite(repetitionPenalty) || repetitionPenalty <= 0)) {
    fail(`repetitionPenalty must be > 0, got ${repetitionPenalty}`);
  }
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0)) fail(`seed must be a non-negative safe integer, got ${seed}`);
}

export function isGreedy(sampling: SamplingParameters): boolean {
  return sampling.temperature === 0;
}

/**
 * Picks the next token from raw logits: temperature, then top-k, then top-p (nucleus), then a draw from the
 * remaining distribution, in the order Hugging Face applies them. Ties keep the lower token id first, so the
 * same logits and the same random state always give the same token.
 * Greedy requests (temperature 0) take the most likely token and draw nothing.
 */
export function sampleToken(logits: ArrayLike<number>, sampling: SamplingParameters, random: SeededRandom): number {
  if (isGreedy(sampling)) return argmax(logits);
  const candidates = Array.from({ length: logits.length }, (_, id) => id).filter((id) => logits[id] !== -Infinity);
  candidates.sort((a, b) => logits[b] - logits[a] || a - b);
  const kept = sampling.topK ? candidates.slice(0, sampling.topK) : candidates;
  const maxLogit = logits[kept[0]];
  const weights = kept.map((id) => Math.exp((logits[id] - maxLogit) / sampling.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let nucleusSize = kept.length;
  if (sampling.topP < 1) {
    let cumulative = 0;
    for (let i = 0; i < kept.length; i++) {
      cumulative += weights[i] / total;
      if (cumulative >= sampling.topP) {
        nucleusSize = i + 1;
        break;
      }
    }
  }
  const nucleusTotal = weights.slice(0, nucleusSize).reduce((a, b) => a + b, 0);
  let draw = random.next() * nucleusTotal;
  for (let i = 0; i < nucleusSize; i++) {
    draw -= weights[i];
    if (draw < 0) return kept[i];
  }
  return kept[nucleusSize - 1];
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
