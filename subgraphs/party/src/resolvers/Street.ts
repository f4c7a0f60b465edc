import { isStreetCode } from '@hub/core';
import type { StreetResolvers } from '../__generated__/resolvers-types.ts';
import { countsPublishedFor, partyMemberCounts, partyReportInCounts } from '../statistics.ts';

export const Street: StreetResolvers = {
  // Civil affairs owns streets; here a street is the 9 digits its grids' codes start with.
  __resolveReference: ({ code }) => (isStreetCode(code) ? { code } : null),
  partyMemberCounts: async ({ code }, _, { loaders }) => partyMemberCounts(await loaders.memberCountsByPlace.STREET.load(code)),
  partyReportInCounts: async ({ code }, _, { loaders, caller }) => partyReportInCounts(await loaders.reportInCountsByPlace.STREET.load(code), countsPublishedFor(caller)),
};
