import { buildSchema } from "type-graphql";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { authChecker } from "./auth.js";
import { RESOLVERS } from "./resolvers.js";
import { validateArgs } from "./validate-args.js";

let cached: Promise<GraphQLSchema> | undefined;

/** The one schema, built once per process from the type-graphql resolvers (validation on). */
export function getSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    authMode: "error",
    validateFn: validateArgs,
    // type-graphql would run the full introspection query over the built schema at every start-up (50-70 ms of
    // CPU, a few % of start-up; issue 14) to find errors in it: test/integration/schema.test.ts runs that check.
    skipCheck: true,
    // The schema is built once per process and shared by servers with different pub/sub drivers, so every
    // subscription declares its own `subscribe` that reads the driver from the request context. type-graphql
    // still insists on a pubSub; this one refuses use, so a topic-based @Subscription cannot slip in unnoticed.
    pubSub: {
      publish: () => {
        throw new Error("use ctx.app.pubSub, not type-graphql's pubSub");
      },
      subscribe: () => {
        throw new Error("declare `subscribe` on @Subscription and read ctx.app.pubSub");
      },
    },
  });
  return cached;
}

/** The SDL committed at schema/schema.graphql: sorted, so diffs show real changes only. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}
