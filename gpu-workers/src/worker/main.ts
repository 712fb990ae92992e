#!/usr/bin/env node
/**
 * `chorus-worker` / `npm run worker`: a Chorus GPU worker process. Reads its configuration from the environment
 * (declared in declarations.ts, parsed by config.ts, listed in docs/configuration.md), loads the backend, then serves the API until drained or stopped.
 * Exit codes: 0 drained or stopped, 1 the backend failed to load, 2 bad configuration or a protocol version the
 * API does not speak (pull a newer worker), 3 the API refused the key.
 */
import { createBackend, type ModelBackend } from "../backends/index.js";
import { ensureTinyModel } from "../../scripts/tiny-model/index.js";
import { tinyModelDir } from "../paths.js";
import { parseWorkerConfig, WorkerConfigError, type WorkerConfig } from "./config.js";
import { ChorusWorker, type WorkerLog } from "./worker.js";

const log: WorkerLog = (level, msg, fields = {}) => {
  process.stdout.write(JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields }) + "\n");
};

async function main(): Promise<number> {
  let config: WorkerConfig;
  try {
    config = parseWorkerConfig();
  } catch (err) {
    if (err instanceof WorkerConfigError) {
      process.stderr.write(`chorus-worker: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (config.backend.kind === "transformers" && config.backend.model === tinyModelDir()) {
    // The default model is the generated tiny one: write it when missing (offline, a fraction of a second).
    const written = await ensureTinyModel(tinyModelDir());
    if (written.written) log("info", "generated the tiny model", { dir: tinyModelDir() });
  }
  let backend: ModelBackend;
  try {
    backend = createBackend(config.backend.kind === "transformers" ? { ...config.backend, log: (m) => log("info", m) } : config.backend);
    await backend.load();
  } catch (err) {
    process.stderr.write(`chorus-worker: the ${config.backendKind} backend did not load: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  log("info", "backend loaded", {
    backend: config.backendKind,
    model: backend.modelName,
    device: backend.device,
    canContinue: backend.canContinue,
    models: config.models,
    capacity: config.capacity,
  });
  const worker = new ChorusWorker(config, backend, log);
  const stop = () => void worker.stop();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  const code = await worker.run();
  await backend.close();
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`chorus-worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
