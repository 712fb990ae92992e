import "reflect-metadata";
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import {
  Kind,
  getIntrospectionQuery,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";
import { getSchema } from "../../src/server/schema.js";
import { LIST_WEIGHTS, ROOT_FIELD_COST, objectListFields } from "../../src/server/complexity.js";
import { checkComplexity, checkDepth } from "../../src/server/limits.js";
import { loadConfig } from "../../src/config/index.js";

/** A value of an input type with only its required fields, for the variables of a shipped document. */
function sample(type: GraphQLInputType): unknown {
  const t = getNullableType(type);
  if (isListType(t)) return [sample(t.ofType)];
  if (isEnumType(t)) return t.getValues()[0].value;
  if (isInputObjectType(t)) {
    const o: Record<string, unknown> = {};
    for (const f of Object.values(t.getFields())) if (isNonNullType(f.type) && f.defaultValue === undefined) o[f.name] = sample(f.type);
    return o;
  }
  switch (t.name) {
    case "Int":
    case "Float":
      return 1;
    case "Boolean":
      return true;
    case "DateTimeISO":
      return new Date().toISOString();
    case "JSONObject":
      return {};
    default:
      return "00000000-0000-4000-8000-000000000000";
  }
}

function shippedOperations(schema: GraphQLSchema): { name: string; document: DocumentNode; variables: Record<string, unknown> }[] {
  const dir = path.resolve(__dirname, "..", "..", "..", "schema", "operations");
  const out = [];
  for (const file of fs.readdirSync(dir)) {
    const doc = parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const fragments = doc.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
    for (const op of doc.definitions) {
      if (op.kind !== Kind.OPERATION_DEFINITION) continue;
      const variables: Record<string, unknown> = {};
      for (const v of op.variableDefinitions ?? []) {
        const t = typeFromAST(schema, v.type as never) as GraphQLInputType;
        if (isNonNullType(t) && !v.defaultValue) variables[v.variable.name.value] = sample(t);
      }
      out.push({ name: `${file} ${op.name?.value}`, document: { kind: Kind.DOCUMENT, definitions: [op, ...fragments] } as DocumentNode, variables });
    }
  }
  return out;
}

/**
 * Class guard of the complexity limit: every list of objects in the schema that is not a connection's page or
 * sized by an argument has a declared weight, so a new list cannot cost 1 whatever its length.
 */
describe("list weights", () => {
  it("every list of objects in the schema has a weight in LIST_WEIGHTS (and every weight names a real list)", async () => {
    const schema = await getSchema();
    const lists = objectListFields(schema);
    expect(
      lists.filter((f) => !(f in LIST_WEIGHTS)),
      "lists without a weight",
    ).to.deep.equal([]);
    expect(
      Object.keys(LIST_WEIGHTS).filter((f) => !lists.includes(f)),
      "weights of no list",
    ).to.deep.equal([]);
  });

  it("a list costs its size times an item; the IDE's introspection query fits the default limit, nested lists do not", async () => {
    const schema = await getSchema();
    const limits = { maxDepth: 100, maxComplexity: Number.MAX_SAFE_INTEGER };
    const cost = (q: string, variables = {}) => checkComplexity(schema, parse(q), undefined, variables, limits);
    const root = ROOT_FIELD_COST;
    expect(cost("{ viewer { role } }")).to.equal(root + 2);
    expect(cost("{ __typename a: __typename }")).to.equal(2);
    expect(cost("query($n: Int) { messages(first: $n) { edges { node { id } } } }", { n: 10 })).to.equal(root + 1 + 10 * (1 + 1 + 1));
    expect(cost("{ messages { edges { node { id } } } }")).to.equal(root + 1 + 20 * 3); // the default page
    expect(cost(`{ messageTree(id: "x") { messages { id } } }`)).to.equal(root + 1 + 1 + 50 * 1);
    expect(cost(`{ messageTree(id: "x") { messages { children { id } } } }`)).to.equal(root + 1 + 1 + 50 * (1 + 5));
    const ide = cost(getIntrospectionQuery());
    expect(ide).to.be.below(5000);
    expect(ide).to.be.above(1000);
  });

  it("every document the project ships (schema/operations) passes the default depth and complexity limits", async () => {
    const schema = await getSchema();
    const config = loadConfig({});
    const limits = { maxDepth: config.maxQueryDepth, maxComplexity: config.maxQueryComplexity };
    const over: string[] = [];
    for (const op of shippedOperations(schema)) {
      try {
        checkDepth(schema, op.document, limits);
        checkComplexity(schema, op.document, undefined, op.variables, limits);
      } catch (err) {
        over.push(`${op.name}: ${(err as Error).message}`);
      }
    }
    expect(over).to.deep.equal([]);
  });
});
