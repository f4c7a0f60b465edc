import type { SocialOrganizationDetailsResolvers } from '../__generated__/resolvers-types.ts';

export const SocialOrganizationDetails: SocialOrganizationDetailsResolvers = {
  legalRepresentative: (s) => ({ id: s.legalRepresentativeId }),
  // About the organization, not a person: numbers masked, no names to look for.
  businessScope: (s, _, { masks }) => masks.text(s.businessScope, []),
};
