import type { MigrationInterface, QueryRunner } from "typeorm";

/** Fields of imported messages and trees that Chorus has no column for (oasst2's `detoxify`, ...), kept for export. */
export class DatasetExtras1795626500000 implements MigrationInterface {
  name = "DatasetExtras1795626500000";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "message" ADD "extras" jsonb`);
    await queryRunner.query(`ALTER TABLE "message_tree_state" ADD "extras" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "message_tree_state" DROP COLUMN "extras"`);
    await queryRunner.query(`ALTER TABLE "message" DROP COLUMN "extras"`);
  }
}
