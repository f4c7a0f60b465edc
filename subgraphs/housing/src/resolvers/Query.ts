import { gridScopeWhere, latestImportRuns } from '@hub/core';
import { and, asc, count, eq, gt } from 'drizzle-orm';
import { groupRentals } from '../db/schema.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { checkBuildingCode, checkCommunityCode, checkGridCode, checkHouseCode, checkStreetCode } from './codes.ts';
import { groupRentalConnection, groupRentalPage } from './connections.ts';

export const Query: QueryResolvers = {
  housingImports: (_, { first }, { db }) => latestImportRuns(db, first),
  house: (_, { code }, { loaders }) => loaders.houseByCode.load(checkHouseCode(code)),
  building: (_, { code }, { loaders }) => loaders.buildingByCode.load(checkBuildingCode(code)),
  groupRentals: async (_, args, { db, scope }) => {
    const streetCode = args.streetCode == null ? null : checkStreetCode(args.streetCode, 'streetCode');
    const communityCode = args.communityCode == null ? null : checkCommunityCode(args.communityCode, 'communityCode');
    const gridCode = args.gridCode == null ? null : checkGridCode(args.gridCode, 'gridCode');
    const page = groupRentalPage(args);
    // Places housing does not own are not looked up: an unknown code, or a grid outside the community, matches nothing.
    const filter = and(
      gridScopeWhere(scope, groupRentals.gridCode),
      streetCode ? eq(groupRentals.streetCode, streetCode) : undefined,
      communityCode ? eq(groupRentals.communityCode, communityCode) : undefined,
      gridCode ? eq(groupRentals.gridCode, gridCode) : undefined,
      args.status ? eq(groupRentals.status, args.status) : undefined,
    );
    const [rows, [total]] = await Promise.all([
      page.first === 0
        ? Promise.resolve([])
        : db
            .select()
            .from(groupRentals)
            .where(and(filter, page.after ? gt(groupRentals.id, page.after) : undefined))
            .orderBy(asc(groupRentals.id))
            .limit(page.first + 1),
      db.select({ n: count() }).from(groupRentals).where(filter),
    ]);
    return groupRentalConnection(rows, page, total?.n ?? 0);
  },
};
