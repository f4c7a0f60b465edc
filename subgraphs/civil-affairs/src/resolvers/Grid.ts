import type { GridResolvers } from '../__generated__/resolvers-types.ts';
import { found } from './places.ts';

export const Grid: GridResolvers = {
  __resolveReference: ({ code }, { loaders }) => loaders.gridByCode.load(code),
  community: async (g, _, { loaders }) =>
    found(await loaders.communityByCode.load(g.communityCode), 'Community', g.communityCode),
  street: async (g, _, { loaders }) => found(await loaders.streetByCode.load(g.streetCode), 'Street', g.streetCode),
  workers: (g, _, { loaders }) => loaders.workersByGrid.load(g.code),
};
