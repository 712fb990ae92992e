import type { MigrationInterface, QueryRunner } from "typeorm";

export class UserListIndexes1795624665075 implements MigrationInterface {
  name = "UserListIndexes1795624665075";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_user_username_id" ON "user"  ("username", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_user_display_name_id" ON "user"  ("display_name", "id") `);
    // Substring search (ILIKE '%x%') over both names: trigram GIN indexes when pg_trgm can be installed (it ships
    // with PostgreSQL's contrib, the embedded server included, and is a trusted extension). Without it the search
    // still works, by scanning; TypeORM cannot express these (the entity marks them synchronize: false).
    await queryRunner.query(`DO $$ BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'pg_trgm is not available: user search scans the user table';
    END $$`);
    await queryRunner.query(`DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX "ix_user_display_name_trgm" ON "user" USING gin ("display_name" gin_trgm_ops);
        CREATE INDEX "ix_user_username_trgm" ON "user" USING gin ("username" gin_trgm_ops);
      END IF;
    END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // pg_trgm stays installed: other objects may use it by now.
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."ix_user_username_trgm"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."ix_user_display_name_trgm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_user_display_name_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_user_username_id"`);
  }
}
