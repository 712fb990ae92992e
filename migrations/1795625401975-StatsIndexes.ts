import type { MigrationInterface, QueryRunner } from "typeorm";

export class StatsIndexes1795625401975 implements MigrationInterface {
  name = "StatsIndexes1795625401975";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_task_done_created" ON "task"  ("created_date") WHERE done`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_task_done_created"`);
  }
}
