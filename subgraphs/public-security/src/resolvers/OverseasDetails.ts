import type { OverseasDetailsResolvers } from '../__generated__/resolvers-types.ts';

export const OverseasDetails: OverseasDetailsResolvers = {
  permitNumber: (o, _, { masks }) => masks.idNumber(o.permitNumber),
  permitValid: (o) =>
    o.permitKind === 'PERMANENT_RESIDENCE' || (o.permitExpiresOn !== null && o.permitExpiresOn >= new Date().toISOString().slice(0, 10)),
};
