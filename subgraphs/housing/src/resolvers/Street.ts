import { isStreetCode } from '@hub/core';
import type { StreetResolvers } from '../__generated__/resolvers-types.ts';
import { groupRentalConnection, groupRentalPage } from './connections.ts';

export const Street: StreetResolvers = {
  // Civil affairs owns streets; group rentals carry their street's code, so a street's list is one index range.
  __resolveReference: ({ code }) => (isStreetCode(code) ? { code } : null),
  groupRentals: async ({ code }, args, { loaders }) => {
    const page = groupRentalPage(args);
    const status = args.status ?? null;
    const [rows, counts] = await Promise.all([
      loaders.groupRentalPageByStreet.load({ parent: code, filter: status, ...page }),
      loaders.groupRentalCountsByStreet.load(code),
    ]);
    return groupRentalConnection(rows, page, status ? (counts.by[status] ?? 0) : counts.total);
  },
  housingCounts: ({ code }) => ({ level: 'STREET', code }),
};
