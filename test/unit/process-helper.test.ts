/**
 * The helper every CLI test reads its output through. A character whose UTF-8 bytes arrive in two chunks used to
 * come out as U+FFFD (each chunk was decoded on its own), which made a dataset round trip fail now and then,
 * depending on where a pipe chunk happened to end.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { PROJECT_ROOT, SHARED_SERVICE_VARIABLES, runNode, startNode } from "../helpers/process.js";

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

describe("test child processes and the shared services", () => {
  /** A script that prints the shared services' variables it was started with (null: unset). */
  function printer(): string {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chorus-child-env-")), "print-env.js");
    fs.writeFileSync(script, `console.log(JSON.stringify(${JSON.stringify(SHARED_SERVICE_VARIABLES)}.map((n) => process.env[n] ?? null)));`);
    return script;
  }

  it("start without DATABASE_URL, REDIS_URL and REDIS_KEY_PREFIX of the parent (as CI exports them), with those their test names", async () => {
    const saved = SHARED_SERVICE_VARIABLES.map((n) => process.env[n]);
    process.env.DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
    process.env.REDIS_URL = "redis://127.0.0.1:6379";
    process.env.REDIS_KEY_PREFIX = "chorus:";
    try {
      const script = printer();
      const inherited = await runNode(script, [], {});
      expect(JSON.parse(inherited.stdout)).to.deep.equal([null, null, null]);
      const named = await runNode(script, [], { REDIS_URL: "redis://127.0.0.1:1", REDIS_KEY_PREFIX: "chorus-test-x:" });
      expect(JSON.parse(named.stdout)).to.deep.equal([null, "redis://127.0.0.1:1", "chorus-test-x:"]);
      const long = startNode(script, [], { DATABASE_URL: "postgres://x/y" });
      await long.exited;
      expect(JSON.parse(long.output().stdout)).to.deep.equal(["postgres://x/y", null, null]);
    } finally {
      SHARED_SERVICE_VARIABLES.forEach((n, i) => {
        if (saved[i] === undefined) delete process.env[n];
        else process.env[n] = saved[i];
      });
    }
  });

  it("every child a test starts gets its environment from childEnv (no test passes process.env on by itself)", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith(".ts") && full !== path.join(PROJECT_ROOT, "test", "helpers", "process.ts")) {
          fs.readFileSync(full, "utf8")
            .split("\n")
            .forEach((line, i) => {
              if (/\.\.\.process\.env\b/.test(line)) offenders.push(`${path.relative(PROJECT_ROOT, full)}:${i + 1}`);
            });
        }
      }
    };
    walk(path.join(PROJECT_ROOT, "test"));
    expect(offenders).to.deep.equal([]);
  });
});
