import { print, type ExecutionResult } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface RequestOptions {
  key?: string;
  /** Send the key as x-api-key instead of Authorization: Bearer. */
  keyHeader?: "bearer" | "x-api-key";
  /** `auth_method:id` for x-chorus-user. */
  user?: string;
  userName?: string;
  headers?: Record<string, string>;
}

export interface GqlResponse<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
  headers: Headers;
}

function headersFor(opts: RequestOptions): Record<string, string> {
  const h: Record<string, string> = { "content-type": "application/json", ...(opts.headers ?? {}) };
  if (opts.key) {
    if (opts.keyHeader === "x-api-key") h["x-api-key"] = opts.key;
    else h.authorization = `Bearer ${opts.key}`;
  }
  if (opts.user) h["x-chorus-user"] = opts.user;
  if (opts.userName) h["x-chorus-user-name"] = opts.userName;
  return h;
}

/** POSTs a typed document to the real endpoint. */
export async function gql<TResult, TVariables>(
  url: string,
  document: TypedDocumentNode<TResult, TVariables>,
  variables?: TVariables,
  opts: RequestOptions = {},
): Promise<GqlResponse<TResult>> {
  return rawGql<TResult>(url, print(document), variables as Record<string, unknown> | undefined, opts);
}

/** POSTs a query string (for documents that are deliberately invalid or not in schema/operations). */
export async function rawGql<TResult = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  opts: RequestOptions = {},
): Promise<GqlResponse<TResult>> {
  const res = await fetch(url, { method: "POST", headers: headersFor(opts), body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  let body: { data?: TResult; errors?: GqlResponse<TResult>["errors"] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
}

/** The first error's extensions.code, for compact assertions. */
export function errorCode(res: { errors?: { extensions?: Record<string, unknown> }[] }): string | undefined {
  return res.errors?.[0]?.extensions?.code as string | undefined;
}

export function wsClient(
  url: string,
  connectionParams: Record<string, unknown> = {},
  extra: { retryAttempts?: number; onClose?: (code: number, reason: string) => void; lazy?: boolean; onConnected?: () => void } = {},
): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: extra.lazy ?? true,
    retryAttempts: extra.retryAttempts ?? 0,
    on: {
      connected: () => extra.onConnected?.(),
      closed: (event) => {
        const e = event as { code: number; reason: string };
        extra.onClose?.(e.code, e.reason);
      },
    },
  });
}

/** Subscribes and collects `count` results (or until completion/error). */
export function collect<TResult, TVariables>(
  client: Client,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  count: number,
  timeoutMs = 10_000,
): Promise<{ results: ExecutionResult<TResult>[]; error?: unknown; completed: boolean }> {
  return new Promise((resolve) => {
    const results: ExecutionResult<TResult>[] = [];
    let settled = false;
    const finish = (extra: { error?: unknown; completed: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      resolve({ results, ...extra });
    };
    const timer = setTimeout(() => finish({ completed: false, error: new Error("timeout") }), timeoutMs);
    const unsubscribe = client.subscribe<TResult>(
      { query: print(document), variables: variables as Record<string, unknown> },
      {
        next: (r) => {
          results.push(r as ExecutionResult<TResult>);
          if (results.length >= count) finish({ completed: false });
        },
        error: (error) => finish({ error, completed: false }),
        complete: () => finish({ completed: true }),
      },
    );
  });
}
