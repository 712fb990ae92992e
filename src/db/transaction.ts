import type { DataSource, EntityManager } from "typeorm";
import { ChorusError, ErrorCode } from "../common/errors.js";

/** PostgreSQL error codes worth a retry: serialization failure, deadlock, unique violation (a lost race). */
const RETRYABLE = new Set(["40001", "40P01", "23505"]);

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
  return typeof code === "string" && RETRYABLE.has(code);
}

export function pgErrorCode(err: unknown): string | undefined {
  return (err as { driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
}

/**
 * A statement's snapshot was out of date for what it decided (sendChatMessage's first prompt that waited for a
 * concurrent send): as a serialization failure, the work is made again from scratch.
 */
export class StaleSnapshotError extends Error {
  readonly code = "40001";
  constructor() {
    super("The statement's snapshot was out of date; made again");
  }
}

/**
 * Runs `fn`, running it again from scratch (up to `retries` more times) when PostgreSQL reports a serialization
 * failure, deadlock or unique violation (spec §9.8). Errors the client caused pass through at once.
 */
export async function withRetries<T>(fn: () => Promise<T>, retries = 3): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ChorusError || !isRetryable(err)) throw err;
      if (attempt >= retries) {
        throw new ChorusError(ErrorCode.SERVICE_UNAVAILABLE, "The database stayed busy; retry the request", {
          oaErrorCode: 4,
          http: { status: 503 },
        });
      }
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}

/** Runs `fn` in one transaction, made again from scratch as withRetries says. */
export function inTransaction<T>(ds: DataSource, fn: (em: EntityManager) => Promise<T>, retries = 3): Promise<T> {
  return withRetries(() => ds.transaction(fn), retries);
}
