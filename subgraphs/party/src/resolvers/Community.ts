import { isCommunityCode } from '@hub/core';
import type { CommunityResolvers } from '../__generated__/resolvers-types.ts';
import { countsPublishedFor, partyMemberCounts, partyReportInCounts } from '../statistics.ts';

export const Community: CommunityResolvers = {
  // Civil affairs owns communities; here a community is the code its grids' codes start with.
  __resolveReference: ({ code }) => (isCommunityCode(code) ? { code } : null),
  partyMemberCounts: async ({ code }, _, { loaders }) => partyMemberCounts(await loaders.memberCountsByPlace.COMMUNITY.load(code)),
  partyReportInCounts: async ({ code }, _, { loaders, caller }) => partyReportInCounts(await loaders.reportInCountsByPlace.COMMUNITY.load(code), countsPublishedFor(caller)),
};
