/**
 * Search vectors of imported messages, built after the load: an import leaves them null (to_tsvector was most of
 * what an import cost PostgreSQL), and this fills them in small batches, each its own short transaction, so the
 * task cycle never waits on it for long. Search is right meanwhile (`searchMatchSql` reads the text of a message
 * without a vector).
 */
import type { DataSource } from "typeorm";
import { availableSearchConfigs, searchConfigSql } from "./search.js";

/** Rows per transaction: a few hundred milliseconds of to_tsvector. */
const BATCH = 1000;

/**
 * Builds pending vectors until none is left or `budgetMs` has passed; returns how many it built. It walks the
 * pending rows in id order (the partial index's order), so no batch steps over the index entries of rows earlier
 * batches filled (they stay in the index until vacuum). A row whose text changes meanwhile, or that another
 * builder fills first, is re-read when its lock is free and written with its new text or left alone.
 */
export async function buildPendingSearchVectors(ds: DataSource, budgetMs = Infinity): Promise<number> {
  const config = searchConfigSql("m.lang", await availableSearchConfigs(ds));
  const started = Date.now();
  let after = "00000000-0000-0000-0000-000000000000";
  let built = 0;
  for (;;) {
    const [batch]: { last: string | null; picked: number; built: number }[] = await ds.query(
      `WITH picked AS (SELECT id FROM message WHERE search_vector IS NULL AND id > $1::uuid ORDER BY id LIMIT ${BATCH}),
       updated AS (
         UPDATE message m SET search_vector = to_tsvector(${config}, m.text)
         FROM picked p WHERE m.id = p.id AND m.search_vector IS NULL RETURNING m.id)
       SELECT (SELECT id FROM picked ORDER BY id DESC LIMIT 1) AS last, (SELECT count(*)::int FROM picked) AS picked,
              (SELECT count(*)::int FROM updated) AS built`,
      [after],
    );
    built += batch.built;
    if (batch.picked < BATCH || batch.last === null || Date.now() - started >= budgetMs) return built;
    after = batch.last;
  }
}

/** How many messages still wait for their search vector. */
export async function pendingSearchVectors(ds: DataSource): Promise<number> {
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM message WHERE search_vector IS NULL`);
  return n;
}
