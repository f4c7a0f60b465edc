import { toConnection } from '@hub/core';
import type { BuildingResolvers } from '../__generated__/resolvers-types.ts';
import { isBuildingCode } from './codes.ts';
import { HOUSE_PAGE, housePage } from './connections.ts';

export const Building: BuildingResolvers = {
  __resolveReference: ({ code }, { loaders }) => (isBuildingCode(code) ? loaders.buildingByCode.load(code) : null),
  grid: (b) => ({ code: b.gridCode }),
  address: (b, _, { masks }) => masks.address(b.address),
  houses: async (b, args, { loaders }) => {
    const page = housePage(args);
    const [rows, total] = await Promise.all([
      loaders.housePageByBuilding.load({ parent: b.code, filter: null, ...page }),
      loaders.houseCountByBuilding.load(b.code),
    ]);
    return { ...toConnection(HOUSE_PAGE, rows, page, (h) => h.code), totalCount: total };
  },
  propertyCompany: async (b, _, { loaders }) => {
    const link = await loaders.propertyCompanyOfBuilding.load(b.code);
    return link ? { id: link.organizationId } : null;
  },
  ownersCommittee: async (b, _, { loaders }) => {
    const link = await loaders.ownersCommitteeOfBuilding.load(b.code);
    return link ? { id: link.organizationId } : null;
  },
};
