import type { HouseResolvers } from '../__generated__/resolvers-types.ts';

export const House: HouseResolvers = {
  // Housing owns houses; mediation knows one only as the code a dispute names.
  __resolveReference: ({ code }) => ({ code }),
  cases: (h, _, { loaders }) => loaders.casesByHouse.load(h.code),
};
