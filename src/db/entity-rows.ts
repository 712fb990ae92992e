/**
 * Fixed SELECTs of an entity's row, built once by TypeORM's query builder and then run as prepared statements
 * (src/db/prepared.ts) with their rows hydrated here, column by column, exactly as the builder's `getMany` does
 * (the same alias of each column, the driver's own conversion of each value). For the hot one-row reads of every
 * chat start: building the statement and hydrating through the builder cost more CPU than the read itself, and
 * PostgreSQL parsed and planned the statement each time.
 */
import type { DataSource, EntityTarget, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { DriverUtils } from "typeorm/driver/DriverUtils.js";
import { preparedQuery } from "./prepared.js";

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

/** Statement texts with their main alias, per data source and name (the names are the code's own, so few). */
const built = new WeakMap<DataSource, Map<string, { text: string; alias: string }>>();

/**
 * The entities of `build`'s statement, built once per data source under `name` and run as a prepared statement with
 * `values` (its parameters in the builder's order; the builder's own are placeholders), hydrated as `getMany` does.
 * For statements without joins, whose rows are one entity each.
 */
export async function preparedEntities<T extends ObjectLiteral>(
  ds: DataSource,
  target: EntityTarget<T>,
  name: string,
  build: () => SelectQueryBuilder<T>,
  values: unknown[],
): Promise<T[]> {
  let byName = built.get(ds);
  if (!byName) built.set(ds, (byName = new Map()));
  let statement = byName.get(name);
  if (!statement) {
    const qb = build();
    statement = { text: qb.getQueryAndParameters()[0], alias: qb.alias };
    byName.set(name, statement);
  }
  const { text, alias } = statement;
  return (await preparedQuery<Record<string, unknown>>(ds, text, values)).map((raw) => hydrateEntity(ds, target, alias, raw));
}
