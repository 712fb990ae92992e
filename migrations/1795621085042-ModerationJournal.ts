// Moderation (issue 4): journal rows name what a moderator acted on (target_id), indexed for the audit reads and purges.
import type { MigrationInterface, QueryRunner } from "typeorm";

export class ModerationJournal1795621085042 implements MigrationInterface {
  name = "ModerationJournal1795621085042";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "journal" ADD "target_id" uuid`);
    await queryRunner.query(`CREATE INDEX "ix_journal_event_type" ON "journal"  ("event_type", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_journal_message" ON "journal"  ("message_id") `);
    await queryRunner.query(`CREATE INDEX "ix_journal_target" ON "journal"  ("target_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_journal_target"`);
    await queryRunner.query(`DROP INDEX "public"."ix_journal_message"`);
    await queryRunner.query(`DROP INDEX "public"."ix_journal_event_type"`);
    await queryRunner.query(`ALTER TABLE "journal" DROP COLUMN "target_id"`);
  }
}
