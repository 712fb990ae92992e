import type { Logger as TypeOrmLogger, QueryRunner } from "typeorm";

/**
 * A TypeORM logger that only counts the statements sent, so tests can assert that reads use a bounded number of
 * queries and benchmarks can report queries per unit of work. Errors and slow queries still reach `onError`.
 */
export class QueryCounter implements TypeOrmLogger {
  count = 0;
  /** When set, the last statements are kept here (tests that explain a count). */
  recent: string[] | null = null;
  constructor(private readonly onError: (message: string, query: string) => void = () => undefined) {}
  logQuery(query: string, _parameters?: unknown[], _runner?: QueryRunner): void {
    this.count += 1;
    if (this.recent) {
      this.recent.push(query);
      if (this.recent.length > 100) this.recent.shift();
    }
  }
  logQueryError(error: string | Error, query: string): void {
    this.onError(String(error instanceof Error ? error.message : error), query);
  }
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
