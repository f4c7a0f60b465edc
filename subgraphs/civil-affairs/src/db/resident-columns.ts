import { anyOf, columnFor, gridScopeWhere, type RowScope } from '@hub/core';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from './index.ts';
import { welfareEntitlements } from './schema.ts';

/** The kinds of welfare each resident is being paid now, each kind once, in kind order: one statement on welfare_resident_idx. */
export async function activeWelfareKindsColumn(db: Db, scope: RowScope, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .selectDistinct({ residentId: welfareEntitlements.residentId, kind: welfareEntitlements.kind })
    .from(welfareEntitlements)
    .where(and(anyOf(welfareEntitlements.residentId, ids), eq(welfareEntitlements.status, 'ACTIVE'), gridScopeWhere(scope, welfareEntitlements.gridCode)))
    .orderBy(asc(welfareEntitlements.residentId), asc(welfareEntitlements.kind));
  return columnFor<(typeof rows)[number], (typeof rows)[number]['kind'][]>(ids, rows, (r) => r.residentId, (kinds, r) => (kinds.push(r.kind), kinds), () => []);
}
