import type { HouseholdResolvers } from '../__generated__/resolvers-types.ts';

export const Household: HouseholdResolvers = {
  __resolveReference: ({ id }, { loaders }) => loaders.householdById.load(id),
  head: (h, _, { loaders }) => (h.headResidentId ? loaders.residentById.load(h.headResidentId) : null),
  // A hukou household's members are those whose 户口簿 it is; a household living together's, those living in it.
  members: (h, _, { loaders }) => (h.basis === 'HUKOU' ? loaders.residentsByHukouHousehold.load(h.id) : loaders.residentsByHousehold.load(h.id)),
  grid: (h) => ({ code: h.gridCode }),
  residence: (h) => (h.houseCode ? { code: h.houseCode } : null),
};
