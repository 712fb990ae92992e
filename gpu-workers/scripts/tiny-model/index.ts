/**
 * Writes a tiny, deterministic, randomly initialised GPT-2 in the transformers.js folder layout:
 * config.json, generation_config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx.
 *
 * It lets every test and a fresh `npm start` run a real model offline (no weights can be downloaded on these
 * machines). Same options, same bytes: weights come from a seeded generator and the BPE merges from a fixed corpus.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { buildVocabulary, tokenizerJson, trainMerges, type Vocabulary } from "./byte-level-bpe.js";
import { buildGpt2Graph } from "./gpt2-graph.js";
import { encodeOnnxModel } from "./onnx-writer.js";

/** Bump when the generator's output changes for the same options, so existing folders are rewritten. */
export const GENERATOR_VERSION = 1;

export interface TinyModelOptions {
  layers: number;
  embedding: number;
  heads: number;
  /** Context window (learned position embeddings). */
  positions: number;
  /** BPE merges to learn from the embedded corpus (fewer if the corpus runs out of repeated pairs). */
  merges: number;
  seed: number;
  /**
   * Logit bias of the end-of-text token: lower means longer answers before the model stops by itself.
   * The default, 0, lets most greedy answers end on their own after tens to hundreds of tokens (so chats end
   * like chats and tests see both 'stop' and 'length'); at -2 answers rarely end within 200 tokens.
   */
  eosBias: number;
}

export const DEFAULT_TINY_MODEL_OPTIONS: TinyModelOptions = {
  layers: 2,
  embedding: 64,
  heads: 4,
  positions: 1024,
  merges: 64,
  seed: 42,
  eosBias: 0,
};

export const END_OF_TEXT = "<|endoftext|>";
/** Open-Assistant's "v2" prompt format roles, as special tokens so a user cannot type them into a prompt. */
export const ROLE_TOKENS = { system: "<|system|>", user: "<|prompter|>", assistant: "<|assistant|>" } as const;

/** OA's prompt format: `<|prompter|>text<|endoftext|><|assistant|>`, with an optional system turn first. */
export const CHAT_TEMPLATE =
  "{%- for message in messages -%}" +
  "{%- if message['role'] == 'system' -%}{{ '<|system|>' }}" +
  "{%- elif message['role'] == 'user' -%}{{ '<|prompter|>' }}" +
  "{%- elif message['role'] == 'assistant' -%}{{ '<|assistant|>' }}" +
  "{%- else -%}{{ raise_exception('unknown role: ' + message['role']) }}{%- endif -%}" +
  "{{ message['content'] + eos_token }}" +
  "{%- endfor -%}" +
  "{%- if add_generation_prompt -%}{{ '<|assistant|>' }}{%- endif -%}";

/** The text the BPE merges are learned from: the kind of English the model will be prompted with. */
const CORPUS = `
The assistant reads the question, thinks about it, and then answers in a few clear sentences.
Open assistants are built by people who write prompts, reply to them, and rank the replies of others.
When the reply is good, the reviewers agree, and the message becomes part of the training data.
What is the capital of France? The capital of France is Paris. What is the weather like there in the spring?
Please explain how the tokens of a model are streamed to the user one at a time, as soon as they are ready.
Thank you for the answer. You are welcome; is there anything else that I can help you with today?
Write a short poem about the sea, the wind and the stars, and then tell me a story about a small robot.
`;

/** Logits added to each token so a random model still writes printable ASCII that tests can assert on. */
function logitBias(vocabulary: Vocabulary, eosBias: number): Float32Array {
  const bias = new Float32Array(vocabulary.tokens.length);
  vocabulary.tokens.forEach((token, id) => {
    const bytes = vocabulary.tokenBytes[id];
    if (bytes === null) {
      bias[id] = token === END_OF_TEXT ? eosBias : -30; // role tokens are prompt structure, never output
    } else if (!bytes.every((b) => b >= 0x20 && b <= 0x7e)) {
      bias[id] = -20;
    }
  });
  return bias;
}

export interface TinyModelFiles {
  [relativePath: string]: string | Uint8Array;
}

/** Builds every file of the model in memory (about 0.1 s for the default size). */
export function buildTinyModel(options: TinyModelOptions = DEFAULT_TINY_MODEL_OPTIONS): TinyModelFiles {
  const specialTokens = [END_OF_TEXT, ROLE_TOKENS.system, ROLE_TOKENS.user, ROLE_TOKENS.assistant];
  const vocabulary = buildVocabulary(trainMerges(CORPUS, options.merges), specialTokens);
  const eosTokenId = vocabulary.tokens.indexOf(END_OF_TEXT);
  const vocabSize = vocabulary.tokens.length;
  const graph = buildGpt2Graph(
    { vocabSize, positions: options.positions, embedding: options.embedding, heads: options.heads, layers: options.layers },
    { seed: options.seed, logitBias: logitBias(vocabulary, options.eosBias) },
  );
  const addedTokensDecoder = Object.fromEntries(
    specialTokens.map((content) => [
      String(vocabulary.tokens.indexOf(content)),
      { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
    ]),
  );
  const json = (value: object) => JSON.stringify(value, null, 2) + "\n";
  return {
    "config.json": json({
      model_type: "gpt2",
      architectures: ["GPT2LMHeadModel"],
      vocab_size: vocabSize,
      n_positions: options.positions,
      n_ctx: options.positions,
      max_position_embeddings: options.positions,
      n_embd: options.embedding,
      n_head: options.heads,
      n_layer: options.layers,
      activation_function: "gelu_new",
      layer_norm_epsilon: 1e-5,
      bos_token_id: eosTokenId,
      eos_token_id: eosTokenId,
      use_cache: true,
      "transformers.js_config": { dtype: "fp32" },
      chorus_generator: { version: GENERATOR_VERSION, options },
    }),
    "generation_config.json": json({ bos_token_id: eosTokenId, eos_token_id: eosTokenId }),
    "tokenizer.json": json(tokenizerJson(vocabulary)),
    "tokenizer_config.json": json({
      tokenizer_class: "GPT2Tokenizer",
      bos_token: END_OF_TEXT,
      eos_token: END_OF_TEXT,
      unk_token: END_OF_TEXT,
      pad_token: END_OF_TEXT,
      add_bos_token: false,
      add_prefix_space: false,
      clean_up_tokenization_spaces: false,
      model_max_length: options.positions,
      added_tokens_decoder: addedTokensDecoder,
      chat_template: CHAT_TEMPLATE,
    }),
    "onnx/model.onnx": encodeOnnxModel(graph, { name: "chorus-make-tiny-model", version: String(GENERATOR_VERSION) }),
  };
}

/** Written last; its presence with matching content means the folder is complete and current. */
const STAMP_FILE = "chorus-model.json";

function stampFor(options: TinyModelOptions): string {
  return JSON.stringify({ generator: GENERATOR_VERSION, options }) + "\n";
}

export interface WriteResult {
  dir: string;
  /** False when the folder already held this exact model and nothing was written. */
  written: boolean;
}

/**
 * Makes sure `dir` holds the model for `options`, writing it only when missing or different.
 * The files are written to a sibling temporary folder that is then renamed into place, so a concurrent reader
 * (another test process) never sees a half-written model.
 */
export async function ensureTinyModel(dir: string, options: TinyModelOptions = DEFAULT_TINY_MODEL_OPTIONS): Promise<WriteResult> {
  const stamp = stampFor(options);
  const current = async () => (await readFile(path.join(dir, STAMP_FILE), "utf8").catch(() => null)) === stamp;
  if (await current()) return { dir, written: false };

  const staging = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    for (const [relativePath, contents] of Object.entries({ ...buildTinyModel(options), [STAMP_FILE]: stamp })) {
      const target = path.join(staging, relativePath);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, contents);
    }
    if (existsSync(dir)) {
      const retired = `${dir}.old-${process.pid}-${randomBytes(4).toString("hex")}`;
      await rename(dir, retired).catch(() => undefined);
      await rm(retired, { recursive: true, force: true });
    }
    try {
      await rename(staging, dir);
    } catch (error) {
      // Another process may have put the same model in place between our check and our rename.
      if (!(await current())) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { dir, written: true };
}
