import { expect } from "chai";
import { IncrementalDecoder } from "../src/backends/incremental-decoder.js";
import { sampleToken, validateSampling } from "../src/backends/sampling.js";
import { BackendError } from "../src/backends/index.js";
import { SeededRandom } from "../src/random.js";
import { tinyModelDir } from "../src/paths.js";
import { ensureTinyModel } from "../scripts/tiny-model/index.js";

describe("IncrementalDecoder", () => {
  let tokenizer: import("@huggingface/transformers").PreTrainedTokenizer;
  before(async () => {
    await ensureTinyModel(tinyModelDir());
    const { AutoTokenizer } = await import("@huggingface/transformers");
    tokenizer = await AutoTokenizer.from_pretrained(tinyModelDir(), { local_files_only: true });
  });
  const decode = (ids: number[]) => tokenizer.decode(ids, { skip_special_tokens: true });

  it("never emits half a character, and loses nothing", () => {
    // Byte-level tokens: é is 2 tokens, 你 3, 🎉 4, so most characters here span several tokens.
    const text = "héllo wörld — 你好 🎉 done";
    const ids = tokenizer.encode(text);
    const decoder = new IncrementalDecoder(decode);
    const pieces = ids.map((id) => decoder.push(id)).filter((piece) => piece !== null);
    const rest = decoder.flush();
    if (rest) pieces.push(rest);
    for (const piece of pieces) expect(piece.text).to.not.include("\uFFFD");
    expect(pieces.map((p) => p.text).join("")).to.equal(text);
    expect(pieces.flatMap((p) => p.tokenIds)).to.deep.equal(ids);
    const emoji = pieces.find((p) => p.text.includes("🎉"))!;
    expect(emoji.tokenIds.length).to.be.at.least(4);
  });

  it("emits ASCII token by token", () => {
    const ids = tokenizer.encode("The capital of France is Paris.");
    const decoder = new IncrementalDecoder(decode);
    const pieces = ids.map((id) => decoder.push(id));
    expect(pieces.every((piece) => piece !== null && piece.tokenIds.length === 1)).to.equal(true);
  });

  it("treats context tokens as already emitted", () => {
    const context = tokenizer.encode("Hello");
    const decoder = new IncrementalDecoder(decode, context);
    const piece = decoder.push(tokenizer.encode(" world")[0]);
    expect(piece?.text).to.equal(tokenizer.decode([tokenizer.encode(" world")[0]]));
  });

  it("flushes an unfinished character at the end instead of dropping it", () => {
    const [firstByteOfE] = tokenizer.encode("é");
    const decoder = new IncrementalDecoder(decode);
    expect(decoder.push(firstByteOfE)).to.equal(null);
    expect(decoder.flush()?.text).to.equal("\uFFFD");
  });
});

describe("sampling", () => {
  const logits = Float32Array.from([1, 3, 2, 0.5, -Infinity]);

  it("is greedy at temperature 0", () => {
    expect(sampleToken(logits, { maxNewTokens: 1, temperature: 0, topP: 1 }, new SeededRandom(1))).to.equal(1);
  });

  it("keeps only the best token with topK 1 or a tiny topP", () => {
    for (let seed = 0; seed < 20; seed++) {
      expect(sampleToken(logits, { maxNewTokens: 1, temperature: 2, topP: 1, topK: 1 }, new SeededRandom(seed))).to.equal(1);
      expect(sampleToken(logits, { maxNewTokens: 1, temperature: 2, topP: 0.01 }, new SeededRandom(seed))).to.equal(1);
    }
  });

  it("draws in proportion to the softmax and never picks a masked token", () => {
    const random = new SeededRandom(42);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 20000; i++) counts[sampleToken(logits, { maxNewTokens: 1, temperature: 1, topP: 1 }, random)]++;
    const weights = [1, 3, 2, 0.5].map(Math.exp);
    const total = weights.reduce((a, b) => a + b);
    weights.forEach((w, id) => expect(counts[id] / 20000).to.be.closeTo(w / total, 0.02));
    expect(counts[4]).to.equal(0);
  });

  it("repeats itself for the same seed", () => {
    const draw = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 30 }, () => sampleToken(logits, { maxNewTokens: 1, temperature: 1.5, topP: 0.9 }, random));
    };
    expect(draw(5)).to.deep.equal(draw(5));
    expect(draw(5)).to.not.deep.equal(draw(6));
  });

  it("rejects values no backend can honour", () => {
    const bad = [
      { maxNewTokens: 0, temperature: 1, topP: 1 },
      { maxNewTokens: 1.5, temperature: 1, topP: 1 },
      { maxNewTokens: 5, temperature: Number.NaN, topP: 1 },
      { maxNewTokens: 5, temperature: 1, topP: 0 },
      { maxNewTokens: 5, temperature: 1, topP: 1, topK: -1 },
      { maxNewTokens: 5, temperature: 1, topP: 1, repetitionPenalty: 0 },
      { maxNewTokens: 5, temperature: 1, topP: 1, seed: -3 },
    ];
    for (const sampling of bad) {
      expect(() => validateSampling(sampling), JSON.stringify(sampling)).to.throw(BackendError);
    }
  });
});
