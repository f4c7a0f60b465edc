import { isStreetCode } from '@hub/core';
import type { StreetResolvers } from '../__generated__/resolvers-types.ts';
import { caseCounts } from '../statistics.ts';

export const Street: StreetResolvers = {
  // Civil affairs owns streets; here a street is the 9 digits its grids' codes start with.
  __resolveReference: ({ code }) => (isStreetCode(code) ? { code } : null),
  caseCounts: async ({ code }, { open }, { loaders }) => caseCounts(await loaders.caseTallyByPlace.STREET.load(code), open ?? false),
};
