import pino, { type Logger } from "pino";
import type { LogLevel } from "./config/index.js";

/** Structured JSON logs on stdout (pipe through pino-pretty for humans). */
export function createLogger(level: LogLevel, name = "chorus"): Logger {
  return pino({ name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
