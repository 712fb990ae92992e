import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Room on every message page for an updated row (issue 14). A task cycle updates counters of messages it did not
 * write: a ranking each ranked reply's ranking_count, a review the message's review_count (and review_result), a
 * reply its parent's children_count. None of those columns is indexed, so PostgreSQL can update in place (a HOT
 * update: no new entry in any of the table's nine indexes, the GIN index on the search vector included), but only
 * when the row's page has room for the new version. A restore (and the search-vector backfill after it) packs the
 * pages full, so at 100,000 restored trees nearly every such update moved the row to another page and wrote nine
 * index entries, each on a leaf page of a multi-gigabyte index far outside the buffer cache: the cost of a cycle
 * that grew with the data. A message row is about 1.2 kB (text and search vector), so a fill factor of 80 leaves
 * about one row's room on an 8 kB page (90 left room on too few pages: 54 % of such updates were HOT at 100,000
 * restored trees, against 35-37 % packed and 92 % restored at 80); the table is a fifth larger for it.
 *
 * New pages only: an existing table keeps its packed pages until it is rewritten (VACUUM FULL message, optional,
 * locks the table while it runs), and then fills its new pages to 80 %.
 */
export class MessageFillFactor1796700000013 implements MigrationInterface {
  name = "MessageFillFactor1796700000013";

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE message SET (fillfactor = 80)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE message RESET (fillfactor)`);
  }
}
