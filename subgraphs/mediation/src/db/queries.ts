import { filteredPage, gridScopeWhere, type PageRequest, type RowScope } from '@hub/core';
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { CaseCategory, CaseDepartment, CaseStatus, SupervisionList } from '../__generated__/resolvers-types.ts';
import { caseFigures, caseFilterSql, receivedWithin, redCardSql, yellowCardSql } from '../loaders.ts';
import type { Db } from './index.ts';
import { caseEvents, cases } from './schema.ts';

/** A page of cases in id order with the total of the filter; one statement each, run together. */
const casePage = (db: Db, filter: SQL | undefined, page: PageRequest) => filteredPage(db, cases, cases.id, filter, page);

/** The cases the caller may see that match the filter (places are checked codes; one without cases lists none). */
export const casesPage = (
  db: Db,
  scope: RowScope,
  filter: { status: CaseStatus | null; category: CaseCategory | null; streetCode: string | null; communityCode: string | null; gridCode: string | null; committeeId: string | null },
  page: PageRequest,
) =>
  casePage(
    db,
    and(
      gridScopeWhere(scope, cases.gridCode),
      caseFilterSql({ status: filter.status, category: filter.category }),
      filter.streetCode != null ? eq(cases.streetCode, filter.streetCode) : undefined,
      filter.communityCode != null ? eq(cases.communityCode, filter.communityCode) : undefined,
      filter.gridCode != null ? eq(cases.gridCode, filter.gridCode) : undefined,
      filter.committeeId != null ? eq(cases.committeeId, filter.committeeId) : undefined,
    ),
    page,
  );

/** The cases of one supervision list (yellow cards, red cards, escalated) the caller may see. */
export function supervisedCasesPage(
  db: Db,
  scope: RowScope,
  filter: { list: SupervisionList; department: CaseDepartment | null; streetCode: string | null },
  rules: { today: string; redCardGraceDays: number },
  page: PageRequest,
) {
  const list =
    filter.list === 'YELLOW_CARD'
      ? yellowCardSql(rules.today, rules.redCardGraceDays)
      : filter.list === 'RED_CARD'
        ? redCardSql(rules.today, rules.redCardGraceDays)
        : eq(cases.status, 'ESCALATED');
  return casePage(
    db,
    and(
      gridScopeWhere(scope, cases.gridCode),
      list,
      filter.department != null ? eq(cases.assignedDepartment, filter.department) : undefined,
      filter.streetCode != null ? eq(cases.streetCode, filter.streetCode) : undefined,
    ),
    page,
  );
}

/** The case-event feed after a sequence, `first + 1` events at the most. */
export const caseEventFeed = (db: Db, scope: RowScope, department: CaseDepartment | null, page: PageRequest, filter?: SQL) =>
  page.first === 0
    ? Promise.resolve([])
    : db
        .select()
        .from(caseEvents)
        .where(
          and(
            gridScopeWhere(scope, caseEvents.gridCode),
            department != null ? eq(caseEvents.department, department) : undefined,
            filter,
            page.after !== null ? gt(caseEvents.sequence, Number(page.after)) : undefined,
          ),
        )
        .orderBy(asc(caseEvents.sequence))
        .limit(page.first + 1);

/** Case figures per assigned department of the cases received in a period that the caller may see. */
export const caseFiguresPerDepartment = (db: Db, scope: RowScope, period: { from: string | null; to: string | null }, rules: { today: string; redCardGraceDays: number }) =>
  caseFigures(db, cases.assignedDepartment, and(gridScopeWhere(scope, cases.gridCode), receivedWithin(period)), rules.today, rules.redCardGraceDays);
