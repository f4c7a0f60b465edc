import type { ResidentResolvers } from '../__generated__/resolvers-types.ts';

export const Resident: ResidentResolvers = {
  // Public security owns residents; here a resident is only the hub id that welfare records are kept under.
  __resolveReference: ({ id }) => ({ id }),
  welfare: ({ id }, _, { loaders }) => loaders.welfareByResident.load(id),
};
