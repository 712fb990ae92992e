/**
 * TransformersBackend in a worker thread of its own, behind the same ModelBackend contract.
 *
 * Why: onnxruntime-node runs each model step synchronously on the calling thread, and generation adds its own
 * JavaScript (tokenizing, sampling, decoding) per token. Run in the caller's thread, a few concurrent answers keep
 * its event loop busy: in local mode the API's sends, hand-outs and token deliveries waited behind the model
 * (seconds at 20 chats), and a worker process's token batches waited the same way. In its own thread the model
 * uses another core and the caller's event loop only relays events.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import { AsyncQueue } from "./async-queue.js";
import { BackendError } from "./errors.js";
import type {
  FromModelThread,
  SerializedBackendError,
  ThreadBackendOptions,
  ToModelThread,
  TransformersThreadBackendOptions,
} from "./transformers-thread-messages.js";
import type { FinishEvent, GenerationEvent, GenerationRequest, ModelBackend } from "./types.js";

type Outcome = { type: "event"; event: GenerationEvent } | { type: "error"; error: SerializedBackendError };

const revive = (error: SerializedBackendError) => new BackendError(error.code, error.message);

export class TransformersThreadBackend implements ModelBackend {
  readonly modelName: string;
  readonly canContinue = true;
  private deviceInUse = "not loaded";
  private thread: Worker | null = null;
  private nextId = 1;
  /** Each running generation's events as they come from the model thread. */
  private readonly generations = new Map<number, AsyncQueue<Outcome>>();
  private readonly log: (message: string) => void;
  private closing: Promise<void> | null = null;
  private starting: Promise<void> | null = null;
  /** Between load() and close(): a model thread that died is started again for the next answer. */
  private wanted = false;
  /** Who waits for the model thread's answer to loading, and to close. */
  private receiveLoad: ((message: Extract<FromModelThread, { type: "loaded" | "load-failed" }>) => void) | null = null;
  private receiveClosed: (() => void) | null = null;

  constructor(private readonly options: TransformersThreadBackendOptions) {
    this.modelName = path.basename(options.model);
    this.log = options.log ?? (() => undefined);
  }

  get device(): string {
    return this.deviceInUse;
  }

  async load(): Promise<void> {
    this.wanted = true;
    if (this.thread) return;
    // Concurrent callers (answers arriving while a lost thread is replaced) share one start.
    this.starting ??= this.start().finally(() => (this.starting = null));
    await this.starting;
  }

  private async start(): Promise<void> {
    const { log: _log, ...threadOptions } = this.options;
    const thread = new Worker(path.join(__dirname, "transformers-thread-entry.js"), { workerData: threadOptions satisfies ThreadBackendOptions });
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) =>
        reject(new BackendError("MODEL_UNAVAILABLE", `the model thread exited (code ${code}) while loading ${this.options.model}`));
      thread.once("error", reject);
      thread.once("exit", onExit);
      thread.on("message", (messages: FromModelThread[]) => {
        for (const message of messages) this.receive(message);
      });
      this.receiveLoad = (message) => {
        if (message.type === "loaded") {
          thread.off("error", reject);
          thread.off("exit", onExit);
          this.deviceInUse = message.device;
          resolve();
        } else reject(revive(message.error));
      };
    }).catch(async (error: unknown) => {
      await thread.terminate();
      throw error instanceof BackendError
        ? error
        : new BackendError("MODEL_UNAVAILABLE", `the model thread failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    // A model thread that dies (a native crash, out of memory) fails what it was running; the next answer starts another.
    thread.on("error", (error) => this.lost(`the model thread failed: ${error.message}`));
    thread.on("exit", (code) => this.lost(`the model thread exited (code ${code})`));
    this.thread = thread;
  }

  private receive(message: FromModelThread): void {
    switch (message.type) {
      case "loaded":
      case "load-failed":
        this.receiveLoad?.(message);
        this.receiveLoad = null;
        break;
      case "closed":
        this.receiveClosed?.();
        break;
      case "log":
        this.log(message.message);
        break;
      case "event":
      case "error":
        this.generations.get(message.id)?.push(message);
        break;
      case "end":
        this.generations.get(message.id)?.close();
        this.generations.delete(message.id);
        break;
    }
  }

  private lost(reason: string): void {
    if (!this.thread) return;
    this.thread = null;
    this.deviceInUse = "not loaded";
    for (const queue of this.generations.values()) queue.fail(new BackendError("INFERENCE_FAILED", reason));
    this.generations.clear();
  }

  private send(message: ToModelThread): void {
    this.thread?.postMessage(message);
  }

  async *generate(request: GenerationRequest): AsyncGenerator<GenerationEvent, void, undefined> {
    if (!this.wanted || this.closing) throw new BackendError("NOT_LOADED", "call load() before generate()");
    if (!this.thread) await this.load();
    const { signal, ...rest } = request;
    const id = this.nextId++;
    const outcomes = new AsyncQueue<Outcome>();
    this.generations.set(id, outcomes);
    this.send({ type: "generate", id, request: rest });
    const cancel = () => this.send({ type: "cancel", id });
    signal.addEventListener("abort", cancel, { once: true });
    if (signal.aborted) cancel();
    // What this side gave out, so that a cancelled answer ends with exactly the tokens its caller received.
    let text = "";
    let tokenCount = 0;
    let ended = false;
    try {
      for (;;) {
        const next = await outcomes.next();
        if (next.done) throw new BackendError("INFERENCE_FAILED", "the model thread ended a generation without a finish event");
        const outcome = next.value;
        if (outcome.type === "error") throw revive(outcome.error);
        const event = outcome.event;
        if (event.type === "finish") {
          ended = true;
          // Aborted here while the thread was still making tokens: as the in-thread backend does, the answer ends
          // cancelled with what was given out (the thread's extra tokens were never yielded).
          yield signal.aborted ? cancelledFinish(event, text, tokenCount) : event;
          return;
        }
        if (signal.aborted) continue;
        text += event.text;
        tokenCount += event.tokenCount;
        yield event;
      }
    } finally {
      signal.removeEventListener("abort", cancel);
      // Also reached when the consumer stops reading early: stop the model and wait until its run is over, so no
      // run outlives the request.
      if (!ended) {
        cancel();
        for (
          let next = await outcomes.next().catch(() => ({ done: true }) as const);
          !next.done;
          next = await outcomes.next().catch(() => ({ done: true }) as const)
        );
      }
    }
  }

  async close(): Promise<void> {
    this.wanted = false;
    // A thread still starting is closed once it has started.
    await this.starting?.catch(() => undefined);
    const thread = this.thread;
    if (!thread) return;
    this.closing ??= (async () => {
      await new Promise<void>((resolve) => {
        this.receiveClosed = resolve;
        thread.once("exit", () => resolve());
        this.send({ type: "close" });
      });
      await thread.terminate();
    })();
    await this.closing;
    this.receiveClosed = null;
    this.thread = null;
    this.closing = null;
    this.deviceInUse = "not loaded";
  }
}

function cancelledFinish(finish: FinishEvent, text: string, tokenCount: number): FinishEvent {
  return { type: "finish", finishReason: "cancelled", tokenCount, promptTokens: finish.promptTokens, text };
}
