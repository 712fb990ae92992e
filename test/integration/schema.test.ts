import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { buildClientSchema, getIntrospectionQuery, graphqlSync, lexicographicSortSchema, printSchema, validateSchema, type IntrospectionQuery } from "graphql";
import { getSchema, printSortedSchema } from "../../src/server/schema.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { rawGql } from "../helpers/graphql.js";

const SCHEMA_FILE = path.resolve(__dirname, "..", "..", "..", "schema", "schema.graphql");

describe("schema/schema.graphql", function () {
  it("is exactly what the code builds (run `npm run schema:emit` and `npm run codegen` after changing types)", async () => {
    const committed = fs.readFileSync(SCHEMA_FILE, "utf8");
    expect(printSortedSchema(await getSchema())).to.equal(committed);
  });

  it("passes the check type-graphql skips at start-up: valid, and the full introspection query runs without errors", async () => {
    const schema = await getSchema();
    expect(validateSchema(schema).map((e) => e.message)).to.deep.equal([]);
    expect(graphqlSync({ schema, source: getIntrospectionQuery() }).errors).to.equal(undefined);
  });

  it("describes every type and field, so the IDE documents the API", async () => {
    const schema = await getSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith("__")) continue;
      if (["String", "Int", "Float", "Boolean", "ID", "Query", "Mutation", "Subscription"].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if ("getFields" in type) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(missing).to.deep.equal([]);
  });

  describe("served by a running server", function () {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(async () => {
      await server.stop();
    });

    it("matches the committed file by introspection, both sorted", async () => {
      // a deployment (DATABASE_URL) lets identified callers introspect (INTROSPECTION=authenticated)
      const key = { key: server.adminKey };
      const res = await rawGql<IntrospectionQuery>(server.url, getIntrospectionQuery({ descriptions: true }), {}, key);
      const served = printSchema(lexicographicSortSchema(buildClientSchema(res.data!)));
      const committed = printSchema(
        lexicographicSortSchema(buildClientSchema((await rawGql<IntrospectionQuery>(server.url, getIntrospectionQuery(), {}, key)).data!)),
      );
      expect(served).to.equal(committed);
      expect(served + "\n").to.equal(fs.readFileSync(SCHEMA_FILE, "utf8").replace(/\n+$/, "\n"));
    });
  });
});
