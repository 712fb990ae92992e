import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A counter that every change to who may do what raises, in the transaction of the change, whoever makes it (the
 * server, the CLI, an operator's SQL): any change to an API client, and any change to a user other than the
 * activity columns a task submission moves (streak and last activity). Servers keep the API keys and users they
 * looked up for as long as the counter stays the same (src/server/identity-cache.ts), reading it once per request.
 * A row counter, not a sequence: a sequence moves before the change commits, and a server reading it then would
 * keep the old rows under the new value.
 */
export class IdentityGeneration1796610000001 implements MigrationInterface {
  name = "IdentityGeneration1796610000001";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE identity_generation (id integer PRIMARY KEY CHECK (id = 1), n bigint NOT NULL)`);
    await q.query(`INSERT INTO identity_generation (id, n) VALUES (1, 0)`);
    await q.query(`CREATE FUNCTION identity_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE identity_generation SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END $$`);
    await q.query(`CREATE TRIGGER identity_generation_api_client AFTER UPDATE OR DELETE ON api_client
      FOR EACH ROW EXECUTE FUNCTION identity_generation_bump()`);
    await q.query(`CREATE TRIGGER identity_generation_api_client_trunc AFTER TRUNCATE ON api_client
      FOR EACH STATEMENT EXECUTE FUNCTION identity_generation_bump()`);
    // Per row (a statement that changes nothing bumps nothing); a submission's streak update (activity columns only)
    // leaves the counter alone.
    await q.query(`CREATE TRIGGER identity_generation_user AFTER UPDATE ON "user" FOR EACH ROW
      WHEN ((OLD.username, OLD.auth_method, OLD.display_name, OLD.api_client_id, OLD.role, OLD.enabled, OLD.deleted, OLD.notes,
             OLD.token_epoch, OLD.show_on_leaderboard, OLD.tos_acceptance_date, OLD.created_date)
        IS DISTINCT FROM (NEW.username, NEW.auth_method, NEW.display_name, NEW.api_client_id, NEW.role, NEW.enabled, NEW.deleted, NEW.notes,
             NEW.token_epoch, NEW.show_on_leaderboard, NEW.tos_acceptance_date, NEW.created_date))
      EXECUTE FUNCTION identity_generation_bump()`);
    await q.query(`CREATE TRIGGER identity_generation_user_del AFTER DELETE ON "user"
      FOR EACH ROW EXECUTE FUNCTION identity_generation_bump()`);
    await q.query(`CREATE TRIGGER identity_generation_user_trunc AFTER TRUNCATE ON "user"
      FOR EACH STATEMENT EXECUTE FUNCTION identity_generation_bump()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER identity_generation_user_trunc ON "user"`);
    await q.query(`DROP TRIGGER identity_generation_user_del ON "user"`);
    await q.query(`DROP TRIGGER identity_generation_user ON "user"`);
    await q.query(`DROP TRIGGER identity_generation_api_client_trunc ON api_client`);
    await q.query(`DROP TRIGGER identity_generation_api_client ON api_client`);
    await q.query(`DROP FUNCTION identity_generation_bump()`);
    await q.query(`DROP TABLE identity_generation`);
  }
}
