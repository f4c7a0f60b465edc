import type { MediationCommitteeDetailsResolvers } from '../__generated__/resolvers-types.ts';

export const MediationCommitteeDetails: MediationCommitteeDetailsResolvers = {
  organization: (c) => ({ id: c.organizationId }),
  mediators: (c, _, { loaders }) => loaders.mediatorsByCommittee.load(c.organizationId),
};
