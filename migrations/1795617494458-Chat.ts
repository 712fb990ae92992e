// Chat with models (issue 5): chats and their message trees, with the generation state of each answer.
import type { MigrationInterface, QueryRunner } from "typeorm";

export class Chat1795617494458 implements MigrationInterface {
  name = "Chat1795617494458";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "chat" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "title" character varying(100), "hidden" boolean NOT NULL DEFAULT false, "allow_data_use" boolean NOT NULL DEFAULT true, "system_prompt" text, "active_thread_tail_message_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9d0b2ba74336710fd31154738a5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_chat_user_created" ON "chat"  ("user_id", "created_at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "chat_message" ("id" uuid NOT NULL, "chat_id" uuid NOT NULL, "parent_id" uuid, "role" character varying(16) NOT NULL, "state" character varying(16) NOT NULL, "text" text NOT NULL DEFAULT '', "model" character varying(128), "sampling" jsonb, "worker_name" character varying(256), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "work_begin_at" TIMESTAMP WITH TIME ZONE, "work_end_at" TIMESTAMP WITH TIME ZONE, "finish_reason" character varying(32), "token_count" integer, "error" text, "cancel_requested_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_3cc0d85193aade457d3077dd06b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_chat_message_state" ON "chat_message"  ("state", "created_at") `);
    await queryRunner.query(`CREATE INDEX "ix_chat_message_chat" ON "chat_message"  ("chat_id", "created_at") `);
    await queryRunner.query(
      `ALTER TABLE "chat" ADD CONSTRAINT "FK_15d83eb496fd7bec7368b30dbf3" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "chat_message" ADD CONSTRAINT "FK_634db173c52edece8dd88ea3d4c" FOREIGN KEY ("chat_id") REFERENCES "chat"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "chat_message" DROP CONSTRAINT "FK_634db173c52edece8dd88ea3d4c"`);
    await queryRunner.query(`ALTER TABLE "chat" DROP CONSTRAINT "FK_15d83eb496fd7bec7368b30dbf3"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chat_message_chat"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chat_message_state"`);
    await queryRunner.query(`DROP TABLE "chat_message"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chat_user_created"`);
    await queryRunner.query(`DROP TABLE "chat"`);
  }
}
