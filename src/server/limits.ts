import { GraphQLError, getOperationAST, getVariableValues, validate, type DocumentNode, type GraphQLSchema } from "graphql";
import depthLimit from "graphql-depth-limit";
import { getComplexity, simpleEstimator, fieldExtensionsEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import { ChorusError, ErrorCode } from "./errors.js";

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
}

/** A list field costs its page size times what each item costs: `first`/`limit` arguments multiply. */
const paginatedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const size = typeof args.first === "number" ? args.first : typeof args.limit === "number" ? args.limit : undefined;
  if (size === undefined) return undefined;
  return 1 + Math.max(1, size) * Math.max(1, childComplexity);
};

const ESTIMATORS = [fieldExtensionsEstimator(), paginatedEstimator, simpleEstimator({ defaultComplexity: 1 })];

/**
 * Rejects, before execution, an operation deeper or costlier than allowed (introspection fields do not count
 * toward depth). Shared by HTTP and websocket execution.
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined | null,
  variables: Record<string, unknown> | undefined | null,
  limits: QueryLimits,
): { depthOk: true; complexity: number } {
  let tooDeep: string | undefined;
  const errors = validate(schema, document, [
    depthLimit(limits.maxDepth, {}, () => undefined) as never,
  ]);
  if (errors.length > 0) tooDeep = errors[0].message;
  if (tooDeep) {
    throw new ChorusError(ErrorCode.QUERY_TOO_DEEP, `The query is too deep (the limit is ${limits.maxDepth}): ${tooDeep}`, {
      maxDepth: limits.maxDepth,
      http: { status: 400 },
    });
  }
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
      estimators: ESTIMATORS,
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
  return { depthOk: true, complexity };
}

/** Coercion messages quote the value they refuse, which may be a megabyte: keep the answer small. */
function clip(message: string, max = 1_000): string {
  return message.length <= max ? message : message.slice(0, max) + "…";
}
