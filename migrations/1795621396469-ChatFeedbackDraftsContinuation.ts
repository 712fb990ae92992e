import type { MigrationInterface, QueryRunner } from "typeorm";

export class ChatFeedbackDraftsContinuation1795621396469 implements MigrationInterface {
  name = "ChatFeedbackDraftsContinuation1795621396469";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "chat_message_vote" ("id" uuid NOT NULL, "message_id" uuid NOT NULL, "chat_id" uuid NOT NULL, "user_id" uuid NOT NULL, "score" smallint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_chat_message_vote" UNIQUE ("message_id", "user_id"), CONSTRAINT "PK_6e1ce4ed3534b65da1008908245" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_chat_message_vote_chat" ON "chat_message_vote"  ("chat_id") `);
    await queryRunner.query(
      `CREATE TABLE "chat_report" ("id" uuid NOT NULL, "message_id" uuid NOT NULL, "chat_id" uuid NOT NULL, "user_id" uuid NOT NULL, "report_type" character varying(16) NOT NULL, "reason" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "resolved_at" TIMESTAMP WITH TIME ZONE, "resolved_by_user_id" uuid, "resolution" text, CONSTRAINT "PK_ebb459eb4da2a5061ff8d6e415e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_chat_report_message" ON "chat_report"  ("message_id") `);
    await queryRunner.query(`CREATE INDEX "ix_chat_report_chat" ON "chat_report"  ("chat_id") `);
    await queryRunner.query(`CREATE INDEX "ix_chat_report_open" ON "chat_report"  ("resolved_at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "chat_draft_choice" ("id" uuid NOT NULL, "chat_id" uuid NOT NULL, "user_id" uuid NOT NULL, "prompt_id" uuid NOT NULL, "selected_message_id" uuid NOT NULL, "inferior_message_ids" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_chat_draft_choice_prompt" UNIQUE ("prompt_id", "user_id"), CONSTRAINT "PK_ac0b7e43ac6975128b609199a4a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_chat_draft_choice_chat" ON "chat_draft_choice"  ("chat_id") `);
    await queryRunner.query(`ALTER TABLE "chat_message" ADD "continued_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "chat_message" ADD "stream_segment" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "chat_message" ADD "seq_offset" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "chat_message" ADD "stream_last_seq" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(
      `ALTER TABLE "chat_message_vote" ADD CONSTRAINT "FK_739c37ad6c9cb0df54767eee38b" FOREIGN KEY ("message_id") REFERENCES "chat_message"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "chat_message_vote" ADD CONSTRAINT "FK_a39587f950b7bb706aee71da019" FOREIGN KEY ("chat_id") REFERENCES "chat"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "chat_message_vote" ADD CONSTRAINT "FK_d8ceeaa69d9a2d04df4353bfcd0" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "chat_report" ADD CONSTRAINT "FK_9be1204fd5afe1bcfbe646101b5" FOREIGN KEY ("message_id") REFERENCES "chat_message"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "chat_report" ADD CONSTRAINT "FK_94fb0f9e8fa60d96dbe5c4cf2b9" FOREIGN KEY ("chat_id") REFERENCES "chat"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "chat_report" ADD CONSTRAINT "FK_be980a1bdad8e91347a1e7203f4" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "chat_draft_choice" ADD CONSTRAINT "FK_6b1b07641911cb65eb3a9cb0eb2" FOREIGN KEY ("chat_id") REFERENCES "chat"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "chat_draft_choice" ADD CONSTRAINT "FK_14b891e7cd8e7631efc7631ffd0" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "chat_draft_choice" ADD CONSTRAINT "FK_554c8accfddee2455e16c9b96d0" FOREIGN KEY ("prompt_id") REFERENCES "chat_message"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "chat_draft_choice" DROP CONSTRAINT "FK_554c8accfddee2455e16c9b96d0"`);
    await queryRunner.query(`ALTER TABLE "chat_draft_choice" DROP CONSTRAINT "FK_14b891e7cd8e7631efc7631ffd0"`);
    await queryRunner.query(`ALTER TABLE "chat_draft_choice" DROP CONSTRAINT "FK_6b1b07641911cb65eb3a9cb0eb2"`);
    await queryRunner.query(`ALTER TABLE "chat_report" DROP CONSTRAINT "FK_be980a1bdad8e91347a1e7203f4"`);
    await queryRunner.query(`ALTER TABLE "chat_report" DROP CONSTRAINT "FK_94fb0f9e8fa60d96dbe5c4cf2b9"`);
    await queryRunner.query(`ALTER TABLE "chat_report" DROP CONSTRAINT "FK_9be1204fd5afe1bcfbe646101b5"`);
    await queryRunner.query(`ALTER TABLE "chat_message_vote" DROP CONSTRAINT "FK_d8ceeaa69d9a2d04df4353bfcd0"`);
    await queryRunner.query(`ALTER TABLE "chat_message_vote" DROP CONSTRAINT "FK_a39587f950b7bb706aee71da019"`);
    await queryRunner.query(`ALTER TABLE "chat_message_vote" DROP CONSTRAINT "FK_739c37ad6c9cb0df54767eee38b"`);
    await queryRunner.query(`ALTER TABLE "chat_message" DROP COLUMN "stream_last_seq"`);
    await queryRunner.query(`ALTER TABLE "chat_message" DROP COLUMN "seq_offset"`);
    await queryRunner.query(`ALTER TABLE "chat_message" DROP COLUMN "stream_segment"`);
    await queryRunner.query(`ALTER TABLE "chat_message" DROP COLUMN "continued_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chat_draft_choice_chat"`);
    await queryRunner.query(`DROP TABLE "chat_draft_choice"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chat_report_open"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chat_report_chat"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chat_report_message"`);
    await queryRunner.query(`DROP TABLE "chat_report"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chat_message_vote_chat"`);
    await queryRunner.query(`DROP TABLE "chat_message_vote"`);
  }
}
