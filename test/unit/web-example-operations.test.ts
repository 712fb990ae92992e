import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Kind, buildSchema, parse, print, validate, type DefinitionNode } from "graphql";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * The web example's page sends the chat documents codegen wrote as strings into examples/web/browser/generated:
 * they must be current (the page's own tsconfig type-checks against them, so stale ones would hide a break) and valid.
 */
describe("the web example's generated operations", () => {
  const schema = buildSchema(fs.readFileSync(path.join(ROOT, "schema", "schema.graphql"), "utf8"));
  const generated = fs.readFileSync(path.join(ROOT, "examples", "web", "browser", "generated", "graphql.ts"), "utf8");
  const documents = [...generated.matchAll(/new TypedDocumentString\(`([\s\S]*?)`/g)].map((m) => parse(m[1]));
  const source = parse(fs.readFileSync(path.join(ROOT, "schema", "operations", "chat.graphql"), "utf8"));
  // Each generated operation carries the fragments it spreads: compare the distinct definitions.
  const distinct = (defs: readonly DefinitionNode[]) => [...new Set(defs.map((d) => print(d)))].sort();

  it("are exactly the operations and fragments of schema/operations/chat.graphql (run `npm run codegen` after changing them)", () => {
    expect(distinct(documents.flatMap((d) => d.definitions))).to.deep.equal(distinct(source.definitions));
  });

  it("are valid against the committed schema", () => {
    // The fragment's own document (ChatMessageFieldsFragmentDoc) is not sent alone.
    const operations = documents.filter((d) => d.definitions.some((def) => def.kind === Kind.OPERATION_DEFINITION));
    expect(operations.length).to.be.greaterThan(0);
    for (const doc of operations) expect(validate(schema, doc).map((e) => e.message)).to.deep.equal([]);
  });
});
