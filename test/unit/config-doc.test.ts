/**
 * The config-table test: docs/configuration.md is what the declarations render, so a variable cannot be added,
 * renamed or have its default changed without the docs following; and what the docs print as a default is what the
 * program really uses.
 */
import fs from "node:fs";
import { expect } from "chai";
import { CONFIG_VARIABLES, loadConfig } from "../../src/config/index.js";
import { fullSettings, VARIABLES } from "../../src/config/settings.js";
import { TREE_MANAGER_VARIABLES } from "../../src/config/tree-manager.js";
import { CONFIG_DOC, loadWorkerDeclarations, renderConfigDoc } from "../../src/scripts/config-doc.js";
import { buildGpuWorkers } from "../helpers/gpu-worker-process.js";

describe("docs/configuration.md and the declarations", () => {
  let workerDeclarations: ReturnType<typeof loadWorkerDeclarations>;
  before(function () {
    this.timeout(120_000);
    buildGpuWorkers();
    workerDeclarations = loadWorkerDeclarations();
  });

  it("docs/configuration.md is current (npm run docs:config)", () => {
    expect(fs.readFileSync(CONFIG_DOC, "utf8"), "docs/configuration.md is stale: run npm run docs:config").to.equal(renderConfigDoc(workerDeclarations));
  });

  it("lists every variable of the API, the tree manager and the worker, each once", () => {
    const doc = fs.readFileSync(CONFIG_DOC, "utf8");
    const names = [...CONFIG_VARIABLES, ...TREE_MANAGER_VARIABLES, ...Object.keys(workerDeclarations)];
    expect(new Set(names).size, "a variable declared twice").to.equal(names.length);
    for (const name of names)
      expect(
        doc.split("\n").filter((l) => l.startsWith(`| \`${name}\` |`)),
        name,
      ).to.have.length(1);
  });

  /** Defaults the docs print as one literal but that the program resolves further, with why. */
  const RESOLVED: Record<string, string> = { CHORUS_DATA_DIR: "resolved against the working directory into an absolute path" };

  it("a default the docs give as one literal is the effective value with nothing set", () => {
    const settings = new Map(fullSettings(loadConfig({})).map((s) => [s.name, s]));
    const literal = VARIABLES.filter((v) => /^`[^`]*`$/.test(v.defaultText) && !(v.name in RESOLVED));
    expect(literal.length).to.be.greaterThan(50);
    for (const v of literal) expect(settings.get(v.name)!.value ?? "", v.name).to.equal(v.defaultText.slice(1, -1));
    expect(loadConfig({}).dataDir).to.match(/^\/.*\.chorus$/);
  });

  it("secret variables are the ones settings hides", () => {
    const secrets = VARIABLES.filter((v) => v.secret).map((v) => v.name);
    expect(secrets).to.deep.equal(["METRICS_TOKEN", "USER_TOKEN_SECRET"]);
  });
});
