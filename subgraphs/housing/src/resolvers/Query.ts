import { checkBuildingCode, checkCommunityCode, checkGridCode, checkHouseCode, checkStreetCode, latestImportRuns, toConnection } from '@hub/core';
import { groupRentalPageOf } from '../db/queries.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { GROUP_RENTALS, groupRentalPage } from '../pages.ts';

export const Query: QueryResolvers = {
  housingImports: (_, { first }, { db }) => latestImportRuns(db, first),
  house: (_, { code }, { loaders }) => loaders.houseByCode.load(checkHouseCode(code)),
  building: (_, { code }, { loaders }) => loaders.buildingByCode.load(checkBuildingCode(code)),
  groupRentals: async (_, args, { db, scope }) => {
    const streetCode = args.streetCode == null ? null : checkStreetCode(args.streetCode, 'streetCode');
    const communityCode = args.communityCode == null ? null : checkCommunityCode(args.communityCode, 'communityCode');
    const gridCode = args.gridCode == null ? null : checkGridCode(args.gridCode, 'gridCode');
    const page = groupRentalPage(args);
    const { rows, totalCount } = await groupRentalPageOf(db, scope, { streetCode, communityCode, gridCode, status: args.status }, page);
    return { ...toConnection(GROUP_RENTALS.kind, rows, page, GROUP_RENTALS.keyOf), totalCount };
  },
};
