/**
 * Every variable the worker program reads, declared once: name, default, description, whether it is secret, and which
 * backend it concerns. `parseWorkerConfig` (config.ts) reads variables only by these names (the type refuses any
 * other) and takes its defaults from here; docs/configuration.md's worker section is rendered from this table by the
 * root's `npm run docs:config`, and a test checks that config.ts reads every variable declared here.
 */

import { WORKER_PROTOCOL_VERSION } from "@chorus/worker-protocol";

/** The worker protocol version this worker speaks by default (the API refuses another with a message naming its own). */
export { WORKER_PROTOCOL_VERSION };

export interface WorkerVariable {
  /** The value when unset, where there is one literal default; the parser uses it and the docs print it. */
  readonly default?: string | number;
  /** The docs' default column when the default is not one literal (required, derived, depends on the backend). */
  readonly defaultText?: string;
  readonly description: string;
  /** A credential: the docs mark it, and the worker logs none of them. */
  readonly secret?: boolean;
  /** The backend it concerns; unset: every backend. */
  readonly backend?: "transformers" | "openai" | "synthetic";
}

export const WORKER_DECLARATIONS = {
  CHORUS_API_URL: {
    default: "ws://localhost:4000/graphql",
    description: "the API's websocket URL (`ws://` or `wss://`, path `/graphql`)",
  },
  CHORUS_WORKER_KEY: {
    defaultText: "required",
    secret: true,
    description: "a worker key (`npx chorus worker-key create`)",
  },
  CHORUS_WORKER_MODELS: {
    defaultText: "`chorus-tiny` (transformers), `synthetic` (synthetic)",
    description: "model ids it serves, comma-separated; each must be one the API declares (`models`)",
  },
  CHORUS_WORKER_BACKEND: {
    default: "transformers",
    description:
      "`transformers` (transformers.js on a local model folder), `openai` (an OpenAI-compatible streaming server) or `synthetic` (lorem words at a fixed rate, for tests and load tests)",
  },
  CHORUS_WORKER_CAPACITY: { default: 1, description: "jobs run in parallel (1-256)" },
  CHORUS_WORKER_NAME: { defaultText: "`<host>-<backend>`", description: "name stored on the messages it generates" },
  CHORUS_WORKER_MODEL_DIR: {
    defaultText: "`gpu-workers/models/chorus-tiny` (generated when missing)",
    backend: "transformers",
    description: "transformers: the model folder (transformers.js layout)",
  },
  CHORUS_WORKER_DEVICE: {
    default: "auto",
    backend: "transformers",
    description: "transformers: `auto` (CUDA when onnxruntime-node's CUDA provider is installed, else CPU), `cpu` or `cuda`",
  },
  CHORUS_WORKER_THREADS: { defaultText: "1 on 2 cores, else cores − 1", backend: "transformers", description: "transformers: ONNX Runtime threads" },
  CHORUS_WORKER_SYNTHETIC_TOKENS_PER_SECOND: { default: 20, backend: "synthetic", description: "synthetic: its speed" },
  CHORUS_WORKER_RECONNECT_MAX_DELAY_MS: { default: 30_000, description: "longest wait between reconnection attempts" },
  CHORUS_WORKER_PROTOCOL_VERSION: { default: WORKER_PROTOCOL_VERSION, description: "the protocol version announced; only for testing upgrades" },
  CHORUS_OPENAI_BASE_URL: { defaultText: "required with `openai`", backend: "openai", description: "the server's URL ending in `/v1`" },
  CHORUS_OPENAI_API_KEY: { defaultText: "unset", secret: true, backend: "openai", description: "bearer key for the server" },
  CHORUS_OPENAI_MODEL: { defaultText: "required with `openai`", backend: "openai", description: "the model name the server knows" },
  CHORUS_OPENAI_CONTINUATION: {
    default: "none",
    backend: "openai",
    description:
      "how the server continues a partial answer: `none` (it cannot, or you do not know: the worker says it cannot continue), `vllm` (vLLM 0.6.3 or later, asked with `continue_final_message`; the worker checks the server's `/version` at start and exits 1 otherwise), `prefill` (a server that continues a trailing assistant message by itself, such as llama.cpp's server unless started with `--no-prefill-assistant`: check yours)",
  },
} as const satisfies Record<string, WorkerVariable>;

export type WorkerVariableName = keyof typeof WORKER_DECLARATIONS;

/** Every variable the worker reads, in declaration order. */
export const WORKER_VARIABLES = Object.keys(WORKER_DECLARATIONS) as WorkerVariableName[];
