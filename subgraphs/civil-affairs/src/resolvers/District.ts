import type { DistrictResolvers } from '../__generated__/resolvers-types.ts';
import { careCounts, welfareCounts } from '../statistics.ts';

export const District: DistrictResolvers = {
  __resolveReference: ({ code }, { loaders }) => loaders.districtByCode.load(code),
  streets: (d, _, { loaders }) => loaders.streetsByDistrict.load(d.code),
  welfareCounts: async (place, { status }, { loaders }) =>
    welfareCounts(await loaders.welfareCountsByPlace('DISTRICT', status ?? null).load(place.code)),
  careCounts: async (place, _, { loaders }) => careCounts(await loaders.careCountsByPlace('DISTRICT').load(place.code)),
};
