import type { CasePartyResolvers } from '../__generated__/resolvers-types.ts';

export const CaseParty: CasePartyResolvers = {
  resident: (p) => (p.residentId === null ? null : { id: p.residentId }),
  organization: (p) => (p.organizationId === null ? null : { id: p.organizationId }),
};
