import { mustExist } from '@hub/core';
import type { HomeResolvers } from '../__generated__/resolvers-types.ts';

export const Home: HomeResolvers = {
  house: async (h, _, { loaders }) => mustExist(await loaders.houseByCode.load(h.houseCode), `house ${h.houseCode}`),
};
