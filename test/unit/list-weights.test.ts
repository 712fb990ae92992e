import "reflect-metadata";
import { expect } from "chai";
import { getIntrospectionQuery, parse } from "graphql";
import { getSchema } from "../../src/server/schema.js";
import { LIST_WEIGHTS, objectListFields } from "../../src/server/complexity.js";
import { checkComplexity } from "../../src/server/limits.js";

/**
 * Class guard of the complexity limit: every list of objects in the schema that is not a connection's page or
 * sized by an argument has a declared weight, so a new list cannot cost 1 whatever its length.
 */
describe("list weights", () => {
  it("every list of objects in the schema has a weight in LIST_WEIGHTS (and every weight names a real list)", async () => {
    const schema = await getSchema();
    const lists = objectListFields(schema);
    expect(lists.filter((f) => !(f in LIST_WEIGHTS)), "lists without a weight").to.deep.equal([]);
    expect(Object.keys(LIST_WEIGHTS).filter((f) => !lists.includes(f)), "weights of no list").to.deep.equal([]);
  });

  it("a list costs its size times an item; the IDE's introspection query fits the default limit, nested lists do not", async () => {
    const schema = await getSchema();
    const limits = { maxDepth: 100, maxComplexity: Number.MAX_SAFE_INTEGER };
    const cost = (q: string, variables = {}) => checkComplexity(schema, parse(q), undefined, variables, limits);
    expect(cost("{ viewer { role } }")).to.equal(2);
    expect(cost("query($n: Int) { messages(first: $n) { edges { node { id } } } }", { n: 10 })).to.equal(1 + 10 * (1 + 1 + 1));
    expect(cost("{ messages { edges { node { id } } } }")).to.equal(1 + 20 * 3); // the default page
    expect(cost(`{ messageTree(id: "x") { messages { id } } }`)).to.equal(1 + 1 + 200 * 1);
    expect(cost(`{ messageTree(id: "x") { messages { children { id } } } }`)).to.equal(1 + 1 + 200 * (1 + 10));
    const ide = cost(getIntrospectionQuery());
    expect(ide).to.be.below(5000);
    expect(ide).to.be.above(1000);
  });
});
