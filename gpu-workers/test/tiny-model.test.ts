import { expect } from "chai";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { TransformersBackend } from "../src/backends/index.js";
import { tinyModelDir } from "../src/paths.js";
import { DEFAULT_TINY_MODEL_OPTIONS, END_OF_TEXT, ROLE_TOKENS, buildTinyModel, ensureTinyModel } from "../scripts/tiny-model/index.js";
import { collect, greedy, neverAborted } from "./helpers.js";

describe("tiny model generator", () => {
  it("builds the same bytes every time", () => {
    const first = buildTinyModel();
    const second = buildTinyModel();
    expect(Object.keys(first)).to.have.members(["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"]);
    for (const file of Object.keys(first)) expect(Buffer.from(second[file]).equals(Buffer.from(first[file])), file).to.equal(true);
  });

  it("writes a folder once and leaves a current one alone", async () => {
    const parent = await mkdtemp(path.join(tmpdir(), "chorus-tiny-"));
    try {
      const dir = path.join(parent, "model");
      expect((await ensureTinyModel(dir)).written).to.equal(true);
      const modified = (await stat(path.join(dir, "onnx", "model.onnx"))).mtimeMs;
      expect((await ensureTinyModel(dir)).written).to.equal(false);
      expect((await stat(path.join(dir, "onnx", "model.onnx"))).mtimeMs).to.equal(modified);
      // Different options replace the folder's contents.
      expect((await ensureTinyModel(dir, { ...DEFAULT_TINY_MODEL_OPTIONS, seed: 7 })).written).to.equal(true);
      const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"));
      expect(config.chorus_generator.options.seed).to.equal(7);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  describe("tokenizer and chat template", () => {
    // Loaded through transformers.js itself, as the backend does.
    let tokenizer: import("@huggingface/transformers").PreTrainedTokenizer;
    before(async () => {
      await ensureTinyModel(tinyModelDir());
      const { AutoTokenizer } = await import("@huggingface/transformers");
      tokenizer = await AutoTokenizer.from_pretrained(tinyModelDir(), { local_files_only: true });
    });

    it("round-trips any text, whatever its script, without unknown tokens", () => {
      for (const text of ["What is the capital of France?", "naïve café — 你好, мир 🎉", " two  spaces\nand a newline\t"]) {
        const ids = tokenizer.encode(text);
        expect(tokenizer.decode(ids)).to.equal(text);
      }
    });

    it("uses its learned merges for common English", () => {
      const text = "The assistant answers the question.";
      expect(tokenizer.encode(text).length).to.be.lessThan(new TextEncoder().encode(text).length);
    });

    it("formats chats in Open-Assistant's prompt format", () => {
      const prompt = tokenizer.apply_chat_template(
        [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello!" },
          { role: "user", content: "Bye" },
        ],
        { tokenize: false, add_generation_prompt: true },
      );
      expect(prompt).to.equal(
        `${ROLE_TOKENS.system}Be brief.${END_OF_TEXT}${ROLE_TOKENS.user}Hi${END_OF_TEXT}` +
          `${ROLE_TOKENS.assistant}Hello!${END_OF_TEXT}${ROLE_TOKENS.user}Bye${END_OF_TEXT}${ROLE_TOKENS.assistant}`,
      );
      // Role markers are single special tokens, not spelled out byte by byte.
      const ids = tokenizer.encode(`${ROLE_TOKENS.user}Hi${END_OF_TEXT}${ROLE_TOKENS.assistant}`);
      expect(ids).to.have.length(tokenizer.encode("Hi").length + 3);
    });
  });

  describe("ONNX graph", () => {
    let session: ort.InferenceSession;
    let config: { n_head: number; n_embd: number; n_layer: number; eos_token_id: number };
    before(async () => {
      await ensureTinyModel(tinyModelDir());
      session = await ort.InferenceSession.create(path.join(tinyModelDir(), "onnx", "model.onnx"), { intraOpNumThreads: 1 });
      config = JSON.parse(await readFile(path.join(tinyModelDir(), "config.json"), "utf8"));
    });
    after(async () => {
      await session?.release();
    });

    /** Logits of every position, computing the whole sequence from scratch (an empty cache): [positions][vocab]. */
    async function logitsWithoutCache(ids: number[]): Promise<Float32Array[]> {
      const heads = config.n_head;
      const headSize = config.n_embd / heads;
      const int64 = (values: number[]) => new ort.Tensor("int64", BigInt64Array.from(values.map(BigInt)), [1, values.length]);
      const feeds: Record<string, ort.Tensor> = {
        input_ids: int64(ids),
        attention_mask: int64(ids.map(() => 1)),
        position_ids: int64(ids.map((_, i) => i)),
      };
      for (let layer = 0; layer < config.n_layer; layer++) {
        for (const kind of ["key", "value"]) {
          feeds[`past_key_values.${layer}.${kind}`] = new ort.Tensor("float32", new Float32Array(0), [1, heads, 0, headSize]);
        }
      }
      const logits = (await session.run(feeds)).logits;
      const vocab = logits.dims[2];
      return ids.map((_, i) => (logits.data as Float32Array).slice(i * vocab, (i + 1) * vocab));
    }
    const lastLogitsWithoutCache = async (ids: number[]) => (await logitsWithoutCache(ids)).at(-1)!;

    it("decodes with its KV cache exactly as a full recompute does", async () => {
      const backend = new TransformersBackend({ model: tinyModelDir(), device: "cpu", threads: 1 });
      await backend.load();
      try {
        const { tokens } = await collect(
          backend.generate({ messages: [{ role: "user", content: "Hello there" }], sampling: greedy(24), signal: neverAborted() }),
        );
        const cachedIds = tokens.flatMap((t) => t.tokenIds!);
        const { AutoTokenizer } = await import("@huggingface/transformers");
        const tokenizer = await AutoTokenizer.from_pretrained(tinyModelDir(), { local_files_only: true });
        const ids = tokenizer.encode(`${ROLE_TOKENS.user}Hello there${END_OF_TEXT}${ROLE_TOKENS.assistant}`);
        const recomputedIds: number[] = [];
        for (let step = 0; step < cachedIds.length; step++) {
          const logits = await lastLogitsWithoutCache([...ids, ...recomputedIds]);
          recomputedIds.push(logits.indexOf(Math.max(...logits)));
        }
        expect(cachedIds).to.deep.equal(recomputedIds);
      } finally {
        await backend.close();
      }
    });

    it("is causal: a position does not see the tokens after it", async () => {
      const alone = await lastLogitsWithoutCache([10, 20, 30]);
      const withMore = (await logitsWithoutCache([10, 20, 30, 40, 50]))[2];
      for (let i = 0; i < alone.length; i++) expect(withMore[i]).to.be.closeTo(alone[i], 1e-4);
    });

    it("steers the random weights to printable ASCII", async () => {
      const logits = await lastLogitsWithoutCache([10, 20, 30]);
      const best = logits.indexOf(Math.max(...logits));
      const tokenizerJson = JSON.parse(await readFile(path.join(tinyModelDir(), "tokenizer.json"), "utf8"));
      const byteForNewline = tokenizerJson.model.vocab["\u010a"]; // GPT-2's symbol for "\n"
      expect(logits[byteForNewline]).to.be.lessThan(logits[best] - 10);
    });
  });
});
