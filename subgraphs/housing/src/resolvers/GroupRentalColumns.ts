import { columnPageIds, columnPageOf } from '@hub/core';
import { GROUP_RENTAL_COLUMNS, groupRentalColumnsPage } from '../db/group-rental-columns.ts';
import { ownedColumns, type OwnedColumns } from '../db/owned-columns.ts';
import type { GroupRentalColumnsResolvers, WelfareEntitlementColumnsResolvers } from '../__generated__/resolvers-types.ts';

export const GroupRentalColumns: GroupRentalColumnsResolvers = {
  // A page's key says which grids, size and start it is, so a reference reads the same page again, in the caller's scope.
  __resolveReference: ({ page }, { db, scope }) => groupRentalColumnsPage(db, scope, columnPageOf(page, GROUP_RENTAL_COLUMNS)),
};

export const WelfareEntitlementColumns: WelfareEntitlementColumnsResolvers = {
  // Civil affairs owns the page; the gateway brings its recipients' hub ids along (`@requires(fields: "residentIds")`).
  __resolveReference: ({ page, residentIds }, { db, scope }) => {
    const ids = columnPageIds(residentIds);
    let owned: Promise<OwnedColumns> | undefined;
    return { page, residentIds: ids, owned: () => (owned ??= ownedColumns(db, scope, ids)) };
  },
  ownedHouses: async ({ owned }) => (await owned()).ownedHouses,
  ownedAreasM2: async ({ owned }) => (await owned()).ownedAreasM2,
};
