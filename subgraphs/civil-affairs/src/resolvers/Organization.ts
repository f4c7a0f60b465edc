import type { OrganizationResolvers } from '../__generated__/resolvers-types.ts';
import { found } from './places.ts';

export const Organization: OrganizationResolvers = {
  // Other departments hold ids of organizations they detail; one the directory does not know resolves to null.
  __resolveReference: ({ id }, { loaders }) => loaders.organizationById.load(id),
  grid: async (o, _, { loaders }) => found(await loaders.gridByCode.load(o.gridCode), 'Grid', o.gridCode),
  community: async (o, _, { loaders }) =>
    found(await loaders.communityByCode.load(o.communityCode), 'Community', o.communityCode),
  socialOrganization: (o, _, { loaders }) =>
    o.kind === 'SOCIAL_ORGANIZATION' ? loaders.socialOrganizationById.load(o.id) : null,
};
