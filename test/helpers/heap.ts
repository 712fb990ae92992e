import v8 from "node:v8";
import vm from "node:vm";

/**
 * The test server runs in this process, so its heap is this heap: measured after full garbage collections, what
 * is left is what the server kept. `gc` is exposed at run time (mocha is not started with --expose-gc).
 */
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

export async function settledHeapBytes(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

export const MiB = 1024 * 1024;
