import { checkCommunityCode, checkCreditCode, columnPageRequest, checkGridCode, checkLength, checkOrganizationId, checkStreetCode, latestImportRuns, mustBeFound, ORGANIZATION_ID, pageWithTotal } from '@hub/core';
import { allCommunities, allStreets, assistanceCounts, disabilityCounts, gridPage, organizationPage, theDistrict, welfarePage } from '../db/queries.ts';
import { assistanceCountPage, assistanceCountRequest } from '../assistance-counts.ts';
import { disabilityCountPage, disabilityCountRequest, disabilityCountRows } from '../disability-counts.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import type { Loaders } from '../loaders.ts';
import { WELFARE_ID } from '../keys.ts';
import { CARE_RECORD_COLUMNS, careRecordColumnsPage } from '../db/care-columns.ts';
import { WELFARE_ENTITLEMENT_COLUMNS, welfareEntitlementColumnsPage } from '../db/welfare-columns.ts';

const GRID_CODE_KEY = /^\d{15}$/;
const NAME_CONTAINS_MAX = 50;

/**
 * Checks the place filters of a list and that the places exist: a malformed code is INVALID_*, an unknown one
 * NOT_FOUND, as for `grids`.
 */
async function checkPlaceFilters(
  args: { streetCode?: string | null; communityCode?: string | null; gridCode?: string | null },
  loaders: Loaders,
): Promise<void> {
  const { streetCode, communityCode, gridCode } = args;
  await Promise.all([
    streetCode != null &&
      loaders.streetByCode
        .load(checkStreetCode(streetCode, 'streetCode'))
        .then((row) => mustBeFound(row, 'Street', 'code', streetCode)),
    communityCode != null &&
      loaders.communityByCode
        .load(checkCommunityCode(communityCode, 'communityCode'))
        .then((row) => mustBeFound(row, 'Community', 'code', communityCode)),
    gridCode != null &&
      loaders.gridByCode.load(checkGridCode(gridCode, 'gridCode')).then((row) => mustBeFound(row, 'Grid', 'code', gridCode)),
  ]);
}

export const Query: QueryResolvers = {
  civilAffairsImports: (_, { first }, { db }) => latestImportRuns(db, first),
  welfareEntitlementColumns: (_, args, { db, scope }) => welfareEntitlementColumnsPage(db, scope, args.category ?? null, columnPageRequest(args, WELFARE_ENTITLEMENT_COLUMNS)),
  careRecordColumns: (_, args, { db, scope }) => careRecordColumnsPage(db, scope, columnPageRequest(args, CARE_RECORD_COLUMNS)),
  disabilityCountColumns: async (_, args, { db, scope }) => {
    const request = disabilityCountRequest(args);
    return disabilityCountPage(disabilityCountRows(await disabilityCounts(db, scope, request.gridCodes)), request);
  },
  assistanceCountColumns: async (_, args, { db, scope }) => {
    const request = assistanceCountRequest(args);
    return assistanceCountPage(await assistanceCounts(db, scope, request.gridCodes), request);
  },
  district: (_, __, { db }) => theDistrict(db),
  streets: (_, __, { db }) => allStreets(db),
  street: async (_, { code }, { loaders }) =>
    mustBeFound(await loaders.streetByCode.load(checkStreetCode(code, 'code')), 'Street', 'code', code),
  communities: async (_, { streetCode }, { db, loaders }) => {
    if (streetCode == null) return allCommunities(db);
    mustBeFound(await loaders.streetByCode.load(checkStreetCode(streetCode, 'streetCode')), 'Street', 'code', streetCode);
    return loaders.communitiesByStreet.load(streetCode);
  },
  community: async (_, { code }, { loaders }) =>
    mustBeFound(await loaders.communityByCode.load(checkCommunityCode(code, 'code')), 'Community', 'code', code),
  grid: async (_, { code }, { loaders }) => mustBeFound(await loaders.gridByCode.load(checkGridCode(code, 'code')), 'Grid', 'code', code),
  grids: (_, args, { db, loaders }) =>
    pageWithTotal({ kind: 'grids', keyPattern: GRID_CODE_KEY, keyOf: (g) => g.code }, args, async (page) => {
      await checkPlaceFilters(args, loaders);
      return gridPage(db, args, page);
    }),
  organization: (_, { id }, { loaders }) => loaders.organizationById.load(checkOrganizationId(id)),
  organizationByCreditCode: (_, { creditCode }, { loaders }) =>
    loaders.organizationByCreditCode.load(checkCreditCode(creditCode)),
  organizations: (_, args, { db, loaders }) =>
    pageWithTotal({ kind: 'organizations', keyPattern: ORGANIZATION_ID, keyOf: (o) => o.id }, args, async (page) => {
      if (args.nameContains != null) checkLength(args.nameContains, 'nameContains', NAME_CONTAINS_MAX);
      await checkPlaceFilters(args, loaders);
      return organizationPage(db, args, page);
    }),
  welfareEntitlements: (_, args, { db, loaders, scope }) =>
    pageWithTotal({ kind: 'welfare', keyPattern: WELFARE_ID, keyOf: (w) => w.id }, args, async (page) => {
      await checkPlaceFilters(args, loaders);
      return welfarePage(db, scope, args, page);
    }),
};
