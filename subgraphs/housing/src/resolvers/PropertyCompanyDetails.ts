import { toConnection } from '@hub/core';
import type { PropertyCompanyDetailsResolvers } from '../__generated__/resolvers-types.ts';
import { present } from './codes.ts';
import { BUILDING_PAGE, buildingPage } from './connections.ts';

export const PropertyCompanyDetails: PropertyCompanyDetailsResolvers = {
  organization: (c) => ({ id: c.organizationId }),
  managedBuildings: async (c, args, { loaders }) => {
    const page = buildingPage(args);
    const [links, total] = await Promise.all([
      loaders.managedBuildingPageByCompany.load({ parent: c.organizationId, filter: null, ...page }),
      loaders.managedBuildingCountByCompany.load(c.organizationId),
    ]);
    const rows = await loaders.buildingByCode.loadMany(links.map((l) => l.buildingCode));
    const buildings = rows.map((row, i) => {
      if (row instanceof Error) throw row;
      return present(row, `building ${links[i]?.buildingCode}`);
    });
    return { ...toConnection(BUILDING_PAGE, buildings, page, (b) => b.code), totalCount: total };
  },
};
