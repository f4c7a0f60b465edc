import { columnOfLoads, columnPageOfRows, gridRangeRows, toChinaTime, type ColumnPageKind, type ColumnPageRequest } from '@hub/core';
import type { MediationContext } from '../context.ts';
import { byRoleAndUnit } from '../resolvers/CasePart.ts';
import { overdueDays, supervisionCard } from '../workflow/deadlines.ts';
import { cases } from './schema.ts';

/** Cases are keyed by their id (TJ, the grid code and a 4-digit sequence). */
export const CASE_COLUMNS: ColumnPageKind = { name: 'case-columns', cursorKey: /^\d{15}:TJ\d{19}$/ };

const time = (value: Date | null) => (value === null ? null : toChinaTime(value));

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
 * The cases of some grids after a (grid code, id) position, as columns: those each grid's `cases` gives the caller
 * (the case rule in SQL), each column as the `Case` field it stands for answers it, from the same loaders.
 */
export function caseColumnsPage(ctx: MediationContext, request: ColumnPageRequest) {
  const { db, caseScope, loaders, limits, today, redCardGraceDays } = ctx;
  return columnPageOfRows(request, caseScope.grids, CASE_COLUMNS, gridRangeRows(db, cases, { grid: cases.gridCode, id: cases.id }, caseScope.cases, COLUMNS), async (rows) => {
    const ids = rows.map((c) => c.id);
    const [parts, followUps] = await Promise.all([columnOfLoads(ids, loaders.partsByCase, (p) => p), columnOfLoads(ids, loaders.followUpsByCase, (f) => f)]);
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
            .sort(byRoleAndUnit)
            .map((p) => p.unitCode)
            .join(';') || null,
      ),
      handBacks: parts.map((list) => list.filter((p) => p.status === 'HANDED_BACK').length),
      receivedAts: rows.map((c) => toChinaTime(c.receivedAt)),
      acceptedAts: rows.map((c) => time(c.acceptedAt)),
      acknowledgedAts: rows.map((c) => time(c.acknowledgedAt)),
      resolvedAts: rows.map((c) => time(c.resolvedAt)),
      closedAts: rows.map((c) => time(c.closedAt)),
      dueOns: rows.map((c) => c.dueOn),
      overdues: rows.map((c) => overdueDays(c, today) > 0),
      overdueDays: rows.map((c) => overdueDays(c, today)),
      cards: rows.map((c) => supervisionCard(c, today, redCardGraceDays)),
      followUpCounts: followUps.map((list) => list.length),
      // As `FollowUp.satisfied`: anything but dissatisfied.
      lastSatisfied: followUps.map((list) => (list.length === 0 ? null : list[list.length - 1]!.level !== 'DISSATISFIED')),
      lastSatisfactionLevels: followUps.map((list) => list.at(-1)?.level ?? null),
    };
  });
}

export type CaseColumnsPage = Awaited<ReturnType<typeof caseColumnsPage>>;
