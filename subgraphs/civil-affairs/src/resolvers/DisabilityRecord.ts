import { mustBeFound } from '@hub/core';
import type { DisabilityCategory, DisabilityRecordResolvers } from '../__generated__/resolvers-types.ts';

/** The certificate's category digit (1-7, GB/T 26341) as the schema names it. */
const CATEGORIES: readonly DisabilityCategory[] = ['VISUAL', 'HEARING', 'SPEECH', 'PHYSICAL', 'INTELLECTUAL', 'MENTAL', 'MULTIPLE'];

export const DisabilityRecord: DisabilityRecordResolvers = {
  resident: (d) => ({ id: d.residentId }),
  // The ID number inside: in clear only with resident:identity, health:read and a purpose, as the welfare one.
  certificateNumber: (d, _, { masks }) => masks.certificate(d.certificateNumber),
  category: (d) => CATEGORIES[d.category - 1] as DisabilityCategory,
  grid: async (d, _, { loaders }) => mustBeFound(await loaders.gridByCode.load(d.gridCode), 'Grid', 'code', d.gridCode),
};
