import { ErrorCode, inputError, notFound, outsideScope } from '@hub/core';
import type { KeyPersonResolvers } from '../__generated__/resolvers-types.ts';
import type { PublicSecurityContext } from '../context.ts';

/** A person of the register the record refers to: null with OUTSIDE_SCOPE outside the caller's grids, the record kept. */
async function referredResident(id: string, { loaders, scope }: PublicSecurityContext) {
  const resident = await loaders.residentById.load(id);
  if (resident) return resident;
  // The foreign key keeps every key person and guardian on the register.
  if (scope.allGrids || !(await loaders.residentOnRegister.load(id))) throw notFound('Resident', 'id', id);
  throw outsideScope('The person referred to');
}

export const KeyPerson: KeyPersonResolvers = {
  resident: (k, _, context) => referredResident(k.residentId, context),
  // Sensitive personal information (PIPL art. 28): only for public safety; withheld is told apart from absent.
  category: (k, _, { masks }) => (masks.disclosure.keyPersonCategory ? k.category : null),
  categoryWithheld: (_, __, { masks }) => !masks.disclosure.keyPersonCategory,
  responsibleOfficer: (k, _, { masks }) => ({ name: masks.name(k.officerName), badge: k.officerBadge }),
  // One person, one plan: health and conduct details, in clear only with keyperson:read and a purpose; even then
  // the numbers in it are masked, and the person's and guardian's names for callers with names masked.
  plan: async (k, _, { masks, loaders }) => {
    const plan = masks.keyPersonText(k.plan);
    if (!masks.disclosure.keyPerson) return plan;
    const names = await loaders.nameOfResident.loadMany([k.residentId, ...(k.guardianId ? [k.guardianId] : [])]);
    return masks.text(plan, names.flatMap((n) => (typeof n === 'string' ? [n] : [])));
  },
  guardian: (k, _, context) => (k.guardianId ? referredResident(k.guardianId, context) : null),
  grid: (k) => ({ code: k.gridCode }),
  // The groups tell what the category would: withheld with it.
  specialGroups: (k, _, { loaders, masks }) => (masks.disclosure.keyPersonCategory ? loaders.specialGroupsByKeyPerson.load(k.id) : null),
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
