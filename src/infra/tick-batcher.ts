/**
 * Gathers the calls made within one turn of the event loop into one batch. A worker session starts a wave of jobs
 * at once (worker-session.ts); each start claims its answer and reads its conversation, and run one by one those
 * are a few database round trips per job, so 50 jobs queued for each other and for the database pool. Batched, a
 * wave costs the same few statements whatever its size.
 */
export class TickBatcher<I, O> {
  private pending: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];

  /** `run` answers the inputs in their order; when it throws, every input is run alone, so errors stay each one's own. */
  constructor(private readonly run: (inputs: I[]) => Promise<O[]>) {}

  call(input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ input, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 1) {
      await this.run([batch[0].input]).then(([o]) => batch[0].resolve(o), batch[0].reject);
      return;
    }
    let outputs: O[];
    try {
      outputs = await this.run(batch.map((b) => b.input));
    } catch {
      await Promise.all(batch.map((b) => this.run([b.input]).then(([o]) => b.resolve(o), b.reject)));
      return;
    }
    batch.forEach((b, i) => b.resolve(outputs[i]));
  }
}
