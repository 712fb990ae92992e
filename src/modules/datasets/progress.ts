/** Progress of long imports and exports on a terminal: messages done and rate. */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly verb: string,
  ) {}

  /** Redraws at most twice a second, and only on a terminal (a log file would fill with carriage returns). */
  update(messages: number): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.lastDraw < 500) return;
    this.lastDraw = now;
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? messages / secs : 0;
    this.stream.write(`\r${this.verb} ${messages} messages (${Math.round(rate)}/s)   `);
  }

  finish(): void {
    if (this.stream.isTTY && this.lastDraw > 0) this.stream.write("\n");
  }

  elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}
