import type { GroupRentalCountsResolvers, HousingCountsResolvers } from '../__generated__/resolvers-types.ts';
import type { HousingContext } from '../context.ts';
import type { HousingCountsModel } from '../mappers.ts';

/** A community's, street's or district's figures (one statement per level); null for a grid, counted figure by figure. */
const placeFigures = async (c: HousingCountsModel, { loaders }: HousingContext) =>
  c.level === 'GRID' ? null : (await loaders.housingFiguresByPlace[c.level].load(c.code))[0] ?? null;

export const HousingCounts: HousingCountsResolvers = {
  buildings: async (c, _, context) =>
    c.level === 'GRID' ? (await context.loaders.buildingCountsByGrid.load(c.code)).total : ((await placeFigures(c, context))?.buildings ?? 0),
  houses: async (c, _, context) =>
    c.level === 'GRID' ? (await context.loaders.houseCountsByGrid.load(c.code)).total : ((await placeFigures(c, context))?.houses ?? 0),
  tenancies: async (c, _, context) =>
    c.level === 'GRID' ? (await context.loaders.tenancyCountsByGrid.load(c.code)).total : ((await placeFigures(c, context))?.tenancies ?? 0),
  filedTenancies: async (c, _, context) =>
    c.level === 'GRID'
      ? (await context.loaders.tenancyCountsByGrid.load(c.code)).filed
      : ((await placeFigures(c, context))?.filedTenancies ?? 0),
  groupRentalsByStatus: async (c, _, context) => {
    if (c.level === 'GRID') return context.loaders.groupRentalCountsByGrid.load(c.code);
    const by = (await placeFigures(c, context))?.groupRentals ?? {};
    return { total: Object.values(by).reduce((n, k) => n + k, 0), by };
  },
};

export const GroupRentalCounts: GroupRentalCountsResolvers = {
  identified: (c) => c.by.IDENTIFIED ?? 0,
  interviewed: (c) => c.by.INTERVIEWED ?? 0,
  rectified: (c) => c.by.RECTIFIED ?? 0,
  relapsed: (c) => c.by.RELAPSED ?? 0,
};
