import { and, asc, getTableName, sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { GraphQLError } from 'graphql';
import { checkGridCode } from './checks.ts';
import type { RequestCode } from './request-guard.ts';
import { isResidentKey } from './codes/resident-key.ts';
import { ErrorCode, inputError } from './errors.ts';
import { decodeCursor, encodeCursor } from './pagination.ts';
import { inScope, type RowScope } from './access/disclosure.ts';
import { parameterize, preparedStatement, type PreparedStatement } from './db/prepared.ts';
import { markHexKeys, textArray } from './db/any-of.ts';

/**
 * Column pages (列式分页): a page of rows answered as one object of lists instead of a list of objects, for bulk
 * exports. The department owning the rows pages them over a set of grids (public security its residents, the party
 * its members, civil affairs its care lists); the others answer their columns for the page's hub ids through
 * `@requires`. Larger pages than connections allow, since a page is one object to plan, join and check whatever its
 * length.
 */
export const MAX_COLUMN_PAGE_SIZE = 5000;
export const DEFAULT_COLUMN_PAGE_SIZE = 1000;
export const MAX_COLUMN_PAGE_GRIDS = 500;

/**
 * A kind of column page over grids: the name its cursors carry (a cursor of one kind is refused by another) and the
 * form of its rows' keys (a cursor is `<grid code>:<key of the last row>`).
 */
export interface ColumnPageKind {
  name: string;
  cursorKey: RegExp;
}

/** `residentColumns`: rows keyed by hub id. */
export const RESIDENT_COLUMNS: ColumnPageKind = { name: 'resident-columns', cursorKey: /^\d{15}:[0-9a-f]{32}$/ };

export interface ColumnPageRequest {
  /** The grids asked for, checked, without repeats, in code order. */
  gridCodes: string[];
  first: number;
  /** The last resident of the previous page, by (grid code, hub id); null for the first page. */
  after: { gridCode: string; id: string } | null;
  /** The page's identity and the way back to it: its grids, size and start, encoded (`columnPageOf` reads it). */
  page: string;
}

/** A page's grids (1 to 500, checked, distinct, in code order) and size (0 to 5000); refused with INVALID_GRID_CODE or INVALID_PAGE_SIZE. */
function gridsAndFirst(args: { gridCodes: readonly string[]; first?: number | null }): { gridCodes: string[]; first: number } {
  if (args.gridCodes.length === 0 || args.gridCodes.length > MAX_COLUMN_PAGE_GRIDS) {
    throw inputError(ErrorCode.INVALID_GRID_CODE, `gridCodes must hold 1 to ${MAX_COLUMN_PAGE_GRIDS} grid codes, got ${args.gridCodes.length}`, {
      argumentName: 'gridCodes',
    });
  }
  const gridCodes = [...new Set(args.gridCodes.map((code) => checkGridCode(code, 'gridCodes')))].sort();
  const first = args.first ?? DEFAULT_COLUMN_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_COLUMN_PAGE_SIZE) {
    throw inputError(ErrorCode.INVALID_PAGE_SIZE, `"first" must be between 0 and ${MAX_COLUMN_PAGE_SIZE}, got ${first}`, {
      argumentName: 'first',
      maximum: MAX_COLUMN_PAGE_SIZE,
    });
  }
  return { gridCodes, first };
}

/** The key a cursor of `kind` holds, which must start with one of the page's grids: a cursor of other grids would start the page in the wrong place. */
function cursorOfGrids(after: string, kind: ColumnPageKind, gridCodes: readonly string[]): string {
  const key = decodeCursor(kind.name, after, kind.cursorKey);
  if (!gridCodes.includes(key.slice(0, 15))) {
    throw inputError(ErrorCode.INVALID_CURSOR, '"after" is not a cursor of these grids; pass an endCursor the same gridCodes returned', { argumentName: 'after' });
  }
  return key;
}

/** Checks a column page's arguments; refuses with INVALID_GRID_CODE, INVALID_PAGE_SIZE or INVALID_CURSOR. */
export function columnPageRequest(args: { gridCodes: readonly string[]; first?: number | null; after?: string | null }, kind: ColumnPageKind = RESIDENT_COLUMNS): ColumnPageRequest {
  const { gridCodes, first } = gridsAndFirst(args);
  let after: ColumnPageRequest['after'] = null;
  if (args.after != null) {
    const [gridCode, id] = cursorOfGrids(args.after, kind, gridCodes).split(':') as [string, string];
    after = { gridCode, id };
  }
  const page = Buffer.from(JSON.stringify([gridCodes, first, args.after ?? null]), 'utf8').toString('base64url');
  return { gridCodes, first, after, page };
}

/**
 * Checks the arguments of a page of counts per grid (rows keyed by grid and more, e.g. year and kind): the same
 * rules as a column page; `after` is the key of the previous page's last row.
 */
export function countPageRequest(args: { gridCodes: readonly string[]; first?: number | null; after?: string | null }, kind: ColumnPageKind): { gridCodes: string[]; first: number; after: string | null } {
  const { gridCodes, first } = gridsAndFirst(args);
  return { gridCodes, first, after: args.after == null ? null : cursorOfGrids(args.after, kind, gridCodes) };
}

/** The request a page key stands for (an entity reference to a page); a key that is not one is INVALID_CURSOR. */
export function columnPageOf(page: string, kind: ColumnPageKind = RESIDENT_COLUMNS): ColumnPageRequest {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(page, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || !Array.isArray(decoded[0]) || !decoded[0].every((g) => typeof g === 'string')) {
    throw inputError(ErrorCode.INVALID_CURSOR, 'page is not the key of a column page', { argumentName: 'page' });
  }
  const [gridCodes, first, after] = decoded as [string[], unknown, unknown];
  return columnPageRequest({ gridCodes, first: typeof first === 'number' ? first : -1, after: typeof after === 'string' ? after : null }, kind);
}

/** The cursor after a page's last row (its grid and hub id). */
export function columnPageCursor(gridCode: string, id: string, kind: ColumnPageKind = RESIDENT_COLUMNS): string {
  return encodeCursor(kind.name, `${gridCode}:${id}`);
}

/**
 * The rows of a column page over grids: grid after grid in code order from the cursor's position, each grid's rows
 * in hub-id order read only as far as the page needs (`readGrid` reads one grid after an id, at most `limit` rows;
 * one statement over all the grids would sort every row of them for each page). Grids outside the caller's scope
 * are skipped.
 */
export async function rowsOverGrids<TRow>(
  request: ColumnPageRequest,
  scope: RowScope,
  readGrid: (gridCode: string, afterId: string | null, limit: number) => Promise<TRow[]>,
  keyOf: (row: TRow) => { gridCode: string; id: string },
  kind: ColumnPageKind = RESIDENT_COLUMNS,
): Promise<{ rows: TRow[]; hasNextPage: boolean; endCursor: string | null }> {
  const wanted = request.first + 1;
  const rows: TRow[] = [];
  let afterId = request.after?.id ?? null;
  for (let i = request.after ? request.gridCodes.indexOf(request.after.gridCode) : 0; i < request.gridCodes.length && rows.length < wanted; i++) {
    const gridCode = request.gridCodes[i] as string;
    if (inScope(scope, gridCode)) for (const row of await readGrid(gridCode, afterId, wanted - rows.length)) rows.push(row);
    afterId = null;
  }
  const hasNextPage = rows.length > request.first;
  if (hasNextPage) rows.pop();
  const last = rows.at(-1);
  return { rows, hasNextPage, endCursor: last ? columnPageCursor(keyOf(last).gridCode, keyOf(last).id, kind) : null };
}

/**
 * Reads a column page's rows over a table keyed by grid and id: the rows of the grids asked after a (grid code, id)
 * position, in (grid code, id) order, at most `limit`, within `where` (the caller's row scope and the list's own
 * filter). One statement per page whatever the number of its grids: a range of the table's (grid, id) index from the
 * position to the last grid asked. For rows a grid holds a few of (cases, group rentals, entitlements), reading grid
 * by grid (`rowsOverGrids`) would cost a round trip per grid for a handful of rows each.
 */
export type GridRangeReader<TRow> = (gridCodes: readonly string[], after: { gridCode: string; id: string } | null, limit: number) => Promise<TRow[]>;

/**
 * `fields`, when given, are the columns read (as drizzle's `select(fields)` names them): a page that needs a few of a
 * table's columns can then be answered from an index holding them (an index-only scan) instead of the table.
 */
export function gridRangeRows<T extends PgTable>(
  db: NodePgDatabase<Record<string, unknown>>,
  table: T,
  columns: { grid: AnyPgColumn; id: AnyPgColumn },
  where?: SQL,
): GridRangeReader<T['$inferSelect']>;
export function gridRangeRows<T extends PgTable, TFields extends Record<string, AnyPgColumn>>(
  db: NodePgDatabase<Record<string, unknown>>,
  table: T,
  columns: { grid: AnyPgColumn; id: AnyPgColumn },
  where: SQL | undefined,
  fields: TFields,
): GridRangeReader<{ [K in keyof TFields]: TFields[K]['_']['notNull'] extends true ? TFields[K]['_']['data'] : TFields[K]['_']['data'] | null }>;
export function gridRangeRows(
  db: NodePgDatabase<Record<string, unknown>>,
  table: PgTable,
  columns: { grid: AnyPgColumn; id: AnyPgColumn },
  where?: SQL,
  fields?: Record<string, AnyPgColumn>,
): GridRangeReader<unknown> {
  const build = (first: unknown, last: unknown, grids: unknown, after: { grid: unknown; id: unknown } | null, limit: unknown, condition: SQL | undefined) =>
    (fields ? db.select(fields) : db.select())
      .from(table)
      .where(
        and(
          sql`${columns.grid} >= ${first}`,
          sql`${columns.grid} <= ${last}`,
          // One array parameter, not drizzle's parameter per grid: a run of 500 grids cost 500 parameters to build
          // on every page. Grid codes are digits, so the array goes as its own text (`anyOf`).
          sql`${columns.grid} = any(${grids})`,
          after === null ? undefined : sql`(${columns.grid}, ${columns.id}) > (${after.grid}, ${after.id})`,
          condition,
        ),
      )
      .orderBy(asc(columns.grid), asc(columns.id))
      .limit(limit as number);
  // The page's select as a named statement, one per shape of `where` and start (with or without a position): drizzle
  // built it afresh on every page and mapped each row through its `is()` walk; prepared, a page is Bind and Execute
  // and its rows are made by the statement's generated row maker (`withDirectRows`). Built per call when `where`
  // cannot be taken apart into placeholders, or inside a transaction.
  const condition = parameterize(where, 'w');
  const shape = `grid-range|${columnKey(columns.grid)}|${columnKey(columns.id)}|${fields ? Object.entries(fields).map(([key, column]) => `${key}=${columnKey(column)}`).join(',') : '*'}|${condition?.shape ?? ''}`;
  return async (gridCodes, after, limit) => {
    if (gridCodes.length === 0 || limit === 0) return [];
    const grids = gridArray(gridCodes);
    const statement =
      condition &&
      preparedStatement(db, `${shape}|${after !== null}`, (name) =>
        build(
          sql.placeholder('first'),
          sql.placeholder('last'),
          sql.placeholder('grids'),
          after === null ? null : { grid: sql.placeholder('afterGrid'), id: sql.placeholder('afterId') },
          sql.placeholder('limit'),
          condition.sql,
        ).prepare(name) as PreparedStatement<unknown[]>,
      );
    const first = gridCodes[0] as string;
    const last = gridCodes[gridCodes.length - 1] as string;
    if (statement && condition) {
      return statement.execute({ ...condition.values, first, last, grids, afterGrid: after?.gridCode ?? null, afterId: after?.id ?? null, limit });
    }
    return build(first, last, sql.param(grids), after === null ? null : { grid: after.gridCode, id: after.id }, limit, where);
  };
}

/** `column`'s name qualified by its table's, for statement keys. */
const columnKey = (column: AnyPgColumn) => `${getTableName(column.table)}.${column.name}`;

/** Grid codes (digits) as one array parameter's text, `{g1,g2,…}`; others as an array the driver quotes. */
function gridArray(gridCodes: readonly string[]): string | string[] {
  return gridCodes.every((code) => DIGITS.test(code)) ? `{${gridCodes.join(',')}}` : [...gridCodes];
}

const DIGITS = /^\d+$/;

/** What every column page answers besides its columns: its key and where it ends. */
export interface ColumnPageFrame {
  page: string;
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * A column page of rows that have a grid code and an id (`gridCode`, `id`), read in one statement over the page's
 * grids in the caller's scope, turned into the page's columns by `columnsOf` (entry i of each column about row i),
 * with the page's key and cursor.
 */
export async function columnPageOfRows<TRow extends { gridCode: string; id: string }, TColumns>(
  request: ColumnPageRequest,
  scope: RowScope,
  kind: ColumnPageKind,
  readGrids: GridRangeReader<TRow>,
  columnsOf: (rows: TRow[]) => TColumns | Promise<TColumns>,
): Promise<TColumns & ColumnPageFrame> {
  const rows = await readGrids(
    request.gridCodes.filter((gridCode) => inScope(scope, gridCode)),
    request.after,
    request.first + 1,
  );
  const hasNextPage = rows.length > request.first;
  if (hasNextPage) rows.pop();
  const last = rows.at(-1);
  return { ...(await columnsOf(rows)), page: request.page, hasNextPage, endCursor: last ? columnPageCursor(last.gridCode, last.id, kind) : null };
}

/**
 * A column of a page from a per-request loader: entry i is `pick` of what the loader gives for `keys[i]`. The loads
 * go out together, so the loader answers the whole page in one batch (one statement), with the same row scope and
 * rules as wherever else the department uses it.
 */
export async function columnOfLoads<TKey, TValue, TEntry>(keys: readonly TKey[], loader: { load: (key: TKey) => Promise<TValue> }, pick: (value: TValue) => TEntry): Promise<TEntry[]> {
  const values = await Promise.all(keys.map((key) => loader.load(key)));
  return values.map(pick);
}

/**
 * The keys of a column page as another department receives them (the column its `@requires` names): checked, since a
 * department answers for nothing but well-formed keys; `code` says which kind of key was malformed.
 */
export function columnPageKeys(keys: unknown, isKey: (key: string) => boolean, code: ErrorCode | RequestCode, what: string): string[] {
  if (!Array.isArray(keys) || keys.length > MAX_COLUMN_PAGE_SIZE || !keys.every((key) => typeof key === 'string' && isKey(key))) {
    throw new GraphQLError(`a column page's keys must be at most ${MAX_COLUMN_PAGE_SIZE} ${what}`, { extensions: { code, argumentName: 'ids' } });
  }
  return keys as string[];
}

/**
 * `column in (select unnest($1))`: the rows of a column page's keys, looked up one by one on the column's own index.
 * Against a million residents, PostgreSQL 18 planned `id = any($1)` with 5,000 ids as a skip scan of
 * `residents_grid_type_idx` filtering every entry by the array (2-7 s a page, most of `care-lists`' export); the
 * semi-join over the unnested keys is planned as 5,000 primary-key probes (15-300 ms), whatever the array's size.
 * Repeated keys (a person on two care lists) are looked up once.
 */
export function keysIn(column: AnyPgColumn, keys: readonly string[]): SQL {
  return probesOf(column, sql.param(textArray(keys)));
}

/** `keysIn`'s semi-join over keys given as a parameter or a placeholder (`rowsOfKeyProbes`). */
const probesOf = (column: AnyPgColumn | SQL, keys: unknown) => sql`${column} in (select unnest(${keys}::text[]))`;

/** What `rowsOfKeys` builds: a drizzle select, run as it is or prepared under a name. */
export interface KeyedSelect<TRow> extends PromiseLike<TRow[]> {
  prepare(name: string): unknown;
}

/**
 * The rows about a column page's keys (another department's page of hub ids), through a named statement per `key`
 * and shape of `where`: `build(among, where)` is the select, with `among(column)` its `column = any(<the keys>)` and
 * `where` the rest of its condition (row scope, filters) with its values taken out as placeholders.
 *
 * The keys go as one array parameter read through an InitPlan, `column = any((select $keys::text[])::text[])`, not
 * as `column = any($keys)`. The departments' connections plan every execution for its own values
 * (`plan_cache_mode=force_custom_plan`, db/database.ts), so with the array bound as a constant PostgreSQL estimated
 * the selectivity of `= any(<5,000 keys>)` element by element, for each path it weighed, on every page: at 1,000,000
 * residents, pg_stat_statements over one `residents-by-grid` export counted as many plans as executions, and
 * planning 2-6 times execution (mediation's open cases 15.3 s against 2.5 s, civil affairs' welfare 6.5 against
 * 5.0 s, the party's 5.2 against 2.4 s). Behind the InitPlan the array is a value known only when the statement
 * runs: planning does not look into it (it takes the array for a few keys, so the plan is index probes for the
 * keys, as a page of at most 5,000 keys against a department's table wants) and costs what any small statement's
 * does. One limit: an InitPlan's array is not hashed, so where the condition is evaluated row by row instead of as
 * an index condition (a filter, a hash index's recheck) each row is compared with every key. Against public
 * security's residents, planned through `residents_id_hash_idx`, that cost 8x `keysIn` (24 pages: 8.7-9.0 s against
 * 1.1-1.4 s of backend CPU), so the residents' own lookups stay `keysIn`; on the btree indexes of the statements
 * here the keys are index probes. The statement is still named per `key` and shape of `where` (parsed and described once per connection). A
 * `where` that cannot be taken apart into placeholders (a subquery) is built per call, the keys read the same way.
 */
export const rowsOfKeys: RowsOfKeys = namedRowsOfKeys('keys', (column, keys) => amongKeys(column, keys));

/**
 * The same for keys looked up one by one on a hash index (`keysIn`'s semi-join over the unnested keys): public
 * security's residents by hub id, which `rowsOfKeys`' InitPlan array made 8x dearer (see there). Named per `key` and
 * shape of `where` as `rowsOfKeys` is, so a page's lookup is Bind and Execute instead of a statement drizzle builds
 * and maps row by row on every page.
 */
export const rowsOfKeyProbes: RowsOfKeys = namedRowsOfKeys('key-probes', probesOf);

/** `rowsOfKeys`' form: the rows `build` selects about `keys`, with `among(column)` where the keys go. */
export type RowsOfKeys = <TRow>(
  db: NodePgDatabase<Record<string, unknown>>,
  key: string,
  keys: readonly string[],
  where: SQL | undefined,
  build: (among: (column: AnyPgColumn | SQL) => SQL, where: SQL | undefined) => KeyedSelect<TRow>,
) => Promise<TRow[]>;

/** A `RowsOfKeys` whose statements are named under `prefix`, the keys placed by `among`. */
function namedRowsOfKeys(prefix: string, among: (column: AnyPgColumn | SQL, keys: unknown) => SQL): RowsOfKeys {
  return (db, key, keys, where, build) => {
    if (keys.length === 0) return Promise.resolve([]);
    const value = textArray(keys);
    const condition = parameterize(where, 'w');
    const statement =
      condition &&
      preparedStatement(db, `${prefix}|${key}|${condition.shape}`, (name) =>
        build((column) => among(column, sql.placeholder('keys')), condition.sql).prepare(name) as PreparedStatement<Awaited<ReturnType<typeof build>>>,
      );
    if (statement && condition) return statement.execute({ ...condition.values, keys: value });
    return Promise.resolve(build((column) => among(column, sql.param(value)), where));
  };
}

/** `column = any(<keys>)` with the keys read through an InitPlan, out of the planner's sight (`rowsOfKeys`). */
export const amongKeys = (column: AnyPgColumn | SQL, keys: unknown) => sql`${column} = any((select ${keys}::text[])::text[])`;

/** The hub ids of a column page (the `ids` or `residentIds` another department's `@requires` names). */
export function columnPageIds(ids: unknown): string[] {
  // Hub ids are 32 lower-case hex digits (`isResidentKey`), so their array text needs no second check.
  return markHexKeys(columnPageKeys(ids, isResidentKey, ErrorCode.INVALID_RESIDENT_ID, 'hub resident ids'));
}

/**
 * One column of a page from rows keyed by hub id: entry i is what the rows say about `ids[i]` (`fold` over that
 * resident's rows, in the order given), or `empty()` for a resident without rows.
 */
export function columnFor<TRow, TValue>(ids: readonly string[], rows: readonly TRow[], keyOf: (row: TRow) => string, fold: (value: TValue, row: TRow) => TValue, empty: () => TValue): TValue[] {
  const byId = new Map<string, TValue>();
  for (const row of rows) {
    const key = keyOf(row);
    byId.set(key, fold(byId.get(key) ?? empty(), row));
  }
  return ids.map((id) => byId.get(id) ?? empty());
}

/**
 * A column page of communities (社区列式分页): one row per community of the grids asked, in code order, after the
 * community `after` names. Aggregates by community read it, so that a community's figure is one row however many of
 * its grids a page covers; the grids are checked as for residents, INVALID_CURSOR for a cursor of other communities.
 */
export interface CommunityPageRequest {
  gridCodes: string[];
  /** The communities of `gridCodes` on this page's side of `after`, in code order, each with its grids asked. */
  communities: { code: string; gridCodes: string[] }[];
  first: number;
}

const COMMUNITY_CURSOR_KIND = 'community-columns';

export function communityPageRequest(args: { gridCodes: readonly string[]; first?: number | null; after?: string | null }): CommunityPageRequest {
  const { gridCodes, first } = columnPageRequest({ gridCodes: args.gridCodes, first: args.first });
  const byCommunity = new Map<string, string[]>();
  for (const gridCode of gridCodes) {
    const code = gridCode.slice(0, 12);
    byCommunity.set(code, [...(byCommunity.get(code) ?? []), gridCode]);
  }
  let communities = [...byCommunity].map(([code, grids]) => ({ code, gridCodes: grids }));
  if (args.after != null) {
    const after = decodeCursor(COMMUNITY_CURSOR_KIND, args.after, /^\d{12}$/);
    if (!byCommunity.has(after)) {
      throw inputError(ErrorCode.INVALID_CURSOR, '"after" is not a cursor of these grids\' communities; pass an endCursor the same gridCodes returned', { argumentName: 'after' });
    }
    communities = communities.filter((c) => c.code > after);
  }
  return { gridCodes, communities, first };
}

/** The cursor after a community page's last community. */
export function communityPageCursor(communityCode: string): string {
  return encodeCursor(COMMUNITY_CURSOR_KIND, communityCode);
}
