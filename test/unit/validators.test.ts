/**
 * src/common/validators.ts loads class-validator's decorators file by file instead of through its index (issue 14:
 * start-up is mostly module loading). Each must be the index's own function, the validation must behave as the
 * index's does, and the API's modules must not load the index (and validator.js, libphonenumber-js) after all.
 */
import path from "node:path";
import { execFileSync } from "node:child_process";
import { expect } from "chai";
import * as narrow from "../../src/common/validators.js";

const DIST_SRC = path.resolve(__dirname, "..", "..", "src");

describe("class-validator, loaded file by file", function () {
  this.timeout(60_000);

  it("the API's modules load neither its index nor libphonenumber-js", () => {
    const program = `require("reflect-metadata"); require(${JSON.stringify(DIST_SRC)} + "/app.js");
      const files = Object.keys(require.cache);
      process.stdout.write(JSON.stringify({ index: files.includes(require.resolve("class-validator")), phone: files.some((f) => f.includes("/libphonenumber-js/")) }));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ["-e", program], { cwd: path.resolve(DIST_SRC, "..", ".."), encoding: "utf8" }));
    expect(loaded).to.deep.equal({ index: false, phone: false });
  });

  it("exports the very functions of class-validator's index", () => {
    // Loaded here only, after the module above took its files: the index re-exports the same cached modules.
    const index = require("class-validator") as Record<string, unknown>;
    for (const [name, fn] of Object.entries(narrow)) {
      if (name === "validateOrReject") continue;
      expect(fn, name).to.equal(index[name]);
    }
  });

  it("validateOrReject passes and rejects as the index's does", async () => {
    const index = require("class-validator") as typeof import("class-validator");
    class Input {
      @narrow.Length(1, 3)
      name!: string;
      @narrow.IsOptional()
      @narrow.Max(5)
      n?: number;
    }
    const good = Object.assign(new Input(), { name: "ab" });
    const bad = Object.assign(new Input(), { name: "abcd", n: 9 });
    const options = { skipMissingProperties: true, forbidUnknownValues: false };
    await narrow.validateOrReject(good, options);
    const errors = async (f: typeof narrow.validateOrReject) =>
      f(bad, options).then(
        () => [],
        (e: import("class-validator").ValidationError[]) => e.map((x) => [x.property, Object.keys(x.constraints ?? {})]),
      );
    expect(await errors(narrow.validateOrReject)).to.deep.equal([
      ["name", ["isLength"]],
      ["n", ["max"]],
    ]);
    expect(await errors(narrow.validateOrReject)).to.deep.equal(await errors(index.validateOrReject));
  });
});
