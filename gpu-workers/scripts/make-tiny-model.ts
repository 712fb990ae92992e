/**
 * `npm run make-tiny-model -- [outDir] [--layers 2] [--embedding 64] [--heads 4] [--positions 1024]
 *                             [--merges 64] [--seed 42] [--eos-bias -2]`
 *
 * Writes the generated GPT-2 (default: models/chorus-tiny). Re-running with the same options does nothing.
 * A larger one for throughput measurements: `-- models/chorus-medium --layers 8 --embedding 512 --heads 8`.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { tinyModelDir } from "../src/paths.js";
import { DEFAULT_TINY_MODEL_OPTIONS, ensureTinyModel, type TinyModelOptions } from "./tiny-model/index.js";

function integerOption(values: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`--${name} must be an integer, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      layers: { type: "string" },
      embedding: { type: "string" },
      heads: { type: "string" },
      positions: { type: "string" },
      merges: { type: "string" },
      seed: { type: "string" },
      "eos-bias": { type: "string" },
    },
  });
  if (positionals.length > 1) throw new Error("expected at most one positional argument: the output folder");
  const defaults = DEFAULT_TINY_MODEL_OPTIONS;
  const eosBias = values["eos-bias"] === undefined ? defaults.eosBias : Number(values["eos-bias"]);
  if (!Number.isFinite(eosBias)) throw new Error(`--eos-bias must be a number, got "${values["eos-bias"]}"`);
  const options: TinyModelOptions = {
    layers: integerOption(values, "layers", defaults.layers),
    embedding: integerOption(values, "embedding", defaults.embedding),
    heads: integerOption(values, "heads", defaults.heads),
    positions: integerOption(values, "positions", defaults.positions),
    merges: integerOption(values, "merges", defaults.merges),
    seed: integerOption(values, "seed", defaults.seed),
    eosBias,
  };
  const dir = path.resolve(positionals[0] ?? tinyModelDir());
  const started = performance.now();
  const { written } = await ensureTinyModel(dir, options);
  const elapsed = (performance.now() - started).toFixed(0);
  const onnxBytes = statSync(path.join(dir, "onnx", "model.onnx")).size;
  console.log(
    `${written ? "wrote" : "already current:"} ${dir} (onnx/model.onnx ${(onnxBytes / 1024).toFixed(0)} KiB, ` +
      `${options.layers} layers, ${options.embedding} wide, ${options.heads} heads) in ${elapsed} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
