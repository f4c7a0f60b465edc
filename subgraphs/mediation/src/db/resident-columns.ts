import { columnFor, rowsOfKeys } from '@hub/core';
import type { CaseScope } from './case-scope.ts';
import { and, countDistinct, eq, sql } from 'drizzle-orm';
import type { Db } from './index.ts';
import { caseParties, cases } from './schema.ts';

/** Statuses of a case not yet settled: still to be handled by someone (未办结). */
export const OPEN_CASE_STATUSES = ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED'] as const;

/** `cases.status` among the open ones, written into the statement's text: the same for every page. */
const OPEN_STATUS = sql.raw(`"cases"."status" in (${OPEN_CASE_STATUSES.map((s) => `'${s}'`).join(', ')})`);

/** How many open cases the caller may see each resident is a party to: one named statement on case_parties_resident_idx (`rowsOfKeys`). */
export async function openCaseCountColumn(db: Db, scope: CaseScope, ids: readonly string[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await rowsOfKeys(db, 'open-case-counts', ids, scope.cases, (among, where) =>
    db
      .select({ residentId: caseParties.residentId, count: countDistinct(cases.id) })
      .from(caseParties)
      .innerJoin(cases, eq(cases.id, caseParties.caseId))
      .where(and(among(caseParties.residentId), OPEN_STATUS, where))
      .groupBy(caseParties.residentId),
  );
  return columnFor<(typeof rows)[number], number>(ids, rows, (r) => r.residentId ?? '', (_, r) => r.count, () => 0);
}
