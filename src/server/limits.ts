import { GraphQLError, getOperationAST, getVariableValues, validate, type DocumentNode, type GraphQLSchema } from "graphql";
import depthLimit from "graphql-depth-limit";
import { getComplexity, fieldExtensionsEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import { ChorusError, ErrorCode } from "../common/errors.js";
import { listAwareEstimator } from "./complexity.js";

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
}

/** Lists cost their size times what an item costs (src/server/complexity.ts); built once per schema. */
const estimators = new WeakMap<GraphQLSchema, ComplexityEstimator[]>();
function estimatorsOf(schema: GraphQLSchema): ComplexityEstimator[] {
  let list = estimators.get(schema);
  if (!list) estimators.set(schema, (list = [fieldExtensionsEstimator(), listAwareEstimator(schema)]));
  return list;
}

/** The depth limit: depends on the document only, so a cached document passed it once for all. */
export function checkDepth(schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits): void {
  let tooDeep: string | undefined;
  const errors = validate(schema, document, [depthLimit(limits.maxDepth, {}, () => undefined) as never]);
  if (errors.length > 0) tooDeep = errors[0].message;
  if (tooDeep) {
    throw new ChorusError(ErrorCode.QUERY_TOO_DEEP, `The query is too deep (the limit is ${limits.maxDepth}): ${tooDeep}`, {
      maxDepth: limits.maxDepth,
      http: { status: 400 },
    });
  }
}

/** The complexity limit: depends on the variables (page sizes), so it is checked for every request. */
export function checkComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined | null,
  variables: Record<string, unknown> | undefined | null,
  limits: QueryLimits,
): number {
  // Coerce the variables first, stopping at a few errors: graphql-query-complexity coerces them without an error
  // cap, and every error message quotes the offending value, so one object with thousands of unknown keys cost
  // seconds of CPU per request (found by the fuzz test).
  const op = getOperationAST(document, operationName ?? undefined);
  if (op?.variableDefinitions?.length) {
    const coerced = getVariableValues(schema, op.variableDefinitions, (variables ?? {}) as Record<string, unknown>, { maxErrors: 5 });
    if (coerced.errors?.length) {
      throw new ChorusError(ErrorCode.BAD_USER_INPUT, clip(coerced.errors[0].message), { http: { status: 400 } });
    }
  }
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      operationName: operationName ?? undefined,
      variables: (variables ?? {}) as Record<string, unknown>,
      estimators: estimatorsOf(schema),
    });
  } catch (err) {
    // getComplexity coerces the variables: a wrong variable type surfaces here first.
    if (err instanceof GraphQLError) throw new ChorusError(ErrorCode.BAD_USER_INPUT, clip(err.message), { http: { status: 400 } });
    throw err;
  }
  if (complexity > limits.maxComplexity) {
    throw new ChorusError(
      ErrorCode.QUERY_TOO_COMPLEX,
      `The query is too complex: ${complexity}, the limit is ${limits.maxComplexity}`,
      // thrown from a request hook: without a status Apollo would answer 500
      { complexity, maxComplexity: limits.maxComplexity, http: { status: 400 } },
    );
  }
  return complexity;
}

/** Coercion messages quote the value they refuse, which may be a megabyte: keep the answer small. */
function clip(message: string, max = 1_000): string {
  return message.length <= max ? message : message.slice(0, max) + "…";
}
