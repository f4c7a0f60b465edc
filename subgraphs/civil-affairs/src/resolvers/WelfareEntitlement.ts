import { maskIdNumber } from '@hub/core';
import type { WelfareEntitlementResolvers } from '../__generated__/resolvers-types.ts';
import { found } from './places.ts';

/** A disability certificate number is the ID number and two digits (category, grade): only the ID part is masked. */
export function maskCertificateNumber(certificate: string): string {
  return maskIdNumber(certificate.slice(0, 18)) + certificate.slice(18);
}

export const WelfareEntitlement: WelfareEntitlementResolvers = {
  resident: (w) => ({ id: w.residentId }),
  disabilityCertificateNumber: (w, _, { revealIdentity }) =>
    w.disabilityCertificateNumber && !revealIdentity
      ? maskCertificateNumber(w.disabilityCertificateNumber)
      : w.disabilityCertificateNumber,
  grid: async (w, _, { loaders }) => found(await loaders.gridByCode.load(w.gridCode), 'Grid', w.gridCode),
};
