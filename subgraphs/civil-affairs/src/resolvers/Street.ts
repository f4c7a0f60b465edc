import type { StreetResolvers } from '../__generated__/resolvers-types.ts';
import { found } from './places.ts';

export const Street: StreetResolvers = {
  __resolveReference: ({ code }, { loaders }) => loaders.streetByCode.load(code),
  district: async (s, _, { loaders }) => found(await loaders.districtByCode.load(s.districtCode), 'District', s.districtCode),
  communities: (s, _, { loaders }) => loaders.communitiesByStreet.load(s.code),
};
