import { pageRequest, toConnection } from '@hub/core';
import { and, asc, count, eq, gt } from 'drizzle-orm';
import { districts, grids, streets, communities } from '../db/schema.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { checkCommunityCode, checkGridCode, checkStreetCode, found } from './places.ts';

const GRID_CODE_KEY = /^\d{15}$/;

export const Query: QueryResolvers = {
  district: async (_, __, { db }) => {
    const [district] = await db.select().from(districts).limit(1);
    if (!district) throw new Error('the civil-affairs database holds no district: seed or import one');
    return district;
  },
  streets: (_, __, { db }) => db.select().from(streets).orderBy(asc(streets.code)),
  street: async (_, { code }, { loaders }) =>
    found(await loaders.streetByCode.load(checkStreetCode(code)), 'Street', code),
  communities: async (_, { streetCode }, { db, loaders }) => {
    if (streetCode == null) return db.select().from(communities).orderBy(asc(communities.code));
    found(await loaders.streetByCode.load(checkStreetCode(streetCode, 'streetCode')), 'Street', streetCode);
    return loaders.communitiesByStreet.load(streetCode);
  },
  community: async (_, { code }, { loaders }) =>
    found(await loaders.communityByCode.load(checkCommunityCode(code)), 'Community', code),
  grid: async (_, { code }, { loaders }) => found(await loaders.gridByCode.load(checkGridCode(code)), 'Grid', code),
  grids: async (_, args, { db, loaders }) => {
    const page = pageRequest('grids', args, GRID_CODE_KEY);
    if (args.streetCode != null) {
      found(await loaders.streetByCode.load(checkStreetCode(args.streetCode, 'streetCode')), 'Street', args.streetCode);
    }
    if (args.communityCode != null) {
      found(
        await loaders.communityByCode.load(checkCommunityCode(args.communityCode, 'communityCode')),
        'Community',
        args.communityCode,
      );
    }
    const filter = and(
      args.streetCode != null ? eq(grids.streetCode, args.streetCode) : undefined,
      args.communityCode != null ? eq(grids.communityCode, args.communityCode) : undefined,
    );
    const [rows, [total]] = await Promise.all([
      page.first === 0
        ? Promise.resolve([])
        : db
            .select()
            .from(grids)
            .where(and(filter, page.after ? gt(grids.code, page.after) : undefined))
            .orderBy(asc(grids.code))
            .limit(page.first + 1),
      db.select({ n: count() }).from(grids).where(filter),
    ]);
    return { ...toConnection('grids', rows, page, (g) => g.code), totalCount: total?.n ?? 0 };
  },
};
