/**
 * A payload serialised once goes out inside graphql-ws's `next` message as it is (src/server/serialised-send.ts):
 * the message is graphql-ws's own, with the payload's JSON in place of its marker, and nothing else is touched.
 */
import { expect } from "chai";
import type WebSocket from "ws";
import { serialisedSender } from "../../src/server/serialised-send.js";

/** What graphql-ws does for a `next` message: stringify it, then hand the string to the socket. */
function sendNext(socket: { send(data: unknown): void }, id: string, payload: unknown): void {
  socket.send(JSON.stringify({ id, type: "next", payload }));
}

describe("serialised payloads in graphql-ws messages", () => {
  function fakeSocket() {
    const sent: unknown[] = [];
    const socket = { send: (data: unknown) => void sent.push(data) };
    return { socket, sent, sender: serialisedSender(socket as unknown as WebSocket) };
  }

  it("sends the payload's bytes in the message graphql-ws built, for every subscriber alike", () => {
    const { socket, sent, sender } = fakeSocket();
    const json = `{"data":{"generation":{"__typename":"GenerationTokens","seq":3,"text":"a \\"b\\" \\u2028"}}}`;
    sendNext(socket, "1", sender.payloadOf(json));
    sendNext(socket, 'sub \\"payload\\":x', sender.payloadOf(json));
    expect(sent).to.deep.equal([
      `{"id":"1","type":"next","payload":${json}}`,
      `{"id":${JSON.stringify('sub \\"payload\\":x')},"type":"next","payload":${json}}`,
    ]);
    for (const m of sent) expect(JSON.parse(m as string).payload).to.deep.equal(JSON.parse(json));
  });

  it("leaves other messages alone, also after a serialised payload that was never sent", () => {
    const { socket, sent, sender } = fakeSocket();
    // graphql-ws drops a message for a socket that is closing: the payload is stringified but never sent.
    JSON.stringify({ id: "1", type: "next", payload: sender.payloadOf(`{"data":{"x":1}}`) });
    sendNext(socket, "2", { data: { text: 'ends like a marker"}' } });
    socket.send(JSON.stringify({ id: "2", type: "complete" }));
    socket.send(Buffer.from("binary"));
    expect(sent.slice(0, 2)).to.deep.equal([`{"id":"2","type":"next","payload":{"data":{"text":"ends like a marker\\"}"}}}`, `{"id":"2","type":"complete"}`]);
    expect(sent[2]).to.deep.equal(Buffer.from("binary"));
  });
});
