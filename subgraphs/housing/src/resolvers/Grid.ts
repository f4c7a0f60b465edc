import { isGridCode, pageWithTotal, totalOf } from '@hub/core';
import type { GridResolvers } from '../__generated__/resolvers-types.ts';
import { BUILDINGS, GROUP_RENTALS } from '../pages.ts';

export const Grid: GridResolvers = {
  // Civil affairs owns grids; here a grid is the code buildings and group rentals are registered under.
  __resolveReference: ({ code }) => (isGridCode(code) ? { code } : null),
  buildings: ({ code }, args, { loaders }) =>
    pageWithTotal(BUILDINGS, args, (page) =>
      Promise.all([
        loaders.buildingPageByGrid.load({ parent: code, filter: null, ...page }),
        loaders.buildingCountsByGrid.load(code).then((counts) => counts.total),
      ]),
    ),
  groupRentals: ({ code }, args, { loaders }) =>
    pageWithTotal(GROUP_RENTALS, args, (page) =>
      Promise.all([
        loaders.groupRentalPageByGrid.load({ parent: code, filter: args.status ?? null, ...page }),
        loaders.groupRentalCountsByGrid.load(code).then((counts) => totalOf(counts, args.status)),
      ]),
    ),
  housingCounts: ({ code }) => ({ level: 'GRID', code }),
};
