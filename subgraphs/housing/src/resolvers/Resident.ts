import type { ResidentResolvers } from '../__generated__/resolvers-types.ts';
import { isResidentId } from '../keys.ts';

export const Resident: ResidentResolvers = {
  // Public security owns residents; here a resident is the hub id that titles and leases name.
  __resolveReference: ({ id }) => (isResidentId(id) ? { id } : null),
  // Owned homes first, by registration date, then leases by start.
  homes: ({ id }, _, { loaders }) => loaders.homesByResident.load(id),
  housingSummary: ({ id }, _, { loaders }) => loaders.ownedSummaryByResident.load(id),
};
