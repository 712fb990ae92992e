/**
 * The models the in-process worker of local mode runs: the synthetic model always, and the tiny generated model
 * through gpu-workers' transformers.js backend when that package is installed and built next to the API (it is
 * loaded in-process; an API installed without it serves the synthetic model only and says so in its log).
 */
import path from "node:path";
import { existsSync } from "node:fs";
import type { Logger } from "pino";
import { backendRequest } from "@chorus/worker-protocol";
import { syntheticTokens } from "./synthetic-model.js";
import type { WorkerJob } from "../worker.types.js";

export type LocalFinish = "stop" | "length" | "cancelled";

/** One model the in-process worker serves: it streams text pieces and returns why it stopped. */
export interface LocalModelRunner {
  model: string;
  /** The worker name stored on the messages it generates. */
  name: string;
  device: string;
  description: string;
  canContinue: boolean;
  /** Jobs it takes at once; unset: the in-process worker's default. */
  capacity?: number;
  /**
   * Text pieces with, where the model says so, when it made them (`producedAt`, ms since the epoch, as
   * performance.timeOrigin + performance.now()): the model's own time, apart from the time the piece took to
   * reach the worker.
   */
  generate(job: WorkerJob, signal: AbortSignal): AsyncGenerator<{ text: string; tokenCount: number; producedAt?: number }, LocalFinish>;
  close(): Promise<void>;
}

export const LOCAL_SYNTHETIC_MODEL = "synthetic";
export const LOCAL_TINY_MODEL = "chorus-tiny";
/**
 * Jobs the tiny model takes at once. Its thread steps every running answer in turn (about 1.5 ms a step here), so
 * 32 answers still stream at about 20 tokens/s each; with the in-process worker's default of 8, the ninth chat
 * waited for a whole answer before its first token.
 */
export const TINY_MODEL_CAPACITY = 32;
/** The tiny model thread's nice value (see TransformersThreadBackendOptions.niceness). */
export const TINY_MODEL_NICENESS = 10;

export function syntheticRunner(tokensPerSecond: number): LocalModelRunner {
  return {
    model: LOCAL_SYNTHETIC_MODEL,
    name: "local-synthetic",
    device: "synthetic",
    description: "in-process worker of local mode",
    canContinue: false,
    async *generate(job, signal) {
      const tokens = syntheticTokens({ maxNewTokens: job.sampling.maxNewTokens, seed: job.sampling.seed, tokensPerSecond, signal });
      let r = await tokens.next();
      while (!r.done) {
        yield { text: r.value, tokenCount: 1 };
        r = await tokens.next();
      }
      return r.value;
    },
    async close() {},
  };
}

/** The part of gpu-workers' API the in-process worker uses (the package is loaded at run time, not compiled in). */
interface BackendEvent {
  type: "token" | "finish";
  text: string;
  tokenCount: number;
  producedAt?: number;
  finishReason?: LocalFinish;
}
interface GpuBackend {
  readonly device: string;
  load(): Promise<void>;
  generate(request: {
    messages: { role: string; content: string }[];
    continueFrom?: string;
    sampling: { maxNewTokens: number; temperature: number; topP: number; topK?: number; repetitionPenalty?: number; seed?: number };
    signal: AbortSignal;
  }): AsyncIterable<BackendEvent>;
  close(): Promise<void>;
}
interface GpuWorkersModule {
  TransformersThreadBackend: new (options: { model: string; device?: "cpu"; threads?: number; niceness?: number; log?: (m: string) => void }) => GpuBackend;
  ensureTinyModel(dir: string): Promise<{ written: boolean }>;
  tinyModelDir(): string;
}

/** gpu-workers' built entry point, next to this project's sources (dist/src/modules/workers/local → project root). */
export function gpuWorkersEntry(projectRoot = path.resolve(__dirname, "..", "..", "..", "..", "..")): string {
  return path.join(projectRoot, "gpu-workers", "dist", "src", "index.js");
}

/** Whether `name` resolves from `dir` as Node would: a node_modules folder in `dir` or above (npm workspaces hoist). */
function installedFrom(dir: string, name: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, "node_modules", ...name.split("/")))) return true;
    if (path.dirname(d) === d) return false;
  }
}

/**
 * The tiny model's runner, or null (with the reason) when gpu-workers is not installed and built. The model files
 * are generated when missing (offline, a fraction of a second). With `preload` the backend is loaded before the
 * runner is returned (in its own thread, so the API serves meanwhile), and the first chats do not wait for it;
 * without, it loads on the first job, so a server that never gets a tiny-model job never pays for transformers.js.
 */
export async function tinyModelRunner(
  log: Logger,
  entry = gpuWorkersEntry(),
  options: { preload?: boolean } = {},
): Promise<{ runner: LocalModelRunner } | { reason: string }> {
  const root = path.resolve(path.dirname(entry), "..", "..");
  if (!existsSync(entry)) return { reason: `gpu-workers is not built (${entry} is missing; run \`npm install\` at the project root)` };
  if (!installedFrom(root, "@huggingface/transformers")) {
    return { reason: "gpu-workers' dependencies are not installed (run `npm install` at the project root)" };
  }
  let mod: GpuWorkersModule;
  let dir: string;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(entry) as GpuWorkersModule;
    dir = mod.tinyModelDir();
    const written = await mod.ensureTinyModel(dir);
    if (written.written) log.info({ dir }, "generated the tiny model");
  } catch (err) {
    return { reason: `gpu-workers could not be loaded: ${(err as Error).message}` };
  }
  let loading: Promise<GpuBackend> | null = null;
  const loaded = () =>
    (loading ??= (async () => {
      // In a thread of its own: the model's steps are synchronous, and in the API's thread they held up every send,
      // hand-out and token delivery while an answer was generated.
      // At a lower priority, so that under load the API's own short jobs (sends, deliveries) run before model steps.
      const b = new mod.TransformersThreadBackend({ model: dir, device: "cpu", threads: 1, niceness: TINY_MODEL_NICENESS, log: (m) => log.info(m) });
      await b.load();
      return b;
    })());
  if (options.preload) {
    try {
      await loaded();
    } catch (err) {
      return { reason: `the tiny model did not load: ${(err as Error).message}` };
    }
  }
  return {
    runner: {
      model: LOCAL_TINY_MODEL,
      name: "local-tiny",
      device: "cpu",
      description: "in-process worker of local mode: the generated tiny model on transformers.js",
      canContinue: true,
      capacity: TINY_MODEL_CAPACITY,
      async *generate(job, signal) {
        const b = await loaded();
        let finish: LocalFinish = "stop";
        // The job as a backend takes it (the prompt's one prefix, sampling without the protocol's nulls).
        for await (const e of b.generate(backendRequest(job, signal))) {
          if (e.type === "token") yield { text: e.text, tokenCount: e.tokenCount, producedAt: e.producedAt };
          else finish = e.finishReason ?? "stop";
        }
        return finish;
      },
      async close() {
        // A load still under way is waited for, so that its thread is closed too.
        const b = await loading?.catch(() => null);
        await b?.close();
      },
    },
  };
}
