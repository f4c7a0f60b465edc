import { ErrorCode, inputError, notFound } from '@hub/core';
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
  specialGroups: (k, _, { loaders }) => loaders.specialGroupsByKeyPerson.load(k.id),
  officers: (k, _, { loaders }) => loaders.officersByKeyPerson.load(k.id),
  contacts: async (k, { last }, { loaders }) => {
    const count = last ?? 20;
    if (!Number.isInteger(count) || count < 0 || count > 100) {
      throw inputError(ErrorCode.INVALID_PAGE_SIZE, 'last must be between 0 and 100', { argumentName: 'last', maximum: 100 });
    }
    const log = await loaders.contactsByKeyPerson.load(k.id);
    return log.slice(Math.max(0, log.length - count)).reverse();
  },
};
