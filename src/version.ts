import fs from "node:fs";
import path from "node:path";

/** The package version, read once from package.json (two levels above dist/src). */
function readVersion(): string {
  for (const candidate of [path.join(__dirname, "..", "..", "package.json"), path.join(__dirname, "..", "package.json")]) {
    try {
      return (JSON.parse(fs.readFileSync(candidate, "utf8")) as { version: string }).version;
    } catch {
      // try the next place
    }
  }
  return "0.0.0";
}

export const VERSION = readVersion();
