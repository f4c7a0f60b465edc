import type { FloatingDetailsResolvers } from '../__generated__/resolvers-types.ts';

export const FloatingDetails: FloatingDetailsResolvers = {
  residencePermitValid: (f) =>
    f.residencePermitExpiresOn !== null && f.residencePermitExpiresOn >= new Date().toISOString().slice(0, 10),
};
