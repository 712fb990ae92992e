export * from "./types.js";
export * from "./errors.js";
export { OpenAICompatibleBackend, OPENAI_CONTINUATIONS, type OpenAICompatibleBackendOptions, type OpenAIContinuation } from "./openai.js";
export { SyntheticBackend, type SyntheticBackendOptions } from "./synthetic.js";
// transformers.js itself is imported by TransformersBackend.load(), so this module stays cheap to import for
// workers that only talk to remote servers.
export {
  TransformersBackend,
  type TransformersBackendOptions,
  type TransformersDevicePreference,
  defaultThreadCount,
  onnxRuntimeCudaProviderInstalled,
} from "./transformers.js";
export { TransformersThreadBackend } from "./transformers-thread.js";
export type { TransformersThreadBackendOptions } from "./transformers-thread-messages.js";

import { OpenAICompatibleBackend, type OpenAICompatibleBackendOptions } from "./openai.js";
import { SyntheticBackend, type SyntheticBackendOptions } from "./synthetic.js";
import type { TransformersThreadBackendOptions } from "./transformers-thread-messages.js";
import { TransformersThreadBackend } from "./transformers-thread.js";
import type { ModelBackend } from "./types.js";

/** What a worker's configuration names; one backend per worker process. */
export type BackendConfig =
  | ({ kind: "transformers" } & TransformersThreadBackendOptions)
  | ({ kind: "openai" } & OpenAICompatibleBackendOptions)
  | ({ kind: "synthetic" } & SyntheticBackendOptions);

export function createBackend(config: BackendConfig): ModelBackend {
  switch (config.kind) {
    case "transformers":
      // In a thread of its own, so the worker's event loop sends token batches while the model runs; at nice 10, so
      // that where the cores are shared (with the worker's own event loop, or an API on the same host) the short
      // jobs run before the next model step. Alone on its cores the model runs at full speed all the same.
      return new TransformersThreadBackend({ niceness: 10, ...config });
    case "openai":
      return new OpenAICompatibleBackend(config);
    case "synthetic":
      return new SyntheticBackend(config);
  }
}
