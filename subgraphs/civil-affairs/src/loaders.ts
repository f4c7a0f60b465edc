import { countsByParent, countsByPlace, gridScopeWhere, lazyLoaders, pageByParent, RequestLoader, rowByKey, rowsByKey, type PlaceLevel, type RowScope } from '@hub/core';
import { and, count, countDistinct, eq, inArray, isNull, sql, sum } from 'drizzle-orm';
import type { Db } from './db/index.ts';
import {
  assistanceGrants,
  careRecords,
  communities,
  disabilityRecords,
  districts,
  gridWorkers,
  grids,
  organizations,
  socialOrganizations,
  streets,
  welfareEntitlements,
} from './db/schema.ts';
import type { AssistanceKind, CareKind, OrganizationKind, WelfareCategory, WelfareKind, WelfareStatus } from './__generated__/resolvers-types.ts';
import { WELFARE_KINDS_OF } from './statistics.ts';

/**
 * The request's loaders. Built per request, so nothing cached outlives the request that read it. Welfare rows outside
 * the caller's row scope (a grid worker's grids) are filtered in the same statements, and so are care-list entries and
 * disability certificates. Places, workers and the organization directory are not personal records and are not scoped.
 */
export function createLoaders(db: Db, scope: RowScope = { allGrids: true }) {
  const welfareScope = gridScopeWhere(scope, welfareEntitlements.gridCode);
  const careScope = gridScopeWhere(scope, careRecords.gridCode);
  const currentCare = and(careScope, isNull(careRecords.endedOn));
  const disabilityScope = gridScopeWhere(scope, disabilityRecords.gridCode);
  const carePlaceCounts = new Map<PlaceLevel, ReturnType<typeof careCountsOfPlace>>();
  const careCountsOfPlace = (level: PlaceLevel) =>
    countsByPlace<CareKind>({ db, level, table: careRecords, gridColumn: careRecords.gridCode, groupColumn: careRecords.kind, where: currentCare });
  // Counts of a grid's welfare entitlements by kind, one loader per status asked (null: every status).
  const welfareCountsByStatus = new Map<WelfareStatus | null, ReturnType<typeof welfareCounts>>();
  const welfareCounts = (status: WelfareStatus | null) =>
    countsByParent<WelfareKind>({
      db,
      table: welfareEntitlements,
      parentColumn: welfareEntitlements.gridCode,
      groupColumn: welfareEntitlements.kind,
      where: and(welfareScope, status ? eq(welfareEntitlements.status, status) : undefined),
    });
  // The same counts for communities, streets and the district, one loader per level and status asked.
  const welfareCountsByPlaceStatus = new Map<string, ReturnType<typeof welfarePlaceCounts>>();
  const welfarePlaceCounts = (level: PlaceLevel, status: WelfareStatus | null) =>
    countsByPlace<WelfareKind>({
      db,
      level,
      table: welfareEntitlements,
      gridColumn: welfareEntitlements.gridCode,
      groupColumn: welfareEntitlements.kind,
      where: and(welfareScope, status ? eq(welfareEntitlements.status, status) : undefined),
    });
  const assistanceScope = gridScopeWhere(scope, assistanceGrants.gridCode);
  const assistanceWhere = (kind: AssistanceKind, year: number | null) =>
    and(
      assistanceScope,
      eq(assistanceGrants.kind, kind),
      // A year as a date range, so the grid's index on (grid, kind, id) and the date compare stay plain.
      year === null ? undefined : sql`${assistanceGrants.grantedOn} >= ${`${year}-01-01`}::date and ${assistanceGrants.grantedOn} < ${`${year + 1}-01-01`}::date`,
    );
  const assistanceCountsByKindYear = new Map<string, ReturnType<typeof assistanceCounts>>();
  const assistanceCounts = (kind: AssistanceKind, year: number | null) =>
    countsByParent<string>({ db, table: assistanceGrants, parentColumn: assistanceGrants.gridCode, groupColumn: assistanceGrants.kind, where: assistanceWhere(kind, year) });
  return lazyLoaders({
    /** A resident's grants of one kind, oldest first, within the caller's grids. */
    temporaryAssistanceByResident: () => rowsByKey(db, assistanceGrants, assistanceGrants.residentId, assistanceGrants.grantedOn, (r) => r.residentId, and(assistanceScope, eq(assistanceGrants.kind, 'TEMPORARY'))),
    medicalAssistanceByResident: () => rowsByKey(db, assistanceGrants, assistanceGrants.residentId, assistanceGrants.grantedOn, (r) => r.residentId, and(assistanceScope, eq(assistanceGrants.kind, 'MEDICAL'))),
    /** A page of a grid's grants, filtered by [kind, year] (year null: every year). */
    assistancePageByGrid: () => pageByParent<typeof assistanceGrants, [AssistanceKind, number | null]>({
      db,
      table: assistanceGrants,
      parentColumn: assistanceGrants.gridCode,
      orderColumn: assistanceGrants.id,
      parentOf: (r) => r.gridCode,
      where: ([kind, year]) => assistanceWhere(kind, year),
    }),
    /** How many grants of a kind (and year) each grid has, for the pages' totals: one loader per kind and year asked. */
    assistanceCountsByGrid: () => (kind: AssistanceKind, year: number | null) => {
      const key = `${kind}|${year ?? ''}`;
      let loader = assistanceCountsByKindYear.get(key);
      if (!loader) assistanceCountsByKindYear.set(key, (loader = assistanceCounts(kind, year)));
      return loader;
    },
    /** Per grid, per year and kind: grants, distinct people and yuan; one statement for every grid asked. */
    assistanceTotalsByGrid: () => new RequestLoader<string, AssistanceYearKindTotals[]>(async (gridCodes) => {
      const year = sql<number>`extract(year from ${assistanceGrants.grantedOn})::int`;
      const rows = await db
        .select({
          gridCode: assistanceGrants.gridCode,
          year,
          kind: assistanceGrants.kind,
          grants: count(),
          recipients: countDistinct(assistanceGrants.residentId),
          amount: sum(assistanceGrants.amount).mapWith(Number),
        })
        .from(assistanceGrants)
        .where(and(inArray(assistanceGrants.gridCode, [...gridCodes]), assistanceScope))
        .groupBy(assistanceGrants.gridCode, year, assistanceGrants.kind);
      const byGrid = new Map<string, AssistanceYearKindTotals[]>();
      for (const { gridCode, ...row } of rows) byGrid.set(gridCode, [...(byGrid.get(gridCode) ?? []), row]);
      return gridCodes.map((code) => byGrid.get(code) ?? []);
    }),
    districtByCode: () => rowByKey(db, districts, districts.code, (r) => r.code),
    streetByCode: () => rowByKey(db, streets, streets.code, (r) => r.code),
    communityByCode: () => rowByKey(db, communities, communities.code, (r) => r.code),
    gridByCode: () => rowByKey(db, grids, grids.code, (r) => r.code),
    streetsByDistrict: () => rowsByKey(db, streets, streets.districtCode, streets.code, (r) => r.districtCode),
    communitiesByStreet: () => rowsByKey(db, communities, communities.streetCode, communities.code, (r) => r.streetCode),
    gridsByCommunity: () => rowsByKey(db, grids, grids.communityCode, grids.code, (r) => r.communityCode),
    workersByGrid: () => rowsByKey(db, gridWorkers, gridWorkers.gridCode, gridWorkers.id, (r) => r.gridCode),
    organizationById: () => rowByKey(db, organizations, organizations.id, (r) => r.id),
    organizationByCreditCode: () => rowByKey(db, organizations, organizations.creditCode, (r) => r.creditCode ?? ''),
    socialOrganizationById: () => rowByKey(db, socialOrganizations, socialOrganizations.organizationId, (r) => r.organizationId),
    /** A page of a grid's organizations; one statement for every grid asked with the same page and kind. */
    organizationPageByGrid: () => pageByParent<typeof organizations, OrganizationKind | null>({
      db,
      table: organizations,
      parentColumn: organizations.gridCode,
      orderColumn: organizations.id,
      parentOf: (r) => r.gridCode,
      where: (kind) => (kind ? eq(organizations.kind, kind) : undefined),
    }),
    organizationCountsByGrid: () => countsByParent<OrganizationKind>({
      db,
      table: organizations,
      parentColumn: organizations.gridCode,
      groupColumn: organizations.kind,
    }),
    welfareByResident: () => rowsByKey(db, welfareEntitlements, welfareEntitlements.residentId, welfareEntitlements.id, (r) => r.residentId, welfareScope),
    /** A page of a grid's welfare entitlements, filtered by [kind, status, category] (null: any). */
    welfarePageByGrid: () => pageByParent<typeof welfareEntitlements, [WelfareKind | null, WelfareStatus | null, WelfareCategory | null]>({
      db,
      table: welfareEntitlements,
      parentColumn: welfareEntitlements.gridCode,
      orderColumn: welfareEntitlements.id,
      parentOf: (r) => r.gridCode,
      where: ([kind, status, category]) =>
        and(
          welfareScope,
          kind ? eq(welfareEntitlements.kind, kind) : undefined,
          status ? eq(welfareEntitlements.status, status) : undefined,
          category ? inArray(welfareEntitlements.kind, [...WELFARE_KINDS_OF[category]]) : undefined,
        ),
    }),
    careByResident: () => rowsByKey(db, careRecords, careRecords.residentId, careRecords.id, (r) => r.residentId, careScope),
    /** A page of a grid's care-list entries, filtered by [kind, includeEnded]. */
    carePageByGrid: () => pageByParent<typeof careRecords, [CareKind | null, boolean]>({
      db,
      table: careRecords,
      parentColumn: careRecords.gridCode,
      orderColumn: careRecords.id,
      parentOf: (r) => r.gridCode,
      where: ([kind, includeEnded]) => and(includeEnded ? careScope : currentCare, kind ? eq(careRecords.kind, kind) : undefined),
    }),
    /** Current care-list entries of a grid by kind; and with ended ones, for `includeEnded` pages' totals. */
    careCountsByGrid: () => countsByParent<CareKind>({ db, table: careRecords, parentColumn: careRecords.gridCode, groupColumn: careRecords.kind, where: currentCare }),
    allCareCountsByGrid: () => countsByParent<CareKind>({ db, table: careRecords, parentColumn: careRecords.gridCode, groupColumn: careRecords.kind, where: careScope }),
    careCountsByPlace: () => (level: PlaceLevel) => {
      let loader = carePlaceCounts.get(level);
      if (!loader) carePlaceCounts.set(level, (loader = careCountsOfPlace(level)));
      return loader;
    },
    disabilityByResident: () => rowsByKey(db, disabilityRecords, disabilityRecords.residentId, disabilityRecords.id, (r) => r.residentId, disabilityScope),
    disabilityPageByGrid: () => pageByParent<typeof disabilityRecords, null>({
      db,
      table: disabilityRecords,
      parentColumn: disabilityRecords.gridCode,
      orderColumn: disabilityRecords.id,
      parentOf: (r) => r.gridCode,
      where: () => disabilityScope,
    }),
    disabilityCountsByGrid: () => countsByParent<string>({ db, table: disabilityRecords, parentColumn: disabilityRecords.gridCode, groupColumn: disabilityRecords.gridCode, where: disabilityScope }),
    welfareCountsByGrid: () => (status: WelfareStatus | null) => {
      let loader = welfareCountsByStatus.get(status);
      if (!loader) welfareCountsByStatus.set(status, (loader = welfareCounts(status)));
      return loader;
    },
    /** A community's, street's or the district's welfare counts: one statement per level and status, over their grids' code ranges. */
    welfareCountsByPlace: () => (level: PlaceLevel, status: WelfareStatus | null) => {
      const key = `${level}|${status ?? ''}`;
      let loader = welfareCountsByPlaceStatus.get(key);
      if (!loader) welfareCountsByPlaceStatus.set(key, (loader = welfarePlaceCounts(level, status)));
      return loader;
    },
  });
}

export type Loaders = ReturnType<typeof createLoaders>;

/** One grid's grants of one kind in one year. */
export interface AssistanceYearKindTotals {
  year: number;
  kind: AssistanceKind;
  grants: number;
  recipients: number;
  amount: number;
}
