import { isDivisionCode } from '@hub/core';
import type { DistrictResolvers } from '../__generated__/resolvers-types.ts';
import { populationCounts, residenceSeparationCounts } from '../statistics.ts';

export const District: DistrictResolvers = {
  // Civil affairs owns the district; here a district is the 6 digits its grids' codes start with.
  __resolveReference: ({ code }) => (isDivisionCode(code) ? { code } : null),
  population: async ({ code }, _, { loaders }) => populationCounts(await loaders.populationByPlace.DISTRICT.load(code)),
  residenceSeparation: async ({ code }, _, { loaders }) => residenceSeparationCounts(await loaders.residenceStatusByPlace.DISTRICT.load(code)),
};
