/**
 * Search vectors of imported messages, built after the load: an import leaves them null (to_tsvector was most of
 * what an import cost PostgreSQL), and this fills them in small batches, each its own short transaction, so the
 * task cycle never waits on it for long. Search is right meanwhile (`searchMatchSql` reads the text of a message
 * without a vector); concurrent runs (replicas, the CLI) take disjoint rows (SKIP LOCKED).
 */
import type { DataSource } from "typeorm";
import { availableSearchConfigs, searchConfigSql } from "./search.js";
import { rowsOf } from "../../db/rows.js";

/** Rows per transaction: a few hundred milliseconds of to_tsvector. */
const BATCH = 1000;

/**
 * Builds pending vectors until none is left or `budgetMs` has passed; returns how many it built. A row whose text
 * changes meanwhile is written with its new text (the UPDATE reads the row it locked).
 */
export async function buildPendingSearchVectors(ds: DataSource, budgetMs = Infinity): Promise<number> {
  const config = searchConfigSql("m.lang", await availableSearchConfigs(ds));
  const started = Date.now();
  let built = 0;
  for (;;) {
    const rows = rowsOf(
      await ds.query(
        `UPDATE message m SET search_vector = to_tsvector(${config}, m.text)
         WHERE m.id IN (SELECT id FROM message WHERE search_vector IS NULL LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
         RETURNING m.id`,
      ),
    );
    built += rows.length;
    if (rows.length < BATCH || Date.now() - started >= budgetMs) return built;
  }
}

/** How many messages still wait for their search vector. */
export async function pendingSearchVectors(ds: DataSource): Promise<number> {
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM message WHERE search_vector IS NULL`);
  return n;
}
