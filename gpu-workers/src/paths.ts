import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const PACKAGE_NAME = "@chorus/gpu-workers";

/**
 * The gpu-workers package folder, found by walking up from this file: compiled code lives at different depths
 * (dist/src, dist/scripts, dist/test), and the models folder belongs to the package, not to the caller's cwd.
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === PACKAGE_NAME) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${__dirname}`);
    dir = parent;
  }
}

/** Where generated models go: git-ignored, next to the package's sources. */
export function modelsDir(): string {
  return path.join(packageRoot(), "models");
}

/** The folder of the tiny model the tests and the default in-process worker use. */
export function tinyModelDir(): string {
  return path.join(modelsDir(), "chorus-tiny");
}
