import {
  BREAK,
  GraphQLError,
  Kind,
  getOperationAST,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  validate,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import depthLimit from "graphql-depth-limit";
import { getComplexity, fieldExtensionsEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import { ChorusError, ErrorCode } from "../common/errors.js";
import { SIZE_ARGUMENTS, listAwareEstimator } from "./complexity.js";

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

/**
 * Coerces an operation's variables, stopping at a few errors, and refuses them with BAD_USER_INPUT (400) when they do
 * not coerce: graphql-query-complexity coerces them without an error cap, and every error message quotes the
 * offending value, so one object with thousands of unknown keys cost seconds of CPU per request (found by the fuzz
 * test). Made for every request, whatever was cached.
 */
export function assertVariablesCoerce(
  schema: GraphQLSchema,
  op: OperationDefinitionNode | null | undefined,
  variables: Record<string, unknown> | undefined | null,
): void {
  if (!op?.variableDefinitions?.length) return;
  const coerced = getVariableValues(schema, op.variableDefinitions, (variables ?? {}) as Record<string, unknown>, { maxErrors: 5 });
  if (coerced.errors?.length) {
    throw new ChorusError(ErrorCode.BAD_USER_INPUT, clip(coerced.errors[0].message), { http: { status: 400 } });
  }
}

/**
 * Whether a document's complexity may change with its variables: when a variable is used in a directive (`@include`,
 * `@skip`: which fields count) or in an argument that sizes a list (src/server/complexity.ts reads only those), or
 * when some field of the schema has an estimator of its own in its extensions (which may read any argument).
 * Otherwise the complexity is a property of the document and operation alone. Errs on "may change".
 */
export function complexityReadsVariables(schema: GraphQLSchema, document: DocumentNode): boolean {
  if (fieldEstimatorsIn(schema)) return true;
  let reads = false;
  let inSizing = 0;
  visit(document, {
    Directive: {
      enter: () => {
        inSizing++;
      },
      leave: () => {
        inSizing--;
      },
    },
    Argument: {
      enter: (node) => {
        if ((SIZE_ARGUMENTS as readonly string[]).includes(node.name.value)) inSizing++;
      },
      leave: (node) => {
        if ((SIZE_ARGUMENTS as readonly string[]).includes(node.name.value)) inSizing--;
      },
    },
    Variable: (_node, _key, parent) => {
      // A variable's definition (`$n: Int`) is not a use of it.
      if (inSizing > 0 && (parent as { kind?: string } | undefined)?.kind !== Kind.VARIABLE_DEFINITION) {
        reads = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return reads;
}

/** Whether any field of the schema declares its own complexity (`extensions.complexity`); checked once per schema. */
const withFieldEstimators = new WeakMap<GraphQLSchema, boolean>();
function fieldEstimatorsIn(schema: GraphQLSchema): boolean {
  let found = withFieldEstimators.get(schema);
  if (found === undefined) {
    found = Object.values(schema.getTypeMap()).some(
      (t) => (isObjectType(t) || isInterfaceType(t)) && Object.values(t.getFields()).some((f) => f.extensions?.complexity !== undefined),
    );
    withFieldEstimators.set(schema, found);
  }
  return found;
}

/** The complexity limit: depends on the variables (page sizes), so it is checked for every request. */
export function checkComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined | null,
  variables: Record<string, unknown> | undefined | null,
  limits: QueryLimits,
): number {
  assertVariablesCoerce(schema, getOperationAST(document, operationName ?? undefined), variables);
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
