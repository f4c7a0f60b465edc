import type { HomeResolvers } from '../__generated__/resolvers-types.ts';
import { present } from './codes.ts';

export const Home: HomeResolvers = {
  house: async (h, _, { loaders }) => present(await loaders.houseByCode.load(h.houseCode), `house ${h.houseCode}`),
};
