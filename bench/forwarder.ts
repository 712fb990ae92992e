/**
 * The yardstick of the Streams workload: the same token batches through the smallest forwarder we could write:
 * a worker's websocket → Redis PUBLISH → Redis subscriber → the client's plain websocket. No GraphQL, no
 * database, no auth, no replay. `node dist/bench/forwarder.js PORT REDIS_URL`; prints "listening" when ready.
 */
import http from "node:http";
import { Redis } from "ioredis";
import { WebSocketServer, type WebSocket } from "ws";

const [port, redisUrl] = [Number(process.argv[2]), process.argv[3]];
const pub = new Redis(redisUrl);
const sub = new Redis(redisUrl);
const clients = new Map<string, Set<WebSocket>>();

sub.on("messageBuffer", (channel: Buffer, message: Buffer) => {
  const set = clients.get(channel.toString().slice(4));
  if (set) for (const ws of set) ws.send(message);
});

const server = http.createServer();
const wss = new WebSocketServer({ server });
wss.on("connection", (ws, req) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/worker") {
    // {s: stream id, ...}: published as is on the stream's channel
    ws.on("message", (data: Buffer) => {
      const s = JSON.parse(data.toString()).s as string;
      void pub.publish(`fwd:${s}`, data);
    });
    return;
  }
  const stream = url.searchParams.get("s")!;
  let set = clients.get(stream);
  if (!set) {
    set = new Set();
    clients.set(stream, set);
    void sub.subscribe(`fwd:${stream}`).then(() => ws.send('{"subscribed":true}'));
  } else ws.send('{"subscribed":true}');
  set.add(ws);
  ws.on("close", () => {
    set!.delete(ws);
    if (set!.size === 0) {
      clients.delete(stream);
      void sub.unsubscribe(`fwd:${stream}`);
    }
  });
});
server.listen(port, "127.0.0.1", () => process.stdout.write("listening\n"));
process.on("SIGTERM", () => process.exit(0));
