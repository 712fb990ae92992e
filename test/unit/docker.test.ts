/**
 * Nothing under docker/ is built or run here (no Docker engine in CI), so these checks catch what would only fail
 * at `docker build` or `docker compose up`: files the Dockerfiles copy that do not exist, a compose file pointing at
 * missing Dockerfiles or mounts, variables the example environment file forgets, and the settings the operator
 * docs promise. `.ci/run` also validates the compose file with docker-compose's own parser.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const DOCKER = path.join(ROOT, "docker");
const read = (file: string) => fs.readFileSync(path.join(DOCKER, file), "utf8");

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text.replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

/** Sources of COPY/ADD from the build context (the repository root), not from another stage. */
function contextSources(text: string): string[] {
  const sources: string[] = [];
  for (const { op, args } of instructions(text)) {
    if (op !== "COPY" && op !== "ADD") continue;
    const words = args.split(/\s+/);
    if (words.some((w) => w.startsWith("--from="))) continue;
    const paths = words.filter((w) => !w.startsWith("--"));
    sources.push(...paths.slice(0, -1));
  }
  return sources;
}

const DOCKERFILES = ["Dockerfile", "worker.Dockerfile", "worker-cpu.Dockerfile"];

describe("docker/: Dockerfiles and the compose file", () => {
  for (const file of DOCKERFILES) {
    it(`${file} copies only files that exist in the build context and are not docker-ignored`, () => {
      const sources = contextSources(read(file));
      expect(sources.length).to.be.greaterThan(0);
      const ignored = fs
        .readFileSync(path.join(ROOT, ".dockerignore"), "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => l.replace(/^\*\*\//, ""));
      for (const src of sources) {
        expect(fs.existsSync(path.join(ROOT, src)), `${file}: COPY ${src}`).to.equal(true);
        for (const part of src.split("/")) expect(ignored, `${file}: ${src} is excluded by .dockerignore`).not.to.include(part);
      }
    });
  }

  it("the API image runs production dependencies as a non-root user with a health check on /readyz", () => {
    const text = read("Dockerfile");
    const ops = instructions(text);
    const runtime = ops.slice(ops.map((o) => o.op).lastIndexOf("FROM"));
    expect(runtime.find((o) => o.op === "RUN" && o.args.includes("npm ci"))!.args).to.include("--omit=dev");
    const user = runtime.filter((o) => o.op === "USER").pop();
    expect(user?.args).to.be.a("string").and.not.match(/^(root|0)$/);
    expect(runtime.find((o) => o.op === "HEALTHCHECK")?.args).to.include("/readyz");
    const cmd = runtime.find((o) => o.op === "CMD")!.args;
    expect(cmd).to.include("dist/src/main.js");
    expect(fs.existsSync(path.join(ROOT, "src", "main.ts"))).to.equal(true);
    // tsc -p <config> in the build stage: that config must be copied in
    for (const m of text.matchAll(/tsc -p (\S+\.json)/g)) expect(contextSources(text)).to.include(m[1]);
  });

  it("the CUDA worker image installs onnxruntime-node's CUDA provider on a CUDA base; the CPU one downloads nothing", () => {
    const cuda = read("worker.Dockerfile");
    expect(cuda).to.match(/ARG CUDA_IMAGE=nvidia\/cuda:12\.[0-9.]+-cudnn-runtime/);
    expect(cuda).to.match(/ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci --omit=dev/);
    expect(cuda).not.to.match(/npm ci[^\n]*--ignore-scripts[^\n]*cuda12|cuda12[^\n]*--ignore-scripts/);
    for (const text of [cuda, read("worker-cpu.Dockerfile")]) {
      const ops = instructions(text);
      const runtime = ops.slice(ops.map((o) => o.op).lastIndexOf("FROM"));
      expect(runtime.filter((o) => o.op === "USER").pop()?.args).to.be.a("string").and.not.match(/^(root|0)$/);
    }
    expect(read("worker-cpu.Dockerfile")).to.match(/ONNXRUNTIME_NODE_INSTALL=skip/);
  });

  for (const file of DOCKERFILES) {
    it(`${file}: no npm ci runs the package's prepare script (tsc) where the sources or TypeScript are missing`, () => {
      const installs = instructions(read(file)).filter((o) => o.op === "RUN" && o.args.includes("npm ci"));
      expect(installs.length).to.be.greaterThan(0);
      for (const run of installs) expect(run.args, `${file}: ${run.args}`).to.match(/--ignore-scripts|npm pkg delete scripts\.prepare/);
    });
  }

  it("both worker images start the worker program that gpu-workers builds (its bin, from its own sources)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "gpu-workers", "package.json"), "utf8")) as { bin: Record<string, string> };
    const entry = pkg.bin["chorus-worker"];
    expect(entry).to.match(/^dist\/src\/.+\.js$/);
    expect(fs.existsSync(path.join(ROOT, "gpu-workers", entry.replace(/^dist\//, "").replace(/\.js$/, ".ts"))), entry).to.equal(true);
    for (const file of ["worker.Dockerfile", "worker-cpu.Dockerfile"]) {
      const ops = instructions(read(file));
      const cmd = ops.filter((o) => o.op === "CMD").pop()!.args;
      expect(cmd, file).to.equal(`["node", "${entry}"]`);
    }
  });

  it("compose.yaml points at Dockerfiles and mounts that exist, and docker/.env.example sets every variable it reads", () => {
    const compose = read("compose.yaml");
    const dockerfiles = [...compose.matchAll(/^\s+dockerfile:\s*(\S+)/gm)].map((m) => m[1]);
    expect(dockerfiles).to.include.members(["docker/Dockerfile", "docker/worker.Dockerfile", "docker/worker-cpu.Dockerfile"]);
    for (const f of dockerfiles) expect(fs.existsSync(path.join(ROOT, f)), f).to.equal(true);
    for (const m of compose.matchAll(/^\s+- (\.\/[^:]+):/gm)) expect(fs.existsSync(path.join(DOCKER, m[1])), m[1]).to.equal(true);
    const used = new Set([...compose.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
    const example = read(".env.example");
    const defined = new Set([...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect([...used].filter((v) => !defined.has(v)), "variables compose.yaml reads that .env.example lacks").to.deep.equal([]);
  });

  it("compose.yaml gives Redis noeviction, scales the API, and wires the vllm profile's worker to the openai backend", () => {
    const compose = read("compose.yaml");
    expect(compose).to.match(/--maxmemory-policy\s*\n\s*- noeviction/);
    expect(compose).to.match(/api:\n(?:.*\n)*?\s+deploy:\n\s+replicas: \$\{API_REPLICAS:-\d+\}/);
    const vllmWorker = compose.slice(compose.indexOf("  worker-vllm:"));
    expect(vllmWorker).to.include('profiles: ["vllm"]');
    expect(vllmWorker).to.include("CHORUS_WORKER_BACKEND: openai");
    expect(vllmWorker).to.include("CHORUS_OPENAI_BASE_URL: http://vllm:8000/v1");
    for (const v of ["CHORUS_API_URL", "CHORUS_WORKER_KEY", "CHORUS_WORKER_MODELS", "CHORUS_WORKER_CAPACITY", "CHORUS_OPENAI_API_KEY", "CHORUS_OPENAI_MODEL"]) {
      expect(vllmWorker).to.include(`${v}:`);
    }
    // the load balancer passes websocket upgrades through
    const nginx = read("nginx.conf");
    expect(nginx).to.include("proxy_set_header Upgrade $http_upgrade;");
    expect(nginx).to.include("proxy_set_header Connection $connection_upgrade;");
  });
});
