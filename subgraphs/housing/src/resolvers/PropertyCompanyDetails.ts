import { mustExist, pageWithTotal } from '@hub/core';
import type { PropertyCompanyDetailsResolvers } from '../__generated__/resolvers-types.ts';
import { BUILDINGS } from '../pages.ts';

export const PropertyCompanyDetails: PropertyCompanyDetailsResolvers = {
  organization: (c) => ({ id: c.organizationId }),
  managedBuildings: (c, args, { loaders }) =>
    pageWithTotal(BUILDINGS, args, async (page) => {
      const [links, total] = await Promise.all([
        loaders.managedBuildingPageByCompany.load({ parent: c.organizationId, filter: null, ...page }),
        loaders.managedBuildingCountByCompany.load(c.organizationId),
      ]);
      const rows = await loaders.buildingByCode.loadMany(links.map((l) => l.buildingCode));
      const buildings = rows.map((row, i) => {
        if (row instanceof Error) throw row;
        return mustExist(row, `building ${links[i]?.buildingCode}`);
      });
      return [buildings, total];
    }),
};
