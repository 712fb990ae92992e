/** Line-by-line reading and backpressure-aware writing of `.jsonl` and `.jsonl.gz` files. */
import fs from "node:fs";
import { isUtf8 } from "node:buffer";
import zlib from "node:zlib";
import { once } from "node:events";
import type { Writable } from "node:stream";

/** The reference compresses when the file name contains `.gz`. */
export function isGzipName(file: string): boolean {
  return file.includes(".gz");
}

/** A line of a file: its text, or, when it is longer than the reader takes or not UTF-8, what is wrong with it. */
export type FileLine = { number: number; text: string } | { number: number; problem: string };

/** The longest line an import reads by default: far beyond any real tree, far below what would exhaust memory. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Yields the lines of a file (1-based numbers) holding at most one line in memory. A line longer than
 * `maxLineBytes` is skipped to its end and reported, never accumulated: a string that size would end the process
 * (`RangeError: Invalid string length`) or its memory, and the lines after it are still good. A line that is not
 * valid UTF-8 is reported rather than silently decoded with U+FFFD in place of its bad bytes.
 */
export async function* readLines(file: string, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<FileLine> {
  const raw = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  const input = isGzipName(file) ? raw.pipe(zlib.createGunzip()) : raw;
  raw.on("error", (e) => input.destroy(e));
  let parts: Buffer[] = [];
  let bytes = 0;
  let skipped = 0;
  let n = 0;
  const finish = (): FileLine => {
    n += 1;
    if (skipped > 0) {
      const problem = `line too long (${skipped} bytes; the limit is ${maxLineBytes} bytes, --max-line-mb)`;
      skipped = 0;
      return { number: n, problem };
    }
    let line = parts.length === 1 ? parts[0] : Buffer.concat(parts, bytes);
    parts = [];
    bytes = 0;
    if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
    if (!isUtf8(line)) return { number: n, problem: "not valid UTF-8" };
    return { number: n, text: line.toString("utf8") };
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl);
        if (skipped > 0) skipped += piece.length;
        else if (bytes + piece.length > maxLineBytes) {
          skipped = bytes + piece.length;
          parts = [];
          bytes = 0;
        } else if (piece.length > 0) {
          // A read stream hands out a new buffer per chunk, so a slice of one can be kept until its line ends.
          parts.push(piece);
          bytes += piece.length;
        }
        if (nl < 0) break;
        yield finish();
        start = nl + 1;
      }
    }
    if (bytes > 0 || skipped > 0) yield finish();
  } finally {
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
