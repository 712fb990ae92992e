/**
 * The built-in local backend: transformers.js (ONNX Runtime) running a model folder in the transformers.js
 * layout (config.json, tokenizer files, onnx/model.onnx), such as the generated tiny model.
 *
 * It drives `model.generate()` and takes over the two places where the library does not fit a token server:
 * - streaming: a BaseStreamer receives every token id and an IncrementalDecoder turns ids into text at once
 *   (TextStreamer waits for whole words);
 * - sampling: the library draws from one process-wide random generator and ignores top_p, so a logits
 *   processor samples with the request's own seeded generator and leaves only the chosen token for the
 *   library's greedy pick. Concurrent requests therefore stay reproducible.
 */
import { existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import type * as Transformers from "@huggingface/transformers";
import { SeededRandom, randomSeed } from "../random.js";
import { AsyncQueue } from "./async-queue.js";
import { BackendError } from "./errors.js";
import { IncrementalDecoder } from "./incremental-decoder.js";
import { isGreedy, sampleToken, validateSampling } from "./sampling.js";
import type { FinishReason, GenerationEvent, GenerationRequest, ModelBackend } from "./types.js";

export type TransformersDevicePreference = "auto" | "cpu" | "cuda";

export interface TransformersBackendOptions {
  /** A local model folder; or a Hugging Face hub id when `allowDownloads` is true. */
  model: string;
  /** 'auto' (default) uses CUDA when onnxruntime-node's CUDA provider is installed and loads, else the CPU. */
  device?: TransformersDevicePreference;
  /** ONNX weights variant, e.g. 'fp32' (default, the CPU's), 'fp16' or 'q8' when the folder has them. */
  dtype?: "fp32" | "fp16" | "q8" | "q4";
  /** ONNX Runtime intra-op threads. See defaultThreadCount(). */
  threads?: number;
  /** Lets a hub id be fetched (off by default: workers must never download weights unless told to). */
  allowDownloads?: boolean;
  /** Where the 'auto' device choice and its fallbacks are reported. */
  log?: (message: string) => void;
}

/**
 * One thread on 2-core machines (measured: more threads contend with Node's own thread and slow decoding down),
 * otherwise all cores but one.
 */
export function defaultThreadCount(): number {
  const cores = availableParallelism();
  return cores <= 2 ? 1 : cores - 1;
}

type TransformersModule = typeof Transformers;
type Tokenizer = Transformers.PreTrainedTokenizer;
type CausalLM = Transformers.PreTrainedModel;

/** The CUDA execution provider is not in the onnxruntime-node npm package; its installer adds these files. */
export function onnxRuntimeCudaProviderInstalled(): boolean {
  if (process.platform !== "linux" || process.arch !== "x64") return false;
  try {
    const transformersEntry = require.resolve("@huggingface/transformers");
    const ortEntry = require.resolve("onnxruntime-node", { paths: [path.dirname(transformersEntry)] });
    const binaries = path.join(path.dirname(ortEntry), "..", "bin", "napi-v6", "linux", "x64");
    return ["libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so"].every((file) => existsSync(path.join(binaries, file)));
  } catch {
    return false;
  }
}

/** Prompt tokens given to the incremental decoder as context (enough for any tokenizer's merge window). */
const DECODER_CONTEXT_TOKENS = 5;

export class TransformersBackend implements ModelBackend {
  readonly modelName: string;
  /** The prompt is templated here, so a partial answer is appended after the assistant turn's start: a true continuation. */
  readonly canContinue = true;
  private deviceInUse: "cpu" | "cuda" | "not loaded" = "not loaded";
  private library: TransformersModule | null = null;
  private tokenizer: Tokenizer | null = null;
  private model: CausalLM | null = null;
  private contextWindow = Infinity;
  private eosTokenIds = new Set<number>();
  /** The answers being generated: close() stops them first. */
  private readonly running = new Set<{ stop: () => void; settled: Promise<void> }>();
  private readonly log: (message: string) => void;

  constructor(private readonly options: TransformersBackendOptions) {
    this.modelName = path.basename(options.model);
    this.log = options.log ?? (() => undefined);
  }

  get device(): string {
    return this.deviceInUse;
  }

  async load(): Promise<void> {
    if (this.model) return;
    const { model: source, allowDownloads = false } = this.options;
    const isLocal = existsSync(source) && statSync(source).isDirectory();
    if (!isLocal && !allowDownloads) {
      throw new BackendError(
        "MODEL_UNAVAILABLE",
        `model folder ${source} does not exist (run \`npm run make-tiny-model\` for the tiny model; hub ids need allowDownloads)`,
      );
    }
    const library = await import("@huggingface/transformers");
    const modelPath = isLocal ? path.resolve(source) : source;
    const common = { local_files_only: !allowDownloads };
    try {
      this.tokenizer = await library.AutoTokenizer.from_pretrained(modelPath, common);
    } catch (error) {
      throw new BackendError("MODEL_UNAVAILABLE", `cannot load the tokenizer of ${source}: ${messageOf(error)}`, { cause: error });
    }
    const preference = this.options.device ?? "auto";
    const candidates: ("cpu" | "cuda")[] =
      preference === "cpu" ? ["cpu"] : preference === "cuda" ? ["cuda"] : onnxRuntimeCudaProviderInstalled() ? ["cuda", "cpu"] : ["cpu"];
    for (const device of candidates) {
      try {
        this.model = await library.AutoModelForCausalLM.from_pretrained(modelPath, {
          ...common,
          device,
          dtype: this.options.dtype ?? "fp32",
          session_options: { intraOpNumThreads: this.options.threads ?? defaultThreadCount() },
        });
        this.deviceInUse = device;
        break;
      } catch (error) {
        const last = device === candidates[candidates.length - 1];
        if (last) {
          throw new BackendError("MODEL_UNAVAILABLE", `cannot load ${source} on ${device}: ${messageOf(error)}`, { cause: error });
        }
        this.log(`transformers.js: ${device} failed (${messageOf(error)}); trying ${candidates[candidates.indexOf(device) + 1]}`);
      }
    }
    this.library = library;
    const config = this.model!.config as unknown as Record<string, unknown>;
    const window = config.max_position_embeddings ?? config.n_positions;
    if (typeof window === "number") this.contextWindow = window;
    const eos = (this.model!.generation_config as unknown as Record<string, unknown> | null)?.eos_token_id ?? config.eos_token_id;
    this.eosTokenIds = new Set((Array.isArray(eos) ? eos : [eos]).filter((id): id is number => typeof id === "number"));
    this.log(`transformers.js: loaded ${source} on ${this.deviceInUse}`);
  }

  async *generate(request: GenerationRequest): AsyncGenerator<GenerationEvent, void, undefined> {
    const { library, tokenizer, model } = this;
    if (!library || !tokenizer || !model) throw new BackendError("NOT_LOADED", "call load() before generate()");
    const { sampling } = request;
    // close() stops the answers still running as their own signal would: they end 'cancelled'.
    const closing = new AbortController();
    const signal = AbortSignal.any([request.signal, closing.signal]);
    validateSampling(sampling);

    const promptText =
      (tokenizer.apply_chat_template(request.messages, { tokenize: false, add_generation_prompt: true }) as string) + (request.continueFrom ?? "");
    const inputs = tokenizer(promptText) as { input_ids: Transformers.Tensor; attention_mask: Transformers.Tensor };
    const promptIds = (inputs.input_ids.tolist() as bigint[][])[0].map(Number);
    const promptTokens = promptIds.length;
    const room = this.contextWindow - promptTokens;
    if (room < 1) {
      throw new BackendError("CONTEXT_LENGTH_EXCEEDED", `the prompt has ${promptTokens} tokens; the model's context window is ${this.contextWindow}`);
    }
    // As OA's worker does: a request for more than fits is shortened to what fits, reported as 'length'.
    const maxNewTokens = Math.min(sampling.maxNewTokens, room);

    let text = "";
    let tokenCount = 0;
    if (signal.aborted) {
      yield { type: "finish", finishReason: "cancelled", tokenCount, promptTokens, text };
      return;
    }

    const tokenIds = new AsyncQueue<{ id: number; at: number }>();
    let stopRequested = false;
    const onAbort = () => {
      stopRequested = true;
      tokenIds.close();
    };
    signal.addEventListener("abort", onAbort, { once: true });

    class TokenCollector extends library.BaseStreamer {
      private promptSeen = false;
      override put(value: bigint[][]): void {
        // generate() first hands over the prompt, then one [[id]] per step.
        if (!this.promptSeen) {
          this.promptSeen = true;
          return;
        }
        tokenIds.push({ id: Number(value[0][0]), at: performance.timeOrigin + performance.now() });
      }
      override end(): void {}
    }
    class StopWhenRequested extends library.StoppingCriteria {
      override _call(inputIds: number[][]): boolean[] {
        return inputIds.map(() => stopRequested);
      }
    }
    const random = new SeededRandom(sampling.seed ?? randomSeed());
    class SampleWithRequestRandom extends library.LogitsProcessor {
      override _call(_inputIds: bigint[][], logits: Transformers.Tensor): Transformers.Tensor {
        const all = logits.data as Float32Array;
        const vocabSize = logits.dims[logits.dims.length - 1];
        for (let offset = 0; offset < all.length; offset += vocabSize) {
          const scores = all.subarray(offset, offset + vocabSize);
          const chosen = sampleToken(scores, sampling, random);
          scores.fill(-Infinity);
          scores[chosen] = 0;
        }
        return logits;
      }
    }

    const logitsProcessors = new library.LogitsProcessorList();
    if (!isGreedy(sampling)) logitsProcessors.push(new SampleWithRequestRandom());

    // The cast: the declared parameter type wants a TextStreamer, but generate() only calls a streamer's put() and
    // end(), which any BaseStreamer has.
    const generation: Promise<void> = model
      .generate({
        ...inputs,
        max_new_tokens: maxNewTokens,
        do_sample: false,
        repetition_penalty: sampling.repetitionPenalty ?? 1,
        streamer: new TokenCollector(),
        stopping_criteria: [new StopWhenRequested()],
        logits_processor: logitsProcessors,
      } as unknown as Parameters<CausalLM["generate"]>[0])
      .then(
        () => tokenIds.close(),
        (error: unknown) => tokenIds.fail(new BackendError("INFERENCE_FAILED", `generation failed: ${messageOf(error)}`, { cause: error })),
      );

    const decoder = new IncrementalDecoder((ids) => tokenizer.decode(ids, { skip_special_tokens: true }), promptIds.slice(-DECODER_CONTEXT_TOKENS));
    let finishReason: FinishReason | null = null;
    const run = { stop: () => closing.abort(), settled: generation };
    this.running.add(run);
    try {
      for (;;) {
        const next = await tokenIds.next();
        if (signal.aborted) {
          finishReason = "cancelled";
          break;
        }
        if (next.done) break;
        tokenCount++;
        if (this.eosTokenIds.has(next.value.id)) {
          finishReason = "stop";
          break;
        }
        const piece = decoder.push(next.value.id);
        if (piece) {
          text += piece.text;
          yield { type: "token", text: piece.text, tokenCount: piece.tokenIds.length, tokenIds: piece.tokenIds, producedAt: next.value.at };
        }
      }
      if (finishReason !== "cancelled") {
        const rest = decoder.flush();
        if (rest?.text) {
          text += rest.text;
          yield { type: "token", text: rest.text, tokenCount: rest.tokenIds.length, tokenIds: rest.tokenIds };
        }
      }
      // A failure of generate() has already been thrown by tokenIds.next(); this only waits for the last step.
      await generation;
      yield { type: "finish", finishReason: finishReason ?? "length", tokenCount, promptTokens, text };
    } finally {
      // Also reached when the consumer stops iterating early: stop the model and let it settle before returning,
      // so no session run outlives the request.
      stopRequested = true;
      signal.removeEventListener("abort", onAbort);
      await generation;
      this.running.delete(run);
    }
  }

  async close(): Promise<void> {
    // Stop the answers still running and let their model runs settle before the session goes.
    const running = [...this.running];
    for (const run of running) run.stop();
    await Promise.all(running.map((run) => run.settled));
    const model = this.model;
    this.model = null;
    this.tokenizer = null;
    this.library = null;
    this.deviceInUse = "not loaded";
    await model?.dispose();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
