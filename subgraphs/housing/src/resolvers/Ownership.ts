import { mustExist } from '@hub/core';
import type { OwnershipResolvers } from '../__generated__/resolvers-types.ts';

export const Ownership: OwnershipResolvers = {
  house: async (o, _, { loaders }) => mustExist(await loaders.houseByCode.load(o.houseCode), `house ${o.houseCode}`),
  certificateNumber: (o, _, { masks }) => masks.documentNumber(o.certificateNumber),
  owner: (o) => (o.ownerResidentId ? { id: o.ownerResidentId } : null),
  organization: (o) => (o.ownerOrganizationId ? { id: o.ownerOrganizationId } : null),
};
