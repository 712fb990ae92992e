/**
 * The messages between TransformersThreadBackend (the caller's thread) and its model thread
 * (transformers-thread-entry.ts). Structured-clone plain objects only; the model thread posts them in arrays (all
 * of one turn of its event loop together).
 */
import type { BackendErrorCode } from "./errors.js";
import type { TransformersBackendOptions } from "./transformers.js";
import type { GenerationEvent, GenerationRequest } from "./types.js";

export interface TransformersThreadBackendOptions extends TransformersBackendOptions {
  /**
   * A nice value for the model thread (Linux; 0 = as the caller, up to 19 = yield the most). Where the model shares
   * the cores with a server (local mode: the API in the same process, PostgreSQL beside it), a positive value lets
   * the server's short jobs (a send, a token's delivery) run first and the model take the time left. Set once the
   * model is loaded (the first answers wait for the load).
   */
  niceness?: number;
}

/** What the model thread is started with: the backend's options, less the log function (it logs through messages). */
export type ThreadBackendOptions = Omit<TransformersThreadBackendOptions, "log">;

export type ToModelThread = { type: "generate"; id: number; request: Omit<GenerationRequest, "signal"> } | { type: "cancel"; id: number } | { type: "close" };

export interface SerializedBackendError {
  code: BackendErrorCode;
  message: string;
}

export type FromModelThread =
  | { type: "loaded"; device: string }
  | { type: "load-failed"; error: SerializedBackendError }
  | { type: "log"; message: string }
  /** One event of generation `id`; its finish event is followed by `end`. */
  | { type: "event"; id: number; event: GenerationEvent }
  /** Generation `id` failed; nothing follows for it. */
  | { type: "error"; id: number; error: SerializedBackendError }
  /** Generation `id` is over in the model thread (after its finish event, or after it was cancelled). */
  | { type: "end"; id: number }
  | { type: "closed" };
