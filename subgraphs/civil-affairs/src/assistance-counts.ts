import { countPageRequest, encodeCursor, type ColumnPageKind, suppressCount, suppressSum } from '@hub/core';
import type { AssistanceCountColumns, AssistanceKind } from './__generated__/resolvers-types.ts';

const COUNT_CURSOR: ColumnPageKind = { name: 'assistance-counts', cursorKey: /^\d{15}:\d{4}:(TEMPORARY|MEDICAL)$/ };

/** A grid's grants of one kind in one year, as counted: grants, distinct people and yuan (a decimal string). */
export interface AssistanceCountCell {
  gridCode: string;
  year: number;
  kind: AssistanceKind;
  grants: number;
  recipients: number;
  amount: string;
}

const keyOf = (r: Pick<AssistanceCountCell, 'gridCode' | 'year' | 'kind'>) => `${r.gridCode}:${r.year}:${r.kind}`;

export interface AssistanceCountRequest {
  gridCodes: string[];
  first: number;
  /** The key of the previous page's last row. */
  after: string | null;
}

/** Checks the arguments as `residentColumns` does: 1-500 grid codes, `first` 0-5000, a cursor of these grids. */
export function assistanceCountRequest(args: { gridCodes: readonly string[]; first?: number | null; after?: string | null }): AssistanceCountRequest {
  return countPageRequest(args, COUNT_CURSOR);
}

/**
 * A page of the cells (in grid, year, kind order) after the cursor, as columns, small cells suppressed (小数抑制):
 * where 1 to 4 people were granted, their number, their grants and their yuan are all null, since a sum over so few
 * tells what each got. No row adds up the others (the kinds and years are not summed), so no complementary cell is
 * needed.
 */
export function assistanceCountPage(cells: readonly AssistanceCountCell[], request: AssistanceCountRequest): AssistanceCountColumns {
  const start = request.after === null ? 0 : cells.findIndex((c) => keyOf(c) === request.after) + 1;
  // A cursor whose row is gone (the grants changed between pages) starts after its grid, never over again.
  const from = start > 0 || request.after === null ? start : cells.findIndex((c) => c.gridCode > request.after!.slice(0, 15));
  const page = from < 0 ? [] : cells.slice(from, from + request.first);
  const last = page.at(-1);
  return {
    gridCodes: page.map((c) => c.gridCode),
    years: page.map((c) => c.year),
    kinds: page.map((c) => c.kind),
    recipients: page.map((c) => suppressCount(c.recipients)),
    grants: page.map((c) => suppressSum(c.grants, c.recipients)),
    amounts: page.map((c) => (suppressCount(c.recipients) === null ? null : c.amount)),
    hasNextPage: from >= 0 && from + page.length < cells.length,
    endCursor: last ? encodeCursor(COUNT_CURSOR.name, keyOf(last)) : null,
  };
}
