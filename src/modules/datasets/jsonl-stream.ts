/** Line-by-line reading and backpressure-aware writing of `.jsonl` and `.jsonl.gz` files. */
import fs from "node:fs";
import readline from "node:readline";
import zlib from "node:zlib";
import { once } from "node:events";
import type { Writable } from "node:stream";

/** The reference compresses when the file name contains `.gz`. */
export function isGzipName(file: string): boolean {
  return file.includes(".gz");
}

/** Yields `[lineNumber, line]` (1-based) without holding more than one line in memory. */
export async function* readLines(file: string): AsyncGenerator<[number, string]> {
  const raw = fs.createReadStream(file);
  const input = isGzipName(file) ? raw.pipe(zlib.createGunzip()) : raw;
  raw.on("error", (e) => input.destroy(e));
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of rl) {
      n += 1;
      yield [n, line];
    }
  } finally {
    rl.close();
    raw.destroy();
  }
}

/** A sink for lines that waits when the consumer is slow, so an export never buffers the database in memory. */
export class LineWriter {
  private constructor(
    private readonly target: Writable,
    private readonly finalTarget: Writable | null,
    private readonly ownsTarget: boolean,
  ) {}

  /** `file` null writes to `stdout` (left open); a `.gz` name is gzip-compressed. */
  static open(file: string | null, stdout: Writable): LineWriter {
    if (file === null) return new LineWriter(stdout, null, false);
    const out = fs.createWriteStream(file);
    if (!isGzipName(file)) return new LineWriter(out, out, true);
    const gz = zlib.createGzip();
    gz.pipe(out);
    return new LineWriter(gz, out, true);
  }

  async write(line: string): Promise<void> {
    if (this.target.destroyed) throw new Error("the output was closed before the export finished");
    if (this.target.write(line + "\n", "utf8")) return;
    // A reader that goes away (an HTTP client hanging up) never drains: stop then instead of waiting forever
    // with a database snapshot open.
    await new Promise<void>((resolve, reject) => {
      const drained = () => {
        cleanup();
        resolve();
      };
      const closed = () => {
        cleanup();
        reject(new Error("the output was closed before the export finished"));
      };
      const cleanup = () => {
        this.target.off("drain", drained);
        this.target.off("close", closed);
        this.target.off("error", closed);
      };
      this.target.on("drain", drained);
      this.target.on("close", closed);
      this.target.on("error", closed);
    });
  }

  async close(): Promise<void> {
    if (!this.ownsTarget) return;
    const finished = once(this.finalTarget!, "finish");
    this.target.end();
    await finished;
  }
}
