import { checkLength, gridScopeWhere, latestImportRuns, pageRequest, type PageRequest, toConnection } from '@hub/core';
import { and, asc, count, eq, gt, ilike, inArray, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/index.ts';
import { districts, grids, streets, communities, organizations, welfareEntitlements } from '../db/schema.ts';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import type { Loaders } from '../loaders.ts';
import { checkCreditCode, checkOrganizationId, ORGANIZATION_ID, WELFARE_ID } from './ids.ts';
import { checkCommunityCode, checkGridCode, checkStreetCode, found } from './places.ts';

const GRID_CODE_KEY = /^\d{15}$/;
const NAME_CONTAINS_MAX = 50;

/**
 * Checks the place filters of a list and that the places exist: a malformed code is INVALID_*, an unknown one
 * NOT_FOUND, as for `grids`.
 */
async function checkPlaceFilters(
  args: { streetCode?: string | null; communityCode?: string | null; gridCode?: string | null },
  loaders: Loaders,
): Promise<void> {
  const { streetCode, communityCode, gridCode } = args;
  await Promise.all([
    streetCode != null &&
      loaders.streetByCode
        .load(checkStreetCode(streetCode, 'streetCode'))
        .then((row) => found(row, 'Street', streetCode)),
    communityCode != null &&
      loaders.communityByCode
        .load(checkCommunityCode(communityCode, 'communityCode'))
        .then((row) => found(row, 'Community', communityCode)),
    gridCode != null &&
      loaders.gridByCode.load(checkGridCode(gridCode, 'gridCode')).then((row) => found(row, 'Grid', gridCode)),
  ]);
}

/** One page of a filtered root list and its total: two statements, whatever the page size. */
async function filteredPage<T extends PgTable>(
  db: Db,
  table: T,
  key: AnyPgColumn,
  filter: SQL | undefined,
  page: PageRequest,
): Promise<{ rows: T['$inferSelect'][]; totalCount: number }> {
  const [rows, [total]] = await Promise.all([
    page.first === 0
      ? Promise.resolve([])
      : (db
          .select()
          .from(table as PgTable)
          .where(and(filter, page.after ? gt(key, page.after) : undefined))
          .orderBy(asc(key))
          .limit(page.first + 1) as Promise<T['$inferSelect'][]>),
    db.select({ n: count() }).from(table as PgTable).where(filter),
  ]);
  return { rows, totalCount: total?.n ?? 0 };
}

/** `%text%` for ILIKE, with the pattern characters of the text taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const Query: QueryResolvers = {
  civilAffairsImports: (_, { first }, { db }) => latestImportRuns(db, first),
  district: async (_, __, { db }) => {
    const [district] = await db.select().from(districts).limit(1);
    if (!district) throw new Error('the civil-affairs database holds no district: seed or import one');
    return district;
  },
  streets: (_, __, { db }) => db.select().from(streets).orderBy(asc(streets.code)),
  street: async (_, { code }, { loaders }) =>
    found(await loaders.streetByCode.load(checkStreetCode(code, 'code')), 'Street', code),
  communities: async (_, { streetCode }, { db, loaders }) => {
    if (streetCode == null) return db.select().from(communities).orderBy(asc(communities.code));
    found(await loaders.streetByCode.load(checkStreetCode(streetCode, 'streetCode')), 'Street', streetCode);
    return loaders.communitiesByStreet.load(streetCode);
  },
  community: async (_, { code }, { loaders }) =>
    found(await loaders.communityByCode.load(checkCommunityCode(code, 'code')), 'Community', code),
  grid: async (_, { code }, { loaders }) => found(await loaders.gridByCode.load(checkGridCode(code, 'code')), 'Grid', code),
  grids: async (_, args, { db, loaders }) => {
    const page = pageRequest('grids', args, GRID_CODE_KEY);
    await checkPlaceFilters(args, loaders);
    const filter = and(
      args.streetCode != null ? eq(grids.streetCode, args.streetCode) : undefined,
      args.communityCode != null ? eq(grids.communityCode, args.communityCode) : undefined,
    );
    const { rows, totalCount } = await filteredPage(db, grids, grids.code, filter, page);
    return { ...toConnection('grids', rows, page, (g) => g.code), totalCount };
  },
  organization: (_, { id }, { loaders }) => loaders.organizationById.load(checkOrganizationId(id)),
  organizationByCreditCode: (_, { creditCode }, { loaders }) =>
    loaders.organizationByCreditCode.load(checkCreditCode(creditCode)),
  organizations: async (_, args, { db, loaders }) => {
    const page = pageRequest('organizations', args, ORGANIZATION_ID);
    if (args.nameContains != null) checkLength(args.nameContains, 'nameContains', NAME_CONTAINS_MAX);
    await checkPlaceFilters(args, loaders);
    const filter = and(
      args.kind != null ? eq(organizations.kind, args.kind) : undefined,
      args.gridCode != null ? eq(organizations.gridCode, args.gridCode) : undefined,
      args.communityCode != null ? eq(organizations.communityCode, args.communityCode) : undefined,
      args.nameContains ? ilike(organizations.name, containing(args.nameContains)) : undefined,
    );
    const { rows, totalCount } = await filteredPage(db, organizations, organizations.id, filter, page);
    return { ...toConnection('organizations', rows, page, (o) => o.id), totalCount };
  },
  welfareEntitlements: async (_, args, { db, loaders, scope }) => {
    const page = pageRequest('welfare', args, WELFARE_ID);
    await checkPlaceFilters(args, loaders);
    // Entitlements keep their grid; the street and community of a grid are civil affairs' own places table.
    const gridsWhere = (where: SQL) => inArray(welfareEntitlements.gridCode, db.select({ code: grids.code }).from(grids).where(where));
    const filter = and(
      gridScopeWhere(scope, welfareEntitlements.gridCode),
      args.kind != null ? eq(welfareEntitlements.kind, args.kind) : undefined,
      args.status != null ? eq(welfareEntitlements.status, args.status) : undefined,
      args.streetCode != null ? gridsWhere(eq(grids.streetCode, args.streetCode)) : undefined,
      args.communityCode != null ? gridsWhere(eq(grids.communityCode, args.communityCode)) : undefined,
      args.gridCode != null ? eq(welfareEntitlements.gridCode, args.gridCode) : undefined,
    );
    const { rows, totalCount } = await filteredPage(db, welfareEntitlements, welfareEntitlements.id, filter, page);
    return { ...toConnection('welfare', rows, page, (w) => w.id), totalCount };
  },
};
