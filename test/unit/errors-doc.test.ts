import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ErrorCode } from "../../src/common/errors.js";
import { ERROR_CATALOGUE } from "../../src/common/error-catalogue.js";
import { ERRORS_DOC, renderErrorsDoc } from "../../src/scripts/errors-doc.js";

const SRC = path.resolve(__dirname, "..", "..", "..", "src");
/** Files that name every code by definition (the catalogue, the status map, the doc's generator). */
const DEFINITIONS = new Set(["common/error-catalogue.ts", "server/http-status.ts", "scripts/errors-doc.ts"]);
/** errors.ts defines the enum and the reference's numbers, and also raises codes (formatError): only the latter count. */
const withoutDefinitions = (rel: string, text: string) =>
  rel === path.join("common", "errors.ts")
    ? text.replace(/export enum ErrorCode \{[\s\S]*?\n\}/, "").replace(/export const OA_ERROR_NUMBERS[\s\S]*?\n\};/, "")
    : text;

function sources(dir = SRC): { file: string; text: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    if (!e.name.endsWith(".ts")) return [];
    const rel = path.relative(SRC, full);
    return DEFINITIONS.has(rel) ? [] : [{ file: rel, text: withoutDefinitions(rel, fs.readFileSync(full, "utf8")) }];
  });
}

describe("the error catalogue and docs/errors.md", () => {
  it("docs/errors.md is current (npm run docs:errors)", () => {
    expect(fs.readFileSync(ERRORS_DOC, "utf8"), "docs/errors.md is stale: run npm run docs:errors").to.equal(renderErrorsDoc());
  });

  it("lists every code of ErrorCode", () => {
    const doc = fs.readFileSync(ERRORS_DOC, "utf8");
    for (const code of Object.values(ErrorCode)) expect(doc, code).to.include(`| \`${code}\` |`);
  });

  it("says truly which codes Chorus raises: every `chorus` code is raised somewhere in src/, no `reference` code is", () => {
    const files = sources();
    const raisedIn = (code: string) => files.filter((f) => new RegExp(`ErrorCode\\.${code}\\b`).test(f.text)).map((f) => f.file);
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      if (entry.source === "chorus") expect(raisedIn(code), `${code} is listed as raised by Chorus`).not.to.deep.equal([]);
      if (entry.source === "reference") expect(raisedIn(code), `${code} is listed as never raised`).to.deep.equal([]);
    }
  });
});
