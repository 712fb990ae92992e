/**
 * CPU profiles of another node process, one per phase of a benchmark (a single `--cpu-prof` file mixes a benchmark's
 * phases in one timeline; these keep them apart):
 * - PhaseProfiler: V8 profiles over the inspector protocol. The process is started with `--inspect=127.0.0.1:0`
 *   (inspectArgs), and `profile(name, body)` runs `Profiler.start` before the body and writes `Profiler.stop`'s
 *   profile to DIR/name.cpuprofile after it (summarise with bench/profile-top.ts). V8 samples wall time: under load a
 *   write to a local socket often hands the CPU to its reader, and the wait is charged to `writev`.
 * - PerfProfiler: `perf record` of the process (CPU time only, native frames and the kernel's included, where
 *   perf_event_paranoid allows) while the body runs, to DIR/name.perf.data; the process is started with
 *   `--perf-basic-prof` (perfArgs) so that perf can name JS functions. Summarise with
 *   `perf report -i FILE --no-children --sort sym --stdio -g none`.
 */
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import WebSocket from "ws";

/** Node options that let perf name the JS functions (node writes /tmp/perf-PID.map). */
export const perfArgs = ["--perf-basic-prof"];

export class PerfProfiler {
  constructor(
    private readonly pid: number,
    private readonly dir: string,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Runs `body` while perf samples the process (1,999 Hz, call graphs); the data goes to DIR/`name`.perf.data. */
  async profile<T>(name: string, body: () => Promise<T>): Promise<T> {
    const out = path.join(this.dir, `${name.replace(/\W+/g, "-")}.perf.data`);
    const perf = spawn("perf", ["record", "-F", "1999", "-g", "-p", String(this.pid), "-o", out], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    perf.stderr.on("data", (d: Buffer) => (stderr += String(d)));
    const exited = new Promise<void>((resolve) => perf.on("exit", () => resolve()));
    // perf prints nothing when it starts sampling; give it a moment to attach.
    await new Promise((r) => setTimeout(r, 300));
    if (perf.exitCode !== null) throw new Error(`perf record failed: ${stderr}`);
    try {
      return await body();
    } finally {
      perf.kill("SIGINT");
      await exited;
    }
  }

  close(): void {}
}

/** Node options that open the inspector on a port the kernel picks (node prints its URL on stderr). */
export const inspectArgs = ["--inspect=127.0.0.1:0"];

export class PhaseProfiler {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly socket: WebSocket,
    private readonly dir: string,
  ) {
    socket.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id!);
      if (msg.error) waiter.reject(new Error(msg.error.message));
      else waiter.resolve(msg.result);
    });
  }

  /** Connects to the inspector whose URL the process printed on stderr (`stderr()` is read until it appears). */
  static async attach(stderr: () => string, dir: string): Promise<PhaseProfiler> {
    let url: string | undefined;
    for (let i = 0; i < 200 && !url; i++) {
      url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr())?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 50));
    }
    if (!url) throw new Error("the process printed no inspector URL (was it started with inspectArgs?)");
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    fs.mkdirSync(dir, { recursive: true });
    const profiler = new PhaseProfiler(socket, dir);
    await profiler.call("Profiler.enable");
    // node's default sampling interval of --cpu-prof (1 ms)
    await profiler.call("Profiler.setSamplingInterval", { interval: 1000 });
    return profiler;
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Runs `body` while the process is profiled; the profile goes to DIR/`name`.cpuprofile. */
  async profile<T>(name: string, body: () => Promise<T>): Promise<T> {
    await this.call("Profiler.start");
    try {
      return await body();
    } finally {
      const { profile } = (await this.call("Profiler.stop")) as { profile: unknown };
      fs.writeFileSync(path.join(this.dir, `${name.replace(/\W+/g, "-")}.cpuprofile`), JSON.stringify(profile));
    }
  }

  close(): void {
    this.socket.close();
  }
}
