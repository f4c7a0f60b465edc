import { isGridCode, toConnection } from '@hub/core';
import type { GridResolvers } from '../__generated__/resolvers-types.ts';
import { BUILDING_PAGE, buildingPage, groupRentalConnection, groupRentalPage } from './connections.ts';

export const Grid: GridResolvers = {
  // Civil affairs owns grids; here a grid is the code buildings and group rentals are registered under.
  __resolveReference: ({ code }) => (isGridCode(code) ? { code } : null),
  buildings: async ({ code }, args, { loaders }) => {
    const page = buildingPage(args);
    const [rows, counts] = await Promise.all([
      loaders.buildingPageByGrid.load({ parent: code, filter: null, ...page }),
      loaders.buildingCountsByGrid.load(code),
    ]);
    return { ...toConnection(BUILDING_PAGE, rows, page, (b) => b.code), totalCount: counts.total };
  },
  groupRentals: async ({ code }, args, { loaders }) => {
    const page = groupRentalPage(args);
    const status = args.status ?? null;
    const [rows, counts] = await Promise.all([
      loaders.groupRentalPageByGrid.load({ parent: code, filter: status, ...page }),
      loaders.groupRentalCountsByGrid.load(code),
    ]);
    return groupRentalConnection(rows, page, status ? (counts.by[status] ?? 0) : counts.total);
  },
  housingCounts: ({ code }) => ({ level: 'GRID', code }),
};
