import { columnPageOfRows, gridRangeRows, gridScopeWhere, type ColumnPageKind, type ColumnPageRequest, type RowScope } from '@hub/core';
import type { Db } from './index.ts';
import { groupRentals, type GroupRentalRow } from './schema.ts';

/** Group rentals are keyed by their record id (QZ, the grid code and a 3-digit sequence). */
export const GROUP_RENTAL_COLUMNS: ColumnPageKind = { name: 'group-rental-columns', cursorKey: /^\d{15}:QZ\d{18}$/ };

/** The group rentals of some grids after a (grid code, id) position, as columns: those each grid's `groupRentals` gives. */
export function groupRentalColumnsPage(db: Db, scope: RowScope, request: ColumnPageRequest) {
  const readGrids = gridRangeRows(db, groupRentals, { grid: groupRentals.gridCode, id: groupRentals.id }, gridScopeWhere(scope, groupRentals.gridCode));
  return columnPageOfRows(request, scope, GROUP_RENTAL_COLUMNS, readGrids, (rows: GroupRentalRow[]) => ({
    ids: rows.map((g) => g.id),
    houseCodes: rows.map((g) => g.houseCode),
    gridCodes: rows.map((g) => g.gridCode),
    statuses: rows.map((g) => g.status),
    identifiedOns: rows.map((g) => g.identifiedOn),
    occupantCounts: rows.map((g) => g.occupantCount),
  }));
}

export type GroupRentalColumnsPage = Awaited<ReturnType<typeof groupRentalColumnsPage>>;
