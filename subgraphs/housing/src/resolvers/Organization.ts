import { isOrganizationId } from '@hub/core';
import type { OrganizationResolvers } from '../__generated__/resolvers-types.ts';

export const Organization: OrganizationResolvers = {
  // Civil affairs keeps the directory; housing adds the details of the kinds it registers.
  __resolveReference: ({ id }) => (isOrganizationId(id) ? { id } : null),
  propertyCompany: ({ id }, _, { loaders }) => (id.startsWith('PM') ? loaders.propertyCompanyById.load(id) : null),
  ownersCommittee: ({ id }, _, { loaders }) => (id.startsWith('OC') ? loaders.ownersCommitteeById.load(id) : null),
};
