/**
 * The one door every GraphQL operation passes, over HTTP and graphql-ws alike, in this order: the caller is
 * identified (by the transport, before the gate), then the document's size, its Unicode, parsing, validation (with
 * introspection refused to those who may not introspect), depth, anonymous access, variables and complexity. Only a
 * document that passed every limit, for an identified caller, enters the cache of parsed documents, and that cache
 * is bounded by (estimated) bytes. A refused or anonymous request leaves nothing behind.
 *
 * Before this, documents were parsed and cached before any check: distinct 700 KB documents, each refused for size,
 * stayed cached at ~33 MB of heap each, and ~120 of them ended the process.
 */
import crypto from "node:crypto";
import { AsyncLocalStorage } from "node:async_hooks";
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from "graphql";
import type { Config } from "../config/index.js";
import { assertAnonymousMayRun } from "./auth.js";
import type { Context } from "./context.js";
import { ChorusError, ErrorCode } from "../common/errors.js";
import { assertVariablesCoerce, checkComplexity, checkDepth, complexityReadsVariables, type QueryLimits } from "./limits.js";

/** What a client sent: the body of a POST, the parameters of a GET, or a graphql-ws subscribe payload. */
export interface OperationRequest {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
}

export interface AdmittedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /** sha256 of the query text: Apollo's document store key (computed when Apollo asks: the direct path never does). */
  readonly queryHash: string;
  complexity: number;
}

/**
 * Heap a parsed document takes per byte of its source (measured: a 700 KB document held ~33 MB, ~47 bytes per byte;
 * typical documents are near 30). The cache charges every document this much.
 */
export const DOCUMENT_BYTES_PER_SOURCE_BYTE = 50;

/** An LRU of parsed documents by their text, bounded by the estimated heap they hold (the text counted in it). */
export class DocumentCache {
  private readonly entries = new Map<string, { document: DocumentNode; bytes: number }>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): DocumentNode | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key); // most recently used last
    this.entries.set(key, hit);
    return hit.document;
  }

  set(key: string, document: DocumentNode, sourceBytes: number): void {
    const bytes = sourceBytes * DOCUMENT_BYTES_PER_SOURCE_BYTE;
    if (bytes > this.maxBytes || this.entries.has(key)) return;
    while (this.used + bytes > this.maxBytes) {
      const [oldest, entry] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.used -= entry.bytes;
    }
    this.entries.set(key, { document, bytes });
    this.used += bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.used;
  }
}

/** Apollo's KeyValueCache<DocumentNode>, as far as its document store uses it. */
export interface DocumentStore {
  get(key: string): Promise<DocumentNode | undefined>;
  set(key: string, value: DocumentNode): Promise<void>;
  // biome-ignore lint/suspicious/noConfusingVoidType: Apollo's KeyValueCache declares it so
  delete(key: string): Promise<boolean | void>;
}

/** The operation admitted for the HTTP request being handled, which Apollo reads through `documentStore()`. */
const admittedHere = new AsyncLocalStorage<AdmittedOperation>();

export class OperationGate {
  readonly cache: DocumentCache;
  private readonly limits: QueryLimits;
  private readonly withIntrospection: ValidationRule[];
  private readonly withoutIntrospection: ValidationRule[];
  /** Complexities of cached documents that do not depend on the variables, by document and operation name. */
  private readonly fixedComplexity = new WeakMap<DocumentNode, Map<string, number>>();
  private readonly readsVariables = new WeakMap<DocumentNode, boolean>();
  /** How many times a complexity was computed (tests: what the memo saves). */
  complexityRuns = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly config: Pick<
      Config,
      "maxQueryDepth" | "maxQueryComplexity" | "maxDocumentBytes" | "documentCacheBytes" | "introspection" | "maxResponseBytes"
    >,
  ) {
    this.cache = new DocumentCache(config.documentCacheBytes);
    this.limits = { maxDepth: config.maxQueryDepth, maxComplexity: config.maxQueryComplexity };
    this.withIntrospection = [...specifiedRules];
    this.withoutIntrospection = [...specifiedRules, NoSchemaIntrospectionCustomRule];
  }

  /** Whether this caller may introspect (INTROSPECTION = true | authenticated | false). */
  mayIntrospect(ctx: Context): boolean {
    const policy = this.config.introspection;
    return policy === "true" || (policy === "authenticated" && ctx.identity.apiClient !== null);
  }

  /**
   * Checks one request of an identified caller; throws a ChorusError (with its HTTP status) for the first limit it
   * breaks. Nothing is kept unless every check passed and the caller has a key or token.
   */
  admit(ctx: Context, request: OperationRequest): AdmittedOperation {
    const { query } = request;
    if (typeof query !== "string" || query.length === 0) {
      throw new ChorusError(ErrorCode.BAD_REQUEST, "The request has no GraphQL document (`query` must be a non-empty string)", { http: { status: 400 } });
    }
    const operationName = request.operationName ?? undefined;
    if (operationName !== undefined && typeof operationName !== "string") {
      throw new ChorusError(ErrorCode.BAD_REQUEST, "`operationName` must be a string", { http: { status: 400 } });
    }
    const variables = request.variables ?? {};
    if (typeof variables !== "object" || Array.isArray(variables)) {
      throw new ChorusError(ErrorCode.BAD_REQUEST, "`variables` must be an object", { http: { status: 400 } });
    }
    // Cheap checks first: the size is known without reading the text (UTF-8 bytes ≤ 3 per UTF-16 unit).
    const sourceBytes = query.length * 3 <= this.config.maxDocumentBytes ? query.length : Buffer.byteLength(query);
    if (sourceBytes > this.config.maxDocumentBytes) {
      throw new ChorusError(
        ErrorCode.QUERY_TOO_LARGE,
        `The GraphQL document is ${sourceBytes} bytes, the limit is ${this.config.maxDocumentBytes} (MAX_DOCUMENT_BYTES)`,
        { maxDocumentBytes: this.config.maxDocumentBytes, http: { status: 413 } },
      );
    }
    assertWellFormed(query, "query");
    if (operationName !== undefined) assertWellFormed(operationName, "operationName");
    assertWellFormedValues(variables, "variables");

    const identified = ctx.identity.apiClient !== null;
    const introspect = this.mayIntrospect(ctx);
    // Cached documents were validated with the rules of identified callers, who share one introspection policy.
    // Keyed by the text itself: a Map hashes a string natively, far cheaper than a sha256 per request.
    let document = identified ? this.cache.get(query) : undefined;
    const cached = document !== undefined;
    if (!document) {
      try {
        document = parse(query);
      } catch (err) {
        throw new ChorusError(ErrorCode.GRAPHQL_PARSE_FAILED, (err as Error).message, { http: { status: 400 } });
      }
      const errors = validate(this.schema, document, introspect ? this.withIntrospection : this.withoutIntrospection, { maxErrors: 5 });
      if (errors.length) {
        throw new ChorusError(
          ErrorCode.GRAPHQL_VALIDATION_FAILED,
          errors
            .map((e) => e.message)
            .join("; ")
            .slice(0, 2000),
          {
            http: { status: 400 },
          },
        );
      }
      checkDepth(this.schema, document, this.limits);
    }
    if (!identified) assertAnonymousMayRun(document, operationName);
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      throw new ChorusError(
        ErrorCode.OPERATION_RESOLUTION_FAILURE,
        operationName ? `Unknown operation "${operationName}"` : "The document holds several operations: name one with operationName",
        {
          http: { status: 400 },
        },
      );
    }
    const complexity = this.complexityOf(document, operation, operationName, variables as Record<string, unknown>, identified);
    if (identified && !cached) this.cache.set(query, document, sourceBytes);
    let queryHash: string | undefined;
    return {
      document,
      operation,
      operationName,
      variables: variables as Record<string, unknown>,
      get queryHash() {
        queryHash ??= crypto.createHash("sha256").update(query).digest("hex");
        return queryHash;
      },
      complexity,
    };
  }

  /**
   * The operation's complexity, refused over the limit. A cached document whose complexity cannot change with its
   * variables (complexityReadsVariables) is weighed once per operation; its variables are still coerced on every
   * request. Others are weighed with each request's variables.
   */
  private complexityOf(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    operationName: string | undefined,
    variables: Record<string, unknown>,
    cacheable: boolean,
  ): number {
    const key = operationName ?? "";
    const known = this.fixedComplexity.get(document)?.get(key);
    if (known !== undefined) {
      assertVariablesCoerce(this.schema, operation, variables);
      return known;
    }
    this.complexityRuns++;
    const complexity = checkComplexity(this.schema, document, operationName, variables, this.limits);
    if (cacheable) {
      let reads = this.readsVariables.get(document);
      if (reads === undefined) this.readsVariables.set(document, (reads = complexityReadsVariables(this.schema, document)));
      if (!reads) {
        let byOperation = this.fixedComplexity.get(document);
        if (!byOperation) this.fixedComplexity.set(document, (byOperation = new Map()));
        byOperation.set(key, complexity);
      }
    }
    return complexity;
  }

  /** Runs `fn` with `admitted` as the document Apollo will execute for this HTTP request. */
  runAdmitted<T>(admitted: AdmittedOperation, fn: () => T): T {
    return admittedHere.run(admitted, fn);
  }

  /** The operation admitted for the current HTTP request, if any. */
  admittedNow(): AdmittedOperation | undefined {
    return admittedHere.getStore();
  }

  /**
   * Apollo's document store: it answers with the document the gate admitted for the request being handled (so
   * Apollo neither parses nor validates again) and keeps nothing itself. Apollo's key is a prefix and the sha256 of
   * the query.
   */
  documentStore(): DocumentStore {
    return {
      get: async (key: string) => {
        const admitted = admittedHere.getStore();
        return admitted && key.endsWith(admitted.queryHash) ? admitted.document : undefined;
      },
      set: async () => undefined,
      delete: async () => true,
    };
  }

  /**
   * The result as sent, or RESPONSE_TOO_LARGE in its place when its JSON is larger than MAX_RESPONSE_BYTES.
   * `json` is the serialised result when the caller has it already.
   */
  limitResponse(json: string): string | null {
    const bytes = json.length * 3 <= this.config.maxResponseBytes ? json.length : Buffer.byteLength(json);
    if (bytes <= this.config.maxResponseBytes) return null;
    return JSON.stringify({ errors: [responseTooLarge(bytes, this.config.maxResponseBytes).toJSON()], data: null });
  }

  responseTooLarge(result: unknown): GraphQLError | null {
    const json = JSON.stringify(result);
    const bytes = json.length * 3 <= this.config.maxResponseBytes ? json.length : Buffer.byteLength(json);
    return bytes > this.config.maxResponseBytes ? responseTooLarge(bytes, this.config.maxResponseBytes) : null;
  }
}

function responseTooLarge(bytes: number, max: number): ChorusError {
  return new ChorusError(
    ErrorCode.RESPONSE_TOO_LARGE,
    `The result is ${bytes} bytes, larger than the ${max} allowed (MAX_RESPONSE_BYTES): ask for fewer fields or smaller pages`,
    { maxResponseBytes: max },
  );
}

/**
 * Lone surrogates (from JSON escapes such as "\ud800") are refused: PostgreSQL cannot store them, and the driver
 * would silently turn them into U+FFFD.
 */
function assertWellFormed(value: string, where: string): void {
  if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    throw new ChorusError(ErrorCode.BAD_USER_INPUT, `${where} holds a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape): send well-formed Unicode`, {
      field: where,
      http: { status: 400 },
    });
  }
}

function assertWellFormedValues(value: unknown, where: string, depth = 0): void {
  if (typeof value === "string") {
    assertWellFormed(value, where);
    return;
  }
  if (value === null || typeof value !== "object" || depth > 64) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertWellFormedValues(v, `${where}[${i}]`, depth + 1));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    assertWellFormed(k, `${where} key`);
    assertWellFormedValues(v, `${where}.${k}`, depth + 1);
  }
}
