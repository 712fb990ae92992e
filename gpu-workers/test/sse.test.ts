import { expect } from "chai";
import { SseParser, type ServerSentEvent } from "../src/backends/sse.js";

function parseInPieces(text: string, pieceLength: number): ServerSentEvent[] {
  const parser = new SseParser();
  const events: ServerSentEvent[] = [];
  for (let i = 0; i < text.length; i += pieceLength) events.push(...parser.feed(text.slice(i, i + pieceLength)));
  events.push(...parser.end());
  return events;
}

describe("SseParser", () => {
  const stream =
    ": keep-alive\n\n" +
    'data: {"a":1}\n\n' +
    "event: ping\ndata: {}\r\n\r\n" +
    "data: first line\ndata: second line\n\n" +
    "data:no space\r\rdata: [DONE]\n\n";
  const expected: ServerSentEvent[] = [
    { event: "message", data: '{"a":1}' },
    { event: "ping", data: "{}" },
    { event: "message", data: "first line\nsecond line" },
    { event: "message", data: "no space" },
    { event: "message", data: "[DONE]" },
  ];

  it("gives the same events however the text is split", () => {
    for (let pieceLength = 1; pieceLength <= stream.length; pieceLength++) {
      expect(parseInPieces(stream, pieceLength), `pieces of ${pieceLength}`).to.deep.equal(expected);
    }
  });

  it("treats a \\r\\n split between two reads as one line end", () => {
    const parser = new SseParser();
    expect(parser.feed("data: x\r")).to.deep.equal([]);
    expect(parser.feed("\n\r")).to.deep.equal([{ event: "message", data: "x" }]);
    expect(parser.feed("\ndata: y\n\n")).to.deep.equal([{ event: "message", data: "y" }]);
  });

  it("ignores comments and events without data", () => {
    expect(parseInPieces(": one\n: two\n\nevent: lonely\n\nid: 7\nretry: 10\n\n", 5)).to.deep.equal([]);
  });

  it("dispatches a last event that no blank line closed", () => {
    expect(parseInPieces("data: [DONE]", 4)).to.deep.equal([{ event: "message", data: "[DONE]" }]);
  });
});
