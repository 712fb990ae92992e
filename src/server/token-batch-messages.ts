/**
 * A worker's token batches taken off its socket before graphql-ws sees them. Once a connection's token operation is
 * known (token-fast-path.ts), every later batch still went through graphql-ws's message handling: its message
 * parse and validation, its subscription record, the onSubscribe hook, the execute hook, the result's `next` and the
 * `complete`, each message serialised and validated again, a dozen promises in all (each paying AsyncLocalStorage's
 * promise hooks): 5–8 % of the server's busy samples while streaming (bench/RESULTS.md, branch tok3).
 *
 * Here a connection's message listener first offers each raw message to a handler; one it does not take (anything but
 * a well-formed `subscribe` of the connection's token operation that may skip the general path) goes to graphql-ws
 * unchanged, which answers and refuses it as before. The handler (websocket-server.ts) keeps graphql-ws's protocol:
 * the id is recorded in the connection's operations while the batch runs (a duplicate id, or one over the operation
 * limit, goes graphql-ws's way and is refused there), and the answer is graphql-ws's `next` (through the same onNext
 * hook) then `complete`, byte for byte.
 */
import type WebSocket from "ws";
import type { TokenBatch, TokenOperation } from "../modules/workers/token-fast-path.js";
import { tokenBatchOf } from "../modules/workers/token-fast-path.js";

/** A `subscribe` message of the connection's token operation, as graphql-ws would have parsed it. */
export interface TokenBatchMessage {
  id: string;
  payload: { query: string; operationName?: string | null; variables: Record<string, unknown> };
  batch: TokenBatch;
}

/**
 * Offers each message of `socket` to `take` before graphql-ws's listener (which useServer added when the socket
 * opened); a message `take` returns false for goes to that listener as it came.
 */
export function offerMessagesFirst(socket: WebSocket, take: (data: WebSocket.RawData, isBinary: boolean) => boolean): void {
  const listeners = socket.listeners("message") as ((data: WebSocket.RawData, isBinary: boolean) => void)[];
  for (const listener of listeners) socket.off("message", listener);
  socket.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
    if (take(data, isBinary)) return;
    for (const listener of listeners) listener.call(socket, data, isBinary);
  });
}

/**
 * The token batch `text` carries, when it is a `subscribe` message graphql-ws would accept (its validateMessage) of
 * exactly the connection's token operation with variables the general path would accept as they are; null for
 * anything else (which graphql-ws then parses and answers itself).
 */
export function tokenBatchMessage(text: string, op: TokenOperation): TokenBatchMessage | null {
  // Not a subscribe of this document: no need to parse it here (graphql-ws will).
  if (!text.includes('"subscribe"')) return null;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(message) || message.type !== "subscribe") return null;
  const { id, payload } = message;
  if (typeof id !== "string" || id === "" || !isObject(payload)) return null;
  // What graphql-ws's validation asks of a subscribe's payload besides the query (tokenBatchOf checks that and the
  // variables); anything it would refuse is left to it.
  if (payload.operationName != null && typeof payload.operationName !== "string") return null;
  if (payload.extensions != null && !isObject(payload.extensions)) return null;
  const batch = tokenBatchOf(op, payload);
  if (!batch) return null;
  return { id, payload: payload as TokenBatchMessage["payload"], batch };
}

/** graphql-ws's `next` message for `id` (its stringifyMessage: id, type, payload, in that order). */
export function nextMessage(id: string, payload: unknown): string {
  return JSON.stringify({ id, type: "next", payload });
}

/** The same, for a payload serialised already. */
export function nextMessageOfJson(id: string, payloadJson: string): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${payloadJson}}`;
}

/** graphql-ws's `complete` message for `id`. */
export function completeMessage(id: string): string {
  // By template, as nextMessageOfJson: the same bytes as JSON.stringify({ id, type: "complete" }), without the object.
  return `{"id":${JSON.stringify(id)},"type":"complete"}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
