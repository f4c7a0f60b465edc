import type { GroupRentalResolvers } from '../__generated__/resolvers-types.ts';

export const GroupRental: GroupRentalResolvers = {
  // Housing owns group rentals; mediation knows one only as the id a dispute names.
  __resolveReference: ({ id }) => ({ id }),
  disputes: (g, _, { loaders }) => loaders.casesByGroupRental.load(g.id),
};
