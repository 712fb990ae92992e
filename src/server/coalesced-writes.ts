/**
 * One socket write per websocket connection and turn of the event loop, however many messages it sends in that turn;
 * and each text message framed into one buffer.
 *
 * Each graphql-ws message is one `ws` frame, and `ws` writes each frame as soon as it is sent: one `writev` system
 * call per message. A worker connection gets two messages per token batch (the mutation's `next` and its
 * `complete`), for every job it runs, and the acknowledgements of many batches become ready together (their Redis
 * replies arrive in one read); in the stream benchmark's profile these writes were the largest single cost of the
 * token path. Corking the connection's TCP socket at its first message of a turn and uncorking it once the turn's
 * synchronous work and promise reactions are done (process.nextTick) hands the kernel all of them in one call. The
 * bytes, their order and the frames are unchanged; a message waits at most until the current turn ends.
 *
 * Framing: `ws` hands the TCP socket each unmasked frame as two writes, its header and its payload (a string, which
 * node then encodes while writing), so every message cost two entries in the socket's write queue and a mixed
 * string/buffer `writev` (bench/RESULTS.md, branch cpu5: node's stream machinery was the largest item of the
 * server's CPU while streaming). A text message sent with no options or callback, on an open connection with no
 * extension negotiated (this server offers no permessage-deflate) and nothing queued in ws's sender, is framed here
 * as ws frames it (FIN, text opcode, no mask, 7/16/64-bit length) into one buffer, header and UTF-8 payload, and
 * written as one entry. Everything else goes through ws unchanged; every write, either way, goes to the same TCP
 * socket in call order, so frames keep their order with ws's own (close frames, pings, pongs).
 */
import type net from "node:net";
import type WebSocket from "ws";

/** What this module reads of ws's internals (stable across ws 8): its TCP socket, extensions and sender's state. */
interface WsInternals {
  _socket?: net.Socket;
  _extensions?: Record<string, unknown>;
  _sender?: { _state?: number; _firstFragment?: boolean };
}

/** ws's sender state when nothing is queued (ws/lib/sender.js DEFAULT). */
const SENDER_IDLE = 0;

export function coalesceWrites(socket: WebSocket): void {
  const internals = socket as unknown as WsInternals;
  const tcp = internals._socket;
  if (!tcp || typeof tcp.cork !== "function") return;
  let corked = false;
  const uncork = () => {
    corked = false;
    tcp.uncork();
  };
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  socket.send = ((...args: unknown[]) => {
    if (!corked && !tcp.destroyed) {
      corked = true;
      tcp.cork();
      process.nextTick(uncork);
    }
    const data = args[0];
    const sender = internals._sender;
    if (
      args.length === 1 &&
      typeof data === "string" &&
      socket.readyState === socket.OPEN &&
      sender?._state === SENDER_IDLE &&
      sender._firstFragment === true &&
      (internals._extensions === undefined || Object.keys(internals._extensions).length === 0)
    ) {
      tcp.write(textFrame(data));
      return;
    }
    send(...args);
  }) as WebSocket["send"];
}

/** An unmasked, final text frame of `text` (RFC 6455 5.2), as ws's Sender.frame makes it, in one buffer. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const offset = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(offset + length);
  frame[0] = 0x81;
  if (offset === 2) {
    frame[1] = length;
  } else if (offset === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame[2] = frame[3] = 0;
    frame.writeUIntBE(length, 4, 6);
  }
  frame.write(text, offset, "utf8");
  return frame;
}
