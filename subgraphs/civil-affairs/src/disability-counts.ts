import { countPageRequest, encodeCursor, suppressParts, type ColumnPageKind } from '@hub/core';
import type { DisabilityCategory, DisabilityCountColumns } from './__generated__/resolvers-types.ts';

const CATEGORIES: readonly DisabilityCategory[] = ['VISUAL', 'HEARING', 'SPEECH', 'PHYSICAL', 'INTELLECTUAL', 'MENTAL', 'MULTIPLE'];
const COUNT_CURSOR: ColumnPageKind = { name: 'disability-counts', cursorKey: /^\d{15}:[CG]:[1-7]$/ };

/** One row: a grid's holders of one category (all grades), or of one grade (all categories). */
interface CountRow {
  gridCode: string;
  category: number | null;
  grade: number | null;
  holders: number | null;
}
const keyOf = (r: CountRow) => `${r.gridCode}:${r.category !== null ? `C:${r.category}` : `G:${r.grade}`}`;

export interface DisabilityCountRequest {
  gridCodes: string[];
  first: number;
  /** The key of the previous page's last row. */
  after: string | null;
}

/** Checks the arguments as `residentColumns` does: 1-500 grid codes, `first` 0-5000, a cursor of these grids. */
export function disabilityCountRequest(args: { gridCodes: readonly string[]; first?: number | null; after?: string | null }): DisabilityCountRequest {
  return countPageRequest(args, COUNT_CURSOR);
}

/**
 * Each grid's holders by category, then by grade (both add up to the grid's holders, so a reader holds the total),
 * as core's small-cell rule publishes parts of a total (`suppressParts`, 小数抑制): counts of 1 to 4 withheld, since a
 * cell of a few holders in a grid would single people out once a reader knows a neighbour's disability, and where one
 * count alone of a list would be withheld, the next smallest too, or the total would give it away (complementary
 * suppression). Zeros are not rows at all.
 */
export function disabilityCountRows(cells: readonly { gridCode: string; category: number; grade: number; holders: number }[]): CountRow[] {
  const rows: CountRow[] = [];
  const byGrid = new Map<string, { categories: Map<number, number>; grades: Map<number, number> }>();
  for (const c of cells) {
    let grid = byGrid.get(c.gridCode);
    if (!grid) byGrid.set(c.gridCode, (grid = { categories: new Map(), grades: new Map() }));
    grid.categories.set(c.category, (grid.categories.get(c.category) ?? 0) + c.holders);
    grid.grades.set(c.grade, (grid.grades.get(c.grade) ?? 0) + c.holders);
  }
  const suppress = (counts: Map<number, number>): Map<number, number | null> => {
    const keys = [...counts.keys()].sort((a, b) => a - b);
    const shown = suppressParts(keys.map((k) => counts.get(k) as number));
    return new Map(keys.map((k, i) => [k, shown[i] as number | null]));
  };
  for (const gridCode of [...byGrid.keys()].sort()) {
    const grid = byGrid.get(gridCode)!;
    for (const [category, holders] of suppress(grid.categories)) rows.push({ gridCode, category, grade: null, holders });
    for (const [grade, holders] of suppress(grid.grades)) rows.push({ gridCode, category: null, grade, holders });
  }
  return rows;
}

/** A page of the rows after the cursor, as columns. */
export function disabilityCountPage(rows: readonly CountRow[], request: DisabilityCountRequest): DisabilityCountColumns {
  const start = request.after === null ? 0 : rows.findIndex((r) => keyOf(r) === request.after) + 1;
  // A cursor whose row is gone (the register changed between pages) starts after its grid, never over again.
  const from = start > 0 || request.after === null ? start : rows.findIndex((r) => r.gridCode > request.after!.slice(0, 15));
  const page = from < 0 ? [] : rows.slice(from, from + request.first);
  const last = page.at(-1);
  return {
    gridCodes: page.map((r) => r.gridCode),
    categories: page.map((r) => (r.category === null ? null : (CATEGORIES[r.category - 1] as DisabilityCategory))),
    grades: page.map((r) => r.grade),
    holders: page.map((r) => r.holders),
    hasNextPage: from >= 0 && from + page.length < rows.length,
    endCursor: last ? encodeCursor(COUNT_CURSOR.name, keyOf(last)) : null,
  };
}
