/**
 * The worker program's configuration: every variable it reads, validated at start. A bad value stops the
 * process with a message that names the variable (exit code 2), as the API server does.
 */
import { hostname } from "node:os";
import path from "node:path";
import { tinyModelDir } from "../paths.js";
import { OPENAI_CONTINUATIONS, type BackendConfig, type OpenAIContinuation, type TransformersDevicePreference } from "../backends/index.js";
import { WORKER_DECLARATIONS, type WorkerVariableName } from "./declarations.js";

export { WORKER_PROTOCOL_VERSION, WORKER_VARIABLES } from "./declarations.js";

export type WorkerBackendKind = "transformers" | "openai" | "synthetic";

export interface WorkerConfig {
  apiUrl: string;
  workerKey: string;
  models: string[];
  backendKind: WorkerBackendKind;
  backend: BackendConfig;
  capacity: number;
  name: string;
  protocolVersion: number;
  /** Longest wait between reconnection attempts. */
  reconnectMaxDelayMs: number;
}

export class WorkerConfigError extends Error {
  override readonly name = "WorkerConfigError";
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: WorkerVariableName): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function int(env: Env, name: WorkerVariableName, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new WorkerConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** The worker's configuration; the default `env` makes this file the only reader of process.env in the package. */
export function parseWorkerConfig(env: Env = process.env): WorkerConfig {
  const apiUrl = str(env, "CHORUS_API_URL") ?? WORKER_DECLARATIONS.CHORUS_API_URL.default;
  if (!/^wss?:\/\//.test(apiUrl)) throw new WorkerConfigError(`CHORUS_API_URL must be a ws:// or wss:// URL (the API's /graphql), got "${apiUrl}"`);
  const workerKey = str(env, "CHORUS_WORKER_KEY");
  if (!workerKey) throw new WorkerConfigError("CHORUS_WORKER_KEY is required: a worker key (`npx chorus worker-key create --name ...`)");
  const backendKind = (str(env, "CHORUS_WORKER_BACKEND") ?? WORKER_DECLARATIONS.CHORUS_WORKER_BACKEND.default) as WorkerBackendKind;
  if (!["transformers", "openai", "synthetic"].includes(backendKind)) {
    throw new WorkerConfigError(`CHORUS_WORKER_BACKEND must be transformers, openai or synthetic, got "${backendKind}"`);
  }
  const defaultModel = backendKind === "synthetic" ? "synthetic" : backendKind === "transformers" ? "chorus-tiny" : undefined;
  const models = (str(env, "CHORUS_WORKER_MODELS") ?? defaultModel ?? "")
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  if (models.length === 0) throw new WorkerConfigError("CHORUS_WORKER_MODELS is required: the model ids this worker serves, comma-separated");
  const capacity = int(env, "CHORUS_WORKER_CAPACITY", WORKER_DECLARATIONS.CHORUS_WORKER_CAPACITY.default, 1, 256);

  let backend: BackendConfig;
  if (backendKind === "transformers") {
    const device = (str(env, "CHORUS_WORKER_DEVICE") ?? WORKER_DECLARATIONS.CHORUS_WORKER_DEVICE.default) as TransformersDevicePreference;
    if (!["auto", "cpu", "cuda"].includes(device)) throw new WorkerConfigError(`CHORUS_WORKER_DEVICE must be auto, cpu or cuda, got "${device}"`);
    const dir = str(env, "CHORUS_WORKER_MODEL_DIR");
    backend = {
      kind: "transformers",
      model: dir ? path.resolve(dir) : tinyModelDir(),
      device,
      threads: env.CHORUS_WORKER_THREADS ? int(env, "CHORUS_WORKER_THREADS", 1, 1, 256) : undefined,
    };
  } else if (backendKind === "openai") {
    const baseUrl = str(env, "CHORUS_OPENAI_BASE_URL");
    if (!baseUrl || !/^https?:\/\//.test(baseUrl)) {
      throw new WorkerConfigError(`CHORUS_OPENAI_BASE_URL must be the server's http(s) URL ending in /v1, got "${baseUrl ?? ""}"`);
    }
    const model = str(env, "CHORUS_OPENAI_MODEL");
    if (!model) throw new WorkerConfigError("CHORUS_OPENAI_MODEL is required with CHORUS_WORKER_BACKEND=openai: the model name the server knows");
    const continuation = (str(env, "CHORUS_OPENAI_CONTINUATION") ?? WORKER_DECLARATIONS.CHORUS_OPENAI_CONTINUATION.default) as OpenAIContinuation;
    if (!OPENAI_CONTINUATIONS.includes(continuation)) {
      throw new WorkerConfigError(`CHORUS_OPENAI_CONTINUATION must be ${OPENAI_CONTINUATIONS.join(", ")}, got "${continuation}"`);
    }
    backend = { kind: "openai", baseUrl, model, apiKey: str(env, "CHORUS_OPENAI_API_KEY"), continuation };
  } else {
    backend = {
      kind: "synthetic",
      tokensPerSecond: int(
        env,
        "CHORUS_WORKER_SYNTHETIC_TOKENS_PER_SECOND",
        WORKER_DECLARATIONS.CHORUS_WORKER_SYNTHETIC_TOKENS_PER_SECOND.default,
        1,
        1_000_000,
      ),
    };
  }

  return {
    apiUrl,
    workerKey,
    models,
    backendKind,
    backend,
    capacity,
    name: str(env, "CHORUS_WORKER_NAME") ?? `${hostname()}-${backendKind}`,
    protocolVersion: int(env, "CHORUS_WORKER_PROTOCOL_VERSION", WORKER_DECLARATIONS.CHORUS_WORKER_PROTOCOL_VERSION.default, 0, 1_000_000),
    reconnectMaxDelayMs: int(env, "CHORUS_WORKER_RECONNECT_MAX_DELAY_MS", WORKER_DECLARATIONS.CHORUS_WORKER_RECONNECT_MAX_DELAY_MS.default, 100, 3_600_000),
  };
}

/**
 * Full jitter exponential backoff: attempt 0 waits up to baseMs, each attempt doubles the ceiling up to maxMs, and
 * the wait is drawn in [ceiling/2, ceiling] so a fleet that lost its API does not come back all at once.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
