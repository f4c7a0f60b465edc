import { ageOn, columnPageCursor, hubTodayUtc, inScope, preparedStatement, type ColumnPageRequest, type RowScope } from '@hub/core';
import { and, asc, eq, gt, sql, type SQLWrapper } from 'drizzle-orm';
import type { Db } from './index.ts';
import { residents } from './schema.ts';

/** A page of residents as columns: what `ResidentColumns` answers (public security's part). */
export interface ResidentColumnsPage {
  page: string;
  ids: string[];
  gridCodes: string[];
  sexes: string[];
  ages: number[];
  populationTypes: string[];
  residenceStatuses: (string | null)[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const COLUMNS = { id: residents.id, gridCode: residents.gridCode, sex: residents.sex, birthDate: residents.birthDate, populationType: residents.populationType, residenceStatus: residents.residenceStatus };

/** A grid's residents (after a hub id), in id order, as `where` picks them: an ordered range of `residents_grid_id_idx`. */
function residentsOfGridQuery(db: Db, gridCode: SQLWrapper | string, afterId: SQLWrapper | string | null, limit: SQLWrapper | number) {
  return db
    .select(COLUMNS)
    .from(residents)
    .where(and(eq(residents.gridCode, gridCode), afterId === null ? undefined : gt(residents.id, afterId)))
    .orderBy(asc(residents.id))
    .limit(limit as number);
}

type ColumnRow = Awaited<ReturnType<typeof residentsOfGridQuery>>[number];

/** The same as a named prepared statement (one per shape), since a page runs it for grid after grid. */
function residentsOfGrid(db: Db, gridCode: string, afterId: string | null, limit: number): Promise<ColumnRow[]> {
  const after = afterId !== null;
  const statement = preparedStatement(db, `resident-columns|${after}`, (name) =>
    residentsOfGridQuery(db, sql.placeholder('gridCode'), after ? sql.placeholder('afterId') : null, sql.placeholder('limit')).prepare(name),
  );
  return statement ? statement.execute({ gridCode, afterId, limit }) : residentsOfGridQuery(db, gridCode, afterId, limit);
}

/**
 * The residents of some grids after a (grid code, hub id) position, in that order, as columns: grid after grid, each
 * an ordered range of `residents_grid_id_idx` read only as far as the page needs (one statement over all the grids
 * would sort every resident of them for each page). Grids outside the caller's scope are skipped.
 */
export async function residentColumnsPage(db: Db, scope: RowScope, request: ColumnPageRequest): Promise<ResidentColumnsPage> {
  const wanted = request.first + 1;
  const rows: ColumnRow[] = [];
  let afterId = request.after?.id ?? null;
  for (let i = request.after ? request.gridCodes.indexOf(request.after.gridCode) : 0; i < request.gridCodes.length && rows.length < wanted; i++) {
    const gridCode = request.gridCodes[i] as string;
    if (inScope(scope, gridCode)) rows.push(...(await residentsOfGrid(db, gridCode, afterId, wanted - rows.length)));
    afterId = null;
  }
  const hasNextPage = rows.length > request.first;
  if (hasNextPage) rows.pop();
  const today = hubTodayUtc();
  const last = rows.at(-1);
  return {
    page: request.page,
    ids: rows.map((r) => r.id),
    gridCodes: rows.map((r) => r.gridCode),
    sexes: rows.map((r) => r.sex),
    ages: rows.map((r) => ageOn(r.birthDate, today)),
    populationTypes: rows.map((r) => r.populationType),
    residenceStatuses: rows.map((r) => r.residenceStatus),
    hasNextPage,
    endCursor: last ? columnPageCursor(last.gridCode, last.id) : null,
  };
}
