import type { MigrationInterface, QueryRunner } from "typeorm";

export class TrollStats1795621279567 implements MigrationInterface {
  name = "TrollStats1795621279567";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "troll_stats" ("time_frame" character varying(16) NOT NULL, "user_id" uuid NOT NULL, "base_date" TIMESTAMP WITH TIME ZONE, "modified_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "troll_score" integer NOT NULL DEFAULT '0', "rank" integer, "red_flags" integer NOT NULL DEFAULT '0', "upvotes" integer NOT NULL DEFAULT '0', "downvotes" integer NOT NULL DEFAULT '0', "spam_prompts" integer NOT NULL DEFAULT '0', "quality" double precision, "humor" double precision, "toxicity" double precision, "violence" double precision, "helpfulness" double precision, "spam" integer NOT NULL DEFAULT '0', "lang_mismach" integer NOT NULL DEFAULT '0', "not_appropriate" integer NOT NULL DEFAULT '0', "pii" integer NOT NULL DEFAULT '0', "hate_speech" integer NOT NULL DEFAULT '0', "sexual_content" integer NOT NULL DEFAULT '0', "political_content" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_aabfa064f966b6b060c248aecbe" PRIMARY KEY ("time_frame", "user_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_troll_stats_frame_rank" ON "troll_stats"  ("time_frame", "rank") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_troll_stats_frame_rank"`);
    await queryRunner.query(`DROP TABLE "troll_stats"`);
  }
}
