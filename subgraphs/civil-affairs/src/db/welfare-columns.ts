import { columnPageOf, columnPageOfRows, gridRangeRows, gridScopeWhere, inputError, ErrorCode, type ColumnPageKind, type ColumnPageRequest, type RowScope } from '@hub/core';
import { and, inArray } from 'drizzle-orm';
import type { WelfareCategory } from '../__generated__/resolvers-types.ts';
import { WELFARE_KINDS_OF } from '../statistics.ts';
import type { Db } from './index.ts';
import { welfareEntitlements, type WelfareEntitlementRow } from './schema.ts';

/** Entitlements are keyed by their id (MZ and 19 digits). */
export const WELFARE_ENTITLEMENT_COLUMNS: ColumnPageKind = { name: 'welfare-entitlement-columns', cursorKey: /^\d{15}:MZ\d{19}$/ };

const CATEGORIES = Object.keys(WELFARE_KINDS_OF) as WelfareCategory[];

/** The page's key: the category (or ALL) before the key of its grids, size and start. */
export function welfareColumnsPageKey(category: WelfareCategory | null, request: ColumnPageRequest): string {
  return `${category ?? 'ALL'}.${request.page}`;
}

/** The category and request a page key stands for; a key that is not one is INVALID_CURSOR. */
export function welfareColumnsPageOf(page: string): { category: WelfareCategory | null; request: ColumnPageRequest } {
  const dot = page.indexOf('.');
  const category = page.slice(0, Math.max(dot, 0));
  if (category !== 'ALL' && !(CATEGORIES as string[]).includes(category)) {
    throw inputError(ErrorCode.INVALID_CURSOR, 'page is not the key of a column page', { argumentName: 'page' });
  }
  return { category: category === 'ALL' ? null : (category as WelfareCategory), request: columnPageOf(page.slice(dot + 1), WELFARE_ENTITLEMENT_COLUMNS) };
}

/**
 * The welfare entitlements of some grids after a (grid code, id) position, as columns: those each grid's
 * `welfareRecipients` gives with the same category.
 */
export async function welfareEntitlementColumnsPage(db: Db, scope: RowScope, category: WelfareCategory | null, request: ColumnPageRequest) {
  const where = and(gridScopeWhere(scope, welfareEntitlements.gridCode), category ? inArray(welfareEntitlements.kind, [...WELFARE_KINDS_OF[category]]) : undefined);
  const readGrids = gridRangeRows(db, welfareEntitlements, { grid: welfareEntitlements.gridCode, id: welfareEntitlements.id }, where);
  const page = await columnPageOfRows(request, scope, WELFARE_ENTITLEMENT_COLUMNS, readGrids, (rows: WelfareEntitlementRow[]) => ({
    ids: rows.map((w) => w.id),
    residentIds: rows.map((w) => w.residentId),
    gridCodes: rows.map((w) => w.gridCode),
    kinds: rows.map((w) => w.kind),
    statuses: rows.map((w) => w.status),
    monthlyAmounts: rows.map((w) => w.monthlyAmount),
    startsOns: rows.map((w) => w.startsOn),
  }));
  return { ...page, page: welfareColumnsPageKey(category, request) };
}

export type WelfareEntitlementColumnsPage = Awaited<ReturnType<typeof welfareEntitlementColumnsPage>>;
