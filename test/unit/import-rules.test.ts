/**
 * The import rules of docs/architecture.md, checked on src/ the way the process.env walker of config.test.ts checks
 * its rule: by reading the sources. Each rule says which way imports may go between the layers; the exceptions that
 * exist today are listed by file, each with its reason, so a new one is a decision someone writes down here and in
 * docs/architecture.md, not an accident.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const SRC = path.join(ROOT, "src");

interface Edge {
  from: string;
  to: string;
  /** `import type` / `{ type A }` only: erased by the compiler, no module is loaded at run time. */
  typeOnly: boolean;
}

function sourceFiles(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

/** `import … from "./x.js"`, `export … from`, `import "./x.js"`, `require("./x.js")`, `import("./x.js")`: relative ones only. */
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s+"([^"]+)"|^\s*import\s+"([^"]+)"|\b(?:require|import)\(\s*"([^"]+)"\s*\)/gm;

function importsOf(file: string): Edge[] {
  const text = fs.readFileSync(file, "utf8");
  const edges: Edge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (!spec?.startsWith(".")) continue;
    const names = m[2]?.trim() ?? "";
    const braced = names.startsWith("{")
      ? names
          .slice(1, -1)
          .split(",")
          .map((n) => n.trim())
          .filter(Boolean)
      : [];
    const typeOnly = m[1] !== undefined || (braced.length > 0 && braced.every((n) => n.startsWith("type ")));
    const to = path.relative(ROOT, path.resolve(path.dirname(file), spec)).replace(/\.js$/, ".ts");
    edges.push({ from: path.relative(ROOT, file), to, typeOnly });
  }
  return edges;
}

const EDGES = sourceFiles().flatMap(importsOf);
const under = (folder: string) => (file: string) => file.startsWith(`src/${folder}/`);
const show = (edges: Edge[]) => edges.map((e) => `${e.from} → ${e.to}${e.typeOnly ? " (type)" : ""}`);

/** Strongly connected components of more than one file (Tarjan). */
function cycles(edges: Edge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("import rules (docs/architecture.md, “Layers and imports”)", () => {
  it("reads the imports it checks (the parser finds the known edges)", () => {
    expect(EDGES.length).to.be.greaterThan(500);
    expect(EDGES).to.deep.include({ from: "src/main.ts", to: "src/app.ts", typeOnly: false });
    expect(EDGES).to.deep.include({ from: "src/logger.ts", to: "src/config/index.ts", typeOnly: true });
  });

  it("no cycle is loaded at run time: the value imports of src/ form no cycle", () => {
    expect(cycles(EDGES.filter((e) => !e.typeOnly))).to.deep.equal([]);
  });

  it("type-level cycles all pass through server/context.ts (its `app` holds every service, which only the doors reach)", () => {
    expect(cycles(EDGES.filter((e) => e.from !== "src/server/context.ts" && e.to !== "src/server/context.ts"))).to.deep.equal([]);
  });

  /**
   * What is left of that cycle: server/'s own files (the context, the composition root, auth, the open sockets and
   * their identity verdict). It was 17 files before the request context; every service now takes `rc` instead of
   * the GraphQL context, and a module file that starts taking the GraphQL context again joins it and fails here.
   */
  const TYPE_CYCLE_TODAY = [
    "src/server/auth.ts",
    "src/server/context.ts",
    "src/server/identity-verdict.ts",
    "src/server/open-sockets.ts",
    "src/server/services.ts",
  ];

  it("the one type-level cycle holds only server/'s own files: no service takes the GraphQL context", () => {
    expect(cycles(EDGES)).to.deep.equal([TYPE_CYCLE_TODAY]);
  });

  /** The only files of modules/ that config/ may load: pure definitions that import nothing. */
  const CONFIG_MAY_IMPORT = new Map([
    ["src/modules/consensus/labels.ts", "the label names and default label sets the tree-manager settings are checked against"],
    ["src/modules/chat/models.ts", "the models file's format and the built-in models, which CHORUS_MODELS_FILE is parsed into"],
  ]);

  it("config/ imports only config/ and the pure definitions it parses into, and those import nothing", () => {
    const outside = EDGES.filter((e) => under("config")(e.from) && !under("config")(e.to) && !CONFIG_MAY_IMPORT.has(e.to));
    expect(show(outside)).to.deep.equal([]);
    for (const file of CONFIG_MAY_IMPORT.keys()) expect(show(EDGES.filter((e) => e.from === file)), file).to.deep.equal([]);
  });

  /** db/ and infra/ are drivers; the API layer and the features sit on them. */
  const DRIVER_EXCEPTIONS = new Map<string, string>([]);

  it("db/ and infra/ import nothing from server/ or modules/ (but the entity registry, and the listed errors.ts uses)", () => {
    const up = EDGES.filter(
      (e) =>
        (under("db")(e.from) || under("infra")(e.from)) &&
        (under("server")(e.to) || under("modules")(e.to)) &&
        !(e.from === "src/db/entities.ts" && e.to.endsWith(".entity.ts")) &&
        !DRIVER_EXCEPTIONS.has(`${e.from} → ${e.to}`),
    );
    expect(show(up)).to.deep.equal([]);
  });

  /**
   * What modules/ may take from server/: the API layer's shared pieces. Everything else of server/ (Apollo, the
   * websocket server, the schema, limits, metrics, the composition root) is out of reach of a feature.
   */
  const SERVER_SHARED = new Map([
    ["src/server/auth.ts", "the resolvers' role decorators and checks: resolvers are the API layer"],
    ["src/server/visibility.ts", "what an untrusted client may see (docs/security.md#visibility)"],
    ["src/server/identity-events.ts", "announcing a revocation so open sockets close"],
    ["src/server/json-scalar.ts", "the JSON scalar of GraphQL types"],
    ["src/server/open-sockets.ts", "the worker resolver closes a drained worker's socket"],
  ]);
  /** server/ files a module may name as types only (erased): the request context and the services' type. */
  const SERVER_TYPES = new Set(["src/server/context.ts", "src/server/services.ts"]);
  const MODULE_SERVER_EXCEPTIONS = new Map([
    [
      "src/modules/chat/export/chat-export.http.ts → src/server/context.ts",
      "the HTTP download resolves its caller with buildContext (review: mount it with an identity resolved by server/)",
    ],
    ["src/modules/datasets/export.http.ts → src/server/context.ts", "same"],
  ]);

  it("modules/ take from server/ only its shared pieces (values) and the context's type", () => {
    const bad = EDGES.filter(
      (e) =>
        under("modules")(e.from) &&
        under("server")(e.to) &&
        !SERVER_SHARED.has(e.to) &&
        !(e.typeOnly && SERVER_TYPES.has(e.to)) &&
        !MODULE_SERVER_EXCEPTIONS.has(`${e.from} → ${e.to}`),
    );
    expect(show(bad)).to.deep.equal([]);
  });

  /**
   * common/ is the shared code below every layer: it may name the entities and the role it describes (types only,
   * erased), and nothing else outside common/.
   */
  it("common/ imports only common/, and from modules/ only types", () => {
    const bad = EDGES.filter((e) => under("common")(e.from) && !under("common")(e.to) && !(under("modules")(e.to) && e.typeOnly));
    expect(show(bad)).to.deep.equal([]);
  });

  /**
   * Every module is migrated to the request context (src/common/request-context.ts): its services take `rc` first
   * and reach other services through their constructors, so none of its files but the doors (resolvers, field
   * resolvers, periodic jobs, HTTP handlers and the listed API-layer files) names the GraphQL context or the
   * composition root, not even as a type. A new module joins this list when it is added.
   */
  const MIGRATED = [
    "agreement",
    "api-clients",
    "arena",
    "cached-stats",
    "chat",
    "consensus",
    "datasets",
    "labels",
    "moderation",
    "stats",
    "system",
    "tasks",
    "trees",
    "users",
    "workers",
  ];
  /**
   * The doors: resolvers, field resolvers, periodic jobs (the composition root hands them every service) and HTTP
   * handlers (`*.http.ts`, which resolve the caller with `buildContext` as resolvers do).
   */
  const API_LAYER_FILE = /(\.resolver|\.fields|-jobs|\.http)\.ts$/;
  /** Files of modules/ that are doors without a door's name, each with its reason. */
  const API_LAYER_FILES = new Map([
    [
      "src/modules/workers/token-fast-path.ts",
      "answers the workers' token-batch mutation itself for websocket-server.ts, with the same authorisation check as the resolver",
    ],
  ]);
  const isDoor = (file: string) => API_LAYER_FILE.test(file) || API_LAYER_FILES.has(file);

  it("every module is migrated: its services import neither server/context.ts nor server/services.ts", () => {
    expect(
      fs
        .readdirSync(path.join(SRC, "modules"), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort(),
      "the modules of src/modules",
    ).to.deep.equal(MIGRATED);
    const bad = EDGES.filter(
      (e) => MIGRATED.some((m) => under(`modules/${m}`)(e.from)) && !isDoor(e.from) && (e.to === "src/server/context.ts" || e.to === "src/server/services.ts"),
    );
    expect(show(bad)).to.deep.equal([]);
  });

  /**
   * SQL in one place per module, none from the doors: resolvers, field resolvers, jobs and the GraphQL context's
   * loaders ask a module's service (or its SQL file) and never run a statement or hold a repository themselves.
   * HTTP handlers may hand the data source to the module's exporter, which runs the SQL.
   */
  const RUNS_SQL = /from\s+"typeorm"|\.query\(|\.getRepository\(|\.createQueryBuilder\(|\.manager\b|\binTransaction\(/;

  it("no resolver, field resolver, job or loader runs SQL or holds a repository", () => {
    const doors = sourceFiles()
      .map((f) => path.relative(ROOT, f))
      .filter((f) => (under("modules")(f) && /(\.resolver|\.fields|-jobs)\.ts$/.test(f)) || f === "src/server/context.ts");
    expect(doors.length).to.be.greaterThan(20);
    expect(doors.filter((f) => RUNS_SQL.test(fs.readFileSync(path.join(ROOT, f), "utf8")))).to.deep.equal([]);
  });

  it("nothing imports the entry points (main.ts, cli.ts and its cli/ folder, scripts/) and only main.ts imports app.ts", () => {
    const bad = EDGES.filter(
      (e) =>
        ["src/main.ts", "src/cli.ts"].includes(e.to) ||
        (under("cli")(e.to) && e.from !== "src/cli.ts" && !under("cli")(e.from)) ||
        (under("scripts")(e.to) && !under("scripts")(e.from)) ||
        (e.to === "src/app.ts" && e.from !== "src/main.ts"),
    );
    expect(show(bad)).to.deep.equal([]);
  });

  it("every exception listed here still exists (a fixed one is taken off the list)", () => {
    const all = new Set(EDGES.map((e) => `${e.from} → ${e.to}`));
    for (const key of [...DRIVER_EXCEPTIONS.keys(), ...MODULE_SERVER_EXCEPTIONS.keys()]) expect(all.has(key), key).to.equal(true);
    for (const file of API_LAYER_FILES.keys())
      expect(
        EDGES.some((e) => e.from === file && e.to === "src/server/context.ts"),
        file,
      ).to.equal(true);
    for (const file of [...SERVER_SHARED.keys(), ...CONFIG_MAY_IMPORT.keys()])
      expect(
        EDGES.some((e) => e.to === file),
        file,
      ).to.equal(true);
  });
});
