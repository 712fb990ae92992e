// Chat (issues 11 and 12): the queue hand-out that runs an answer is recorded on its row, so the end of one hand-out
// resets only its own claim, never the claim of the worker that took the job over.
import type { MigrationInterface, QueryRunner } from "typeorm";

export class ChatHandOut1796590000001 implements MigrationInterface {
  name = "ChatHandOut1796590000001";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "chat_message" ADD "hand_out_id" character varying(64)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "chat_message" DROP COLUMN "hand_out_id"`);
  }
}
