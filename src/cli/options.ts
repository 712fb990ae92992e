/** Parsers of the command line's option values (src/cli.ts). */
import type { Writable } from "node:stream";
import type { Config } from "../config/index.js";
import type { Inclusion } from "../modules/datasets/export.service.js";

/** What every command is given: the configuration (read when a command runs), where it prints, and stdout for files. */
export interface CliEnv {
  config: () => Config;
  out: (line: string) => void;
  stdout: Writable;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${value}`);
  return n;
}

export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number: ${value}`);
  return n;
}

/** `--include-x` / `--x-only` as one three-way filter (commander rejects the two together). */
export function inclusion(include: boolean | undefined, only: boolean | undefined): Inclusion {
  return only ? "only" : include ? "include" : "exclude";
}

export function parseDate(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`not a date: ${value}`);
  return d;
}
