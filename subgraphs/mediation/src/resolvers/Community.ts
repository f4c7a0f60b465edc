import { isCommunityCode } from '@hub/core';
import type { CommunityResolvers } from '../__generated__/resolvers-types.ts';
import { caseCounts } from '../statistics.ts';

export const Community: CommunityResolvers = {
  // Civil affairs owns communities; here a community is the code its grids' codes start with.
  __resolveReference: ({ code }) => (isCommunityCode(code) ? { code } : null),
  caseCounts: async ({ code }, { open }, { loaders }) => caseCounts(await loaders.caseTallyByPlace.COMMUNITY.load(code), open ?? false),
};
