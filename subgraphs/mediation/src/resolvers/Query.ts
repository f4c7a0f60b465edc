import { evaluationsOf } from '../evaluations.ts';
import { CASE_ID, checkCaseId, columnPageRequest, checkCommunityCode, checkDateRange, checkGridCode, checkIncidentId, checkOrganizationId, checkStreetCode, latestImportRuns, pageRequest, pageWithTotal, toConnection } from '@hub/core';
import { GraphQLError } from 'graphql';
import { caseDepartment, caseLevel } from '../db/schema.ts';
import { CASE_COLUMNS, caseColumnsPage } from '../db/case-columns.ts';
import { caseEventFeed, caseFiguresPerDepartment, caseFiguresPerLevel, casesPage, supervisedCasesPage } from '../db/queries.ts';
import type { MediationContext } from '../context.ts';
import { WorkflowErrorCode } from '../workflow/machine.ts';
import { callerUnit, checkUnit } from '../workflow/parts.ts';
import { NO_PARTS, unitPartFigures } from '../workflow/unit-figures.ts';
import { isUnitWorker } from '../db/case-scope.ts';
import { caseEventFilterSql } from '../db/feed-filter.ts';
import { myWorkSql } from '../db/work-filter.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { NO_CASES } from '../loaders.ts';

/** A feed sequence as a cursor key. */
const EVENT_SEQUENCE = /^\d{1,15}$/;

export const Query: QueryResolvers = {
  mediationImports: (_, { first }, { db }) => latestImportRuns(db, first),
  unitEvaluations: (_, { period }, ctx) => evaluationsOf(ctx, period),
  caseColumns: (_, args, ctx) => caseColumnsPage(ctx, columnPageRequest(args, CASE_COLUMNS)),
  case: (_, { id }, { loaders }) => loaders.caseById.load(checkCaseId(id)),
  caseByIncident: (_, { incidentId }, { loaders }) => loaders.caseByIncidentId.load(checkIncidentId(incidentId, 'incidentId')),
  // Places are civil affairs': a well-formed code of a place without cases simply lists none.
  cases: (_, args, ctx) =>
    pageWithTotal({ kind: 'cases', keyPattern: CASE_ID, keyOf: (c) => c.id }, args, (page) => {
      const { db, caseScope } = ctx;
      const filter = {
        unit: worklistUnit(ctx, args.unit ?? null),
        level: args.level ?? null,
        reportedUp: args.reportedUp ?? null,
        status: args.status ?? null,
        category: args.category ?? null,
        streetCode: args.streetCode != null ? checkStreetCode(args.streetCode, 'streetCode') : null,
        communityCode: args.communityCode != null ? checkCommunityCode(args.communityCode, 'communityCode') : null,
        gridCode: args.gridCode != null ? checkGridCode(args.gridCode, 'gridCode') : null,
        committeeId: args.committeeId != null ? checkOrganizationId(args.committeeId, 'committeeId') : null,
        source: args.source ?? null,
        severity: args.severity ?? null,
        criminalRisk: args.criminalRisk ?? null,
        groupDispute: args.groupDispute ?? null,
      };
      return casesPage(db, caseScope, filter, page);
    }),
  supervisedCases: (_, args, { db, caseScope, today, redCardGraceDays }) =>
    pageWithTotal({ kind: 'supervised-cases', keyPattern: CASE_ID, keyOf: (c) => c.id }, args, (page) => {
      const filter = {
        list: args.list,
        department: args.department ?? null,
        streetCode: args.streetCode != null ? checkStreetCode(args.streetCode, 'streetCode') : null,
      };
      return supervisedCasesPage(db, caseScope, filter, { today, redCardGraceDays }, page);
    }),
  caseEvents: async (_, args, { db, caseScope, limits }) => {
    const page = pageRequest('case-events', { first: args.first ?? 100, after: args.after }, EVENT_SEQUENCE);
    const unit = args.unit != null ? checkUnit(limits.units, args.unit, 'unit').code : null;
    const rows = await caseEventFeed(db, caseScope, args.department ?? null, page, unit, caseEventFilterSql(args.filter, limits.units));
    const connection = toConnection('case-events', rows, page, (e) => String(e.sequence));
    // At the end of the feed the cursor stays where the follower is, so "ask again with endCursor" always works.
    return { ...connection, pageInfo: { ...connection.pageInfo, endCursor: connection.pageInfo.endCursor ?? args.after ?? null } };
  },
  myWork: async (_, args, { db, caseScope, caller, limits }) => {
    const page = pageRequest('case-events', { first: args.first ?? 100, after: args.after }, EVENT_SEQUENCE);
    const work = myWorkSql(caller, callerUnit(caller, limits.units)?.code ?? null);
    const connection = toConnection('case-events', await caseEventFeed(db, caseScope, null, page, null, work), page, (e) => String(e.sequence));
    return { ...connection, pageInfo: { ...connection.pageInfo, endCursor: connection.pageInfo.endCursor ?? args.after ?? null } };
  },
  caseFiguresByDepartment: async (_, { from, to }, { db, caseScope, today, redCardGraceDays }) => {
    checkDateRange(from, to);
    const figures = await caseFiguresPerDepartment(db, caseScope, { from: from ?? null, to: to ?? null }, { today, redCardGraceDays });
    return caseDepartment.enumValues.map((department) => ({ department, figures: figures.get(department) ?? NO_CASES }));
  },
  handlingUnits: (_, __, { limits }) => [...limits.units.units],
  casePartFiguresByUnit: async (_, { from, to }, { db, caseScope, today, limits }) => {
    checkDateRange(from, to);
    const figures = await unitPartFigures(db, caseScope, { from: from ?? null, to: to ?? null }, today);
    return limits.units.units.map((unit) => ({ unit, figures: figures.get(unit.code) ?? NO_PARTS }));
  },
  caseFiguresByLevel: async (_, { from, to }, { db, caseScope, today, redCardGraceDays }) => {
    checkDateRange(from, to);
    const { figures, reportedUp } = await caseFiguresPerLevel(db, caseScope, { from: from ?? null, to: to ?? null }, { today, redCardGraceDays });
    return caseLevel.enumValues.map((level) => ({ level, reportedUp: reportedUp.get(level) ?? 0, figures: figures.get(level) ?? NO_CASES }));
  },
};

/**
 * The unit whose worklist `cases` is limited to. A unit's worker (db/case-scope.ts) lists its own unit's worklist
 * only: no `unit` means theirs, another unit's is refused (the row rule would leave it only the cases it shares).
 */
function worklistUnit({ caller, limits }: MediationContext, asked: string | null): string | null {
  const named = asked === null ? null : checkUnit(limits.units, asked, 'unit').code;
  if (!isUnitWorker(caller)) return named;
  const own = callerUnit(caller, limits.units);
  if (own === null) return named;
  if (named !== null && named !== own.code) {
    throw new GraphQLError(`you act for ${own.code}: you see its worklist, not ${named}'s`, {
      extensions: { code: WorkflowErrorCode.FORBIDDEN, argumentName: 'unit', unit: named },
    });
  }
  return own.code;
}
