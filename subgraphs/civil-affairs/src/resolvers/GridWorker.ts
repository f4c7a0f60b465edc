import type { GridWorkerResolvers } from '../__generated__/resolvers-types.ts';
import { found } from './places.ts';

export const GridWorker: GridWorkerResolvers = {
  id: (w) => String(w.id),
  name: (w, _, { masks }) => masks.name(w.name),
  phone: (w, _, { masks }) => masks.phone(w.phone),
  grid: async (w, _, { loaders }) => found(await loaders.gridByCode.load(w.gridCode), 'Grid', w.gridCode),
  resident: (w) => ({ id: w.residentId }),
};
