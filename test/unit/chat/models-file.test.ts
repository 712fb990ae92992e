import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { DEFAULT_MODELS, ModelsFileError, parseModelsFile } from "../../../src/modules/chat/models.js";
import { ConfigError, loadConfig } from "../../../src/config/index.js";
import { streamedText } from "../../../src/modules/chat/generation/generation-events.js";

const minimal = (over: Record<string, unknown> = {}) => ({
  models: [
    {
      id: "m1",
      limits: { maxInputTokens: 100, maxTotalTokens: 200, maxNewTokens: 50 },
      defaultSampling: { maxNewTokens: 20, temperature: 0.5, topP: 0.9 },
      ...over,
    },
  ],
});

describe("models file (CHORUS_MODELS_FILE)", () => {
  it("the shipped config/models.json is the built-in default: chorus-tiny and synthetic", () => {
    const shipped = parseModelsFile(JSON.parse(fs.readFileSync(path.resolve("config/models.json"), "utf8")));
    expect(shipped).to.deep.equal(DEFAULT_MODELS);
    expect(shipped.map((m) => m.id)).to.deep.equal(["chorus-tiny", "synthetic"]);
    expect(loadConfig({}).chat.models).to.deep.equal(DEFAULT_MODELS);
  });

  it("fills defaults: description, presets, chat template, compatibility key, chars per token", () => {
    const [m] = parseModelsFile(minimal());
    expect(m).to.deep.equal({
      id: "m1",
      description: "",
      maxInputLength: 100,
      maxTotalLength: 200,
      maxNewTokensLimit: 50,
      defaults: { maxNewTokens: 20, temperature: 0.5, topP: 0.9, topK: null, repetitionPenalty: null },
      presets: [],
      chatTemplate: "plain",
      compatibilityKey: "m1-200-100-f",
      charsPerToken: 4,
    });
  });

  it("reads presets with only the values they set", () => {
    const [m] = parseModelsFile(minimal({ presets: [{ name: "typical2", sampling: { temperature: 0.8, typicalP: 0.2 } }], chatTemplate: "chatml" }));
    expect(m.presets).to.deep.equal([{ name: "typical2", description: "", sampling: { temperature: 0.8, typicalP: 0.2 } }]);
    expect(m.chatTemplate).to.equal("chatml");
  });

  const bad: [unknown, RegExp][] = [
    [[], /"models"/],
    [{ models: [] }, /at least one model/],
    [minimal({ id: "has space" }), /id must be/],
    [{ models: [minimal().models[0], minimal().models[0]] }, /model "m1": is declared twice/],
    [minimal({ limits: { maxInputTokens: 300, maxTotalTokens: 200, maxNewTokens: 50 } }), /maxInputTokens must be below/],
    [minimal({ limits: { maxInputTokens: 100, maxTotalTokens: 200, maxNewTokens: 500 } }), /maxNewTokens must not exceed/],
    [minimal({ limits: undefined }), /limits must be an object/],
    [minimal({ defaultSampling: { maxNewTokens: 20, temperature: 0.5, topP: 0 } }), /topP must be in \(0, 1\]/],
    [minimal({ defaultSampling: { maxNewTokens: 60, temperature: 0.5, topP: 1 } }), /maxNewTokens must be an integer from 1 to 50/],
    [minimal({ defaultSampling: { maxNewTokens: 20, temperature: -1, topP: 1 } }), /temperature must be from 0 to 100/],
    [minimal({ presets: [{ name: "x" }] }), /presets\[0\] must be/],
    [minimal({ presets: [{ name: "x", sampling: { topP: 2 } }] }), /topP must be in/],
    [minimal({ chatTemplate: "" }), /chatTemplate must be a non-empty string/],
    [minimal({ charsPerToken: 0 }), /charsPerToken must be above 0/],
  ];
  for (const [content, message] of bad) {
    it(`refuses ${JSON.stringify(content).slice(0, 90)}`, () => {
      expect(() => parseModelsFile(content)).to.throw(ModelsFileError, message);
    });
  }

  it("stops start-up with a ConfigError naming CHORUS_MODELS_FILE for a missing, unparsable or invalid file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-models-"));
    const broken = path.join(dir, "broken.json");
    fs.writeFileSync(broken, "{ not json");
    const invalid = path.join(dir, "invalid.json");
    fs.writeFileSync(invalid, JSON.stringify(minimal({ limits: {} })));
    for (const [file, message] of [
      [path.join(dir, "missing.json"), /cannot be read.*ENOENT/],
      [broken, /is not valid JSON/],
      [invalid, /model "m1": maxInputTokens must be an integer/],
    ] as const) {
      try {
        loadConfig({ CHORUS_MODELS_FILE: file });
        expect.fail("should have thrown");
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).variable).to.equal("CHORUS_MODELS_FILE");
        expect((err as Error).message).to.match(message);
      }
    }
    const good = path.join(dir, "good.json");
    fs.writeFileSync(good, JSON.stringify(minimal()));
    expect(loadConfig({ CHORUS_MODELS_FILE: good }).chat.models.map((m) => m.id)).to.deep.equal(["m1"]);
    fs.rmSync(dir, { recursive: true });
  });
});

describe("generation stream text with continuations", () => {
  it("starts from the continued text, and a restart goes back to it rather than to nothing", () => {
    expect(
      streamedText([
        { type: "continued", text: "abc", tokenCount: 3 },
        { type: "tokens", text: "d", tokenCount: 1 },
        { type: "restarted", reason: "lost" },
        { type: "tokens", text: "e", tokenCount: 1 },
        { type: "tokens", text: "f", tokenCount: 1 },
      ]),
    ).to.deep.equal({ text: "abcef", tokenCount: 5 });
    expect(
      streamedText([
        { type: "tokens", text: "x", tokenCount: 1 },
        { type: "restarted", reason: "lost" },
      ]),
    ).to.deep.equal({ text: "", tokenCount: 0 });
  });
});
