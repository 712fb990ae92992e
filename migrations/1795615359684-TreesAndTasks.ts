import type { MigrationInterface, QueryRunner } from "typeorm";

export class TreesAndTasks1795615359684 implements MigrationInterface {
  name = "TreesAndTasks1795615359684";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "message" ("id" uuid NOT NULL, "parent_id" uuid, "message_tree_id" uuid NOT NULL, "task_id" uuid, "user_id" uuid, "role" character varying(16) NOT NULL, "api_client_id" uuid NOT NULL, "frontend_message_id" character varying(200) NOT NULL, "created_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "text" text NOT NULL, "lang" character varying(32) NOT NULL DEFAULT 'en', "depth" integer NOT NULL DEFAULT '0', "children_count" integer NOT NULL DEFAULT '0', "deleted" boolean NOT NULL DEFAULT false, "search_vector" tsvector, "review_count" integer NOT NULL DEFAULT '0', "review_result" boolean, "ranking_count" integer NOT NULL DEFAULT '0', "rank" integer, "synthetic" boolean NOT NULL DEFAULT false, "edited" boolean NOT NULL DEFAULT false, "model_name" character varying(1024), "emojis" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_ba01f0a3e0123651915008bc578" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_message_task" ON "message"  ("task_id") `);
    await queryRunner.query(`CREATE INDEX "ix_message_created_id" ON "message"  ("created_date", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_message_user_created" ON "message"  ("user_id", "created_date") `);
    await queryRunner.query(`CREATE INDEX "ix_message_parent" ON "message"  ("parent_id") `);
    await queryRunner.query(`CREATE INDEX "ix_message_tree" ON "message"  ("message_tree_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_message_client_frontend_id" ON "message"  ("api_client_id", "frontend_message_id") `);
    await queryRunner.query(
      `CREATE TABLE "message_tree_state" ("message_tree_id" uuid NOT NULL, "goal_tree_size" integer NOT NULL, "max_depth" integer NOT NULL, "max_children_count" integer NOT NULL, "state" character varying(128) NOT NULL, "active" boolean NOT NULL, "origin" character varying(1024), "won_prompt_lottery_date" TIMESTAMP WITH TIME ZONE, "lang" character varying(32) NOT NULL, CONSTRAINT "PK_ca8d26bfab1070aae86804d461a" PRIMARY KEY ("message_tree_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_tree_state_active" ON "message_tree_state"  ("active") `);
    await queryRunner.query(`CREATE INDEX "ix_tree_state_state_lang" ON "message_tree_state"  ("state", "lang") `);
    await queryRunner.query(
      `CREATE TABLE "message_emoji" ("message_id" uuid NOT NULL, "user_id" uuid NOT NULL, "emoji" character varying(128) NOT NULL, "created_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_371ac9bcfde89a3fb59d440bdb1" PRIMARY KEY ("message_id", "user_id", "emoji"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_message_emoji_user_message" ON "message_emoji"  ("user_id", "message_id") `);
    await queryRunner.query(
      `CREATE TABLE "flagged_message" ("message_id" uuid NOT NULL, "processed" boolean NOT NULL DEFAULT false, "created_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f91a127630ad3547268025ed7a6" PRIMARY KEY ("message_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_flagged_message_processed" ON "flagged_message"  ("processed") `);
    await queryRunner.query(`CREATE INDEX "ix_flagged_message_created" ON "flagged_message"  ("created_date") `);
    await queryRunner.query(
      `CREATE TABLE "message_revision" ("id" uuid NOT NULL, "text" text NOT NULL, "message_id" uuid NOT NULL, "user_id" uuid, "created_date" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_fc72fbd3729aba35f459b1e1ce2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_message_revision_message" ON "message_revision"  ("message_id") `);
    await queryRunner.query(
      `CREATE TABLE "journal" ("id" uuid NOT NULL, "created_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "user_id" uuid, "message_id" uuid, "api_client_id" uuid, "event_type" character varying(200) NOT NULL, "event_payload" jsonb NOT NULL, CONSTRAINT "PK_396f862c229742e29f888b1abce" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_journal_created" ON "journal"  ("created_date") `);
    await queryRunner.query(`CREATE INDEX "ix_journal_user" ON "journal"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "task" ("id" uuid NOT NULL, "created_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expiry_date" TIMESTAMP WITH TIME ZONE, "user_id" uuid, "payload_type" character varying(64) NOT NULL, "payload" jsonb NOT NULL, "api_client_id" uuid NOT NULL, "ack" boolean, "done" boolean NOT NULL DEFAULT false, "skipped" boolean NOT NULL DEFAULT false, "skip_reason" character varying(512), "frontend_message_id" character varying(200), "message_tree_id" uuid, "parent_message_id" uuid, "collective" boolean NOT NULL DEFAULT false, "submission_digest" character(64), CONSTRAINT "PK_fb213f79ee45060ba925ecd576e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_task_expiry" ON "task"  ("expiry_date") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_task_client_frontend_id" ON "task"  ("api_client_id", "frontend_message_id") WHERE frontend_message_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "ix_task_parent_created" ON "task"  ("parent_message_id", "created_date") `);
    await queryRunner.query(`CREATE INDEX "ix_task_user_created" ON "task"  ("user_id", "created_date") `);
    await queryRunner.query(
      `CREATE TABLE "text_labels" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "created_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "api_client_id" uuid NOT NULL, "text" text NOT NULL DEFAULT '', "message_id" uuid, "labels" jsonb NOT NULL, "task_id" uuid, CONSTRAINT "PK_a8cd10982a9d3e951afc810f637" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_text_labels_created" ON "text_labels"  ("created_date") `);
    await queryRunner.query(`CREATE INDEX "ix_text_labels_message" ON "text_labels"  ("message_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_text_labels_free" ON "text_labels"  ("user_id", "message_id") WHERE task_id IS NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_text_labels_review" ON "text_labels"  ("user_id", "message_id") WHERE task_id IS NOT NULL`);
    await queryRunner.query(
      `CREATE TABLE "message_reaction" ("task_id" uuid NOT NULL, "user_id" uuid NOT NULL, "created_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "payload_type" character varying(64) NOT NULL, "payload" jsonb NOT NULL, "api_client_id" uuid NOT NULL, "message_id" uuid, CONSTRAINT "PK_178a28678a385dc16ae3fe6c26a" PRIMARY KEY ("task_id", "user_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_message_reaction_created" ON "message_reaction"  ("created_date") `);
    await queryRunner.query(`CREATE INDEX "ix_message_reaction_message" ON "message_reaction"  ("message_id") `);
    await queryRunner.query(
      `CREATE TABLE "user_stats" ("time_frame" character varying(16) NOT NULL, "user_id" uuid NOT NULL, "base_date" TIMESTAMP WITH TIME ZONE, "modified_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "leader_score" integer NOT NULL DEFAULT '0', "rank" integer, "prompts" integer NOT NULL DEFAULT '0', "replies_assistant" integer NOT NULL DEFAULT '0', "replies_prompter" integer NOT NULL DEFAULT '0', "labels_simple" integer NOT NULL DEFAULT '0', "labels_full" integer NOT NULL DEFAULT '0', "rankings_total" integer NOT NULL DEFAULT '0', "rankings_good" integer NOT NULL DEFAULT '0', "accepted_prompts" integer NOT NULL DEFAULT '0', "accepted_replies_assistant" integer NOT NULL DEFAULT '0', "accepted_replies_prompter" integer NOT NULL DEFAULT '0', "reply_ranked_1" integer NOT NULL DEFAULT '0', "reply_ranked_2" integer NOT NULL DEFAULT '0', "reply_ranked_3" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_3473f2ae476f5946fef9f4fef03" PRIMARY KEY ("time_frame", "user_id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_user_stats_frame_rank_user" ON "user_stats"  ("time_frame", "rank", "user_id") `);
    await queryRunner.query(`ALTER TABLE "user" ADD "streak_last_day_date" TIMESTAMP WITH TIME ZONE DEFAULT now()`);
    await queryRunner.query(`ALTER TABLE "user" ADD "streak_days" integer`);
    // Full-text search over message text (TypeORM cannot express USING gin; the entity marks it synchronize: false).
    await queryRunner.query(`CREATE INDEX "ix_message_search_vector" ON "message" USING gin ("search_vector")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_message_search_vector"`);
    await queryRunner.query(`ALTER TABLE "user" DROP COLUMN "streak_days"`);
    await queryRunner.query(`ALTER TABLE "user" DROP COLUMN "streak_last_day_date"`);
    await queryRunner.query(`DROP INDEX "public"."ux_user_stats_frame_rank_user"`);
    await queryRunner.query(`DROP TABLE "user_stats"`);
    await queryRunner.query(`DROP INDEX "public"."ix_message_reaction_message"`);
    await queryRunner.query(`DROP INDEX "public"."ix_message_reaction_created"`);
    await queryRunner.query(`DROP TABLE "message_reaction"`);
    await queryRunner.query(`DROP INDEX "public"."ux_text_labels_review"`);
    await queryRunner.query(`DROP INDEX "public"."ux_text_labels_free"`);
    await queryRunner.query(`DROP INDEX "public"."ix_text_labels_message"`);
    await queryRunner.query(`DROP INDEX "public"."ix_text_labels_created"`);
    await queryRunner.query(`DROP TABLE "text_labels"`);
    await queryRunner.query(`DROP INDEX "public"."ix_task_user_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_task_parent_created"`);
    await queryRunner.query(`DROP INDEX "public"."ux_task_client_frontend_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_task_expiry"`);
    await queryRunner.query(`DROP TABLE "task"`);
    await queryRunner.query(`DROP INDEX "public"."ix_journal_user"`);
    await queryRunner.query(`DROP INDEX "public"."ix_journal_created"`);
    await queryRunner.query(`DROP TABLE "journal"`);
    await queryRunner.query(`DROP INDEX "public"."ix_message_revision_message"`);
    await queryRunner.query(`DROP TABLE "message_revision"`);
    await queryRunner.query(`DROP INDEX "public"."ix_flagged_message_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_flagged_message_processed"`);
    await queryRunner.query(`DROP TABLE "flagged_message"`);
    await queryRunner.query(`DROP INDEX "public"."ix_message_emoji_user_message"`);
    await queryRunner.query(`DROP TABLE "message_emoji"`);
    await queryRunner.query(`DROP INDEX "public"."ix_tree_state_state_lang"`);
    await queryRunner.query(`DROP INDEX "public"."ix_tree_state_active"`);
    await queryRunner.query(`DROP TABLE "message_tree_state"`);
    await queryRunner.query(`DROP INDEX "public"."ux_message_client_frontend_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_message_tree"`);
    await queryRunner.query(`DROP INDEX "public"."ix_message_parent"`);
    await queryRunner.query(`DROP INDEX "public"."ix_message_user_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_message_created_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_message_task"`);
    await queryRunner.query(`DROP TABLE "message"`);
  }
}
