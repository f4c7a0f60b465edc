import { isBuildingCode, pageWithTotal } from '@hub/core';
import type { BuildingResolvers } from '../__generated__/resolvers-types.ts';
import { HOUSES } from '../pages.ts';

export const Building: BuildingResolvers = {
  __resolveReference: ({ code }, { loaders }) => (isBuildingCode(code) ? loaders.buildingByCode.load(code) : null),
  grid: (b) => ({ code: b.gridCode }),
  address: (b, _, { masks }) => masks.address(b.address),
  houses: (b, args, { loaders }) =>
    pageWithTotal(HOUSES, args, (page) =>
      Promise.all([loaders.housePageByBuilding.load({ parent: b.code, filter: null, ...page }), loaders.houseCountByBuilding.load(b.code)]),
    ),
  propertyCompany: async (b, _, { loaders }) => {
    const link = await loaders.propertyCompanyOfBuilding.load(b.code);
    return link ? { id: link.organizationId } : null;
  },
  ownersCommittee: async (b, _, { loaders }) => {
    const link = await loaders.ownersCommitteeOfBuilding.load(b.code);
    return link ? { id: link.organizationId } : null;
  },
};
