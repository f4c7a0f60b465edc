import { isCommunityCode } from '@hub/core';
import type { CommunityResolvers } from '../__generated__/resolvers-types.ts';
import { populationCounts, residenceSeparationCounts } from '../statistics.ts';

export const Community: CommunityResolvers = {
  // Civil affairs owns communities; here a community is the code its grids' codes start with.
  __resolveReference: ({ code }) => (isCommunityCode(code) ? { code } : null),
  population: async ({ code }, _, { loaders }) => populationCounts(await loaders.populationByPlace.COMMUNITY.load(code)),
  residenceSeparation: async ({ code }, _, { loaders }) => residenceSeparationCounts(await loaders.residenceStatusByPlace.COMMUNITY.load(code)),
};
