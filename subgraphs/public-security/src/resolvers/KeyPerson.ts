import { notFound } from '@hub/core';
import type { KeyPersonResolvers } from '../__generated__/resolvers-types.ts';

export const KeyPerson: KeyPersonResolvers = {
  resident: async (k, _, { loaders }) => {
    const resident = await loaders.residentById.load(k.residentId);
    // The foreign key keeps every key person on the register.
    if (!resident) throw notFound('Resident', 'id', k.residentId);
    return resident;
  },
  responsibleOfficer: (k, _, { masks }) => ({ name: masks.name(k.officerName), badge: k.officerBadge }),
  // One person, one plan: health and conduct details, in clear only with keyperson:read and a purpose.
  plan: (k, _, { masks }) => masks.keyPersonText(k.plan),
  guardian: (k, _, { loaders }) => (k.guardianId ? loaders.residentById.load(k.guardianId) : null),
  grid: (k) => ({ code: k.gridCode }),
};
