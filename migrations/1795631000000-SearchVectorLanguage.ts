import type { MigrationInterface, QueryRunner } from "typeorm";
import { availableSearchConfigs, searchConfigSql } from "../src/modules/trees/search.js";

/**
 * Rebuilds every message's search vector with its own language's text-search configuration (issue 11 item 16):
 * a vector made with another configuration (`simple`, or a language the server lacked then) never matches a query
 * read in the message's language. Only rows whose vector changes are written.
 */
export class SearchVectorLanguage1795631000000 implements MigrationInterface {
  name = "SearchVectorLanguage1795631000000";

  public async up(queryRunner: QueryRunner): Promise<void> {
    const config = searchConfigSql("m.lang", await availableSearchConfigs(queryRunner));
    await queryRunner.query(
      `UPDATE message m SET search_vector = v.vector
         FROM (SELECT id, to_tsvector(${config}, m.text) AS vector FROM message m) v
        WHERE m.id = v.id AND m.search_vector IS DISTINCT FROM v.vector`,
    );
  }

  public async down(): Promise<void> {
    // Nothing to undo: the vectors stay valid for the schema before this migration.
  }
}
