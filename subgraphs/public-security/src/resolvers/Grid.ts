import { pageRequest, RESIDENT_KEY, toConnection } from '@hub/core';
import type { GridResolvers } from '../__generated__/resolvers-types.ts';

export const Grid: GridResolvers = {
  // Civil affairs owns grids; here a grid is only the code that residents are registered under.
  __resolveReference: ({ code }) => ({ code }),
  residents: async ({ code }, args, { loaders }) => {
    const page = pageRequest('grid-residents', args, RESIDENT_KEY);
    const populationType = args.populationType ?? null;
    const [rows, counts] = await Promise.all([
      loaders.residentPageByGrid.load({ parent: code, filter: populationType, ...page }),
      loaders.populationByGrid.load(code),
    ]);
    const connection = toConnection('grid-residents', rows, page, (r) => r.id);
    return { ...connection, totalCount: populationType ? (counts.by[populationType] ?? 0) : counts.total };
  },
  population: async ({ code }, _, { loaders }) => {
    const counts = await loaders.populationByGrid.load(code);
    return {
      total: counts.total,
      registered: counts.by.REGISTERED ?? 0,
      floating: counts.by.FLOATING ?? 0,
      overseas: counts.by.OVERSEAS ?? 0,
      unsettled: counts.by.UNSETTLED ?? 0,
    };
  },
};
