import { CASE_ID, checkCaseId, checkCommunityCode, checkDateRange, checkGridCode, checkIncidentId, checkOrganizationId, checkStreetCode, latestImportRuns, pageRequest, pageWithTotal, toConnection } from '@hub/core';
import { caseDepartment } from '../db/schema.ts';
import { caseEventFeed, caseFiguresPerDepartment, casesPage, supervisedCasesPage } from '../db/queries.ts';
import { caseEventFilterSql } from '../db/feed-filter.ts';
import { myWorkSql } from '../db/work-filter.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { NO_CASES } from '../loaders.ts';

/** A feed sequence as a cursor key. */
const EVENT_SEQUENCE = /^\d{1,15}$/;

export const Query: QueryResolvers = {
  mediationImports: (_, { first }, { db }) => latestImportRuns(db, first),
  case: (_, { id }, { loaders }) => loaders.caseById.load(checkCaseId(id)),
  caseByIncident: (_, { incidentId }, { loaders }) => loaders.caseByIncidentId.load(checkIncidentId(incidentId, 'incidentId')),
  // Places are civil affairs': a well-formed code of a place without cases simply lists none.
  cases: (_, args, { db, scope }) =>
    pageWithTotal({ kind: 'cases', keyPattern: CASE_ID, keyOf: (c) => c.id }, args, (page) => {
      const filter = {
        status: args.status ?? null,
        category: args.category ?? null,
        streetCode: args.streetCode != null ? checkStreetCode(args.streetCode, 'streetCode') : null,
        communityCode: args.communityCode != null ? checkCommunityCode(args.communityCode, 'communityCode') : null,
        gridCode: args.gridCode != null ? checkGridCode(args.gridCode, 'gridCode') : null,
        committeeId: args.committeeId != null ? checkOrganizationId(args.committeeId, 'committeeId') : null,
      };
      return casesPage(db, scope, filter, page);
    }),
  supervisedCases: (_, args, { db, scope, today, redCardGraceDays }) =>
    pageWithTotal({ kind: 'supervised-cases', keyPattern: CASE_ID, keyOf: (c) => c.id }, args, (page) => {
      const filter = {
        list: args.list,
        department: args.department ?? null,
        streetCode: args.streetCode != null ? checkStreetCode(args.streetCode, 'streetCode') : null,
      };
      return supervisedCasesPage(db, scope, filter, { today, redCardGraceDays }, page);
    }),
  caseEvents: async (_, args, { db, scope }) => {
    const page = pageRequest('case-events', { first: args.first ?? 100, after: args.after }, EVENT_SEQUENCE);
    const rows = await caseEventFeed(db, scope, args.department ?? null, page, caseEventFilterSql(args.filter));
    const connection = toConnection('case-events', rows, page, (e) => String(e.sequence));
    // At the end of the feed the cursor stays where the follower is, so "ask again with endCursor" always works.
    return { ...connection, pageInfo: { ...connection.pageInfo, endCursor: connection.pageInfo.endCursor ?? args.after ?? null } };
  },
  myWork: async (_, args, { db, scope, caller }) => {
    const page = pageRequest('case-events', { first: args.first ?? 100, after: args.after }, EVENT_SEQUENCE);
    const connection = toConnection('case-events', await caseEventFeed(db, scope, null, page, myWorkSql(caller)), page, (e) => String(e.sequence));
    return { ...connection, pageInfo: { ...connection.pageInfo, endCursor: connection.pageInfo.endCursor ?? args.after ?? null } };
  },
  caseFiguresByDepartment: async (_, { from, to }, { db, scope, today, redCardGraceDays }) => {
    checkDateRange(from, to);
    const figures = await caseFiguresPerDepartment(db, scope, { from: from ?? null, to: to ?? null }, { today, redCardGraceDays });
    return caseDepartment.enumValues.map((department) => ({ department, figures: figures.get(department) ?? NO_CASES }));
  },
};
