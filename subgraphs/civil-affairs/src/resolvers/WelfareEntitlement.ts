import { mustBeFound } from '@hub/core';
import type { WelfareEntitlementResolvers } from '../__generated__/resolvers-types.ts';
import { welfareCategoryOf } from '../statistics.ts';

export const WelfareEntitlement: WelfareEntitlementResolvers = {
  resident: (w) => ({ id: w.residentId }),
  category: (w) => welfareCategoryOf(w.kind),
  // Identity and health at once: in clear only with resident:identity, health:read and a purpose.
  disabilityCertificateNumber: (w, _, { masks }) => masks.certificate(w.disabilityCertificateNumber),
  grid: async (w, _, { loaders }) => mustBeFound(await loaders.gridByCode.load(w.gridCode), 'Grid', 'code', w.gridCode),
};
