/**
 * A server-sent events parser that takes text in arbitrary pieces, as it comes off the socket.
 *
 * Follows the WHATWG event-stream rules that matter for model servers: lines end in \n, \r\n or \r (a \r\n split
 * between two reads is one line end), consecutive `data:` lines join with \n, `event:` names the event, lines
 * starting with ':' are comments (keep-alives), a blank line dispatches the event. Bytes must be decoded with a
 * streaming TextDecoder before they reach this parser, so a character split between reads stays whole.
 */
export interface ServerSentEvent {
  /** The `event:` field, or 'message' when absent. */
  event: string;
  data: string;
}

export class SseParser {
  private buffer = "";
  /** The previous piece ended in \r: a \n at the start of the next piece belongs to that line end. */
  private skipNextLineFeed = false;
  private eventName = "";
  private dataLines: string[] = [];
  private hasData = false;

  /** Returns the events completed by this piece of text. */
  feed(text: string): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    let start = 0;
    if (this.skipNextLineFeed && text.startsWith("\n")) start = 1;
    this.skipNextLineFeed = false;
    const input = this.buffer + text.slice(start);
    let lineStart = 0;
    for (let i = 0; i < input.length; i++) {
      const char = input[i];
      if (char !== "\n" && char !== "\r") continue;
      this.line(input.slice(lineStart, i), events);
      if (char === "\r") {
        if (i + 1 === input.length) this.skipNextLineFeed = true;
        else if (input[i + 1] === "\n") i++;
      }
      lineStart = i + 1;
    }
    this.buffer = input.slice(lineStart);
    return events;
  }

  /**
   * At the end of the stream: the spec drops an event that no blank line closed, but some servers end with
   * `data: [DONE]` and no blank line, so it is dispatched.
   */
  end(): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    if (this.buffer) this.line(this.buffer, events);
    this.buffer = "";
    this.line("", events);
    return events;
  }

  private line(line: string, events: ServerSentEvent[]): void {
    if (line === "") {
      if (this.hasData) events.push({ event: this.eventName || "message", data: this.dataLines.join("\n") });
      this.eventName = "";
      this.dataLines = [];
      this.hasData = false;
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      this.dataLines.push(value);
      this.hasData = true;
    } else if (field === "event") {
      this.eventName = value;
    }
    // `id` and `retry` only matter to browsers that reconnect by themselves.
  }
}
