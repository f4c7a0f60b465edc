import { columnFor, gridScopeWhere, rowsOfKeys, type RowScope } from '@hub/core';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from './index.ts';
import { welfareEntitlements } from './schema.ts';

/** The kinds of welfare each resident is being paid now, each kind once, in kind order: one named statement on welfare_resident_idx (`rowsOfKeys`). */
export async function activeWelfareKindsColumn(db: Db, scope: RowScope, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await rowsOfKeys(db, 'active-welfare-kinds', ids, gridScopeWhere(scope, welfareEntitlements.gridCode), (among, where) =>
    db
      .selectDistinct({ residentId: welfareEntitlements.residentId, kind: welfareEntitlements.kind })
      .from(welfareEntitlements)
      .where(and(among(welfareEntitlements.residentId), eq(welfareEntitlements.status, 'ACTIVE'), where))
      .orderBy(asc(welfareEntitlements.residentId), asc(welfareEntitlements.kind)),
  );
  return columnFor<(typeof rows)[number], (typeof rows)[number]['kind'][]>(ids, rows, (r) => r.residentId, (kinds, r) => (kinds.push(r.kind), kinds), () => []);
}
