import { readFileSync, readdirSync } from "node:fs";
import { expect } from "chai";
import {
  BackendError,
  TransformersBackend,
  TransformersThreadBackend,
  createBackend,
  onnxRuntimeCudaProviderInstalled,
  type ChatMessage,
  type ModelBackend,
  type TransformersBackendOptions,
} from "../src/backends/index.js";
import { tinyModelDir } from "../src/paths.js";
import { ensureTinyModel } from "../scripts/tiny-model/index.js";
import { collect, expectRejection, greedy, neverAborted } from "./helpers.js";

const question: ChatMessage[] = [{ role: "user", content: "What is the capital of France?" }];
/** The tiny model answers this greedily with 878 tokens before its end-of-text token: room for length and abort tests. */
const longAnswer: ChatMessage[] = [{ role: "user", content: "Write a poem about the sea." }];

/** The same contract, run in the caller's thread and in a model thread of its own. */
const variants: [string, (options: TransformersBackendOptions) => ModelBackend][] = [
  ["TransformersBackend", (options) => new TransformersBackend(options)],
  ["TransformersThreadBackend", (options) => new TransformersThreadBackend(options)],
];

for (const [name, create] of variants)
  describe(`${name} on the tiny model`, function () {
    let backend: ModelBackend;

    before(async () => {
      await ensureTinyModel(tinyModelDir());
      backend = create({ model: tinyModelDir(), threads: 1 });
      await backend.load();
    });
    after(async () => {
      await backend?.close();
    });

    it("reports the device it runs on", () => {
      // This package's .npmrc skips onnxruntime-node's CUDA download, so 'auto' settles on the CPU.
      expect(onnxRuntimeCudaProviderInstalled()).to.equal(false);
      expect(backend.device).to.equal("cpu");
      expect(backend.modelName).to.equal("chorus-tiny");
    });

    it("fails clearly when 'cuda' is demanded and onnxruntime-node has no CUDA provider", async () => {
      const onCuda = create({ model: tinyModelDir(), device: "cuda" });
      const error = await expectRejection(onCuda.load());
      expect((error as BackendError).code).to.equal("MODEL_UNAVAILABLE");
      expect((error as BackendError).message).to.include("on cuda");
      expect(onCuda.device).to.equal("not loaded");
    });

    it("generates the same text twice with greedy decoding", async () => {
      const first = await collect(backend.generate({ messages: question, sampling: greedy(48), signal: neverAborted() }));
      const second = await collect(backend.generate({ messages: question, sampling: greedy(48), signal: neverAborted() }));
      expect(first.text).to.have.length.greaterThan(10);
      expect(second.text).to.equal(first.text);
      expect(second.tokens.map((t) => t.tokenIds)).to.deep.equal(first.tokens.map((t) => t.tokenIds));
    });

    it("generates the same text for the same seed, and other text for another seed", async () => {
      const sampling = (seed: number) => ({ maxNewTokens: 48, temperature: 1, topP: 0.95, topK: 50, seed });
      const run = (seed: number) => collect(backend.generate({ messages: question, sampling: sampling(seed), signal: neverAborted() }));
      const [a, b, c] = [await run(1), await run(1), await run(2)];
      expect(b.text).to.equal(a.text);
      expect(c.text).to.not.equal(a.text);
    });

    it("keeps seeded requests reproducible when they run at the same time", async () => {
      const request = (seed: number) => ({
        messages: question,
        sampling: { maxNewTokens: 32, temperature: 0.9, topP: 0.9, seed },
        signal: neverAborted(),
      });
      const alone = [await collect(backend.generate(request(11))), await collect(backend.generate(request(12)))];
      const together = await Promise.all([collect(backend.generate(request(11))), collect(backend.generate(request(12)))]);
      expect(together.map((g) => g.text)).to.deep.equal(alone.map((g) => g.text));
    });

    it("streams one event per token, as each token is made", async () => {
      const arrivals: number[] = [];
      const { tokens, finish } = await collect(backend.generate({ messages: longAnswer, sampling: greedy(40), signal: neverAborted() }), () =>
        arrivals.push(performance.now()),
      );
      // The tiny model writes printable ASCII, so no character spans two tokens: exactly one event per token.
      expect(tokens).to.have.length(40);
      for (const token of tokens) {
        expect(token.tokenCount).to.equal(1);
        expect(token.tokenIds).to.have.length(1);
        expect(token.text).to.match(/^[\x20-\x7e]+$/);
      }
      expect(finish.tokenCount).to.equal(40);
      expect(new Set(arrivals).size, "events arrive one by one, not in one batch at the end").to.be.greaterThan(1);
    });

    it("stops at maxNewTokens with finishReason 'length'", async () => {
      const { tokens, finish } = await collect(backend.generate({ messages: longAnswer, sampling: greedy(7), signal: neverAborted() }));
      expect(finish.finishReason).to.equal("length");
      expect(finish.tokenCount).to.equal(7);
      expect(tokens.reduce((sum, t) => sum + t.tokenCount, 0)).to.equal(7);
      expect(finish.promptTokens).to.be.greaterThan(3);
    });

    it("stops by itself at the end-of-text token with finishReason 'stop'", async () => {
      // The generator's EOS bias makes roughly half of short prompts end on their own within a few hundred tokens.
      const stopped = [];
      for (let i = 0; i < 10; i++) {
        const { finish } = await collect(
          backend.generate({ messages: [{ role: "user", content: `Question number ${i}` }], sampling: greedy(200), signal: neverAborted() }),
        );
        expect(finish.finishReason).to.be.oneOf(["stop", "length"]);
        if (finish.finishReason === "stop") {
          expect(finish.tokenCount).to.be.lessThan(200);
          expect(finish.text).to.not.include("<|");
          stopped.push(finish);
        }
      }
      expect(stopped).to.not.be.empty;
    });

    it("stops within a few tokens of an abort", async () => {
      const controller = new AbortController();
      const { tokens, finish } = await collect(backend.generate({ messages: longAnswer, sampling: greedy(500), signal: controller.signal }), (_, index) => {
        if (index === 4) controller.abort();
      });
      expect(finish.finishReason).to.equal("cancelled");
      expect(tokens).to.have.length(5);
      expect(finish.tokenCount).to.equal(5);
    });

    it("stops when aborted from outside while generating", async () => {
      const controller = new AbortController();
      let received = 0;
      const generation = collect(backend.generate({ messages: longAnswer, sampling: greedy(1000), signal: controller.signal }), () => {
        received++;
      });
      while (received < 3) await new Promise((resolve) => setTimeout(resolve, 1));
      controller.abort();
      const { finish } = await generation;
      expect(finish.finishReason).to.equal("cancelled");
      expect(finish.tokenCount).to.be.lessThan(1000);
    });

    it("generates nothing for an already aborted request", async () => {
      const { tokens, finish } = await collect(backend.generate({ messages: question, sampling: greedy(10), signal: AbortSignal.abort() }));
      expect(tokens).to.be.empty;
      expect(finish.finishReason).to.equal("cancelled");
    });

    it("stops the model when the consumer stops reading, and stays usable", async () => {
      let seen = 0;
      for await (const event of backend.generate({ messages: longAnswer, sampling: greedy(1000), signal: neverAborted() })) {
        if (event.type === "token" && ++seen === 3) break;
      }
      const { finish } = await collect(backend.generate({ messages: question, sampling: greedy(5), signal: neverAborted() }));
      expect(finish.finishReason).to.equal("length");
    });

    it("continues a partial answer after the text already sent", async () => {
      const full = await collect(backend.generate({ messages: question, sampling: greedy(30), signal: neverAborted() }));
      const { AutoTokenizer } = await import("@huggingface/transformers");
      const tokenizer = await AutoTokenizer.from_pretrained(tinyModelDir(), { local_files_only: true });
      // Continuing is exact when the partial text re-encodes to the tokens that made it; pick the longest such cut.
      const ids = full.tokens.flatMap((t) => t.tokenIds!);
      let cut = 0;
      for (let k = 1; k < ids.length; k++) {
        const prefix = full.tokens
          .slice(0, k)
          .map((t) => t.text)
          .join("");
        if (JSON.stringify(tokenizer.encode(prefix)) === JSON.stringify(ids.slice(0, k))) cut = k;
      }
      expect(cut, "some prefix re-encodes to the same tokens").to.be.greaterThan(0);
      const continueFrom = full.tokens
        .slice(0, cut)
        .map((t) => t.text)
        .join("");
      const rest = await collect(backend.generate({ messages: question, continueFrom, sampling: greedy(30 - cut), signal: neverAborted() }));
      expect(continueFrom + rest.text).to.equal(full.text);
      expect(rest.finish.promptTokens).to.equal(full.finish.promptTokens + cut);
    });

    it("shortens maxNewTokens to the context window and refuses prompts that do not fit", async () => {
      const long: ChatMessage[] = [{ role: "user", content: "x".repeat(1000) }];
      const { finish } = await collect(backend.generate({ messages: long, sampling: greedy(500), signal: neverAborted() }));
      expect(finish.promptTokens + finish.tokenCount).to.be.at.most(1024);
      const tooLong: ChatMessage[] = [{ role: "user", content: "x".repeat(2000) }];
      const error = await expectRejection(collect(backend.generate({ messages: tooLong, sampling: greedy(5), signal: neverAborted() })));
      expect(error).to.be.instanceOf(BackendError);
      expect((error as BackendError).code).to.equal("CONTEXT_LENGTH_EXCEEDED");
      expect((error as BackendError).retryable).to.equal(false);
    });

    it("rejects invalid sampling values", async () => {
      const error = await expectRejection(
        collect(backend.generate({ messages: question, sampling: { maxNewTokens: 5, temperature: -1, topP: 1 }, signal: neverAborted() })),
      );
      expect((error as BackendError).code).to.equal("BAD_REQUEST");
    });

    it("refuses a missing model folder without trying to download it", async () => {
      const missing = create({ model: "/nonexistent/chorus-model" });
      const error = await expectRejection(missing.load());
      expect((error as BackendError).code).to.equal("MODEL_UNAVAILABLE");
    });

    it("stamps each token with when the model made it, before the caller got it", async () => {
      const received: number[] = [];
      const { tokens } = await collect(backend.generate({ messages: longAnswer, sampling: greedy(20), signal: neverAborted() }), () =>
        received.push(performance.timeOrigin + performance.now()),
      );
      const stamps = tokens.map((t) => t.producedAt!);
      expect(stamps.every((at) => typeof at === "number")).to.equal(true);
      for (let i = 0; i < stamps.length; i++) {
        expect(stamps[i]).to.be.at.most(received[i]);
        if (i > 0) expect(stamps[i]).to.be.at.least(stamps[i - 1]);
      }
    });

    if (name === "TransformersThreadBackend") {
      it("runs the model at the nice value asked for, once loaded (Linux)", async function () {
        if (process.platform !== "linux") this.skip();
        /** The nice value of each thread of this process (field 19 of /proc/self/task/<tid>/stat). */
        const niceValues = () =>
          readdirSync("/proc/self/task").map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1].split(" ")[16]));
        expect(niceValues()).to.not.include(7);
        const nice = new TransformersThreadBackend({ model: tinyModelDir(), threads: 1, niceness: 7 });
        await nice.load();
        try {
          expect(niceValues()).to.include(7);
          const { finish } = await collect(nice.generate({ messages: question, sampling: greedy(5), signal: neverAborted() }));
          expect(finish.finishReason).to.equal("length");
        } finally {
          await nice.close();
        }
      });

      it("is what the worker's configuration builds for 'transformers', at nice 10", async () => {
        const built = createBackend({ kind: "transformers", model: tinyModelDir(), threads: 1 });
        expect(built).to.be.instanceOf(TransformersThreadBackend);
        const threadsAtNice10 = () =>
          readdirSync("/proc/self/task").filter((tid) => readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1].split(" ")[16] === "10").length;
        const before = threadsAtNice10();
        await built.load();
        try {
          expect(threadsAtNice10()).to.equal(before + 1);
        } finally {
          await built.close();
        }
      });

      it("starts a new model thread for the next answer when its thread has gone", async () => {
        const other = create({ model: tinyModelDir(), threads: 1 });
        await other.load();
        await collect(other.generate({ messages: question, sampling: greedy(3), signal: neverAborted() }));
        // Between answers (terminating a thread inside an ONNX Runtime run aborts the process, as any native crash would).
        await (other as unknown as { thread: { terminate(): Promise<number> } }).thread.terminate();
        await new Promise((resolve) => setImmediate(resolve));
        expect(other.device).to.equal("not loaded");
        const next = await collect(other.generate({ messages: question, sampling: greedy(5), signal: neverAborted() }));
        expect(next.finish.finishReason).to.equal("length");
        expect(other.device).to.equal("cpu");
        await other.close();
      });
    }

    it("ends answers still running as cancelled when closed, and refuses new ones until loaded again", async () => {
      const other = create({ model: tinyModelDir(), threads: 1 });
      await other.load();
      let seen = 0;
      let closed: Promise<void> | null = null;
      const { finish } = await collect(other.generate({ messages: longAnswer, sampling: greedy(1000), signal: neverAborted() }), () => {
        if (++seen === 3) closed = other.close();
      });
      await closed;
      expect(finish.finishReason).to.equal("cancelled");
      expect(finish.tokenCount).to.be.lessThan(1000);
      const error = await expectRejection(collect(other.generate({ messages: question, sampling: greedy(5), signal: neverAborted() })));
      expect((error as BackendError).code).to.equal("NOT_LOADED");
      expect(other.device).to.equal("not loaded");
    });
  });
