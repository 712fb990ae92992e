import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..", "..");
export const CLI = path.join(PROJECT_ROOT, "bin", "chorus.js");
export const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");

/**
 * The Node options with which `npm start` runs the server: package.json's start script is
 * `… node <options> dist/src/main.js`. Tests and benchmarks that start the server pass the same, so that they run it
 * as users do (docker's CMD is held to the same options by the docker unit test); `root` is a checkout, so a
 * benchmark's baseline build runs with its own.
 */
export function serverNodeArgs(root: string = PROJECT_ROOT): string[] {
  const start: string = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts.start;
  const options = /\bnode((?:\s+--[^\s]+)*)\s+dist\/src\/main\.js\b/.exec(start);
  if (!options) throw new Error(`package.json's start script does not run node … dist/src/main.js: ${start}`);
  return options[1].split(/\s+/).filter(Boolean);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Variables that point a process at shared services. CI exports DATABASE_URL and REDIS_URL for the suite's own
 * helpers; a child that inherited them would use the shared PostgreSQL database and Redis under the default key
 * prefix, outside its test's database and key space (a server started so left its periodic jobs' BullMQ keys under
 * `chorus:` on the shared Redis after every CI run, where no test's sweep sees them), and would run differently on
 * CI than on a machine that exports neither. A child gets a database or a Redis only where its test names one.
 */
export const SHARED_SERVICE_VARIABLES = ["DATABASE_URL", "REDIS_URL", "REDIS_KEY_PREFIX"] as const;

/** The environment of a test's child process: this process's, less the shared services, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SHARED_SERVICE_VARIABLES) delete base[name];
  return { ...base, ...env };
}

/** The server (MAIN) gets `npm start`'s Node options wherever a test starts it; other scripts none. */
function startOptions(script: string): string[] {
  return script === MAIN ? serverNodeArgs() : [];
}

/** Runs a node script to completion with extra environment variables. */
export function runNode(script: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...startOptions(script), script, ...args], { env: childEnv({ LOG_LEVEL: "warn", ...env }), cwd: PROJECT_ROOT });
    let stdout = "";
    let stderr = "";
    // Decoded as a stream: a multi-byte character split between two chunks must not turn into U+FFFD.
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d: string) => (stdout += d));
    child.stderr.on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`timed out: ${script} ${args.join(" ")}\n${stdout}\n${stderr}`));
    }, timeoutMs);
    // "close", not "exit": exit can come before the last of stdout has been read.
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running node process; `waitFor` resolves when its stdout matches. */
export function startNode(script: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []) {
  const child: ChildProcess = spawn(process.execPath, [...startOptions(script), ...nodeArgs, script, ...args], { env: childEnv(env), cwd: PROJECT_ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => (stdout += d));
  child.stderr!.on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
          const m = stdout.match(pattern);
          if (m) return resolve(m);
          if (child.exitCode !== null) return reject(new Error(`process exited (${child.exitCode}) before ${pattern}:\n${stdout}\n${stderr}`));
          if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${pattern}:\n${stdout}\n${stderr}`));
          setTimeout(tick, 50);
        };
        tick();
      });
    },
  };
}
