/**
 * The model thread of TransformersThreadBackend: it loads a TransformersBackend and runs every generation asked
 * for, concurrently, posting each event back as soon as the model makes it. ONNX Runtime's session.run() is
 * synchronous in onnxruntime-node, so here it blocks only this thread, never the caller's event loop.
 */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { BackendError } from "./errors.js";
import { TransformersBackend } from "./transformers.js";
import type { FromModelThread, SerializedBackendError, ThreadBackendOptions, ToModelThread } from "./transformers-thread-messages.js";

const port = parentPort;
if (!port) throw new Error("transformers-thread-entry runs as a worker thread of TransformersThreadBackend");

/**
 * Messages go out together once per turn of this thread's event loop: with many answers running, one post carries
 * a token of each (a post per token cost about an eighth of this thread's time at 20 answers). A message waits at
 * most for the model step queued before its flush (the steps run in turn, first queued first).
 */
let outbox: FromModelThread[] = [];
const flush = () => {
  const messages = outbox;
  outbox = [];
  port.postMessage(messages);
};
const post = (message: FromModelThread) => {
  if (outbox.push(message) === 1) setImmediate(flush);
};

const serialize = (error: unknown): SerializedBackendError =>
  error instanceof BackendError
    ? { code: error.code, message: error.message }
    : { code: "INFERENCE_FAILED", message: error instanceof Error ? error.message : String(error) };

const { niceness, ...options } = workerData as ThreadBackendOptions;
const backend = new TransformersBackend({ ...options, log: (message) => post({ type: "log", message }) });

/** On Linux a thread has its own nice value, set through its thread id (/proc/thread-self names it). */
function lowerThisThreadsPriority(nice: number): void {
  try {
    const threadId = Number(path.basename(readlinkSync("/proc/thread-self")));
    setPriority(threadId, nice);
  } catch (error) {
    post({ type: "log", message: `transformers.js: the model thread keeps its priority (${error instanceof Error ? error.message : String(error)})` });
  }
}
const running = new Map<number, AbortController>();
/** Every generation's whole run, event posting included, so close() answers only after their last events. */
const runs = new Set<Promise<void>>();

async function generate(id: number, request: Extract<ToModelThread, { type: "generate" }>["request"]): Promise<void> {
  const abort = new AbortController();
  running.set(id, abort);
  try {
    for await (const event of backend.generate({ ...request, signal: abort.signal })) post({ type: "event", id, event });
  } catch (error) {
    post({ type: "error", id, error: serialize(error) });
  } finally {
    running.delete(id);
    post({ type: "end", id });
  }
}

port.on("message", (message: ToModelThread) => {
  switch (message.type) {
    case "generate": {
      const run = generate(message.id, message.request).finally(() => runs.delete(run));
      runs.add(run);
      break;
    }
    case "cancel":
      running.get(message.id)?.abort();
      break;
    case "close":
      for (const abort of running.values()) abort.abort();
      void Promise.all(runs)
        .then(() => backend.close())
        .catch(() => undefined)
        .then(() => post({ type: "closed" }));
      break;
  }
});

backend.load().then(
  () => {
    // Only now: loading is a one-off that the first answers wait for, so it runs at the caller's priority.
    if (niceness) lowerThisThreadsPriority(niceness);
    post({ type: "loaded", device: backend.device });
  },
  (error: unknown) => post({ type: "load-failed", error: serialize(error) }),
);
