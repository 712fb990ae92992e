import path from "node:path";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { PROJECT_ROOT, startNode } from "./process.js";

export const GPU_WORKERS_ROOT = path.join(PROJECT_ROOT, "gpu-workers");
export const WORKER_MAIN = path.join(GPU_WORKERS_ROOT, "dist", "src", "worker", "main.js");

/**
 * Builds the gpu-workers package and the protocol package it imports (their own tsc projects) so the tests run the
 * worker program as shipped. Their dependencies come with the root's `npm ci` (npm workspaces, hoisted into the
 * root's node_modules): a missing install fails the tests that need it rather than skipping them.
 */
export function buildGpuWorkers(): void {
  if (!existsSync(path.join(PROJECT_ROOT, "node_modules", "@huggingface", "transformers"))) {
    throw new Error("gpu-workers' dependencies are not installed: run `npm ci` at the project root before the tests");
  }
  const tsc = path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");
  for (const project of [path.join(PROJECT_ROOT, "packages", "worker-protocol"), GPU_WORKERS_ROOT]) {
    execFileSync(process.execPath, [tsc, "-p", project], { stdio: "inherit" });
  }
}

export type WorkerProcess = ReturnType<typeof startNode>;

/** Starts the worker program (`chorus-worker`) with its configuration in the environment (and Node options). */
export function startWorkerProcess(env: Record<string, string>, nodeArgs: string[] = []): WorkerProcess {
  return startNode(
    WORKER_MAIN,
    [],
    {
      CHORUS_WORKER_THREADS: "1",
      CHORUS_WORKER_RECONNECT_MAX_DELAY_MS: "1000",
      ...env,
    },
    nodeArgs,
  );
}
