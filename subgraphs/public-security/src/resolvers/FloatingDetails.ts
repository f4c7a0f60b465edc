import { hubToday } from '@hub/core';
import type { FloatingDetailsResolvers } from '../__generated__/resolvers-types.ts';

export const FloatingDetails: FloatingDetailsResolvers = {
  originAddress: (f, _, { masks }) => masks.address(f.originAddress),
  residencePermitNumber: (f, _, { masks }) => masks.idNumber(f.residencePermitNumber),
  residencePermitValid: (f) =>
    f.residencePermitExpiresOn !== null && f.residencePermitExpiresOn >= hubToday(),
};
