/**
 * One socket write per websocket connection and turn of the event loop, however many messages it sends in that turn.
 *
 * Each graphql-ws message is one `ws` frame, and `ws` writes each frame as soon as it is sent: one `writev` system
 * call per message. A worker connection gets two messages per token batch (the mutation's `next` and its
 * `complete`), for every job it runs, and the acknowledgements of many batches become ready together (their Redis
 * replies arrive in one read); in the stream benchmark's profile these writes were the largest single cost of the
 * token path. Corking the connection's TCP socket at its first message of a turn and uncorking it once the turn's
 * synchronous work and promise reactions are done (process.nextTick) hands the kernel all of them in one call. The
 * bytes, their order and the frames are unchanged; a message waits at most until the current turn ends.
 */
import type net from "node:net";
import type WebSocket from "ws";

export function coalesceWrites(socket: WebSocket): void {
  // `ws` keeps the TCP socket in `_socket` (not part of its typed API, stable across its versions).
  const tcp = (socket as unknown as { _socket?: net.Socket })._socket;
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
    send(...args);
  }) as WebSocket["send"];
}
