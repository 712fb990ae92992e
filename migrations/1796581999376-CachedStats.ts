import type { MigrationInterface, QueryRunner } from "typeorm";

export class CachedStats1796581999376 implements MigrationInterface {
  name = "CachedStats1796581999376";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "cached_stats" ("name" character varying(128) NOT NULL, "modified_date" TIMESTAMP WITH TIME ZONE NOT NULL, "stats" jsonb NOT NULL, CONSTRAINT "PK_c532b836570e8af47b6766352a2" PRIMARY KEY ("name"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "cached_stats"`);
  }
}
