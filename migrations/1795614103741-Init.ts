import type { MigrationInterface, QueryRunner } from "typeorm";

export class Init1795614103741 implements MigrationInterface {
  name = "Init1795614103741";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_client" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(256) NOT NULL, "key_hash" character(64) NOT NULL, "key_prefix" character varying(16) NOT NULL, "kind" character varying(16) NOT NULL DEFAULT 'CLIENT', "trusted" boolean NOT NULL DEFAULT false, "role" character varying(16) NOT NULL DEFAULT 'USER', "frontend_type" character varying(256), "admin_email" character varying(256), "enabled" boolean NOT NULL DEFAULT true, "expires_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "rotated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_82a5ec6981d2be903a9eb1d9b9a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ix_api_client_key_hash" ON "api_client"  ("key_hash") `);
    await queryRunner.query(
      `CREATE TABLE "user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(128) NOT NULL, "auth_method" character varying(128) NOT NULL DEFAULT 'local', "display_name" character varying(256) NOT NULL, "api_client_id" uuid NOT NULL, "role" character varying(16) NOT NULL DEFAULT 'USER', "enabled" boolean NOT NULL DEFAULT true, "deleted" boolean NOT NULL DEFAULT false, "notes" character varying(1024) NOT NULL DEFAULT '', "show_on_leaderboard" boolean NOT NULL DEFAULT true, "tos_acceptance_date" TIMESTAMP WITH TIME ZONE, "last_activity_date" TIMESTAMP WITH TIME ZONE DEFAULT now(), "created_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_cace4a159ff9f2512dd42373760" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_user_client_username_auth" ON "user"  ("api_client_id", "username", "auth_method") `);
    await queryRunner.query(
      `CREATE TABLE "system_secret" ("name" character varying(64) NOT NULL, "value" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a7412943cc8b491b7c1ee8477a9" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "user" ADD CONSTRAINT "FK_74a373deec0108d5043d9dc00fb" FOREIGN KEY ("api_client_id") REFERENCES "api_client"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "user" DROP CONSTRAINT "FK_74a373deec0108d5043d9dc00fb"`);
    await queryRunner.query(`DROP TABLE "system_secret"`);
    await queryRunner.query(`DROP INDEX "public"."ux_user_client_username_auth"`);
    await queryRunner.query(`DROP TABLE "user"`);
    await queryRunner.query(`DROP INDEX "public"."ix_api_client_key_hash"`);
    await queryRunner.query(`DROP TABLE "api_client"`);
  }
}
