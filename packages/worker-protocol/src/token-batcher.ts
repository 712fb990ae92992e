/**
 * Sends the answer's first token at once, then gathers token text for `windowMs` after the first token of a batch
 * and sends it: the cost per delivery dominates, so batching is what lets one API serve many streams. Sends go one at a time, in order, because the
 * server appends each batch as it arrives.
 */
export class TokenBatcher {
  private text = "";
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private sentFirst = false;

  constructor(
    private readonly windowMs: number,
    private readonly send: (text: string, tokenCount: number) => Promise<void>,
  ) {}

  add(text: string, tokenCount = 1): void {
    this.text += text;
    this.count += tokenCount;
    // A failed send is reported by the final flush(), which the job awaits. The answer's first token goes at
    // once (the user waits for it); batching starts with the second.
    if (this.windowMs <= 0 || !this.sentFirst) {
      this.sentFirst = true;
      this.flush().catch(() => undefined);
    } else this.timer ??= setTimeout(() => this.flush().catch(() => undefined), this.windowMs);
  }

  /** Sends what is gathered and resolves when every batch so far was sent (rejects if one failed). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.text.length > 0 || this.count > 0) {
      const text = this.text;
      const count = this.count;
      this.text = "";
      this.count = 0;
      this.chain = this.chain.then(() => this.send(text, count));
    }
    return this.chain;
  }
}
