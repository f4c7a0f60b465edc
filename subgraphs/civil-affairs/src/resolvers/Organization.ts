import { mustBeFound } from '@hub/core';
import type { OrganizationResolvers } from '../__generated__/resolvers-types.ts';

export const Organization: OrganizationResolvers = {
  // Other departments hold ids of organizations they detail; one the directory does not know resolves to null.
  __resolveReference: ({ id }, { loaders }) => loaders.organizationById.load(id),
  grid: async (o, _, { loaders }) => mustBeFound(await loaders.gridByCode.load(o.gridCode), 'Grid', 'code', o.gridCode),
  community: async (o, _, { loaders }) =>
    mustBeFound(await loaders.communityByCode.load(o.communityCode), 'Community', 'code', o.communityCode),
  socialOrganization: (o, _, { loaders }) =>
    o.kind === 'SOCIAL_ORGANIZATION' ? loaders.socialOrganizationById.load(o.id) : null,
};
