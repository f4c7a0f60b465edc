import { isDivisionCode } from '@hub/core';
import type { DistrictResolvers } from '../__generated__/resolvers-types.ts';
import { countsPublishedFor, partyMemberCounts, partyReportInCounts } from '../statistics.ts';

export const District: DistrictResolvers = {
  // Civil affairs owns the district; here a district is the 6 digits its grids' codes start with.
  __resolveReference: ({ code }) => (isDivisionCode(code) ? { code } : null),
  partyMemberCounts: async ({ code }, _, { loaders }) => partyMemberCounts(await loaders.memberCountsByPlace.DISTRICT.load(code)),
  partyReportInCounts: async ({ code }, _, { loaders, caller }) => partyReportInCounts(await loaders.reportInCountsByPlace.DISTRICT.load(code), countsPublishedFor(caller)),
};
