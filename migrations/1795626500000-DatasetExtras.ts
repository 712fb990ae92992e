import type { MigrationInterface, QueryRunner } from "typeorm";

/** Fields of imported messages and trees that Chorus has no column for (oasst2's `detoxify`, ...), kept for export as they came (`json`: key order and number text too). */
export class DatasetExtras1795626500000 implements MigrationInterface {
  name = "DatasetExtras1795626500000";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "message" ADD "extras" json`);
    await queryRunner.query(`ALTER TABLE "message_tree_state" ADD "extras" json`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "message_tree_state" DROP COLUMN "extras"`);
    await queryRunner.query(`ALTER TABLE "message" DROP COLUMN "extras"`);
  }
}
