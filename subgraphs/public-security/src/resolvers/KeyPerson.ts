import { notFound } from '@hub/core';
import type { KeyPersonResolvers } from '../__generated__/resolvers-types.ts';

export const KeyPerson: KeyPersonResolvers = {
  resident: async (k, _, { loaders }) => {
    const resident = await loaders.residentById.load(k.residentId);
    // The foreign key keeps every key person on the register.
    if (!resident) throw notFound('Resident', 'id', k.residentId);
    return resident;
  },
  responsibleOfficer: (k) => ({ name: k.officerName, badge: k.officerBadge }),
  guardian: (k, _, { loaders }) => (k.guardianId ? loaders.residentById.load(k.guardianId) : null),
  grid: (k) => ({ code: k.gridCode }),
};
