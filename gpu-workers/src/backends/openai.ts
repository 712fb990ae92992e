/**
 * Any OpenAI-compatible chat server (vLLM, TGI, llama.cpp server, Ollama, hosted APIs) through
 * `POST {baseUrl}/chat/completions` with `stream: true`: how a pool scales past one machine.
 *
 * What it handles (spec oa-inference §8.5): SSE split anywhere across reads, keep-alive comments, chunks with no
 * choices or empty deltas, the usage chunk after the finish chunk, error objects inside the stream, HTTP errors
 * mapped to retryable or not, a stream that ends without a finish reason, time-to-first-byte and idle timeouts,
 * and cancellation by closing the connection (vLLM, TGI and Ollama stop generating when the client goes away).
 *
 * Continuing a partial answer (`continueFrom`, left by a worker that died mid-answer, or an answer extended with
 * continueGeneration) needs the server to go on inside the final assistant message. Servers differ, so it is a
 * setting (`continuation`), and the default claims nothing: a chat template applied the usual way closes that
 * message and opens a new assistant turn, and the stored answer would be the partial text followed by a whole new
 * answer. See OpenAIContinuation.
 */
import http from "node:http";
import https from "node:https";
import { BackendError, type BackendErrorCode } from "./errors.js";
import { validateSampling } from "./sampling.js";
import { SseParser, type ServerSentEvent } from "./sse.js";
import type { ChatMessage, FinishReason, GenerationEvent, GenerationRequest, ModelBackend } from "./types.js";

/**
 * How the server continues a final assistant message:
 * - `none` (the default): it cannot, or it is not known to. The backend says `canContinue: false`, so the API
 *   restarts a taken-over answer (subscribers get GenerationRestarted), and a request with `continueFrom` is refused
 *   with CONTINUATION_UNSUPPORTED rather than answered with a new answer glued to the old text.
 * - `vllm`: vLLM 0.6.3 or later, asked with `continue_final_message: true` and `add_generation_prompt: false`;
 *   load() checks the server's `/version` and refuses to start against anything else.
 * - `prefill`: a server that continues a trailing assistant message by itself, with no flag (llama.cpp's server
 *   does unless started with `--no-prefill-assistant`). Only the operator can know: check that yours does.
 */
export type OpenAIContinuation = "none" | "vllm" | "prefill";
export const OPENAI_CONTINUATIONS: readonly OpenAIContinuation[] = ["none", "vllm", "prefill"];

/** The first vLLM release with `continue_final_message`. */
export const VLLM_CONTINUATION_SINCE = [0, 6, 3] as const;

/** `0.8.5`, `0.6.3.post1`, `0.10.1rc1`, `v0.9.0` → [major, minor, patch]; null if it is not a version. */
export function parseVersion(text: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

function versionAtLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    if ((version[i] ?? 0) !== minimum[i]) return (version[i] ?? 0) > minimum[i];
  }
  return true;
}

export interface OpenAICompatibleBackendOptions {
  /** The API root, including the version segment: `http://host:8000/v1`. */
  baseUrl: string;
  /** The model name the server knows (`model` in the request body). */
  model: string;
  /** Sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** Extra request headers (e.g. basic auth for a hosted endpoint). */
  headers?: Record<string, string>;
  /**
   * Also send `top_k` and `repetition_penalty`, which vLLM, TGI and llama.cpp accept but OpenAI's own API
   * rejects. Off by default.
   */
  nonStandardSampling?: boolean;
  /** How the server continues a partial answer (see OpenAIContinuation); default `none`. */
  continuation?: OpenAIContinuation;
  /** Milliseconds to wait for the response headers. Default 60 s (a busy server queues before answering). */
  firstByteTimeoutMs?: number;
  /** Milliseconds without any bytes (data or keep-alive) before the stream counts as dead. Default 60 s. */
  idleTimeoutMs?: number;
}

interface ChatCompletionChunk {
  choices?: { index?: number; delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}

/** Maps an HTTP status (or an error object's numeric code) to what the worker can do about it. */
export function errorCodeForStatus(status: number, message = ""): BackendErrorCode {
  if (status === 400 || status === 413 || status === 422) {
    return /context length|context_length|maximum context|too many tokens|prompt is too long/i.test(message) ? "CONTEXT_LENGTH_EXCEEDED" : "BAD_REQUEST";
  }
  if (status === 401 || status === 403) return "UNAUTHORIZED";
  if (status === 404) return "NOT_FOUND";
  if (status === 408) return "TIMEOUT";
  if (status === 429) return "RATE_LIMITED";
  if (status === 503 || status === 529) return "OVERLOADED";
  if (status >= 500) return "SERVER_ERROR";
  return "BAD_REQUEST";
}

/** The human-readable part of the error bodies servers send: `{error: {message}}`, `{error: "..."}`, `{detail}`. */
function errorMessageOf(payload: unknown): string | null {
  if (typeof payload === "string") return payload;
  if (typeof payload !== "object" || payload === null) return null;
  const record = payload as Record<string, unknown>;
  for (const key of ["error", "message", "detail"]) {
    const value = record[key];
    if (typeof value === "string") return value;
    if (key === "error" && typeof value === "object" && value !== null) return errorMessageOf(value);
  }
  return null;
}

function numericCodeOf(payload: unknown): number | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const error = (payload as Record<string, unknown>).error;
  const code = typeof error === "object" && error !== null ? (error as Record<string, unknown>).code : undefined;
  return typeof code === "number" ? code : undefined;
}

function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function finishReasonOf(serverReason: string): FinishReason {
  // 'stop' covers EOS and stop sequences; tool_calls and content_filter also end the answer normally, and the
  // raw value is kept in serverFinishReason for whoever needs to tell them apart.
  return serverReason === "length" ? "length" : "stop";
}

interface StreamState {
  /** `data: [DONE]` arrived. */
  done: boolean;
  serverFinishReason: string | null;
  usage: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** Applies one SSE event to the stream state; returns the new text pieces it carries. */
function readEvent(event: ServerSentEvent, stream: StreamState): string[] {
  if (event.event === "ping") return []; // TGI's keep-alive
  if (event.data === "[DONE]") {
    stream.done = true;
    return [];
  }
  const payload = safeJson(event.data);
  if (event.event === "error" || (typeof payload === "object" && payload !== null && "error" in payload)) {
    const message = errorMessageOf(payload) ?? event.data;
    const status = numericCodeOf(payload);
    throw new BackendError(status ? errorCodeForStatus(status, message) : "SERVER_ERROR", `error in the stream: ${message}`, { status });
  }
  if (typeof payload !== "object" || payload === null) {
    throw new BackendError("PROTOCOL_ERROR", `not a JSON chunk: ${event.data.slice(0, 200)}`);
  }
  const chunk = payload as ChatCompletionChunk;
  if (chunk.usage) stream.usage = chunk.usage;
  const pieces: string[] = [];
  // We ask for one choice; merging per index would matter only for n > 1.
  for (const choice of chunk.choices ?? []) {
    if ((choice.index ?? 0) !== 0) continue;
    const content = choice.delta?.content;
    if (typeof content === "string" && content !== "") pieces.push(content);
    if (choice.finish_reason) stream.serverFinishReason = choice.finish_reason;
  }
  return pieces;
}

/**
 * One answer's streaming request, through node's http client rather than fetch(). fetch() reads the body through
 * web streams (a ReadableStream, a promise and a transferable chunk per read, undici's WebAssembly parser): at 100
 * answers streaming at 20 tokens/s a worker on fetch() spent about 0.6 s of CPU per 1,000 tokens, twice the API
 * server's, on the same cores (issue 13, branch fresh7). Here each read is a Buffer from the socket. The agent keeps
 * connections alive, so an answer after another reuses its connection. Resolves with the response once its headers
 * are in; `signal` aborts the request (and the response) as fetch's would.
 */
function postStream(url: URL, agent: http.Agent, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === "https:" ? https : http).request(
      url,
      { method: "POST", agent, signal, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } },
      resolve,
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** How long a response may go on after its [DONE] before its connection is closed instead of reused. */
const DRAIN_AFTER_DONE_MS = 2_000;

/**
 * Reads what is left of a response after its [DONE] (the chunked body's end), so that node's agent takes the
 * connection back for the next answer instead of it being closed: a new connection per answer costs the next
 * answer's first token a TCP handshake, and a TLS one for an https server. A server that keeps the response open
 * (or sends more) is cut off after DRAIN_AFTER_DONE_MS.
 */
async function drainToAgent(body: http.IncomingMessage, reader: AsyncIterator<Buffer>): Promise<void> {
  const timer = setTimeout(() => body.destroy(), DRAIN_AFTER_DONE_MS);
  timer.unref();
  try {
    while (!(await reader.next()).done) {
      // what follows [DONE] carries nothing for the answer
    }
  } catch {
    // cut off, or the connection broke: the agent drops it either way
  } finally {
    clearTimeout(timer);
  }
}

/** The whole body of a response that is not a stream (an error), as text. */
async function bodyText(response: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export class OpenAICompatibleBackend implements ModelBackend {
  readonly device = "remote";
  private readonly chatUrl: string;
  private readonly modelsUrl: string;
  /** Keep-alive connections for the answers' requests (postStream). */
  private readonly agent: http.Agent;
  private closed = false;

  constructor(private readonly options: OpenAICompatibleBackendOptions) {
    const base = options.baseUrl.replace(/\/+$/, "");
    this.chatUrl = `${base}/chat/completions`;
    this.modelsUrl = `${base}/models`;
    this.agent = new (base.startsWith("https:") ? https.Agent : http.Agent)({ keepAlive: true });
  }

  get modelName(): string {
    return this.options.model;
  }

  get canContinue(): boolean {
    return (this.options.continuation ?? "none") !== "none";
  }

  private headers(): Record<string, string> {
    return {
      ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
      ...this.options.headers,
    };
  }

  /** Checks that the server answers and, when it lists its models, that it serves ours. */
  async load(): Promise<void> {
    this.closed = false;
    let response: Response;
    try {
      response = await fetch(this.modelsUrl, {
        headers: this.headers(),
        signal: AbortSignal.timeout(this.options.firstByteTimeoutMs ?? 60_000),
      });
    } catch (error) {
      throw new BackendError("NETWORK_ERROR", `cannot reach ${this.modelsUrl}: ${causeMessage(error)}`, { cause: error });
    }
    // Some servers have no model list; only a list that leaves our model out is an error.
    if (response.status === 404 || response.status === 405) return void (await response.body?.cancel());
    if (!response.ok) throw await this.httpError(response);
    const listing = (await response.json().catch(() => null)) as { data?: { id?: unknown }[] } | null;
    const ids = (listing?.data ?? []).map((entry) => entry.id).filter((id): id is string => typeof id === "string");
    if (ids.length > 0 && !ids.includes(this.options.model)) {
      throw new BackendError("NOT_FOUND", `the server at ${this.options.baseUrl} serves ${ids.join(", ")}, not ${this.options.model}`);
    }
    if (this.options.continuation === "vllm") await this.checkVllmVersion();
  }

  /**
   * Continuation 'vllm' is a promise that the server honours `continue_final_message`: a server that ignores the
   * flag would append a whole new answer to the partial one. vLLM answers `GET /version` at its root.
   */
  private async checkVllmVersion(): Promise<void> {
    const url = `${this.options.baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "")}/version`;
    const refuse = (why: string) =>
      new BackendError(
        "CONTINUATION_UNSUPPORTED",
        `continuation "vllm" needs vLLM ${VLLM_CONTINUATION_SINCE.join(".")} or later, but ${why}; use continuation "none" (answers taken over from a failed worker then restart)`,
      );
    let response: Response;
    try {
      response = await fetch(url, { headers: this.headers(), signal: AbortSignal.timeout(this.options.firstByteTimeoutMs ?? 60_000) });
    } catch (error) {
      throw new BackendError("NETWORK_ERROR", `cannot reach ${url}: ${causeMessage(error)}`, { cause: error });
    }
    const body = (await response.json().catch(() => null)) as { version?: unknown } | null;
    const version = response.ok && typeof body?.version === "string" ? parseVersion(body.version) : null;
    if (!version) throw refuse(`${url} answered HTTP ${response.status} without a version (not vLLM?)`);
    if (!versionAtLeast(version, VLLM_CONTINUATION_SINCE)) throw refuse(`the server is vLLM ${String(body!.version)}`);
  }

  async *generate(request: GenerationRequest): AsyncGenerator<GenerationEvent, void, undefined> {
    if (this.closed) throw new BackendError("NOT_LOADED", "the backend is closed");
    const { sampling, signal } = request;
    validateSampling(sampling);
    if (request.continueFrom && !this.canContinue) {
      throw new BackendError(
        "CONTINUATION_UNSUPPORTED",
        'asked to continue a partial answer, but this server is not configured to continue one (continuation "none"): it would write a whole new answer after it',
      );
    }
    let text = "";
    let receivedTokens = 0;
    const cancelled = (): GenerationEvent => ({ type: "finish", finishReason: "cancelled", tokenCount: receivedTokens, promptTokens: 0, text });
    if (signal.aborted) {
      yield cancelled();
      return;
    }

    // One controller for the caller's abort and our timeouts; `timedOut` tells which one fired.
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    let timedOut: string | null = null;
    let timer: NodeJS.Timeout | undefined;
    const armTimeout = (ms: number, what: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = what;
        controller.abort();
      }, ms);
    };

    let body: http.IncomingMessage | undefined;
    let reader: AsyncIterator<Buffer> | undefined;
    // `data: [DONE]` came: the server finished the answer, and only the response's end can follow.
    let serverDone = false;
    try {
      armTimeout(this.options.firstByteTimeoutMs ?? 60_000, "no response");
      let response: http.IncomingMessage;
      try {
        response = await postStream(
          new URL(this.chatUrl),
          this.agent,
          { "content-type": "application/json", accept: "text/event-stream", ...this.headers() },
          JSON.stringify(this.requestBody(request)),
          controller.signal,
        );
      } catch (error) {
        if (signal.aborted) {
          yield cancelled();
          return;
        }
        if (timedOut) throw new BackendError("TIMEOUT", `${timedOut} from ${this.chatUrl}`, { cause: error });
        throw new BackendError("NETWORK_ERROR", `request to ${this.chatUrl} failed: ${causeMessage(error)}`, { cause: error });
      }
      body = response;
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        const text = await bodyText(response).catch(() => "");
        throw this.httpErrorOf(status, response.statusMessage ?? "", this.chatUrl, text, headerOf(response, "retry-after"));
      }
      const contentType = headerOf(response, "content-type") ?? "";
      if (!contentType.includes("text/event-stream")) {
        const text = await bodyText(response).catch(() => "");
        const payload = safeJson(text);
        const message = errorMessageOf(payload);
        if (message) throw new BackendError("SERVER_ERROR", `server error: ${message}`, { status });
        throw new BackendError("PROTOCOL_ERROR", `expected text/event-stream, got "${contentType}": ${text.slice(0, 200)}`);
      }

      reader = response[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const decoder = new TextDecoder("utf-8");
      const parser = new SseParser();
      const idleTimeoutMs = this.options.idleTimeoutMs ?? 60_000;
      const stream: StreamState = { done: false, serverFinishReason: null, usage: null };

      while (!stream.done) {
        armTimeout(idleTimeoutMs, "no data");
        let result: IteratorResult<Buffer>;
        try {
          result = await reader.next();
        } catch (error) {
          if (signal.aborted) break;
          if (timedOut) throw new BackendError("TIMEOUT", `${timedOut} for ${idleTimeoutMs} ms from ${this.chatUrl}`, { cause: error });
          throw new BackendError("NETWORK_ERROR", `the stream from ${this.chatUrl} broke: ${causeMessage(error)}`, { cause: error });
        }
        // The idle clock runs only while we wait for the server, not while a slow consumer handles our tokens.
        clearTimeout(timer);
        const events = result.done ? parser.feed(decoder.decode()).concat(parser.end()) : parser.feed(decoder.decode(result.value, { stream: true }));
        for (const event of events) {
          for (const content of readEvent(event, stream)) {
            if (signal.aborted) break;
            receivedTokens++;
            text += content;
            yield { type: "token", text: content, tokenCount: 1 };
          }
          if (stream.done || signal.aborted) break;
        }
        if (result.done || signal.aborted) break;
      }
      serverDone = stream.done;
      if (signal.aborted) {
        yield cancelled();
        return;
      }
      if (stream.serverFinishReason === null) {
        throw new BackendError("TRUNCATED_STREAM", `the stream from ${this.chatUrl} ended without a finish reason after ${receivedTokens} tokens`);
      }
      yield {
        type: "finish",
        finishReason: finishReasonOf(stream.serverFinishReason),
        serverFinishReason: stream.serverFinishReason,
        tokenCount: stream.usage?.completion_tokens ?? receivedTokens,
        promptTokens: stream.usage?.prompt_tokens ?? 0,
        text,
      };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      // Closing the connection is the cancel signal for the server, also when the consumer stopped early. A response
      // read to its end leaves its connection to the agent, for the next answer; after [DONE] the rest (the
      // response's end, usually in the same packet) is read in the background for that.
      if (body && reader && serverDone && !signal.aborted && !body.complete) void drainToAgent(body, reader);
      else if (!body?.complete) {
        controller.abort();
        body?.destroy();
      }
    }
  }

  private requestBody(request: GenerationRequest): Record<string, unknown> {
    const { sampling } = request;
    const messages: ChatMessage[] = [...request.messages];
    const continuing = request.continueFrom !== undefined && request.continueFrom !== "";
    if (continuing) messages.push({ role: "assistant", content: request.continueFrom! });
    return {
      model: this.options.model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: sampling.maxNewTokens,
      temperature: sampling.temperature,
      top_p: sampling.topP,
      ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
      ...(this.options.nonStandardSampling
        ? {
            ...(sampling.topK ? { top_k: sampling.topK } : {}),
            ...(sampling.repetitionPenalty !== undefined ? { repetition_penalty: sampling.repetitionPenalty } : {}),
          }
        : {}),
      // vLLM formats the final message open-ended and generates inside it; without the flag its chat template
      // closes the message and opens a new assistant turn.
      ...(continuing && this.options.continuation === "vllm" ? { continue_final_message: true, add_generation_prompt: false } : {}),
    };
  }

  private async httpError(response: Response): Promise<BackendError> {
    const body = await response.text().catch(() => "");
    return this.httpErrorOf(response.status, response.statusText, response.url, body, response.headers.get("retry-after"));
  }

  private httpErrorOf(status: number, statusText: string, url: string, body: string, retryAfter: string | null): BackendError {
    const message = errorMessageOf(safeJson(body)) ?? (body.slice(0, 200) || statusText);
    return new BackendError(errorCodeForStatus(status, message), `HTTP ${status} from ${url}: ${message}`, {
      status,
      retryAfterSeconds: parseRetryAfter(retryAfter),
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    // Idle keep-alive connections would otherwise hold the process open.
    this.agent.destroy();
  }
}

/** A response header as one string (a repeated one joined), or null. */
function headerOf(response: http.IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** fetch() wraps the real reason (ECONNREFUSED, a reset socket) in `cause`. */
function causeMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return error.message + cause;
}
