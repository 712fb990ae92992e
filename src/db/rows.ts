/** Small helpers for raw SQL through TypeORM. */

/** TypeORM returns `[rows, count]` for UPDATE/DELETE ... RETURNING and `rows` for SELECT/INSERT. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === "number") return result[0] as T[];
  return result as T[];
}

/** Whether a string is a UUID, so a malformed id is "not found" rather than a PostgreSQL cast error. */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
