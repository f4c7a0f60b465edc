import { isHouseCode, mustExist } from '@hub/core';
import type { HouseResolvers } from '../__generated__/resolvers-types.ts';

export const House: HouseResolvers = {
  // Public security's Resident.residence and mediation's Case.house arrive here by code; unknown codes give null.
  __resolveReference: ({ code }, { loaders }) => (isHouseCode(code) ? loaders.houseByCode.load(code) : null),
  building: async (h, _, { loaders }) =>
    mustExist(await loaders.buildingByCode.load(h.buildingCode), `building ${h.buildingCode}`),
  address: (h, _, { masks }) => masks.address(h.address),
  floor: (h) => Math.floor(Number(h.room) / 100),
  grid: (h) => ({ code: h.gridCode }),
  owners: (h, _, { loaders }) => loaders.ownershipsByHouse.load(h.code),
  tenancies: (h, _, { loaders }) => loaders.tenanciesByHouse.load(h.code),
  groupRental: async (h, _, { loaders }) => (await loaders.groupRentalsByHouse.load(h.code)).at(-1) ?? null,
};
