/**
 * A small typed client for the examples: every operation is a TypedDocumentNode that `npm run codegen` generates
 * from schema/operations/*.graphql into client/generated/, so a schema change that breaks an example breaks the
 * build. HTTP for queries and mutations, graphql-ws for subscriptions; both send the same credentials.
 */
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface ChorusSettings {
  /** The HTTP URL of the GraphQL endpoint, e.g. http://localhost:4000/graphql (the websocket URL is derived). */
  apiUrl: string;
  /** An API key (chk_...) or a user token: sent as `Authorization: Bearer ...`. */
  bearer: string;
  /** With an API key: the user it acts for, `<auth_method>:<id>` (a user token names its user itself). */
  user?: string;
}

/** A GraphQL error answer, with the first error's `extensions.code` (UNAUTHENTICATED, RATE_LIMITED, ...). */
export class ChorusError extends Error {
  constructor(
    readonly code: string | undefined,
    readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[],
  ) {
    super(`${code ?? "ERROR"}: ${errors.map((e) => e.message).join("; ")}`);
  }
}

/** Reads a required environment variable, or exits with a message naming it (the examples' only configuration). */
export function requireEnv(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === "") {
    console.error(`${name} is not set (see examples/README.md)`);
    process.exit(2);
  }
  return value;
}

/** The API URL every example reads: CHORUS_API_URL, by default a local `npm start`. */
export function apiUrlFromEnv(): string {
  return requireEnv("CHORUS_API_URL", "http://localhost:4000/graphql");
}

export class ChorusClient {
  private ws: Client | undefined;

  constructor(readonly settings: ChorusSettings) {}

  /** Sends a query or mutation over HTTP; answers its data, or throws ChorusError. */
  async request<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables): Promise<TResult> {
    const res = await fetch(this.settings.apiUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...this.headers() },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await res.json()) as { data?: TResult | null; errors?: ChorusError["errors"] };
    if (body.errors?.length) throw new ChorusError(body.errors[0].extensions?.code as string | undefined, body.errors);
    return body.data as TResult;
  }

  /** Subscribes over graphql-ws (one socket per client, opened on first use); yields each event's data. */
  async *subscribe<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables): AsyncGenerator<TResult> {
    const results = this.socket().iterate<TResult>({ query: print(document), variables: variables as Record<string, unknown> });
    for await (const result of results) {
      if (result.errors?.length) throw new ChorusError(result.errors[0].extensions?.code as string | undefined, result.errors);
      yield result.data as TResult;
    }
  }

  /** Closes the websocket, if one is open. */
  async close(): Promise<void> {
    const ws = this.ws;
    this.ws = undefined;
    await ws?.dispose();
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { authorization: `Bearer ${this.settings.bearer}` };
    if (this.settings.user) h["x-chorus-user"] = this.settings.user;
    return h;
  }

  private socket(): Client {
    this.ws ??= createClient({
      url: this.settings.apiUrl.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      // Over graphql-ws the credentials travel in connectionParams, with the names the HTTP headers have.
      connectionParams: { authorization: `Bearer ${this.settings.bearer}`, ...(this.settings.user ? { user: this.settings.user } : {}) },
      retryAttempts: 0,
    });
    return this.ws;
  }
}
