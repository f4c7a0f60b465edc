import { filteredPage, type PageRequest } from '@hub/core';
import type { CaseScope } from './case-scope.ts';
import { and, asc, count, eq, gt, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { CaseCategory, CaseDepartment, CaseLevel, CaseSeverity, CaseSource, CaseStatus, SupervisionList } from '../__generated__/resolvers-types.ts';
import { caseFigures, caseFilterSql, receivedWithin, redCardSql, yellowCardSql } from '../loaders.ts';
import type { Db } from './index.ts';
import { caseEvents, caseParts, cases } from './schema.ts';

/** Cases in which a unit holds an open part of the current dispatch (its worklist, 本单位待办). */
const openPartOfUnitSql = (unit: string) =>
  sql`exists (select 1 from ${caseParts} where ${caseParts.caseId} = ${cases.id} and ${caseParts.round} = ${cases.dispatchRound}
    and ${caseParts.unitCode} = ${unit} and ${caseParts.status} in ('DISPATCHED', 'ACKNOWLEDGED'))`;

/** A page of cases in id order with the total of the filter; one statement each, run together. */
const casePage = (db: Db, filter: SQL | undefined, page: PageRequest) => filteredPage(db, cases, cases.id, filter, page);

/** The cases the caller may see that match the filter (places are checked codes; one without cases lists none). */
export const casesPage = (
  db: Db,
  scope: CaseScope,
  filter: {
    status: CaseStatus | null;
    category: CaseCategory | null;
    streetCode: string | null;
    communityCode: string | null;
    gridCode: string | null;
    committeeId: string | null;
    unit?: string | null;
    level?: CaseLevel | null;
    reportedUp?: boolean | null;
    source?: CaseSource | null;
    severity?: CaseSeverity | null;
    criminalRisk?: boolean | null;
    groupDispute?: boolean | null;
  },
  page: PageRequest,
) =>
  casePage(
    db,
    and(
      scope.cases,
      caseFilterSql({ status: filter.status, category: filter.category }),
      filter.streetCode != null ? eq(cases.streetCode, filter.streetCode) : undefined,
      filter.communityCode != null ? eq(cases.communityCode, filter.communityCode) : undefined,
      filter.gridCode != null ? eq(cases.gridCode, filter.gridCode) : undefined,
      filter.committeeId != null ? eq(cases.committeeId, filter.committeeId) : undefined,
      filter.unit != null ? openPartOfUnitSql(filter.unit) : undefined,
      filter.level != null ? eq(cases.level, filter.level) : undefined,
      filter.reportedUp != null ? (filter.reportedUp ? isNotNull(cases.reportedUpAt) : isNull(cases.reportedUpAt)) : undefined,
      filter.source != null ? eq(cases.source, filter.source) : undefined,
      filter.severity != null ? eq(cases.severity, filter.severity) : undefined,
      filter.criminalRisk != null ? eq(cases.criminalRisk, filter.criminalRisk) : undefined,
      filter.groupDispute != null ? (filter.groupDispute ? isNotNull(cases.headCount) : isNull(cases.headCount)) : undefined,
    ),
    page,
  );

/** The cases of one supervision list (yellow cards, red cards, escalated) the caller may see. */
export function supervisedCasesPage(
  db: Db,
  scope: CaseScope,
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
      scope.cases,
      list,
      filter.department != null ? eq(cases.assignedDepartment, filter.department) : undefined,
      filter.streetCode != null ? eq(cases.streetCode, filter.streetCode) : undefined,
    ),
    page,
  );
}

/** The case-event feed after a sequence, `first + 1` events at the most. */
export const caseEventFeed = (db: Db, scope: CaseScope, department: CaseDepartment | null, page: PageRequest, unit: string | null = null, filter?: SQL) =>
  page.first === 0
    ? Promise.resolve([])
    : db
        .select()
        .from(caseEvents)
        .where(
          and(
            scope.events,
            department != null ? eq(caseEvents.department, department) : undefined,
            unit != null ? eq(caseEvents.unitCode, unit) : undefined,
            filter,
            page.after !== null ? gt(caseEvents.sequence, Number(page.after)) : undefined,
          ),
        )
        .orderBy(asc(caseEvents.sequence))
        .limit(page.first + 1);

/** Case figures per assigned department of the cases received in a period that the caller may see. */
export const caseFiguresPerDepartment = (db: Db, scope: CaseScope, period: { from: string | null; to: string | null }, rules: { today: string; redCardGraceDays: number }) =>
  caseFigures(db, cases.assignedDepartment, and(scope.cases, receivedWithin(period)), rules.today, rules.redCardGraceDays);

/** Case figures per handling level, and how many of each level's cases were ever reported up. */
export async function caseFiguresPerLevel(db: Db, scope: CaseScope, period: { from: string | null; to: string | null }, rules: { today: string; redCardGraceDays: number }) {
  const where = and(scope.cases, receivedWithin(period));
  const [figures, reported] = await Promise.all([
    caseFigures(db, cases.level, where, rules.today, rules.redCardGraceDays),
    db.select({ level: cases.level, n: count() }).from(cases).where(and(where, isNotNull(cases.reportedUpAt))).groupBy(cases.level),
  ]);
  return { figures, reportedUp: new Map(reported.map((r) => [r.level as string, r.n])) };
}
