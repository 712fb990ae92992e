/**
 * Sends a payload that is JSON already (a generation event serialised once for all its subscribers, see
 * src/modules/chat/generation/generation-fan-out.ts) inside graphql-ws's `next` message without serialising it again.
 *
 * graphql-ws builds each message with JSON.stringify and hands the string to the socket's `send`. A payload from
 * `payloadOf` serialises as a unique marker string; the socket's `send`, wrapped once per connection, puts the JSON in
 * the marker's place. graphql-ws stringifies the message and calls `send` in one synchronous step, so the one
 * pending payload a connection holds is always the one of the message being sent; the marker check makes sure of
 * it (a message sent while the socket was closing, which graphql-ws drops before `send`, leaves nothing behind that
 * the next message could take).
 */
import crypto from "node:crypto";
import type WebSocket from "ws";

/** Unguessable, so no text inside a payload can pass for a marker. */
const NONCE = crypto.randomBytes(12).toString("hex");
/** graphql-ws writes `{"id":…,"type":"next","payload":…}`: the payload is the message's last member. */
const PAYLOAD_MEMBER = '"payload":';

export interface SerialisedSender {
  /** The value to return from graphql-ws's onNext for a payload serialised as `json`. */
  payloadOf(json: string): object;
}

export function serialisedSender(socket: WebSocket): SerialisedSender {
  let counter = 0;
  let pending: { tail: string; json: string } | null = null;
  const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
  socket.send = ((data: unknown, ...rest: unknown[]) => {
    if (pending !== null && typeof data === "string") {
      const { tail, json } = pending;
      pending = null;
      if (data.endsWith(tail)) data = `${data.slice(0, data.length - tail.length)}${PAYLOAD_MEMBER}${json}}`;
    }
    send(data, ...rest);
  }) as WebSocket["send"];
  return {
    payloadOf(json: string): object {
      return {
        toJSON(): string {
          const marker = `${NONCE}:${++counter}`;
          pending = { tail: `${PAYLOAD_MEMBER}"${marker}"}`, json };
          return marker;
        },
      };
    },
  };
}
