import { ageOn, gridScopeWhere, hubTodayUtc, preparedStatement, rowsOfKeyProbes, rowsOverGrids, type ColumnPageRequest, type RowScope } from '@hub/core';
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

/**
 * A grid's residents (after a hub id), in id order: an ordered range of `residents_grid_id_idx`, which holds every
 * column read here, so once the table's visibility map is set (autovacuum, or a VACUUM after a seed) the range is an
 * index-only scan. The people living in the grid (实有人口), as `Grid.residents` lists them: those registered in it but
 * living elsewhere (户在人不在) are not among them.
 *
 * With (grid, id) alone, each custom plan (the departments plan every run for its values) weighed that index against
 * `residents_living_grid_type_idx` plus a sort by id and often took the latter; either way every row was a heap visit.
 * Backend CPU over 300 grids' pages at 1,000,000 residents (432,374 rows, custom plans, both indexes in turns, four
 * rounds, load 13-19): 1,470-1,900 ms with (grid, id), 930-1,340 ms with the columns in the index (0.65x).
 */
function residentsOfGridQuery(db: Db, gridCode: SQLWrapper | string, afterId: SQLWrapper | string | null, limit: SQLWrapper | number) {
  return db
    .select(COLUMNS)
    .from(residents)
    .where(
      and(
        eq(residents.gridCode, gridCode),
        afterId === null ? undefined : gt(residents.id, afterId),
        sql`${residents.residenceStatus} is distinct from 'REGISTERED_NOT_RESIDENT'`,
      ),
    )
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

/** The residents of some grids after a (grid code, hub id) position, in that order, as columns. */
export async function residentColumnsPage(db: Db, scope: RowScope, request: ColumnPageRequest): Promise<ResidentColumnsPage> {
  const { rows, hasNextPage, endCursor } = await rowsOverGrids(request, scope, (gridCode, afterId, limit) => residentsOfGrid(db, gridCode, afterId, limit), (r) => r);
  const today = hubTodayUtc();
  return {
    page: request.page,
    ids: rows.map((r) => r.id),
    gridCodes: rows.map((r) => r.gridCode),
    sexes: rows.map((r) => r.sex),
    ages: rows.map((r) => ageOn(r.birthDate, today)),
    populationTypes: rows.map((r) => r.populationType),
    residenceStatuses: rows.map((r) => r.residenceStatus),
    hasNextPage,
    endCursor,
  };
}

/** Who the residents of another department's column page are, without naming them: entry i about `residentIds[i]`. */
export interface ResidentAttributeColumns {
  page: string;
  residentIds: string[];
  sexes: (string | null)[];
  ages: (number | null)[];
  populationTypes: (string | null)[];
}

/**
 * Sex, age and population type of the given residents, one statement probing `residents_id_hash_idx` per id; null entries for ids not
 * on the register or outside the caller's grids, as a `Resident` reference answers them.
 */
export async function residentAttributeColumns(db: Db, scope: RowScope, page: string, residentIds: string[]): Promise<ResidentAttributeColumns> {
  // A named statement (`rowsOfKeyProbes`): built by drizzle and its rows mapped through it on every page before.
  const rows = await rowsOfKeyProbes(db, 'resident-attribute-columns', residentIds, gridScopeWhere(scope, residents.gridCode), (among, where) =>
    db
      .select({ id: residents.id, sex: residents.sex, birthDate: residents.birthDate, populationType: residents.populationType })
      .from(residents)
      .where(and(among(residents.id), where)),
  );
  const today = hubTodayUtc();
  // One index of the rows and one pass over the ids for all three columns (a column each cost a map of the page).
  const byId = new Map(rows.map((r) => [r.id, r]));
  const sexes: (string | null)[] = new Array(residentIds.length);
  const ages: (number | null)[] = new Array(residentIds.length);
  const populationTypes: (string | null)[] = new Array(residentIds.length);
  for (let i = 0; i < residentIds.length; i++) {
    const row = byId.get(residentIds[i] as string);
    sexes[i] = row ? row.sex : null;
    ages[i] = row ? ageOn(row.birthDate, today) : null;
    populationTypes[i] = row ? row.populationType : null;
  }
  return { page, residentIds, sexes, ages, populationTypes };
}
