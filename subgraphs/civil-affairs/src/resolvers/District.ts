import type { DistrictResolvers } from '../__generated__/resolvers-types.ts';

export const District: DistrictResolvers = {
  __resolveReference: ({ code }, { loaders }) => loaders.districtByCode.load(code),
  streets: (d, _, { loaders }) => loaders.streetsByDistrict.load(d.code),
};
