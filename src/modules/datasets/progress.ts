/**
 * Progress of long imports and exports, on stderr. On a terminal one line is redrawn twice a second; in a pipe or
 * a log file (no carriage-return tricks there) a plain line is printed at a steady interval, so whoever watches a
 * long-running job in a log sees it move.
 */
export const DEFAULT_PROGRESS_INTERVAL_SECONDS = 10;

export class Progress {
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private messages = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly verb: string,
    /** Seconds between two plain lines when the stream is not a terminal. */
    intervalSeconds = DEFAULT_PROGRESS_INTERVAL_SECONDS,
  ) {
    const ms = stream.isTTY ? 500 : Math.max(50, intervalSeconds * 1000);
    this.timer = setInterval(() => this.draw(), ms);
    // Never the reason the process stays alive.
    this.timer.unref();
  }

  update(messages: number): void {
    this.messages = messages;
  }

  private draw(): void {
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? Math.round(this.messages / secs) : 0;
    const text = `${this.verb} ${this.messages} messages so far (${rate}/s, ${secs.toFixed(0)} s)`;
    if (this.stream.isTTY) this.stream.write(`\r${text}   `);
    else this.stream.write(`${text}\n`);
    this.drawn = true;
  }

  finish(): void {
    clearInterval(this.timer);
    if (this.stream.isTTY && this.drawn) this.stream.write("\n");
  }

  elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}
