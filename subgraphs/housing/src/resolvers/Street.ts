import { isStreetCode, pageWithTotal, totalOf } from '@hub/core';
import type { StreetResolvers } from '../__generated__/resolvers-types.ts';
import { GROUP_RENTALS } from '../pages.ts';

export const Street: StreetResolvers = {
  // Civil affairs owns streets; group rentals carry their street's code, so a street's list is one index range.
  __resolveReference: ({ code }) => (isStreetCode(code) ? { code } : null),
  groupRentals: ({ code }, args, { loaders }) =>
    pageWithTotal(GROUP_RENTALS, args, (page) =>
      Promise.all([
        loaders.groupRentalPageByStreet.load({ parent: code, filter: args.status ?? null, ...page }),
        loaders.groupRentalCountsByStreet.load(code).then((counts) => totalOf(counts, args.status)),
      ]),
    ),
  housingCounts: ({ code }) => ({ level: 'STREET', code }),
};
