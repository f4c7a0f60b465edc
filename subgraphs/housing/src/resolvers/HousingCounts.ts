import type { GroupRentalCountsResolvers, HousingCountsResolvers } from '../__generated__/resolvers-types.ts';

export const HousingCounts: HousingCountsResolvers = {
  buildings: async ({ gridCode }, _, { loaders }) => (await loaders.buildingCountsByGrid.load(gridCode)).total,
  houses: async ({ gridCode }, _, { loaders }) => (await loaders.houseCountsByGrid.load(gridCode)).total,
  tenancies: async ({ gridCode }, _, { loaders }) => (await loaders.tenancyCountsByGrid.load(gridCode)).total,
  filedTenancies: async ({ gridCode }, _, { loaders }) => (await loaders.tenancyCountsByGrid.load(gridCode)).filed,
  groupRentalsByStatus: ({ gridCode }, _, { loaders }) => loaders.groupRentalCountsByGrid.load(gridCode),
};

export const GroupRentalCounts: GroupRentalCountsResolvers = {
  identified: (c) => c.by.IDENTIFIED ?? 0,
  interviewed: (c) => c.by.INTERVIEWED ?? 0,
  rectified: (c) => c.by.RECTIFIED ?? 0,
};
