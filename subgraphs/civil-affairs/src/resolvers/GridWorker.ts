import { mustBeFound } from '@hub/core';
import type { GridWorkerResolvers } from '../__generated__/resolvers-types.ts';

export const GridWorker: GridWorkerResolvers = {
  id: (w) => String(w.id),
  name: (w, _, { masks }) => masks.name(w.name),
  phone: (w, _, { masks }) => masks.phone(w.phone),
  grid: async (w, _, { loaders }) => mustBeFound(await loaders.gridByCode.load(w.gridCode), 'Grid', 'code', w.gridCode),
  resident: (w) => ({ id: w.residentId }),
};
