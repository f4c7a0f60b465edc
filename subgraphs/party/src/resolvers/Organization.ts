import type { OrganizationResolvers } from '../__generated__/resolvers-types.ts';

export const Organization: OrganizationResolvers = {
  // Civil affairs keeps the directory; an organization the party does not register has no party details (null).
  __resolveReference: ({ id }) => ({ id }),
  partyOrganization: ({ id }, _, { loaders }) => loaders.organizationById.load(id),
};
