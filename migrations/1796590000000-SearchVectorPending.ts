import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Messages whose search vector is not built yet (an import leaves them to the `search-vectors` job): this index
 * finds them for that job and for searches, which read their text directly meanwhile (search.ts).
 */
export class SearchVectorPending1796590000000 implements MigrationInterface {
  name = "SearchVectorPending1796590000000";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_message_search_pending" ON "message" ("id") WHERE search_vector IS NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_message_search_pending"`);
  }
}
