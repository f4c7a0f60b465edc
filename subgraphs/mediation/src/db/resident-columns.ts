import { anyOf, columnFor } from '@hub/core';
import type { CaseScope } from './case-scope.ts';
import { and, countDistinct, eq, inArray } from 'drizzle-orm';
import type { Db } from './index.ts';
import { caseParties, cases } from './schema.ts';

/** Statuses of a case not yet settled: still to be handled by someone (未办结). */
export const OPEN_CASE_STATUSES = ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED'] as const;

/** How many open cases the caller may see each resident is a party to: one statement on case_parties_resident_idx. */
export async function openCaseCountColumn(db: Db, scope: CaseScope, ids: readonly string[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ residentId: caseParties.residentId, count: countDistinct(cases.id) })
    .from(caseParties)
    .innerJoin(cases, eq(cases.id, caseParties.caseId))
    .where(and(anyOf(caseParties.residentId, ids), inArray(cases.status, [...OPEN_CASE_STATUSES]), scope.cases))
    .groupBy(caseParties.residentId);
  return columnFor<(typeof rows)[number], number>(ids, rows, (r) => r.residentId ?? '', (_, r) => r.count, () => 0);
}
