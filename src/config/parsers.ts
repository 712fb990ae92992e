/**
 * How one variable's text becomes a value. Each parser takes the environment, the variable's name and its declared
 * default, so the default is written once (in the declaration) and the error names the variable. The messages are
 * part of the contract: operators and tests read them.
 */
import { ConfigError, type Env } from "./errors.js";

/** Reads one variable: `(env, name, default) → value`, throwing a ConfigError that names the variable. */
export type Parser<T> = (env: Env, name: string, def: T) => T;

export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

export const BOOL_TRUE = ["1", "true", "yes", "on"];
export const BOOL_FALSE = ["0", "false", "no", "off"];

export function readInt(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return def;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer between ${min} and ${max}, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be an integer between ${min} and ${max}, got ${value}`);
  return value;
}

export function readBool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return def;
  const v = raw.trim().toLowerCase();
  if (BOOL_TRUE.includes(v)) return true;
  if (BOOL_FALSE.includes(v)) return false;
  throw new ConfigError(name, `must be one of true/false/1/0/yes/no/on/off, got "${raw}"`);
}

/** `N/SECONDS`: at most N hits in a window of SECONDS that opens at the first hit. */
export function readRate(env: Env, name: string, def: RateLimitSetting): RateLimitSetting {
  const raw = env[name]?.trim();
  if (!raw) return def;
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  if (!m || Number(m[2]) < 1) throw new ConfigError(name, `must look like LIMIT/SECONDS (e.g. 30/240), got "${raw}"`);
  return { limit: Number(m[1]), windowSeconds: Number(m[2]) };
}

/** A whole number in [min, max]. */
export const int =
  (min: number, max: number): Parser<number> =>
  (env, name, def) =>
    readInt(env, name, def, min, max);

/** A whole number in [min, max], or undefined when the variable is unset (no default value exists). */
export const optionalInt =
  (min: number, max: number): Parser<number | undefined> =>
  (env, name) =>
    env[name]?.trim() ? readInt(env, name, 0, min, max) : undefined;

/** Any finite number in [min, max]. */
export const number =
  (min: number, max: number): Parser<number> =>
  (env, name, def) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return def;
    const value = Number(raw.trim());
    if (!Number.isFinite(value) || value < min || value > max) throw new ConfigError(name, `must be a number between ${min} and ${max}, got "${raw}"`);
    return value;
  };

export const bool: Parser<boolean> = readBool;

export const rate: Parser<RateLimitSetting> = readRate;

/** The trimmed text, or the default when unset or blank. */
export const text: Parser<string> = (env, name, def) => env[name]?.trim() || def;

/** A URL with one of the protocols (e.g. `postgres:`), or undefined when unset. */
export const url =
  (protocols: string[]): Parser<string | undefined> =>
  (env, name) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw.trim());
    } catch {
      throw new ConfigError(name, `must be a URL (${protocols.join(" or ")}), got "${raw}"`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(name, `must use ${protocols.join(" or ")}, got "${parsed.protocol}"`);
    }
    return raw.trim();
  };
