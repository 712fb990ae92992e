/**
 * The helper every CLI test reads its output through. A character whose UTF-8 bytes arrive in two chunks used to
 * come out as U+FFFD (each chunk was decoded on its own), which made a dataset round trip fail now and then,
 * depending on where a pipe chunk happened to end.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { runNode } from "../helpers/process.js";

describe("test helper runNode", () => {
  it("decodes a multi-byte character split across two stdout chunks, and waits for the last of the output", async () => {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chorus-run-node-")), "split.js");
    // "é" is C3 A9: the two bytes are written 50 ms apart, so they reach the parent as two chunks.
    fs.writeFileSync(
      script,
      `process.stdout.write(Buffer.from([0x61, 0xc3]));
       setTimeout(() => { process.stdout.write(Buffer.from([0xa9, 0x62])); process.stdout.write("x".repeat(1 << 20) + "end"); }, 50);`,
    );
    const res = await runNode(script, [], {});
    expect(res.code).to.equal(0);
    expect(res.stdout.slice(0, 3)).to.equal("aéb");
    expect(res.stdout.endsWith("end")).to.equal(true);
    expect(res.stdout.length).to.equal(3 + (1 << 20) + 3);
  });
});
