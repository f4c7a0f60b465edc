import { rowsOverGrids, type ColumnPageKind, type ColumnPageRequest, type RowScope } from '@hub/core';
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
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

/** One grid's current entries after an id, in id order: a range of `care_grid_id_idx`. */
function currentCareOfGrid(db: Db, gridCode: string, afterId: string | null, limit: number) {
  return db
    .select(COLUMNS)
    .from(careRecords)
    .where(and(eq(careRecords.gridCode, gridCode), isNull(careRecords.endedOn), afterId === null ? undefined : gt(careRecords.id, afterId)))
    .orderBy(asc(careRecords.id))
    .limit(limit);
}

/** The current care-list entries of some grids after a (grid code, id) position, as columns: those each grid's `careRecords` gives. */
export async function careRecordColumnsPage(db: Db, scope: RowScope, request: ColumnPageRequest): Promise<CareRecordColumnsPage> {
  const { rows, hasNextPage, endCursor } = await rowsOverGrids(
    request,
    scope,
    (gridCode, afterId, limit) => currentCareOfGrid(db, gridCode, afterId, limit),
    (r) => r,
    CARE_RECORD_COLUMNS,
  );
  return {
    page: request.page,
    ids: rows.map((r) => r.id),
    residentIds: rows.map((r) => r.residentId),
    gridCodes: rows.map((r) => r.gridCode),
    kinds: rows.map((r) => r.kind),
    listedOns: rows.map((r) => r.listedOn),
    hasNextPage,
    endCursor,
  };
}
