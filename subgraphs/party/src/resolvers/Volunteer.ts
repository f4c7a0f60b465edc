import type { PostClaimResolvers, VolunteerResolvers } from '../__generated__/resolvers-types.ts';
import { mustExist } from '@hub/core';

export const Volunteer: VolunteerResolvers = {
  resident: (v) => ({ id: v.residentId }),
  grid: (v) => ({ code: v.gridCode }),
};

export const PostClaim: PostClaimResolvers = {
  resident: (c) => ({ id: c.residentId }),
  organization: async (c, _, { loaders }) => mustExist(await loaders.organizationById.load(c.organizationId), `party organization ${c.organizationId}`),
};
