import { gridScopeWhere, rowByKey, rowsByKey, pageByParent, type RowScope } from '@hub/core';
import type { SQL } from 'drizzle-orm';
import DataLoader from 'dataloader';
import { and, asc, count, eq, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Db } from './db/index.ts';
import {
  agreements,
  caseParties,
  cases,
  followUps,
  mediationCommittees,
  mediationRecords,
  mediators,
  type MediationRecordRow,
  type MediatorRow,
} from './db/schema.ts';
import type { CaseCategory, CaseStatus } from './__generated__/resolvers-types.ts';
import { chinaToday } from './today.ts';

/** The filter of a case list: both optional. */
export interface CaseFilter {
  status: CaseStatus | null;
  category: CaseCategory | null;
}

/** A grid's cases counted per (status, category) cell; every total a grid's lists and counts need sums these. */
export interface CaseTally {
  cells: { status: CaseStatus; category: CaseCategory; count: number; overdue: number }[];
}

/** `isOverdue` of today.ts, in SQL. */
export const overdueSql = (today: string) =>
  and(isNull(cases.resolvedAt), ne(cases.status, 'REJECTED'), lt(cases.dueOn, today));

export const caseFilterSql = ({ status, category }: CaseFilter) =>
  and(status ? eq(cases.status, status) : undefined, category ? eq(cases.category, category) : undefined);

/**
 * The request's loaders. Built per request, so nothing cached outlives the request that read it. Cases outside the
 * caller's row scope (a grid worker's grids) are filtered in the same statements: they load as null, lists and
 * counts leave them out. A case's parties, sessions and agreement are reached only through a case.
 */
export function createLoaders(db: Db, scope: RowScope = { allGrids: true }) {
  const caseScope = gridScopeWhere(scope, cases.gridCode);
  return {
    caseById: rowByKey(db, cases, cases.id, (r) => r.id, caseScope),
    caseByIncidentId: rowByKey(db, cases, cases.incidentId, (r) => r.incidentId ?? '', caseScope),
    casesByHouse: rowsByKey(db, cases, cases.houseCode, cases.id, (r) => r.houseCode ?? '', caseScope),
    /** A resident's party rows; the cases themselves then come through `caseById`. */
    partiesByResident: rowsByKey(db, caseParties, caseParties.residentId, caseParties.caseId, (r) => r.residentId ?? ''),
    partiesByCase: rowsByKey(db, caseParties, caseParties.caseId, caseParties.position, (r) => r.caseId),
    recordsByCase: recordsByCase(db),
    followUpsByCase: rowsByKey(db, followUps, followUps.caseId, followUps.position, (r) => r.caseId),
    agreementByCase: rowByKey(db, agreements, agreements.caseId, (r) => r.caseId),
    mediatorById: rowByKey(db, mediators, mediators.id, (r) => r.id),
    mediatorsByCommittee: rowsByKey(db, mediators, mediators.committeeId, mediators.id, (r) => r.committeeId),
    committeeById: rowByKey(db, mediationCommittees, mediationCommittees.organizationId, (r) => r.organizationId),
    /** A page of a grid's cases; one statement for every grid asked with the same page and filter. */
    casePageByGrid: pageByParent<typeof cases, CaseFilter>({
      db,
      table: cases,
      parentColumn: cases.gridCode,
      orderColumn: cases.id,
      parentOf: (r) => r.gridCode,
      where: (filter) => and(caseScope, caseFilterSql(filter)),
    }),
    caseTallyByGrid: caseTallyByGrid(db, caseScope),
  };
}

/** A mediation session with the mediator who held it. */
export type RecordWithMediator = MediationRecordRow & { mediator: MediatorRow };

/**
 * A case's sessions joined to their mediators in the same statement: sessions are never shown without who held
 * them, and a separate mediator look-up would run or not depending on what `Case.mediator` had already cached.
 */
function recordsByCase(db: Db) {
  return new DataLoader<string, RecordWithMediator[]>(async (caseIds) => {
    const rows = await db
      .select({ record: mediationRecords, mediator: mediators })
      .from(mediationRecords)
      .innerJoin(mediators, eq(mediators.id, mediationRecords.mediatorId))
      .where(inArray(mediationRecords.caseId, [...caseIds]))
      .orderBy(asc(mediationRecords.caseId), asc(mediationRecords.position));
    const byCase = new Map<string, RecordWithMediator[]>();
    for (const { record, mediator } of rows) {
      const list = byCase.get(record.caseId);
      if (list) list.push({ ...record, mediator });
      else byCase.set(record.caseId, [{ ...record, mediator }]);
    }
    return caseIds.map((id) => byCase.get(id) ?? []);
  });
}

/**
 * Per grid, the number of cases in each (status, category) cell and how many of them are overdue: one statement
 * for any number of grids, from which both `Grid.caseCounts` and the totals of filtered `Grid.cases` are summed.
 */
function caseTallyByGrid(db: Db, scope: SQL | undefined) {
  return new DataLoader<string, CaseTally>(async (gridCodes) => {
    const rows = await db
      .select({
        gridCode: cases.gridCode,
        status: cases.status,
        category: cases.category,
        count: count(),
        overdue: sql<number>`count(*) filter (where ${overdueSql(chinaToday())})`.mapWith(Number),
      })
      .from(cases)
      .where(and(inArray(cases.gridCode, [...gridCodes]), scope))
      .groupBy(cases.gridCode, cases.status, cases.category);
    const byGrid = new Map<string, CaseTally>();
    for (const { gridCode, ...cell } of rows) {
      const tally = byGrid.get(gridCode);
      if (tally) tally.cells.push(cell);
      else byGrid.set(gridCode, { cells: [cell] });
    }
    return gridCodes.map((code) => byGrid.get(code) ?? { cells: [] });
  });
}

export type Loaders = ReturnType<typeof createLoaders>;
