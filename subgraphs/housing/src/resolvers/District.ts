import { isDivisionCode } from '@hub/core';
import type { DistrictResolvers } from '../__generated__/resolvers-types.ts';

export const District: DistrictResolvers = {
  // Civil affairs owns the district; here a district is the 6 digits its grids' codes start with.
  __resolveReference: ({ code }) => (isDivisionCode(code) ? { code } : null),
  housingCounts: ({ code }) => ({ level: 'DISTRICT', code }),
};
