#!/usr/bin/env node
/**
 * Part of `npm install` (the root `prepare` script): installs the gpu-workers package too, so that the two commands
 * (`npm install`, `npm start`) give local mode its in-process tiny model (transformers.js), not only the synthetic
 * one. gpu-workers is its own package (its dependencies are heavy and only workers need them), so it is installed
 * here rather than declared as a dependency.
 *
 * Never fails the main install: without gpu-workers, local mode serves the synthetic model and says so in its log.
 * Skipped when gpu-workers is already installed, or with CHORUS_SKIP_GPU_WORKERS=1.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const dir = path.join(__dirname, "..", "gpu-workers");

function main() {
  if (process.env.CHORUS_SKIP_GPU_WORKERS === "1") return console.log("gpu-workers: skipped (CHORUS_SKIP_GPU_WORKERS=1)");
  if (!fs.existsSync(path.join(dir, "package.json"))) return;
  if (fs.existsSync(path.join(dir, "node_modules", ".package-lock.json"))) return console.log("gpu-workers: already installed");
  // The parent npm's settings (--omit=dev, --ignore-scripts, its project paths) are not this package's: keep only
  // where packages come from and how to reach it.
  const keep = ["registry", "cache", "userconfig", "proxy", "https_proxy", "noproxy", "cafile", "strict_ssl"].map((c) => `npm_config_${c}`);
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    const name = k.toLowerCase();
    if (name.startsWith("npm_") && !keep.includes(name)) continue;
    env[k] = v;
  }
  env.ONNXRUNTIME_NODE_INSTALL ??= "skip";
  console.log("gpu-workers: npm ci (the worker package, for local mode's tiny model)");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: dir, env, stdio: "inherit" });
  if (r.status !== 0) console.warn("gpu-workers could not be installed; local mode will serve the synthetic model only (retry: cd gpu-workers && npm ci)");
}

main();
