import { columnFor, gridScopeWhere, rowsOfKeyProbes, type RowScope } from '@hub/core';
import { and, count, eq, sum, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from './index.ts';
import { houses, ownerships } from './schema.ts';

/** What a column page of recipients is told about the houses each owns: entry i about `residentIds[i]`. */
export interface OwnedColumns {
  ownedHouses: number[];
  ownedAreasM2: number[];
}

/**
 * Each house some residents own (`owners(column)` chooses them, `where` the caller's scope), once per owner however
 * many titles the owner holds on it, with its area: what a resident's owned-houses summary adds up.
 */
export function housesOwned(db: Db, owners: (column: AnyPgColumn) => SQL, where: SQL | undefined) {
  return db
    .selectDistinct({ residentId: ownerships.ownerResidentId, houseCode: ownerships.houseCode, areaM2: houses.areaM2 })
    .from(ownerships)
    .innerJoin(houses, eq(houses.code, ownerships.houseCode))
    .where(and(owners(ownerships.ownerResidentId), where))
    .as('owned');
}

/**
 * The houses each of a column page's residents owns in the caller's grids, and their total area, in one statement:
 * the same figures as `ownedSummaryByResident` gives one resident (a house counted once however many titles its
 * owner holds on it). The owners are found as `keysIn` finds them (a probe of `ownerships_resident_idx` per id): with a page's
 * 5,000 ids as `= any($1)`, PostgreSQL planned parallel scans of every ownership and every house for each page.
 */
export async function ownedColumns(db: Db, scope: RowScope, residentIds: readonly string[]): Promise<OwnedColumns> {
  // A named statement (`rowsOfKeyProbes`, the same probes): drizzle built it and mapped its rows on every page before.
  const rows = await rowsOfKeyProbes(db, 'owned-columns', residentIds, gridScopeWhere(scope, houses.gridCode), (among, where) => {
    const perHouse = housesOwned(db, among, where);
    return db.select({ residentId: perHouse.residentId, n: count(), area: sum(perHouse.areaM2).mapWith(Number) }).from(perHouse).groupBy(perHouse.residentId);
  });
  type Row = (typeof rows)[number];
  const byResident = (value: (row: Row) => number) => columnFor<Row, number>(residentIds, rows, (r) => r.residentId as string, (_, r) => value(r), () => 0);
  return { ownedHouses: byResident((r) => r.n), ownedAreasM2: byResident((r) => Math.round(r.area * 100) / 100) };
}
