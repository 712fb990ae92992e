import type { MigrationInterface, QueryRunner } from "typeorm";

export class Arena1796593208333 implements MigrationInterface {
  name = "Arena1796593208333";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "arena_battle" ("id" uuid NOT NULL, "chat_id" uuid, "user_id" uuid, "model_a" character varying(128) NOT NULL, "model_b" character varying(128) NOT NULL, "category" character varying(64), "lang" character varying(32), "source" character varying(16) NOT NULL, "answers_a" uuid array NOT NULL DEFAULT '{}', "answers_b" uuid array NOT NULL DEFAULT '{}', "winner" character varying(16), "voted_at" TIMESTAMP WITH TIME ZONE, "counted" boolean NOT NULL DEFAULT false, "not_counted_reason" character varying(32), "identities_seen_at" TIMESTAMP WITH TIME ZONE, "question_id" character varying(256), "judge" character varying(256), "language" character varying(64), "anony" boolean NOT NULL DEFAULT true, "conversation_a" jsonb, "conversation_b" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_114f52e70c245aabc041c06731f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_arena_battle_chat" ON "arena_battle"  ("chat_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_arena_battle_question" ON "arena_battle"  ("question_id") `);
    await queryRunner.query(`CREATE INDEX "ix_arena_battle_user" ON "arena_battle"  ("user_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "ix_arena_battle_voted" ON "arena_battle"  ("voted_at") `);
    await queryRunner.query(
      `CREATE TABLE "arena_voter_exclusion" ("user_id" uuid NOT NULL, "reason" text NOT NULL, "excluded_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9483bfe4460bf9de33b31db9bf5" PRIMARY KEY ("user_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "arena_leaderboard" ("key" character varying(200) NOT NULL, "data_version" character varying(200) NOT NULL, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "payload" jsonb NOT NULL, CONSTRAINT "PK_0ebb27e00a65f753643c9fa7211" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "arena_battle" ADD CONSTRAINT "FK_4e6f0d29b0d77c895df4556a0fc" FOREIGN KEY ("chat_id") REFERENCES "chat"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "arena_battle" ADD CONSTRAINT "FK_cb2c3b3493b1bfaf0fcbed4cf23" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "arena_voter_exclusion" ADD CONSTRAINT "FK_9483bfe4460bf9de33b31db9bf5" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "arena_voter_exclusion" DROP CONSTRAINT "FK_9483bfe4460bf9de33b31db9bf5"`);
    await queryRunner.query(`ALTER TABLE "arena_battle" DROP CONSTRAINT "FK_cb2c3b3493b1bfaf0fcbed4cf23"`);
    await queryRunner.query(`ALTER TABLE "arena_battle" DROP CONSTRAINT "FK_4e6f0d29b0d77c895df4556a0fc"`);
    await queryRunner.query(`DROP TABLE "arena_leaderboard"`);
    await queryRunner.query(`DROP TABLE "arena_voter_exclusion"`);
    await queryRunner.query(`DROP INDEX "public"."ix_arena_battle_voted"`);
    await queryRunner.query(`DROP INDEX "public"."ix_arena_battle_user"`);
    await queryRunner.query(`DROP INDEX "public"."uq_arena_battle_question"`);
    await queryRunner.query(`DROP INDEX "public"."ix_arena_battle_chat"`);
    await queryRunner.query(`DROP TABLE "arena_battle"`);
  }
}
