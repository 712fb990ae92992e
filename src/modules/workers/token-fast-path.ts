/**
 * The worker's token batches without the general execution path. A worker sends one fixed, versioned document for
 * its batches (gpu-workers' `mutation WorkerTokens($input: WorkerTokensInput!) { workerTokens(input: $input) { ok
 * cancel } }`), tens of times a second per job. The general path parses (or hashes and looks up), validates,
 * measures complexity, coerces the variables, runs type-graphql's middlewares and argument validation, then
 * completes the result: per batch, the bulk of the server's CPU on the token path.
 *
 * So a connection's first token batch goes the general way, every limit included; when its document is this one
 * operation in a form this module can answer itself, the connection remembers the query text. Later batches with the
 * very same text, operation name and well-formed variables skip to the service call. Everything that makes the
 * general path refuse a batch (malformed input, another document, unknown members, an integer out of range, lone
 * surrogates) sends that batch the general way, so it is refused with exactly the same error; the checks kept on
 * this path are those that depend on the call, not on the document: the caller's identity (authChecker, as
 * @Authorized(WORKER) does), the job's ownership and lease (JobReports.tokens) and the socket's operation limit
 * (websocket-server.ts, before this). The protocol version is checked where it is declared, by the hello of the connection's
 * workerJobs subscription, which is what hands out the jobs these batches report on.
 */
import { Kind, locatedError, type DocumentNode, type ExecutionResult, type FieldNode } from "graphql";
import type { Context } from "../../server/context.js";
import { assertAuthorized, Requirement } from "../../server/auth.js";

export interface TokenOperation {
  query: string;
  operationName: string | undefined;
  document: DocumentNode;
  variableName: string;
  rootKey: string;
  rootField: FieldNode;
  /** The response keys of WorkerAck asked for, in order (first occurrence of a key wins). */
  selection: { key: string; field: "ok" | "cancel" | "__typename" }[];
}

export interface TokenBatch {
  jobId: string;
  text: string;
  tokenCount: number;
}

const INPUT_KEYS = ["jobId", "text", "tokenCount"];
const MAX_INT = 2_147_483_647;

/**
 * The token operation of an admitted document, or null when it is anything else (or uses what this module does not
 * answer itself: fragments, directives, aliases of the operation's variable, defaults).
 */
export function recogniseTokenOperation(query: string, operationName: string | undefined, document: DocumentNode): TokenOperation | null {
  if (document.definitions.length !== 1) return null;
  const op = document.definitions[0];
  if (op.kind !== Kind.OPERATION_DEFINITION || op.operation !== "mutation" || op.directives?.length) return null;
  if ((op.name?.value ?? undefined) !== operationName && operationName !== undefined) return null;
  const vars = op.variableDefinitions ?? [];
  if (vars.length !== 1) return null;
  const v = vars[0];
  if (v.defaultValue || v.directives?.length) return null;
  if (v.type.kind !== Kind.NON_NULL_TYPE || v.type.type.kind !== Kind.NAMED_TYPE || v.type.type.name.value !== "WorkerTokensInput") return null;
  const roots = op.selectionSet.selections;
  if (roots.length !== 1 || roots[0].kind !== Kind.FIELD) return null;
  const root = roots[0];
  if (root.name.value !== "workerTokens" || root.directives?.length || !root.selectionSet) return null;
  const args = root.arguments ?? [];
  if (args.length !== 1 || args[0].name.value !== "input" || args[0].value.kind !== Kind.VARIABLE) return null;
  if (args[0].value.name.value !== v.variable.name.value) return null;
  const selection: TokenOperation["selection"] = [];
  const keys = new Set<string>();
  for (const s of root.selectionSet.selections) {
    if (s.kind !== Kind.FIELD || s.directives?.length || s.selectionSet || s.arguments?.length) return null;
    const field = s.name.value;
    if (field !== "ok" && field !== "cancel" && field !== "__typename") return null;
    const key = s.alias?.value ?? field;
    if (keys.has(key)) continue;
    keys.add(key);
    selection.push({ key, field });
  }
  return { query, operationName, document, variableName: v.variable.name.value, rootKey: root.alias?.value ?? root.name.value, rootField: root, selection };
}

/**
 * The batch, when `request` is the connection's token operation with variables the general path would accept as
 * they are; null sends it the general way.
 */
export function tokenBatchOf(op: TokenOperation, request: { query?: unknown; operationName?: unknown; variables?: unknown }): TokenBatch | null {
  if (request.query !== op.query || (request.operationName ?? undefined) !== op.operationName) return null;
  const variables = request.variables;
  if (variables === null || typeof variables !== "object" || Array.isArray(variables)) return null;
  const names = Object.keys(variables);
  if (names.length !== 1 || names[0] !== op.variableName) return null;
  const input = (variables as Record<string, unknown>)[op.variableName];
  if (input === null || typeof input !== "object" || Array.isArray(input)) return null;
  const members = Object.keys(input);
  if (members.length !== INPUT_KEYS.length || !INPUT_KEYS.every((k) => members.includes(k))) return null;
  const { jobId, text, tokenCount } = input as Record<string, unknown>;
  if (typeof jobId !== "string" || typeof text !== "string" || typeof tokenCount !== "number") return null;
  if (!Number.isInteger(tokenCount) || tokenCount < 0 || tokenCount > MAX_INT) return null;
  if (!isWellFormed(jobId) || !isWellFormed(text)) return null;
  return { jobId, text, tokenCount };
}

/** The batch reported, answered as graphql-js would answer the operation (errors located at the root field). */
export function runTokenBatch(op: TokenOperation, ctx: Context, batch: TokenBatch): Promise<ExecutionResult> {
  // WorkerAck! at the root of a mutation: an error there nulls the whole data, as graphql-js does.
  const failed = (err: unknown): ExecutionResult => ({ data: null, errors: [locatedError(err, [op.rootField], [op.rootKey])] });
  // A promise reaction rather than an async function awaiting the report: one promise fewer per batch (see
  // JobReports.tokens); a failure, thrown or rejected, is answered the same.
  try {
    assertAuthorized(ctx, [Requirement.WORKER]);
    return ctx.app.workers
      .tokens(ctx.workerConnection ?? null, batch.jobId, batch.text, batch.tokenCount)
      .then((ack) => ackResult(op, ack.ok, ack.cancel), failed);
  } catch (err) {
    return Promise.resolve(failed(err));
  }
}

/**
 * The operation's answer to an ack, one object per operation and (ok, cancel), made once and shared by its batches
 * (nothing downstream changes a result: graphql-ws and the hooks copy what they keep).
 */
function ackResult(op: TokenOperation, ok: boolean, cancel: boolean): ExecutionResult {
  const results = (acks.get(op) ?? acks.set(op, []).get(op))!;
  const index = (ok ? 2 : 0) + (cancel ? 1 : 0);
  let result = results[index];
  if (!result) {
    const out: Record<string, unknown> = {};
    for (const { key, field } of op.selection) out[key] = field === "__typename" ? "WorkerAck" : field === "ok" ? ok : cancel;
    result = Object.freeze({ data: Object.freeze({ [op.rootKey]: Object.freeze(out) }) });
    results[index] = result;
    ackJson.set(result, JSON.stringify(result));
  }
  return result;
}

const acks = new WeakMap<TokenOperation, ExecutionResult[]>();
const ackJson = new WeakMap<ExecutionResult, string>();

/**
 * The JSON of `result` when it is one of the shared ack results (a batch's answer without errors): what graphql-ws
 * would serialise as its `next` payload, serialised once per operation instead of once or twice per batch.
 */
export function ackResultJson(result: ExecutionResult): string | undefined {
  return ackJson.get(result);
}

function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}
