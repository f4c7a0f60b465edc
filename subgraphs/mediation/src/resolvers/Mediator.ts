import type { MediatorResolvers } from '../__generated__/resolvers-types.ts';

export const Mediator: MediatorResolvers = {
  name: (m, _, { masks }) => masks.name(m.name),
  committee: (m) => ({ id: m.committeeId }),
  resident: (m) => (m.residentId === null ? null : { id: m.residentId }),
};
