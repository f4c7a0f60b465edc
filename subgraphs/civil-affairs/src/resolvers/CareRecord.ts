import { mustBeFound } from '@hub/core';
import type { CareRecordResolvers } from '../__generated__/resolvers-types.ts';

export const CareRecord: CareRecordResolvers = {
  resident: (c) => ({ id: c.residentId }),
  grid: async (c, _, { loaders }) => mustBeFound(await loaders.gridByCode.load(c.gridCode), 'Grid', 'code', c.gridCode),
};
