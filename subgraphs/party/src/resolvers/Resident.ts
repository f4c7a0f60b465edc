import type { ResidentResolvers } from '../__generated__/resolvers-types.ts';

export const Resident: ResidentResolvers = {
  // Public security owns residents; a reference needs no lookup here, the membership is looked up on its own.
  __resolveReference: ({ id }) => ({ id }),
  partyMembership: ({ id }, _, { loaders }) => loaders.memberByResidentId.load(id),
  partyReportIn: ({ id }, _, { loaders }) => loaders.reportInByResidentId.load(id),
  volunteer: ({ id }, _, { loaders }) => loaders.volunteerByResidentId.load(id),
  postClaims: ({ id }, _, { loaders }) => loaders.postClaimsByResident.load(id),
};
