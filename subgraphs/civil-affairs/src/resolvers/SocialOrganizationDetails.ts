import type { SocialOrganizationDetailsResolvers } from '../__generated__/resolvers-types.ts';

export const SocialOrganizationDetails: SocialOrganizationDetailsResolvers = {
  legalRepresentative: (s) => ({ id: s.legalRepresentativeId }),
};
