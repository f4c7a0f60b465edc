import { mustBeFound } from '@hub/core';
import type { CommunityResolvers } from '../__generated__/resolvers-types.ts';
import { careCounts, welfareCounts } from '../statistics.ts';

export const Community: CommunityResolvers = {
  __resolveReference: ({ code }, { loaders }) => loaders.communityByCode.load(code),
  street: async (c, _, { loaders }) => mustBeFound(await loaders.streetByCode.load(c.streetCode), 'Street', 'code', c.streetCode),
  grids: (c, _, { loaders }) => loaders.gridsByCommunity.load(c.code),
  welfareCounts: async (place, { status }, { loaders }) =>
    welfareCounts(await loaders.welfareCountsByPlace('COMMUNITY', status ?? null).load(place.code)),
  careCounts: async (place, _, { loaders }) => careCounts(await loaders.careCountsByPlace('COMMUNITY').load(place.code)),
};
