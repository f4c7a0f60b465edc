import type { HouseResolvers } from '../__generated__/resolvers-types.ts';

export const House: HouseResolvers = {
  // Housing owns houses; public security knows a house only as the code its residents live under.
  __resolveReference: ({ code }) => ({ code }),
  occupants: ({ code }, _, { loaders }) => loaders.residentsByHouse.load(code),
};
