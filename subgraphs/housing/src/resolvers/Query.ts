import { checkBuildingCode, checkCommunityCode, checkGridCode, checkHouseCode, checkStreetCode, columnPageRequest, latestImportRuns, pageRequest, pageWithTotal, toConnection } from '@hub/core';
import { GROUP_RENTAL_COLUMNS, groupRentalColumnsPage } from '../db/group-rental-columns.ts';
import { groupRentalEventFeed, groupRentalPageOf } from '../db/queries.ts';
import { GROUP_RENTAL_FEED } from '../remediation/feed.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { GROUP_RENTALS } from '../pages.ts';

/** A feed sequence as a cursor key. */
const EVENT_SEQUENCE = /^\d{1,15}$/;

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
  groupRentalEvents: async (_, args, { db, scope }) => {
    const kind = GROUP_RENTAL_FEED.cursorKind;
    const page = pageRequest(kind, { first: args.first ?? 100, after: args.after }, EVENT_SEQUENCE);
    const connection = toConnection(kind, await groupRentalEventFeed(db, scope, args.filter, page), page, (e) => String(e.sequence));
    // At the end of the feed the cursor stays where the follower is, so "ask again with endCursor" always works.
    return { ...connection, pageInfo: { ...connection.pageInfo, endCursor: connection.pageInfo.endCursor ?? args.after ?? null } };
  },
};
