// Identity (issue 12): token epochs, so key rotation and "logout everywhere" end user tokens; one open chat report
// per user and answer (repeated reports were all stored).
import type { MigrationInterface, QueryRunner } from "typeorm";

export class IdentityRevocation1796580832604 implements MigrationInterface {
  name = "IdentityRevocation1796580832604";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_client" ADD "token_epoch" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "user" ADD "token_epoch" integer NOT NULL DEFAULT '0'`);
    // Open duplicates already stored are closed as duplicates of the user's oldest open report on that answer.
    await queryRunner.query(`UPDATE "chat_report" r SET "resolved_at" = now(), "resolution" = 'duplicate of report ' || d.keep || ' (closed by migration IdentityRevocation)'
       FROM (SELECT id, first_value(id) OVER (PARTITION BY message_id, user_id ORDER BY id) AS keep FROM "chat_report" WHERE "resolved_at" IS NULL) d
       WHERE r.id = d.id AND d.id <> d.keep`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_chat_report_open_per_user" ON "chat_report"  ("message_id", "user_id") WHERE "resolved_at" IS NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_chat_report_open_per_user"`);
    await queryRunner.query(`ALTER TABLE "user" DROP COLUMN "token_epoch"`);
    await queryRunner.query(`ALTER TABLE "api_client" DROP COLUMN "token_epoch"`);
  }
}
