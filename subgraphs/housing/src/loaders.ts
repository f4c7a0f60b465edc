import { byPlaceLevel, countsByParent, gridScopeWhere, keyBatch, lazyLoaders, pageByParent, rowByKey, rowsByKey, tallyByPlace, RequestLoader, type RowScope } from '@hub/core';
import { and, asc, count, eq, inArray, max, sql, sum, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './db/index.ts';
import { housesOwned } from './db/owned-columns.ts';
import {
  buildings,
  groupRentalInspections,
  groupRentals,
  houses,
  ownersCommitteeBuildings,
  ownersCommittees,
  ownerships,
  propertyCompanies,
  propertyCompanyBuildings,
  tenancies,
  tenancyOccupants,
} from './db/schema.ts';
import type { GroupRentalStatus } from './__generated__/resolvers-types.ts';
import type { HomeModel } from './mappers.ts';

/** Rows per parent, one statement a batch; for connection totals that need no breakdown. */
function totalsByParent(db: Db, name: string, table: PgTable, parentColumn: AnyPgColumn, where?: SQL) {
  const select = keyBatch(db, name, where, (keysIn, condition) =>
    db
      .select({ parent: sql<string>`${parentColumn}`, n: count() })
      .from(table)
      .where(and(keysIn(parentColumn), condition))
      .groupBy(parentColumn),
  );
  return new RequestLoader<string, number>(async (parents) => {
    const rows = await select(parents);
    const byParent = new Map(rows.map((r) => [r.parent, r.n]));
    return parents.map((p) => byParent.get(p) ?? 0);
  });
}

/** A community's, street's or district's housing figures, as one statement computes them for a batch of places. */
export interface PlaceHousingFigures {
  place: string;
  buildings: number;
  houses: number;
  tenancies: number;
  filedTenancies: number;
  /** Group rentals per status; statuses with none are absent. */
  groupRentals: Partial<Record<GroupRentalStatus, number>>;
}

export interface OwnedSummary {
  ownedHouses: number;
  ownedAreaM2: number;
  largestOwnedAreaM2: number | null;
}

/**
 * The request's loaders. Built per request, so nothing cached outlives the request that read it. Buildings, houses,
 * titles, leases and group rentals outside the caller's row scope (a grid worker's grids) are filtered in the same
 * statements: they load as null, lists and counts leave them out.
 */
export function createLoaders(db: Db, scope: RowScope = { allGrids: true }) {
  const buildingScope = gridScopeWhere(scope, buildings.gridCode);
  const houseScope = gridScopeWhere(scope, houses.gridCode);
  const tenancyScope = gridScopeWhere(scope, tenancies.gridCode);
  const rentalScope = gridScopeWhere(scope, groupRentals.gridCode);
  /** Titles name a house only: in scope when the house is. */
  const ownershipScope = houseScope && inArray(ownerships.houseCode, db.select({ code: houses.code }).from(houses).where(houseScope));
  const inScopeBuilding = (column: AnyPgColumn) => buildingScope && inArray(column, db.select({ code: buildings.code }).from(buildings).where(buildingScope));
  const managedScope = inScopeBuilding(propertyCompanyBuildings.buildingCode);
  const committeeScope = inScopeBuilding(ownersCommitteeBuildings.buildingCode);
  const titlesOf = keyBatch(db, 'housing.titlesByResident', ownershipScope, (keysIn, condition) =>
    db
      .select()
      .from(ownerships)
      .where(and(keysIn(ownerships.ownerResidentId), condition))
      .orderBy(asc(ownerships.registeredOn), asc(ownerships.id)),
  );
  const leasesOf = keyBatch(db, 'housing.leasesByResident', tenancyScope, (keysIn, condition) =>
    db
      .select({ residentId: tenancyOccupants.residentId, tenancy: tenancies })
      .from(tenancyOccupants)
      .innerJoin(tenancies, eq(tenancies.id, tenancyOccupants.tenancyId))
      .where(and(keysIn(tenancyOccupants.residentId), condition))
      .orderBy(asc(tenancies.startsOn), asc(tenancies.id)),
  );
  const ownedSummaryOf = keyBatch(db, 'housing.ownedSummaryByResident', houseScope, (keysIn, condition) => {
    const perHouse = housesOwned(db, keysIn, condition);
    return db
      .select({ residentId: perHouse.residentId, n: count(), area: sum(perHouse.areaM2).mapWith(Number), largest: max(perHouse.areaM2) })
      .from(perHouse)
      .groupBy(perHouse.residentId);
  });
  const tenancyCountsOf = keyBatch(db, 'housing.tenancyCountsByGrid', tenancyScope, (keysIn, condition) =>
    db
      .select({ gridCode: tenancies.gridCode, total: count(), filed: count(tenancies.filingNumber) })
      .from(tenancies)
      .where(and(keysIn(tenancies.gridCode), condition))
      .groupBy(tenancies.gridCode),
  );
  return lazyLoaders({
    buildingByCode: () => rowByKey(db, buildings, buildings.code, (r) => r.code, buildingScope),
    houseByCode: () => rowByKey(db, houses, houses.code, (r) => r.code, houseScope),

    /** A page of a grid's buildings; one statement for every grid asked with the same page. */
    buildingPageByGrid: () => pageByParent<typeof buildings, null>({
      db,
      table: buildings,
      parentColumn: buildings.gridCode,
      orderColumn: buildings.code,
      parentOf: (r) => r.gridCode,
      where: () => buildingScope,
    }),
    buildingCountsByGrid: () => countsByParent<string>({ db, table: buildings, parentColumn: buildings.gridCode, groupColumn: buildings.use, where: buildingScope }),
    houseCountsByGrid: () => countsByParent<string>({ db, table: houses, parentColumn: houses.gridCode, groupColumn: houses.use, where: houseScope }),
    housePageByBuilding: () => pageByParent<typeof houses, null>({
      db,
      table: houses,
      parentColumn: houses.buildingCode,
      orderColumn: houses.code,
      parentOf: (r) => r.buildingCode,
      where: () => houseScope,
    }),
    houseCountByBuilding: () => totalsByParent(db, 'housing.houseCountByBuilding', houses, houses.buildingCode, houseScope),

    ownershipsByHouse: () => rowsByKey(db, ownerships, ownerships.houseCode, ownerships.id, (r) => r.houseCode, ownershipScope),
    /**
     * A resident's homes: titles, then leases they live under. Both statements run in one batch, so every resident's
     * homes resolve together and the houses they name are fetched in one batch too.
     */
    homesByResident: () => new RequestLoader<string, HomeModel[]>(async (residentIds) => {
      const [titles, leases] = await Promise.all([titlesOf(residentIds), leasesOf(residentIds)]);
      const homes = new Map<string, HomeModel[]>(residentIds.map((id) => [id, []]));
      for (const t of titles) {
        homes.get(t.ownerResidentId ?? '')?.push({
          role: 'OWNER',
          houseCode: t.houseCode,
          sharePercent: t.sharePercent,
          since: t.registeredOn,
          until: null,
        });
      }
      for (const { residentId, tenancy } of leases) {
        homes.get(residentId)?.push({
          role: 'TENANT',
          houseCode: tenancy.houseCode,
          sharePercent: null,
          since: tenancy.startsOn,
          until: tenancy.endsOn,
        });
      }
      return residentIds.map((id) => homes.get(id) ?? []);
    }),
    /** Houses, total and largest area a resident owns: one aggregate over titles joined to houses per batch. */
    ownedSummaryByResident: () => new RequestLoader<string, OwnedSummary>(async (residentIds) => {
      const rows = await ownedSummaryOf(residentIds);
      const byResident = new Map(rows.map((r) => [r.residentId, r]));
      return residentIds.map((id) => {
        const row = byResident.get(id);
        return row
          ? { ownedHouses: row.n, ownedAreaM2: Math.round(row.area * 100) / 100, largestOwnedAreaM2: row.largest }
          : { ownedHouses: 0, ownedAreaM2: 0, largestOwnedAreaM2: null };
      });
    }),

    tenanciesByHouse: () => rowsByKey(db, tenancies, tenancies.houseCode, tenancies.startsOn, (r) => r.houseCode, tenancyScope),
    occupantsByTenancy: () => rowsByKey(db, tenancyOccupants, tenancyOccupants.tenancyId, tenancyOccupants.residentId, (r) => r.tenancyId),
    /** Registrations and filed registrations per grid, one statement a batch. */
    tenancyCountsByGrid: () => new RequestLoader<string, { total: number; filed: number }>(async (gridCodes) => {
      const rows = await tenancyCountsOf(gridCodes);
      const byGrid = new Map(rows.map((r) => [r.gridCode, r]));
      return gridCodes.map((code) => byGrid.get(code) ?? { total: 0, filed: 0 });
    }),

    groupRentalById: () => rowByKey(db, groupRentals, groupRentals.id, (r) => r.id, rentalScope),
    /** A re-inspection an event names; the event is in the caller's scope, and so is its rental's inspection. */
    inspectionById: () => rowByKey(db, groupRentalInspections, groupRentalInspections.id, (r) => r.id),
    /** Re-inspections of group rentals the caller has reached (so already within the caller's scope), oldest first. */
    inspectionsByGroupRental: () => rowsByKey(db, groupRentalInspections, groupRentalInspections.groupRentalId, groupRentalInspections.id, (r) => r.groupRentalId),
    groupRentalsByHouse: () => rowsByKey(db, groupRentals, groupRentals.houseCode, groupRentals.identifiedOn, (r) => r.houseCode, rentalScope),
    groupRentalPageByGrid: () => pageByParent<typeof groupRentals, GroupRentalStatus | null>({
      db,
      table: groupRentals,
      parentColumn: groupRentals.gridCode,
      orderColumn: groupRentals.id,
      parentOf: (r) => r.gridCode,
      where: (status) => and(rentalScope, status ? eq(groupRentals.status, status) : undefined),
    }),
    groupRentalPageByStreet: () => pageByParent<typeof groupRentals, GroupRentalStatus | null>({
      db,
      table: groupRentals,
      parentColumn: groupRentals.streetCode,
      orderColumn: groupRentals.id,
      parentOf: (r) => r.streetCode,
      where: (status) => and(rentalScope, status ? eq(groupRentals.status, status) : undefined),
    }),
    groupRentalCountsByGrid: () => countsByParent<GroupRentalStatus>({
      db,
      table: groupRentals,
      parentColumn: groupRentals.gridCode,
      groupColumn: groupRentals.status,
      where: rentalScope,
    }),
    groupRentalCountsByStreet: () => countsByParent<GroupRentalStatus>({
      db,
      table: groupRentals,
      parentColumn: groupRentals.streetCode,
      groupColumn: groupRentals.status,
      where: rentalScope,
    }),

    /**
     * Every housing figure of communities, streets or the district in one statement per level, whatever the number of
     * places: each table counted over the place's grid-code range (an index range per place and table).
     */
    housingFiguresByPlace: () => byPlaceLevel((level) =>
      tallyByPlace<PlaceHousingFigures>(db, level, (place) => {
        const within = (column: AnyPgColumn, scope: SQL | undefined) => sql`${place.contains(column)}${scope ? sql` and ${scope}` : sql``}`;
        return sql`select ${place.code} as place,
          (select count(*)::int from ${buildings} where ${within(buildings.gridCode, buildingScope)}) as buildings,
          (select count(*)::int from ${houses} where ${within(houses.gridCode, houseScope)}) as houses,
          (select count(*)::int from ${tenancies} where ${within(tenancies.gridCode, tenancyScope)}) as tenancies,
          (select count(${tenancies.filingNumber})::int from ${tenancies} where ${within(tenancies.gridCode, tenancyScope)}) as "filedTenancies",
          (select coalesce(json_object_agg(by_status.status, by_status.n), '{}'::json) from (
            select ${groupRentals.status} as status, count(*)::int as n from ${groupRentals}
            where ${within(groupRentals.gridCode, rentalScope)} group by 1
          ) as by_status) as "groupRentals"
          from ${place.from}`;
      }),
    ),

    propertyCompanyById: () => rowByKey(db, propertyCompanies, propertyCompanies.organizationId, (r) => r.organizationId),
    propertyCompanyOfBuilding: () => rowByKey(
      db,
      propertyCompanyBuildings,
      propertyCompanyBuildings.buildingCode,
      (r) => r.buildingCode,
    ),
    managedBuildingPageByCompany: () => pageByParent<typeof propertyCompanyBuildings, null>({
      db,
      table: propertyCompanyBuildings,
      parentColumn: propertyCompanyBuildings.organizationId,
      orderColumn: propertyCompanyBuildings.buildingCode,
      parentOf: (r) => r.organizationId,
      where: () => managedScope,
    }),
    managedBuildingCountByCompany: () => totalsByParent(db, 'housing.managedBuildingCountByCompany', propertyCompanyBuildings, propertyCompanyBuildings.organizationId, managedScope),

    ownersCommitteeById: () => rowByKey(db, ownersCommittees, ownersCommittees.organizationId, (r) => r.organizationId),
    ownersCommitteeOfBuilding: () => rowByKey(
      db,
      ownersCommitteeBuildings,
      ownersCommitteeBuildings.buildingCode,
      (r) => r.buildingCode,
    ),
    buildingsOfCommittee: () => rowsByKey(
      db,
      ownersCommitteeBuildings,
      ownersCommitteeBuildings.organizationId,
      ownersCommitteeBuildings.buildingCode,
      (r) => r.organizationId,
      committeeScope,
    ),
  });
}

export type Loaders = ReturnType<typeof createLoaders>;
