import { mustBeFound } from '@hub/core';
import type { StreetResolvers } from '../__generated__/resolvers-types.ts';
import { careCounts, welfareCounts } from '../statistics.ts';

export const Street: StreetResolvers = {
  __resolveReference: ({ code }, { loaders }) => loaders.streetByCode.load(code),
  district: async (s, _, { loaders }) => mustBeFound(await loaders.districtByCode.load(s.districtCode), 'District', 'code', s.districtCode),
  communities: (s, _, { loaders }) => loaders.communitiesByStreet.load(s.code),
  welfareCounts: async (place, { status }, { loaders }) =>
    welfareCounts(await loaders.welfareCountsByPlace('STREET', status ?? null).load(place.code)),
  careCounts: async (place, _, { loaders }) => careCounts(await loaders.careCountsByPlace('STREET').load(place.code)),
};
