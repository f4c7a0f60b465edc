import DataLoader from 'dataloader';
import { asc, inArray } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './db/index.ts';
import { communities, districts, gridWorkers, grids, streets } from './db/schema.ts';

/** One row per key, in key order, from a single `IN` query. */
function byKey<TRow>(db: Db, table: PgTable, column: PgColumn, keyOf: (row: TRow) => string) {
  return new DataLoader<string, TRow | null>(async (keys) => {
    const rows = (await db.select().from(table).where(inArray(column, [...keys]))) as TRow[];
    const map = new Map(rows.map((r) => [keyOf(r), r]));
    return keys.map((k) => map.get(k) ?? null);
  });
}

/** All rows per key, in key order, from a single `IN` query ordered by `orderBy`. */
function groupedBy<TRow>(db: Db, table: PgTable, column: PgColumn, orderBy: PgColumn, keyOf: (row: TRow) => string) {
  return new DataLoader<string, TRow[]>(async (keys) => {
    const rows = (await db.select().from(table).where(inArray(column, [...keys])).orderBy(asc(orderBy))) as TRow[];
    const map = new Map<string, TRow[]>();
    for (const row of rows) {
      const list = map.get(keyOf(row));
      if (list) list.push(row);
      else map.set(keyOf(row), [row]);
    }
    return keys.map((k) => map.get(k) ?? []);
  });
}

type District = typeof districts.$inferSelect;
type Street = typeof streets.$inferSelect;
type Community = typeof communities.$inferSelect;
type Grid = typeof grids.$inferSelect;
type GridWorker = typeof gridWorkers.$inferSelect;

/** The request's loaders. Built per request, so nothing cached outlives the request that read it. */
export function createLoaders(db: Db) {
  return {
    districtByCode: byKey<District>(db, districts, districts.code, (r) => r.code),
    streetByCode: byKey<Street>(db, streets, streets.code, (r) => r.code),
    communityByCode: byKey<Community>(db, communities, communities.code, (r) => r.code),
    gridByCode: byKey<Grid>(db, grids, grids.code, (r) => r.code),
    streetsByDistrict: groupedBy<Street>(db, streets, streets.districtCode, streets.code, (r) => r.districtCode),
    communitiesByStreet: groupedBy<Community>(db, communities, communities.streetCode, communities.code, (r) => r.streetCode),
    gridsByCommunity: groupedBy<Grid>(db, grids, grids.communityCode, grids.code, (r) => r.communityCode),
    workersByGrid: groupedBy<GridWorker>(db, gridWorkers, gridWorkers.gridCode, gridWorkers.id, (r) => r.gridCode),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
