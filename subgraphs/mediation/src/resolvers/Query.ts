import { gridScopeWhere, pageRequest, toConnection } from '@hub/core';
import { and, asc, count, eq, gt } from 'drizzle-orm';
import { cases } from '../db/schema.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { caseFilterSql } from '../loaders.ts';
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
    return { ...toConnection('cases', rows, page, (c) => c.id), totalCount: total?.n ?? 0 };
  },
};
