/**
 * Fixed SELECTs of an entity's row, built once by TypeORM's query builder and then run as prepared statements
 * (src/db/prepared.ts) with their rows hydrated here, column by column, exactly as the builder's `getMany` does
 * (the same alias of each column, the driver's own conversion of each value). For the hot one-row reads of every
 * chat start: building the statement and hydrating through the builder cost more CPU than the read itself, and
 * PostgreSQL parsed and planned the statement each time.
 */
import type { DataSource, EntityTarget, ObjectLiteral } from "typeorm";
import { DriverUtils } from "typeorm/driver/DriverUtils.js";

/**
 * The entity of `raw`, a row whose columns were selected under `alias` (with the builder's aliases), as `getMany`
 * hydrates it: the columns present in the row, none of its relations. Entities with inheritance or load listeners
 * are not handled here.
 */
export function hydrateEntity<T extends ObjectLiteral>(ds: DataSource, target: EntityTarget<T>, alias: string, raw: Record<string, unknown>): T {
  const metadata = ds.getMetadata(target);
  const entity = metadata.create(undefined, { fromDeserializer: true }) as T;
  for (const column of metadata.columns) {
    if (column.isVirtual) continue;
    const value = raw[DriverUtils.buildAlias(ds.driver, undefined, alias, column.databaseName)];
    if (value === undefined) continue;
    column.setEntityValue(entity, ds.driver.prepareHydratedValue(value, column));
  }
  return entity;
}

/**
 * The entity of `row`, an object as PostgreSQL's `to_jsonb(row)` writes it (its keys are the column names), hydrated
 * as `getMany` would hydrate the row: for entities whose columns JSON carries as the driver reads them (uuid, text,
 * integers up to int4, booleans, jsonb; a timestamp comes as its ISO text, which the driver's hydration turns into
 * the same Date). Not for bigint, numeric, bytea or arrays, which JSON would change.
 */
export function hydrateJsonRow<T extends ObjectLiteral>(ds: DataSource, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = ds.getMetadata(target);
  const entity = metadata.create(undefined, { fromDeserializer: true }) as T;
  for (const column of metadata.columns) {
    if (column.isVirtual) continue;
    const value = row[column.databaseName];
    if (value === undefined) continue;
    column.setEntityValue(entity, ds.driver.prepareHydratedValue(value, column));
  }
  return entity;
}
