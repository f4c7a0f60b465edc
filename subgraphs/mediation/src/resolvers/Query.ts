import { checkDateRange, gridScopeWhere, latestImportRuns, pageRequest, toConnection, type PageRequest } from '@hub/core';
import { and, asc, count, eq, gt, type SQL } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { caseDepartment, caseEvents, cases } from '../db/schema.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { caseFigures, caseFilterSql, NO_CASES, receivedWithin, redCardSql, yellowCardSql } from '../loaders.ts';
import {
  CASE_ID,
  checkCaseId,
  checkCommunityCode,
  checkGridCode,
  checkIncidentId,
  checkOrganizationId,
  checkStreetCode,
} from './ids.ts';

export const Query: QueryResolvers = {
  mediationImports: (_, { first }, { db }) => latestImportRuns(db, first),
  case: (_, { id }, { loaders }) => loaders.caseById.load(checkCaseId(id)),
  caseByIncident: (_, { incidentId }, { loaders }) => loaders.caseByIncidentId.load(checkIncidentId(incidentId, 'incidentId')),
  cases: async (_, args, { db, scope }) => {
    const page = pageRequest('cases', args, CASE_ID);
    // Places are civil affairs': a well-formed code of a place without cases simply lists none.
    const filter = and(
      gridScopeWhere(scope, cases.gridCode),
      caseFilterSql({ status: args.status ?? null, category: args.category ?? null }),
      args.streetCode != null ? eq(cases.streetCode, checkStreetCode(args.streetCode, 'streetCode')) : undefined,
      args.communityCode != null ? eq(cases.communityCode, checkCommunityCode(args.communityCode, 'communityCode')) : undefined,
      args.gridCode != null ? eq(cases.gridCode, checkGridCode(args.gridCode, 'gridCode')) : undefined,
      args.committeeId != null ? eq(cases.committeeId, checkOrganizationId(args.committeeId, 'committeeId')) : undefined,
    );
    return casePage(db, 'cases', page, filter);
  },
  supervisedCases: async (_, args, { db, scope, today, redCardGraceDays }) => {
    const page = pageRequest('supervised-cases', args, CASE_ID);
    const list =
      args.list === 'YELLOW_CARD'
        ? yellowCardSql(today, redCardGraceDays)
        : args.list === 'RED_CARD'
          ? redCardSql(today, redCardGraceDays)
          : eq(cases.status, 'ESCALATED');
    const filter = and(
      gridScopeWhere(scope, cases.gridCode),
      list,
      args.department != null ? eq(cases.assignedDepartment, args.department) : undefined,
      args.streetCode != null ? eq(cases.streetCode, checkStreetCode(args.streetCode, 'streetCode')) : undefined,
    );
    return casePage(db, 'supervised-cases', page, filter);
  },
  caseEvents: async (_, args, { db, scope }) => {
    const page = pageRequest('case-events', { first: args.first ?? 100, after: args.after }, EVENT_SEQUENCE);
    const rows =
      page.first === 0
        ? []
        : await db
            .select()
            .from(caseEvents)
            .where(
              and(
                gridScopeWhere(scope, caseEvents.gridCode),
                args.department != null ? eq(caseEvents.department, args.department) : undefined,
                page.after !== null ? gt(caseEvents.sequence, Number(page.after)) : undefined,
              ),
            )
            .orderBy(asc(caseEvents.sequence))
            .limit(page.first + 1);
    const connection = toConnection('case-events', rows, page, (e) => String(e.sequence));
    // At the end of the feed the cursor stays where the follower is, so "ask again with endCursor" always works.
    return { ...connection, pageInfo: { ...connection.pageInfo, endCursor: connection.pageInfo.endCursor ?? args.after ?? null } };
  },
  caseFiguresByDepartment: async (_, { from, to }, { db, scope, today, redCardGraceDays }) => {
    checkDateRange(from, to);
    const period = { from: from ?? null, to: to ?? null };
    const figures = await caseFigures(db, cases.assignedDepartment, and(gridScopeWhere(scope, cases.gridCode), receivedWithin(period)), today, redCardGraceDays);
    return caseDepartment.enumValues.map((department) => ({ department, figures: figures.get(department) ?? NO_CASES }));
  },
};

/** A feed sequence as a cursor key. */
const EVENT_SEQUENCE = /^\d{1,15}$/;

/** A page of cases in id order with the total of the filter; one statement each, run together. */
async function casePage(db: Db, kind: string, page: PageRequest, filter: SQL | undefined) {
  const [rows, [total]] = await Promise.all([
    page.first === 0
      ? Promise.resolve([])
      : db
          .select()
          .from(cases)
          .where(and(filter, page.after !== null ? gt(cases.id, page.after) : undefined))
          .orderBy(asc(cases.id))
          .limit(page.first + 1),
    db.select({ n: count() }).from(cases).where(filter),
  ]);
  return { ...toConnection(kind, rows, page, (c) => c.id), totalCount: total?.n ?? 0 };
}

