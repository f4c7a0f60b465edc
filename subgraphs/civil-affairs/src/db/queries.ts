import { filteredPage, gridScopeWhere, preparedPage, type PageRequest, type RowScope } from '@hub/core';
import { and, asc, count, countDistinct, eq, gt, ilike, inArray, sql, sum, type Placeholder, type SQL } from 'drizzle-orm';
import type { OrganizationKind, WelfareKind, WelfareStatus } from '../__generated__/resolvers-types.ts';
import type { Db } from './index.ts';
import { assistanceGrants, communities, disabilityRecords, districts, grids, organizations, streets, welfareEntitlements } from './schema.ts';

/** The one district civil affairs keeps; its absence means nothing was seeded or imported yet. */
export async function theDistrict(db: Db) {
  const [district] = await db.select().from(districts).limit(1);
  if (!district) throw new Error('the civil-affairs database holds no district: seed or import one');
  return district;
}

export const allStreets = (db: Db) => db.select().from(streets).orderBy(asc(streets.code));
export const allCommunities = (db: Db) => db.select().from(communities).orderBy(asc(communities.code));

export const gridPage = (db: Db, filter: { streetCode?: string | null; communityCode?: string | null }, page: PageRequest) =>
  filteredPage(
    db,
    grids,
    grids.code,
    and(
      filter.streetCode != null ? eq(grids.streetCode, filter.streetCode) : undefined,
      filter.communityCode != null ? eq(grids.communityCode, filter.communityCode) : undefined,
    ),
    page,
  );

/** `%text%` for ILIKE, with the pattern characters of the text taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const organizationPage = (
  db: Db,
  filter: { kind?: OrganizationKind | null; gridCode?: string | null; communityCode?: string | null; nameContains?: string | null },
  page: PageRequest,
) =>
  filteredPage(
    db,
    organizations,
    organizations.id,
    and(
      filter.kind != null ? eq(organizations.kind, filter.kind) : undefined,
      filter.gridCode != null ? eq(organizations.gridCode, filter.gridCode) : undefined,
      filter.communityCode != null ? eq(organizations.communityCode, filter.communityCode) : undefined,
      filter.nameContains ? ilike(organizations.name, containing(filter.nameContains)) : undefined,
    ),
    page,
  );

export async function welfarePage(
  db: Db,
  scope: RowScope,
  filter: { kind?: WelfareKind | null; status?: WelfareStatus | null; streetCode?: string | null; communityCode?: string | null; gridCode?: string | null },
  page: PageRequest,
): Promise<[rows: (typeof welfareEntitlements.$inferSelect)[], totalCount: number]> {
  // Entitlements keep their grid; the street and community of a grid are civil affairs' own places table.
  const placeWhere = and(
    filter.streetCode != null ? eq(grids.streetCode, filter.streetCode) : undefined,
    filter.communityCode != null ? eq(grids.communityCode, filter.communityCode) : undefined,
  );
  const ownWhere = and(
    gridScopeWhere(scope, welfareEntitlements.gridCode),
    filter.kind != null ? eq(welfareEntitlements.kind, filter.kind) : undefined,
    filter.status != null ? eq(welfareEntitlements.status, filter.status) : undefined,
    filter.gridCode != null ? eq(welfareEntitlements.gridCode, filter.gridCode) : undefined,
  );
  if (!placeWhere) return filteredPage(db, welfareEntitlements, welfareEntitlements.id, ownWhere, page);
  return preparedPage(db, page, {
    key: 'civil-affairs.welfarePlacePage',
    conditions: [placeWhere, ownWhere],
    rows: ([place, own], after, limit) => placePageRows(db, place!, own, after, limit),
    count: ([place, own]) => placeCount(db, place!, own),
  });
}

/** How many entitlements the place's grids hold within `ownWhere`. */
const placeCount = (db: Db, placeWhere: SQL, ownWhere: SQL | undefined) =>
  db
    .select({ n: count() })
    .from(welfareEntitlements)
    .where(and(ownWhere, inArray(welfareEntitlements.gridCode, db.select({ code: grids.code }).from(grids).where(placeWhere))));

/**
 * A page of a street's or community's entitlements in id order: the first rows of each of its grids (a range of a
 * (grid, …, id) index each, at most a page per grid), then the page of those. Ids run district-wide, and the
 * planner, taking a street's rows for spread evenly over them, walked the primary key from the start and filtered
 * (11,789 entitlements read for a page of 21 from a late street of the 1,000,000-resident district): a cost that grew
 * with the district, not with the street.
 */
function placePageRows(db: Db, placeWhere: SQL, ownWhere: SQL | undefined, after: Placeholder | string | null, limit: Placeholder | number) {
  // Inside the lateral subquery the table's qualified columns name its own FROM, the nearest scope.
  const inGrid = and(
    sql`${welfareEntitlements.gridCode} = ${grids.code}`,
    ownWhere,
    after !== null ? gt(welfareEntitlements.id, after) : undefined,
  );
  const pageIds = sql`select grid_rows.id from ${grids} cross join lateral (
      select ${welfareEntitlements.id} as id from ${welfareEntitlements} where ${inGrid} order by ${welfareEntitlements.id} limit ${limit}
    ) as grid_rows where ${placeWhere} order by grid_rows.id limit ${limit}`;
  return db
    .select()
    .from(welfareEntitlements)
    .where(sql`${welfareEntitlements.id} in (${pageIds})`)
    .orderBy(asc(welfareEntitlements.id));
}

/** Certificate holders of the grids asked, per grid, category and grade, within the caller's grids, in that order. */
export function disabilityCounts(db: Db, scope: RowScope, gridCodes: readonly string[]) {
  return db
    .select({ gridCode: disabilityRecords.gridCode, category: disabilityRecords.category, grade: disabilityRecords.grade, holders: count() })
    .from(disabilityRecords)
    .where(and(inArray(disabilityRecords.gridCode, [...gridCodes]), gridScopeWhere(scope, disabilityRecords.gridCode)))
    .groupBy(disabilityRecords.gridCode, disabilityRecords.category, disabilityRecords.grade)
    .orderBy(disabilityRecords.gridCode, disabilityRecords.category, disabilityRecords.grade);
}

/**
 * Temporary and medical assistance of the grids asked, per grid, year and kind: grants, distinct people and yuan (as
 * exact decimal text), within the caller's grids, in that order (`assistance_grid_kind_idx`).
 */
export function assistanceCounts(db: Db, scope: RowScope, gridCodes: readonly string[]) {
  const year = sql<number>`extract(year from ${assistanceGrants.grantedOn})::int`;
  return db
    .select({
      gridCode: assistanceGrants.gridCode,
      year,
      kind: assistanceGrants.kind,
      grants: count(),
      recipients: countDistinct(assistanceGrants.residentId),
      amount: sql<string>`${sum(assistanceGrants.amount)}::text`,
    })
    .from(assistanceGrants)
    .where(and(inArray(assistanceGrants.gridCode, [...gridCodes]), gridScopeWhere(scope, assistanceGrants.gridCode)))
    .groupBy(assistanceGrants.gridCode, year, assistanceGrants.kind)
    .orderBy(assistanceGrants.gridCode, year, assistanceGrants.kind);
}
