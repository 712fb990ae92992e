import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { buildSchema, parse, print, validate, type OperationDefinitionNode } from "graphql";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** The GPU worker sends the documents codegen wrote into packages/worker-protocol/src/generated (@chorus/worker-protocol): they must be current and valid. */
describe("the GPU worker's generated operations", () => {
  const schema = buildSchema(fs.readFileSync(path.join(ROOT, "schema", "schema.graphql"), "utf8"));
  const generated = fs.readFileSync(path.join(ROOT, "packages", "worker-protocol", "src", "generated", "graphql.ts"), "utf8");
  const documents = [...generated.matchAll(/new TypedDocumentString\(`([\s\S]*?)`\)/g)].map((m) => parse(m[1]));
  const source = parse(fs.readFileSync(path.join(ROOT, "schema", "operations", "workers.graphql"), "utf8"));

  it("are exactly the operations of schema/operations/workers.graphql (run `npm run codegen` after changing them)", () => {
    const printed = (defs: readonly OperationDefinitionNode[]) => defs.map((d) => print(d)).sort();
    const fromGenerated = printed(documents.flatMap((d) => d.definitions as OperationDefinitionNode[]));
    const fromSource = printed(source.definitions as OperationDefinitionNode[]);
    expect(fromGenerated).to.deep.equal(fromSource);
  });

  it("are valid against the committed schema", () => {
    for (const doc of documents) expect(validate(schema, doc).map((e) => e.message)).to.deep.equal([]);
  });
});
