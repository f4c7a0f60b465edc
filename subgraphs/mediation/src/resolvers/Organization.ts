import type { OrganizationResolvers } from '../__generated__/resolvers-types.ts';

export const Organization: OrganizationResolvers = {
  // Civil affairs keeps the directory; mediation answers only for the committees it registered.
  __resolveReference: ({ id }) => ({ id }),
  mediationCommittee: (o, _, { loaders }) => loaders.committeeById.load(o.id),
};
