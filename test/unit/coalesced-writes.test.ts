/**
 * A websocket connection's messages of one turn of the event loop leave in one socket write
 * (src/server/coalesced-writes.ts), and arrive whole and in order.
 */
import { expect } from "chai";
import type net from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { coalesceWrites, textFrame } from "../../src/server/coalesced-writes.js";

/** ws's own framing (ws/lib/sender.js), what textFrame must equal byte for byte. */
const { Sender } = WebSocket as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

describe("coalesced websocket writes", () => {
  let server: WebSocketServer;
  let serverSide: Promise<WebSocket>;
  let client: WebSocket;

  beforeEach(async () => {
    server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    serverSide = new Promise((resolve) => server.once("connection", resolve));
    await new Promise((resolve) => server.once("listening", resolve));
    const { port } = server.address() as net.AddressInfo;
    client = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((resolve) => client.once("open", resolve));
  });

  afterEach(async () => {
    client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Counts the writes the server side's TCP socket hands to the kernel. */
  function countWrites(socket: WebSocket): { writes: number } {
    type Write = (...args: unknown[]) => void;
    const tcp = (socket as unknown as { _socket: net.Socket & { _writev: Write; _write: Write } })._socket;
    const count = { writes: 0 };
    const writev = tcp._writev.bind(tcp);
    const write = tcp._write.bind(tcp);
    tcp._writev = (...a: unknown[]) => {
      count.writes++;
      writev(...a);
    };
    tcp._write = (...a: unknown[]) => {
      count.writes++;
      write(...a);
    };
    return count;
  }

  function receive(n: number): Promise<string[]> {
    const got: string[] = [];
    return new Promise((resolve) =>
      client.on("message", (data) => {
        got.push(String(data));
        if (got.length === n) resolve(got);
      }),
    );
  }

  it("sends the messages of one turn in one write, whole and in order", async () => {
    const socket = await serverSide;
    coalesceWrites(socket);
    const count = countWrites(socket);
    const messages = ["next 1", "complete 1", "x".repeat(70_000), "next 2", "complete 2"];
    const received = receive(messages.length);
    for (const m of messages) socket.send(m);
    expect(await received).to.deep.equal(messages);
    expect(count.writes).to.equal(1);
    // and the next turn's messages go out too
    client.removeAllListeners("message");
    const more = receive(1);
    socket.send("later");
    expect(await more).to.deep.equal(["later"]);
    expect(count.writes).to.equal(2);
  });

  it("writes each message on its own without it (what the change is measured against)", async () => {
    const socket = await serverSide;
    const count = countWrites(socket);
    const received = receive(3);
    for (const m of ["a", "b", "c"]) socket.send(m);
    expect(await received).to.deep.equal(["a", "b", "c"]);
    expect(count.writes).to.equal(3);
  });

  it("frames each text message as ws does, header and payload in one buffer, at every length encoding", () => {
    for (const text of [
      "",
      "a",
      "x".repeat(125),
      "x".repeat(126),
      "é".repeat(40_000),
      "y".repeat(65_535),
      "z".repeat(65_536),
      '{"id":"1","type":"complete"}',
    ]) {
      const ws = Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }));
      expect(textFrame(text).equals(ws), `length ${text.length}`).to.equal(true);
    }
  });

  it("sends what it does not frame itself through ws, in order with the frames it does", async () => {
    const socket = await serverSide;
    coalesceWrites(socket);
    const received = new Promise<{ data: string; binary: boolean }[]>((resolve) => {
      const got: { data: string; binary: boolean }[] = [];
      client.on("message", (data, binary) => {
        got.push({ data: String(data), binary });
        if (got.length === 4) resolve(got);
      });
    });
    let sent = false;
    socket.send("text 1");
    socket.send(Buffer.from("binary"));
    socket.send("with a callback", () => (sent = true));
    socket.send("text 2");
    expect(await received).to.deep.equal([
      { data: "text 1", binary: false },
      { data: "binary", binary: true },
      { data: "with a callback", binary: false },
      { data: "text 2", binary: false },
    ]);
    expect(sent).to.equal(true);
  });
});
