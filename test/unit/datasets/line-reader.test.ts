import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { readLines, type FileLine } from "../../../src/modules/datasets/jsonl-stream.js";

async function all(file: string, max?: number): Promise<FileLine[]> {
  const out: FileLine[] = [];
  for await (const l of readLines(file, max)) out.push(l);
  return out;
}

describe("datasets: reading lines", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-lines-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const big = "é".repeat(400_000); // 800,000 bytes: spans several read chunks, and cuts a character between two

  it("numbers lines across chunks, drops CR of CRLF, reads a last line without newline, plain or gzip", async () => {
    const content = `a\r\n\n${big}\nlast`;
    const plain = path.join(dir, "x.jsonl");
    fs.writeFileSync(plain, content);
    const gz = path.join(dir, "x.jsonl.gz");
    fs.writeFileSync(gz, zlib.gzipSync(content));
    for (const f of [plain, gz]) {
      expect(await all(f)).to.deep.equal([
        { number: 1, text: "a" },
        { number: 2, text: "" },
        { number: 3, text: big },
        { number: 4, text: "last" },
      ]);
    }
  });

  it("skips a line over the limit to its end, reporting its size, and goes on", async () => {
    const f = path.join(dir, "long.jsonl");
    fs.writeFileSync(f, `ok\n${big}\n${"x".repeat(1000)}\nafter`);
    expect(await all(f, 1000)).to.deep.equal([
      { number: 1, text: "ok" },
      { number: 2, problem: "line too long (800000 bytes; the limit is 1000 bytes, --max-line-mb)" },
      { number: 3, text: "x".repeat(1000) },
      { number: 4, text: "after" },
    ]);
  });

  it("reports a line that is not UTF-8 instead of decoding it with U+FFFD", async () => {
    const f = path.join(dir, "bad.jsonl");
    fs.writeFileSync(f, Buffer.concat([Buffer.from("good\n"), Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), Buffer.from("\nfine")]));
    expect(await all(f)).to.deep.equal([
      { number: 1, text: "good" },
      { number: 2, problem: "not valid UTF-8" },
      { number: 3, text: "fine" },
    ]);
  });
});
