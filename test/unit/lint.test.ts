/**
 * The formatter and linter (Biome, biome.jsonc) over the whole workspace: the root, gpu-workers and
 * packages/worker-protocol. A file that is not formatted, or breaks a lint rule, fails the suite with Biome's own
 * report; `npm run format` rewrites the formatting, `npm run lint` shows the findings.
 */
import path from "node:path";
import { spawnSync } from "node:child_process";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..", "..", "..");

describe("formatting and lint (Biome) over every package", function () {
  this.timeout(120_000);

  it("biome ci finds nothing: every file formatted, no lint finding (warnings included)", () => {
    const biome = path.join(ROOT, "node_modules", "@biomejs", "biome", "bin", "biome");
    const r = spawnSync(process.execPath, [biome, "ci", "--error-on-warnings", "--max-diagnostics=50", "."], { cwd: ROOT, encoding: "utf8" });
    expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
  });
});
