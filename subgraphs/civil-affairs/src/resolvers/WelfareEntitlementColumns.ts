import { welfareColumnsPageOf, welfareEntitlementColumnsPage } from '../db/welfare-columns.ts';
import type { WelfareEntitlementColumnsResolvers } from '../__generated__/resolvers-types.ts';

export const WelfareEntitlementColumns: WelfareEntitlementColumnsResolvers = {
  // A page's key says which category, grids, size and start it is, so a reference reads the same page again, in the caller's scope.
  __resolveReference: ({ page }, { db, scope }) => {
    const { category, request } = welfareColumnsPageOf(page);
    return welfareEntitlementColumnsPage(db, scope, category, request);
  },
};
