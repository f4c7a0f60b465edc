import { mustBeFound } from '@hub/core';
import type { AssistanceGrantResolvers } from '../__generated__/resolvers-types.ts';

export const AssistanceGrant: AssistanceGrantResolvers = {
  resident: (a) => ({ id: a.residentId }),
  approver: (a, _, { masks }) => masks.name(a.approverName),
  // The episode columns are set exactly for medical grants (the table's check), so the row is the episode.
  medicalEpisode: (a) => (a.kind === 'MEDICAL' ? a : null),
  grid: async (a, _, { loaders }) => mustBeFound(await loaders.gridByCode.load(a.gridCode), 'Grid', 'code', a.gridCode),
};
