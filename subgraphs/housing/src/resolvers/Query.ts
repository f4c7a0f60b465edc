import { checkBuildingCode, checkCommunityCode, checkGridCode, checkHouseCode, checkStreetCode, columnPageRequest, latestImportRuns, pageWithTotal } from '@hub/core';
import { GROUP_RENTAL_COLUMNS, groupRentalColumnsPage } from '../db/group-rental-columns.ts';
import { groupRentalPageOf } from '../db/queries.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { GROUP_RENTALS } from '../pages.ts';

export const Query: QueryResolvers = {
  groupRentalColumns: (_, args, { db, scope }) => groupRentalColumnsPage(db, scope, columnPageRequest(args, GROUP_RENTAL_COLUMNS)),
  housingImports: (_, { first }, { db }) => latestImportRuns(db, first),
  house: (_, { code }, { loaders }) => loaders.houseByCode.load(checkHouseCode(code)),
  building: (_, { code }, { loaders }) => loaders.buildingByCode.load(checkBuildingCode(code)),
  groupRentals: (_, args, { db, scope }) => {
    const streetCode = args.streetCode == null ? null : checkStreetCode(args.streetCode, 'streetCode');
    const communityCode = args.communityCode == null ? null : checkCommunityCode(args.communityCode, 'communityCode');
    const gridCode = args.gridCode == null ? null : checkGridCode(args.gridCode, 'gridCode');
    return pageWithTotal(GROUP_RENTALS, args, (page) =>
      groupRentalPageOf(db, scope, { streetCode, communityCode, gridCode, status: args.status }, page),
    );
  },
};
