import { columnOfLoads, columnPageIds, columnPageOf } from '@hub/core';
import { GROUP_RENTAL_COLUMNS, groupRentalColumnsPage } from '../db/group-rental-columns.ts';
import type { GroupRentalColumnsResolvers, WelfareEntitlementColumnsResolvers } from '../__generated__/resolvers-types.ts';

export const GroupRentalColumns: GroupRentalColumnsResolvers = {
  // A page's key says which grids, size and start it is, so a reference reads the same page again, in the caller's scope.
  __resolveReference: ({ page }, { db, scope }) => groupRentalColumnsPage(db, scope, columnPageOf(page, GROUP_RENTAL_COLUMNS)),
};

export const WelfareEntitlementColumns: WelfareEntitlementColumnsResolvers = {
  // Civil affairs owns the page; the gateway brings its recipients' hub ids along (`@requires(fields: "residentIds")`).
  __resolveReference: ({ page, residentIds }) => ({ page, residentIds: columnPageIds(residentIds) }),
  ownedHouses: ({ residentIds }, _, { loaders }) => columnOfLoads(residentIds, loaders.ownedSummaryByResident, (s) => s.ownedHouses),
  ownedAreasM2: ({ residentIds }, _, { loaders }) => columnOfLoads(residentIds, loaders.ownedSummaryByResident, (s) => s.ownedAreaM2),
};
