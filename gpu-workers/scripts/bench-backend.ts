/**
 * `npm run bench:model -- [modelDir] [--new-tokens 256] [--runs 5] [--threads N] [--device auto|cpu|cuda]`
 *
 * Measures a local model through TransformersBackend exactly as the worker uses it: load time, time to first
 * token and decode speed (tokens after the first, per second; median of the runs). A measurement, not a test.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { TransformersBackend, type TransformersDevicePreference } from "../src/backends/index.js";
import { tinyModelDir } from "../src/paths.js";
import { ensureTinyModel } from "./tiny-model/index.js";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      "new-tokens": { type: "string", default: "256" },
      runs: { type: "string", default: "5" },
      threads: { type: "string" },
      device: { type: "string", default: "auto" },
    },
  });
  const modelDir = path.resolve(positionals[0] ?? tinyModelDir());
  if (!positionals[0]) await ensureTinyModel(modelDir);
  const newTokens = Number(values["new-tokens"]);
  const runs = Number(values.runs);

  const loadStarted = performance.now();
  const backend = new TransformersBackend({
    model: modelDir,
    device: values.device as TransformersDevicePreference,
    threads: values.threads === undefined ? undefined : Number(values.threads),
  });
  await backend.load();
  const loadMs = performance.now() - loadStarted;

  // A prompt the tiny model answers at length (878 tokens greedily), so runs are not cut short by its EOS.
  const messages = [{ role: "user" as const, content: "Write a poem about the sea." }];
  const firstTokenMs: number[] = [];
  const decodeRates: number[] = [];
  let promptTokens = 0;
  let generated = 0;
  for (let run = 0; run <= runs; run++) {
    const started = performance.now();
    let first = 0;
    let last = 0;
    let tokens = 0;
    for await (const event of backend.generate({
      messages,
      sampling: { maxNewTokens: newTokens, temperature: 0, topP: 1 },
      signal: new AbortController().signal,
    })) {
      if (event.type === "token") {
        last = performance.now();
        if (tokens === 0) first = last;
        tokens += event.tokenCount;
      } else {
        promptTokens = event.promptTokens;
        generated = event.tokenCount;
      }
    }
    if (run === 0) continue; // warm-up: first-run allocations and JIT
    firstTokenMs.push(first - started);
    decodeRates.push((tokens - 1) / ((last - first) / 1000));
  }
  const device = backend.device;
  await backend.close();
  console.log(
    `${path.basename(modelDir)} on ${device}: load (import + tokenizer + session) ${loadMs.toFixed(0)} ms; ` +
      `prompt ${promptTokens} tokens, ${generated} generated; median of ${runs} runs: ` +
      `first token ${median(firstTokenMs).toFixed(1)} ms, decode ${median(decodeRates).toFixed(0)} tokens/s ` +
      `(range ${Math.min(...decodeRates).toFixed(0)}-${Math.max(...decodeRates).toFixed(0)})`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
