import crypto from "node:crypto";
import type { Redis } from "ioredis";
import { newRedis, newRedisCommand } from "../redis-modules.js";

/**
 * Shared by the Redis drivers of the event streams and the generation queue (both live under src/infra and
 * want the same failure behaviour), so it sits here and the queue imports it.
 */

/** Redis could not be reached, or the connection dropped while a command was in flight. Retry later. */
export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
  constructor(
    readonly redisUrl: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Redis at ${redisUrl} is unavailable: ${reason}`, options);
  }
}

export interface RedisConnectionOptions {
  /** Shown by CLIENT LIST, which helps an operator see which part of Chorus holds a connection. */
  connectionName: string;
  /** Upper bound of the back-off between reconnection attempts. */
  reconnectMaxDelayMs?: number;
  /**
   * Commands issued in one tick of the event loop leave in one socket write (ioredis' auto-pipelining). For
   * connections that never block (no XREAD BLOCK): a streaming server appends thousands of token batches a second,
   * and one write per command made socket writes the largest item of its profile.
   */
  autoPipelining?: boolean;
}

/**
 * A connection that fails fast instead of hanging while Redis is away.
 *
 * - `maxRetriesPerRequest: 0` makes ioredis reject every queued and in-flight command as soon as the connection
 *   closes, and every command issued while reconnecting at the next failed attempt. With ioredis' defaults a
 *   command issued during an outage would wait through 20 reconnection attempts.
 * - `autoResendUnfulfilledCommands: false`: a command in flight when the socket dropped may or may not have run;
 *   resending it could, for example, append the same event twice. The caller gets an error instead and decides.
 * - Reconnection itself never stops, so everything works again once Redis is back.
 */
export function createRedisConnection(redisUrl: string, options: RedisConnectionOptions): Redis {
  const reconnectMaxDelayMs = options.reconnectMaxDelayMs ?? 2_000;
  const connection = newRedis(redisUrl, {
    connectionName: options.connectionName,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: true,
    enableAutoPipelining: options.autoPipelining ?? false,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), reconnectMaxDelayMs),
  });
  // ioredis prints unhandled connection errors to stderr; the failures reach callers as RedisUnavailableError.
  connection.on("error", () => undefined);
  return connection;
}

/** The URL without its password, fit for error messages and logs. */
export function redactRedisUrl(redisUrl: string): string {
  try {
    const url = new URL(redisUrl);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(unparseable Redis URL)";
  }
}

const connectionFailureMessages = [
  "Connection is closed",
  "Stream isn't writeable",
  "Reached the max retries per request limit",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "LOADING",
];

/** True when `error` says the connection failed, rather than that a command was wrong. */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "MaxRetriesPerRequestError") return true;
  return connectionFailureMessages.some((m) => error.message.includes(m));
}

/** Rethrows connection failures as RedisUnavailableError and everything else unchanged. */
export function translateRedisError(redisUrl: string, error: unknown): never {
  if (isConnectionFailure(error)) {
    throw new RedisUnavailableError(redisUrl, (error as Error).message, { cause: error });
  }
  throw error;
}

/**
 * The scripts each connection has been sent SCRIPT LOAD for since it last connected. Redis runs one connection's
 * commands in order, so an EVALSHA issued after the SCRIPT LOAD on the same connection finds its script: no
 * NOSCRIPT round trip (a fresh server's first burst of token batches made one per concurrent call, ~47).
 */
const loadedScripts = new WeakMap<Redis, Set<string>>();

/**
 * Sends SCRIPT LOAD for `scripts` on `connection` now (before any command of its driver, so it leaves first once
 * connected) and again before a script's next use after every reconnection (a restarted Redis has forgotten them).
 */
export function preloadScripts(connection: Redis, scripts: LuaScript[]): void {
  connection.on("close", () => loadedScripts.delete(connection));
  for (const script of scripts) script.load(connection);
}

/**
 * A Lua script run by EVALSHA, loaded on its connection before its first use there (preloadScripts), and still
 * falling back to EVAL once when Redis does not know it (an operator's SCRIPT FLUSH).
 */
export class LuaScript {
  readonly sha1: string;
  constructor(readonly source: string) {
    this.sha1 = crypto.createHash("sha1").update(source).digest("hex");
  }

  /** Queues SCRIPT LOAD on `connection` unless it was queued since the connection last connected. */
  load(connection: Redis): void {
    let loaded = loadedScripts.get(connection);
    if (!loaded) {
      loaded = new Set();
      loadedScripts.set(connection, loaded);
    }
    if (loaded.has(this.sha1)) return;
    loaded.add(this.sha1);
    const marked = loaded;
    // A failed load (the connection dropped) is tried again before the next use; the EVALSHA behind it falls back.
    // Sent at once, not auto-pipelined (which defers it to the end of the tick): an EVALSHA sent directly right
    // after it (runDirect) then still reaches Redis after it.
    void (connection.sendCommand(newRedisCommand("script", ["LOAD", this.source])) as Promise<unknown>).catch(() => marked.delete(this.sha1));
  }

  /**
   * As run, but the EVALSHA is written at once, without ioredis' auto-pipelining: for a caller that gathers its
   * calls into one per turn itself (the stream store's appends), where auto-pipelining only added a Pipeline
   * object, its promise and its bookkeeping to every call.
   */
  async runDirect(connection: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    this.load(connection);
    try {
      return await connection.sendCommand(newRedisCommand("evalsha", [this.sha1, keys.length, ...keys, ...args]));
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("NOSCRIPT")) {
        return connection.eval(this.source, keys.length, ...keys, ...args);
      }
      throw error;
    }
  }

  async run(connection: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    this.load(connection);
    try {
      return await connection.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("NOSCRIPT")) {
        return connection.eval(this.source, keys.length, ...keys, ...args);
      }
      throw error;
    }
  }
}
