import { columnPageOfRows, gridRangeRows, gridScopeWhere, type ColumnPageKind, type ColumnPageRequest, type RowScope } from '@hub/core';
import { and, isNull } from 'drizzle-orm';
import type { Db } from './index.ts';
import { careRecords } from './schema.ts';

/** Care-list entries are keyed by their id (GA and 19 digits). */
export const CARE_RECORD_COLUMNS: ColumnPageKind = { name: 'care-record-columns', cursorKey: /^\d{15}:GA\d{19}$/ };

/** A page of care-list entries as columns: what `CareRecordColumns` answers (civil affairs' part). */
export interface CareRecordColumnsPage {
  page: string;
  ids: string[];
  residentIds: string[];
  gridCodes: string[];
  kinds: string[];
  listedOns: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const COLUMNS = { id: careRecords.id, residentId: careRecords.residentId, gridCode: careRecords.gridCode, kind: careRecords.kind, listedOn: careRecords.listedOn };

/**
 * The current care-list entries of some grids after a (grid code, id) position, as columns: those each grid's
 * `careRecords` gives. One statement per page, a range of `care_current_grid_id_idx` (current entries only, holding
 * every column read, so the page is read from the index alone).
 */
export function careRecordColumnsPage(db: Db, scope: RowScope, request: ColumnPageRequest): Promise<CareRecordColumnsPage> {
  const readGrids = gridRangeRows(db, careRecords, { grid: careRecords.gridCode, id: careRecords.id }, and(isNull(careRecords.endedOn), gridScopeWhere(scope, careRecords.gridCode)), COLUMNS);
  return columnPageOfRows(request, scope, CARE_RECORD_COLUMNS, readGrids, (rows) => ({
    ids: rows.map((r) => r.id),
    residentIds: rows.map((r) => r.residentId),
    gridCodes: rows.map((r) => r.gridCode),
    kinds: rows.map((r) => r.kind),
    listedOns: rows.map((r) => r.listedOn),
  }));
}
