import { GraphQLScalarType } from "graphql";
import { GraphQLJSONObject } from "graphql-scalars";

/**
 * graphql-scalars' JSONObject without its `@specifiedBy` URL: the standard introspection query does not ask for
 * it, so a schema printed from introspection (what clients see) would differ from the committed one.
 */
export const JSONObjectScalar = new GraphQLScalarType({ ...GraphQLJSONObject.toConfig(), specifiedByURL: undefined });
