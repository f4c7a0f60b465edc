import { isStreetCode } from '@hub/core';
import type { StreetResolvers } from '../__generated__/resolvers-types.ts';
import { populationCounts, residenceSeparationCounts } from '../statistics.ts';

export const Street: StreetResolvers = {
  // Civil affairs owns streets; here a street is the 9 digits its grids' codes start with.
  __resolveReference: ({ code }) => (isStreetCode(code) ? { code } : null),
  population: async ({ code }, _, { loaders }) => populationCounts(await loaders.populationByPlace.STREET.load(code)),
  residenceSeparation: async ({ code }, _, { loaders }) => residenceSeparationCounts(await loaders.residenceStatusByPlace.STREET.load(code)),
};
