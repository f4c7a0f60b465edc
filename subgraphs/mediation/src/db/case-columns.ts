import { chinaTimeWriter, columnFor, columnPageOfRows, gridRangeRows, rowsOfKeys, type ColumnPageKind, type ColumnPageRequest } from '@hub/core';
import { and, asc, count } from 'drizzle-orm';
import type { MediationContext } from '../context.ts';
import type { CaseScope } from './case-scope.ts';
import { overdueDays, supervisionCard } from '../workflow/deadlines.ts';
import type { Db } from './index.ts';
import { caseParts, cases, followUps } from './schema.ts';

/** Cases are keyed by their id (TJ, the grid code and a 4-digit sequence). */
export const CASE_COLUMNS: ColumnPageKind = { name: 'case-columns', cursorKey: /^\d{15}:TJ\d{19}$/ };

/**
 * The columns a page reads, not the whole row: a case's summary, notes, channels and the times no column shows were
 * read, parsed and dropped for every case of every page (the rows' parsing and garbage were most of mediation's CPU
 * in a `cases` export).
 */
const COLUMNS = {
  id: cases.id,
  gridCode: cases.gridCode,
  category: cases.category,
  source: cases.source,
  hotlineTicket: cases.hotlineTicket,
  severity: cases.severity,
  criminalRisk: cases.criminalRisk,
  headCount: cases.headCount,
  leaderName: cases.leaderName,
  leaderPost: cases.leaderPost,
  status: cases.status,
  outcome: cases.outcome,
  assignedDepartment: cases.assignedDepartment,
  level: cases.level,
  reportedUpAt: cases.reportedUpAt,
  leadUnit: cases.leadUnit,
  dispatchRound: cases.dispatchRound,
  receivedAt: cases.receivedAt,
  acceptedAt: cases.acceptedAt,
  acknowledgedAt: cases.acknowledgedAt,
  resolvedAt: cases.resolvedAt,
  closedAt: cases.closedAt,
  dueOn: cases.dueOn,
};

/**
 * What a page's columns need of its cases' parts (every round's: hand-backs count them all) and follow-up visits:
 * these columns only, in one named statement each with the page's ids read through an InitPlan (`rowsOfKeys`). The
 * request's loaders (`partsByCase`, `followUpsByCase`) read whole rows, parsing three timestamps and two notes a part
 * and a note a visit that no column shows, under a statement planned for every page's 3,000-odd ids one by one, and
 * went through a loader's promise per case.
 */
const PART_COLUMNS = { caseId: caseParts.caseId, round: caseParts.round, unitCode: caseParts.unitCode, role: caseParts.role, status: caseParts.status };
const VISIT_COLUMNS = { caseId: followUps.caseId, level: followUps.level };

type PartOfPage = Pick<typeof caseParts.$inferSelect, keyof typeof PART_COLUMNS>;
type VisitOfPage = Pick<typeof followUps.$inferSelect, keyof typeof VISIT_COLUMNS>;

const partsOfPage = (db: Db, ids: readonly string[]) =>
  rowsOfKeys<PartOfPage>(db, 'case-columns-parts', ids, undefined, (among) => db.select(PART_COLUMNS).from(caseParts).where(among(caseParts.caseId)));

// In visit order within each case (`followUpsByCase`'s order): the last one is the case's satisfaction.
const visitsOfPage = (db: Db, ids: readonly string[]) =>
  rowsOfKeys<VisitOfPage>(db, 'case-columns-visits', ids, undefined, (among) =>
    db.select(VISIT_COLUMNS).from(followUps).where(among(followUps.caseId)).orderBy(asc(followUps.caseId), asc(followUps.position)),
  );

/** Rows grouped by case id, in the order read. */
function byCase<T extends { caseId: string }>(rows: readonly T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    const list = grouped.get(row.caseId);
    if (list) list.push(row);
    else grouped.set(row.caseId, [row]);
  }
  return grouped;
}

/** `byRoleAndUnit` among co-handlers (one role): by unit code. */
const byUnit = (a: PartOfPage, b: PartOfPage) => (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0);

const NONE: never[] = [];

/**
 * The cases of some grids after a (grid code, id) position, as columns: those each grid's `cases` gives the caller
 * (the case rule in SQL), each column as the `Case` field it stands for answers it.
 */
export function caseColumnsPage(ctx: MediationContext, request: ColumnPageRequest) {
  const { db, caseScope, limits, today, redCardGraceDays } = ctx;
  return columnPageOfRows(request, caseScope.grids, CASE_COLUMNS, gridRangeRows(db, cases, { grid: cases.gridCode, id: cases.id }, caseScope.cases, COLUMNS), async (rows) => {
    const ids = rows.map((c) => c.id);
    const [partRows, visitRows] = await Promise.all([partsOfPage(db, ids), visitsOfPage(db, ids)]);
    const partsByCase = byCase(partRows);
    const visitsByCase = byCase(visitRows);
    const parts = ids.map((id) => partsByCase.get(id) ?? NONE);
    const visits = ids.map((id) => visitsByCase.get(id) ?? NONE);
    // Each day's text once per page: five instants a case.
    const chinaTime = chinaTimeWriter();
    const time = (value: Date | null) => (value === null ? null : chinaTime(value));
    return {
      ids,
      gridCodes: rows.map((c) => c.gridCode),
      categories: rows.map((c) => c.category),
      sources: rows.map((c) => c.source),
      hotlineTickets: rows.map((c) => c.hotlineTicket),
      severities: rows.map((c) => c.severity),
      criminalRisks: rows.map((c) => c.criminalRisk),
      groupDisputes: rows.map((c) => c.headCount !== null),
      headCounts: rows.map((c) => c.headCount),
      // As `Case.leader`: a leader is a name and a post, and only the post leaves here.
      leaderPosts: rows.map((c) => (c.leaderName === null ? null : c.leaderPost)),
      statuses: rows.map((c) => c.status),
      outcomes: rows.map((c) => c.outcome),
      assignedDepartments: rows.map((c) => c.assignedDepartment),
      levels: rows.map((c) => c.level),
      reportedUps: rows.map((c) => c.reportedUpAt !== null),
      leadUnitCodes: rows.map((c) => (c.leadUnit === null ? null : (limits.units.get(c.leadUnit)?.code ?? null))),
      coHandlerCodes: rows.map(
        (c, i) =>
          (parts[i] ?? [])
            .filter((p) => p.round === c.dispatchRound && p.role === 'CO_HANDLER')
            .sort(byUnit)
            .map((p) => p.unitCode)
            .join(';') || null,
      ),
      handBacks: parts.map((list) => list.filter((p) => p.status === 'HANDED_BACK').length),
      receivedAts: rows.map((c) => chinaTime(c.receivedAt)),
      acceptedAts: rows.map((c) => time(c.acceptedAt)),
      acknowledgedAts: rows.map((c) => time(c.acknowledgedAt)),
      resolvedAts: rows.map((c) => time(c.resolvedAt)),
      closedAts: rows.map((c) => time(c.closedAt)),
      dueOns: rows.map((c) => c.dueOn),
      overdues: rows.map((c) => overdueDays(c, today) > 0),
      overdueDays: rows.map((c) => overdueDays(c, today)),
      cards: rows.map((c) => supervisionCard(c, today, redCardGraceDays)),
      followUpCounts: visits.map((list) => list.length),
      // As `FollowUp.satisfied`: anything but dissatisfied.
      lastSatisfied: visits.map((list) => (list.length === 0 ? null : list[list.length - 1]!.level !== 'DISSATISFIED')),
      lastSatisfactionLevels: visits.map((list) => list.at(-1)?.level ?? null),
    };
  });
}

export type CaseColumnsPage = Awaited<ReturnType<typeof caseColumnsPage>>;

/**
 * How many cases about each of a page's group rentals (housing's ids) the caller may see: one named statement on
 * `cases_group_rental_idx` counting them (`rowsOfKeys`), where `casesByGroupRental` read every such case whole, its
 * timestamps parsed, to take the length of the list.
 */
export async function disputeCountColumn(db: Db, scope: CaseScope, ids: readonly string[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await rowsOfKeys(db, 'dispute-counts', ids, scope.cases, (among, where) =>
    db
      .select({ groupRentalId: cases.groupRentalId, count: count() })
      .from(cases)
      .where(and(among(cases.groupRentalId), where))
      .groupBy(cases.groupRentalId),
  );
  return columnFor<(typeof rows)[number], number>(ids, rows, (r) => r.groupRentalId ?? '', (_, r) => r.count, () => 0);
}
