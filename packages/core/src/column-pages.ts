import { checkGridCode } from './checks.ts';
import { isResidentKey } from './codes/resident-key.ts';
import { ErrorCode, inputError } from './errors.ts';
import { decodeCursor, encodeCursor } from './pagination.ts';

/**
 * Column pages (列式分页): a page of residents answered as one object of lists (`ResidentColumns`) instead of a list
 * of objects, for bulk exports. Public security pages residents of a set of grids; every other department answers
 * its columns for the page's `ids`. Larger pages than connections allow, since a page is one object to plan, join
 * and check whatever its length.
 */
export const MAX_COLUMN_PAGE_SIZE = 5000;
export const DEFAULT_COLUMN_PAGE_SIZE = 1000;
export const MAX_COLUMN_PAGE_GRIDS = 500;

const CURSOR_KIND = 'resident-columns';
const CURSOR_KEY = /^\d{15}:[0-9a-f]{32}$/;

export interface ColumnPageRequest {
  /** The grids asked for, checked, without repeats, in code order. */
  gridCodes: string[];
  first: number;
  /** The last resident of the previous page, by (grid code, hub id); null for the first page. */
  after: { gridCode: string; id: string } | null;
  /** The page's identity and the way back to it: its grids, size and start, encoded (`columnPageOf` reads it). */
  page: string;
}

/** Checks a column page's arguments; refuses with INVALID_GRID_CODE, INVALID_PAGE_SIZE or INVALID_CURSOR. */
export function columnPageRequest(args: { gridCodes: readonly string[]; first?: number | null; after?: string | null }): ColumnPageRequest {
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
  let after: ColumnPageRequest['after'] = null;
  if (args.after != null) {
    const [gridCode, id] = decodeCursor(CURSOR_KIND, args.after, CURSOR_KEY).split(':') as [string, string];
    // A cursor of other grids would start the page in the wrong place: refused like any foreign cursor.
    if (!gridCodes.includes(gridCode)) {
      throw inputError(ErrorCode.INVALID_CURSOR, '"after" is not a cursor of these grids; pass an endCursor the same gridCodes returned', { argumentName: 'after' });
    }
    after = { gridCode, id };
  }
  const page = Buffer.from(JSON.stringify([gridCodes, first, args.after ?? null]), 'utf8').toString('base64url');
  return { gridCodes, first, after, page };
}

/** The request a page key stands for (an entity reference to a page); a key that is not one is INVALID_CURSOR. */
export function columnPageOf(page: string): ColumnPageRequest {
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
  return columnPageRequest({ gridCodes, first: typeof first === 'number' ? first : -1, after: typeof after === 'string' ? after : null });
}

/** The cursor after a page's last resident. */
export function columnPageCursor(gridCode: string, id: string): string {
  return encodeCursor(CURSOR_KIND, `${gridCode}:${id}`);
}

/**
 * The hub ids of a column page as another department receives them (the `ids` its `@requires` names): checked,
 * since a department answers for nothing but well-formed ids.
 */
export function columnPageIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.length > MAX_COLUMN_PAGE_SIZE || !ids.every(isResidentKey)) {
    throw inputError(ErrorCode.INVALID_RESIDENT_ID, `a column page's ids must be at most ${MAX_COLUMN_PAGE_SIZE} hub resident ids`, { argumentName: 'ids' });
  }
  return ids as string[];
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
