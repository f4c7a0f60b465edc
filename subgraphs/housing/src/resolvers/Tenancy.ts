import { mustExist } from '@hub/core';
import type { TenancyResolvers } from '../__generated__/resolvers-types.ts';

export const Tenancy: TenancyResolvers = {
  house: async (t, _, { loaders }) => mustExist(await loaders.houseByCode.load(t.houseCode), `house ${t.houseCode}`),
  landlord: (t) => (t.landlordResidentId ? { id: t.landlordResidentId } : null),
  landlordOrganization: (t) => (t.landlordOrganizationId ? { id: t.landlordOrganizationId } : null),
  occupants: async (t, _, { loaders }) =>
    (await loaders.occupantsByTenancy.load(t.id)).map((o) => ({ id: o.residentId })),
  filed: (t) => t.filingNumber !== null,
  filingNumber: (t, _, { masks }) => masks.documentNumber(t.filingNumber),
};
