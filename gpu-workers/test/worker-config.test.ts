import { expect } from "chai";
import { backoffDelay, parseWorkerConfig, WorkerConfigError, WORKER_PROTOCOL_VERSION } from "../src/worker/config.js";
import { tinyModelDir } from "../src/paths.js";

describe("worker program configuration", () => {
  const key = { CHORUS_WORKER_KEY: "chk_x" };

  it("defaults to the tiny model on transformers.js, capacity 1, the local API and this protocol version", () => {
    const c = parseWorkerConfig(key);
    expect(c.apiUrl).to.equal("ws://localhost:4000/graphql");
    expect(c.backend).to.deep.include({ kind: "transformers", model: tinyModelDir(), device: "auto" });
    expect(c.models).to.deep.equal(["chorus-tiny"]);
    expect(c.capacity).to.equal(1);
    expect(c.protocolVersion).to.equal(WORKER_PROTOCOL_VERSION);
  });

  it("reads the openai and synthetic backends", () => {
    const o = parseWorkerConfig({
      ...key,
      CHORUS_WORKER_BACKEND: "openai",
      CHORUS_WORKER_MODELS: "llama, mistral",
      CHORUS_OPENAI_BASE_URL: "http://vllm:8000/v1",
      CHORUS_OPENAI_MODEL: "meta/llama",
      CHORUS_OPENAI_API_KEY: "sk",
      CHORUS_WORKER_CAPACITY: "16",
    });
    expect(o.backend).to.deep.equal({ kind: "openai", baseUrl: "http://vllm:8000/v1", model: "meta/llama", apiKey: "sk", continuation: "none" });
    const openai = { ...key, CHORUS_WORKER_BACKEND: "openai", CHORUS_WORKER_MODELS: "m", CHORUS_OPENAI_BASE_URL: "http://h/v1", CHORUS_OPENAI_MODEL: "x" };
    for (const continuation of ["none", "vllm", "prefill"]) {
      expect(parseWorkerConfig({ ...openai, CHORUS_OPENAI_CONTINUATION: continuation }).backend).to.deep.include({ continuation });
    }
    expect(o.models).to.deep.equal(["llama", "mistral"]);
    expect(o.capacity).to.equal(16);
    const s = parseWorkerConfig({ ...key, CHORUS_WORKER_BACKEND: "synthetic", CHORUS_WORKER_SYNTHETIC_TOKENS_PER_SECOND: "100" });
    expect(s.backend).to.deep.equal({ kind: "synthetic", tokensPerSecond: 100 });
    expect(s.models).to.deep.equal(["synthetic"]);
  });

  it("refuses bad values with a message naming the variable", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /CHORUS_WORKER_KEY/],
      [{ ...key, CHORUS_API_URL: "http://x/graphql" }, /CHORUS_API_URL/],
      [{ ...key, CHORUS_WORKER_BACKEND: "tgi" }, /CHORUS_WORKER_BACKEND/],
      [{ ...key, CHORUS_WORKER_CAPACITY: "0" }, /CHORUS_WORKER_CAPACITY/],
      [{ ...key, CHORUS_WORKER_CAPACITY: "1.5" }, /CHORUS_WORKER_CAPACITY/],
      [{ ...key, CHORUS_WORKER_BACKEND: "openai", CHORUS_WORKER_MODELS: "m" }, /CHORUS_OPENAI_BASE_URL/],
      [{ ...key, CHORUS_WORKER_BACKEND: "openai", CHORUS_WORKER_MODELS: "m", CHORUS_OPENAI_BASE_URL: "http://h/v1" }, /CHORUS_OPENAI_MODEL/],
      [{ ...key, CHORUS_WORKER_BACKEND: "openai", CHORUS_OPENAI_BASE_URL: "http://h/v1", CHORUS_OPENAI_MODEL: "x" }, /CHORUS_WORKER_MODELS/],
      [{ ...key, CHORUS_WORKER_DEVICE: "tpu" }, /CHORUS_WORKER_DEVICE/],
      [
        {
          ...key,
          CHORUS_WORKER_BACKEND: "openai",
          CHORUS_WORKER_MODELS: "m",
          CHORUS_OPENAI_BASE_URL: "http://h/v1",
          CHORUS_OPENAI_MODEL: "x",
          CHORUS_OPENAI_CONTINUATION: "tgi",
        },
        /CHORUS_OPENAI_CONTINUATION/,
      ],
    ];
    for (const [env, message] of cases) expect(() => parseWorkerConfig(env), JSON.stringify(env)).to.throw(WorkerConfigError, message);
  });
});

describe("reconnection backoff", () => {
  it("doubles its ceiling per failure up to the maximum and draws in the upper half of it", () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).to.equal(250);
    expect(backoffDelay(0, 500, 30_000, () => 1)).to.equal(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).to.equal(4_000);
    expect(backoffDelay(3, 500, 30_000, () => 0)).to.equal(2_000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).to.equal(30_000);
    expect(backoffDelay(1_000, 500, 30_000, () => 0.5)).to.equal(22_500);
  });
});

describe("worker documentation", () => {
  it("docs/configuration.md lists every variable the worker declares (the root renders it from declarations.ts)", async () => {
    const { readFileSync } = await import("node:fs");
    const path = await import("node:path");
    const { packageRoot } = await import("../src/paths.js");
    const { WORKER_VARIABLES } = await import("../src/worker/config.js");
    const doc = readFileSync(path.join(packageRoot(), "..", "docs", "configuration.md"), "utf8");
    const section = doc.slice(doc.indexOf("## GPU worker program"));
    expect(WORKER_VARIABLES.filter((v) => !section.includes("`" + v + "`"))).to.deep.equal([]);
  });

  it("config.ts reads every declared variable and no other (one declaration per variable)", async () => {
    const { readFileSync } = await import("node:fs");
    const path = await import("node:path");
    const { packageRoot } = await import("../src/paths.js");
    const { WORKER_VARIABLES } = await import("../src/worker/config.js");
    const source = readFileSync(path.join(packageRoot(), "src", "worker", "config.ts"), "utf8");
    const read = new Set([...source.matchAll(/(?:\(\s*env,\s*["']|env\.)(CHORUS_[A-Z0-9_]+)/g)].map((m) => m[1]));
    expect([...read].sort()).to.deep.equal([...WORKER_VARIABLES].sort());
  });

  it("config.ts is the only place in src/ that reads process.env (so every variable is parsed and documented)", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const { packageRoot } = await import("../src/paths.js");
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (p.endsWith(".ts") && !p.endsWith(path.join("worker", "config.ts")) && fs.readFileSync(p, "utf8").includes("process.env")) offenders.push(p);
      }
    };
    walk(path.join(packageRoot(), "src"));
    expect(offenders).to.deep.equal([]);
  });
});
