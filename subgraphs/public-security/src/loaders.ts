import { byPlaceLevel, countsByParent, countsByPlace, gridScopeWhere, lazyLoaders, pageByParent, rowByKey, rowsByKey, RequestLoader, type RowScope } from '@hub/core';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './db/index.ts';
import { floatingDetails, households, incidentInvolved, incidents, keyPersonCategories, keyPersonContacts, keyPersonOfficers, keyPersons, overseasDetails, residents } from './db/schema.ts';
import type { HouseholdBasis, IncidentType, KeyPersonCategory, PopulationType, ResidenceStatus } from './__generated__/resolvers-types.ts';

/**
 * The request's loaders. Built per request, so nothing cached outlives the request that read it. Rows outside the
 * caller's row scope (a grid worker's grids) are filtered in the same statements: they load as null, lists and
 * counts leave them out.
 */
export function createLoaders(db: Db, scope: RowScope = { allGrids: true }) {
  const residentScope = gridScopeWhere(scope, residents.gridCode);
  // A grid's population is the people living in it (实有人口): those registered in it but living elsewhere (户在人不在)
  // are on its register and in its 人户分离 counts, not in its population. A literal, not a parameter, so every
  // statement that counts the living shares one prepared shape.
  const livingHere = sql`${residents.residenceStatus} is distinct from 'REGISTERED_NOT_RESIDENT'`;
  const populationOfStatus = new Map<ResidenceStatus, ReturnType<typeof countsByParent<PopulationType>>>();
  const keyPersonScope = gridScopeWhere(scope, keyPersons.gridCode);
  const incidentScope = gridScopeWhere(scope, incidents.gridCode);
  const householdScope = gridScopeWhere(scope, households.gridCode);
  // A person on several lists is found under each: a category filter reads the record's special groups, not only its own category.
  const inGroup = (category: KeyPersonCategory) =>
    inArray(keyPersons.id, db.select({ id: keyPersonCategories.keyPersonId }).from(keyPersonCategories).where(eq(keyPersonCategories.category, category)));
  return lazyLoaders({
    residentById: () => rowByKey(db, residents, residents.id, (r) => r.id, residentScope),
    /**
     * Whether a person is on the register at all, whatever the caller's scope: a reference to someone outside a grid
     * worker's grids is answered OUTSIDE_SCOPE rather than as nobody. Only the id is read; nothing of it is served.
     */
    residentOnRegister: () => new RequestLoader<string, boolean>(async (ids) => {
      const found = new Set((await db.select({ id: residents.id }).from(residents).where(inArray(residents.id, [...ids]))).map((r) => r.id));
      return ids.map((id) => found.has(id));
    }),
    /** People's names whatever the caller's scope, only to find and mask them in free text (`masks.text`). */
    nameOfResident: () => new RequestLoader<string, string | null>(async (ids) => {
      const rows = await db.select({ id: residents.id, name: residents.name }).from(residents).where(inArray(residents.id, [...ids]));
      const byId = new Map(rows.map((r) => [r.id, r.name]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    floatingByResidentId: () => rowByKey(db, floatingDetails, floatingDetails.residentId, (r) => r.residentId),
    overseasByResidentId: () => rowByKey(db, overseasDetails, overseasDetails.residentId, (r) => r.residentId),
    householdById: () => rowByKey(db, households, households.id, (r) => r.id, householdScope),
    /** The people living together in a household (residents_household_idx), by hub id. */
    residentsByHousehold: () => rowsByKey(db, residents, residents.householdId, residents.id, (r) => r.householdId ?? '', residentScope),
    /** The hukou members of a household (residents_hukou_household_idx), by hub id. */
    residentsByHukouHousehold: () => rowsByKey(db, residents, residents.hukouHouseholdId, residents.id, (r) => r.hukouHouseholdId ?? '', residentScope),
    householdPageByGrid: () => pageByParent<typeof households, HouseholdBasis | null>({
      db,
      table: households,
      parentColumn: households.gridCode,
      orderColumn: households.id,
      parentOf: (r) => r.gridCode,
      where: (basis) => and(householdScope, basis ? eq(households.basis, basis) : undefined),
    }),
    householdCountsByGrid: () => countsByParent<HouseholdBasis>({
      db,
      table: households,
      parentColumn: households.gridCode,
      groupColumn: households.basis,
      where: householdScope,
    }),
    /** 人户分离 counts of a grid, its whole register (户在人不在 included): they sum to the people registered under it. */
    residenceStatusByGrid: () => countsByParent<ResidenceStatus>({
      db,
      table: residents,
      parentColumn: residents.gridCode,
      groupColumn: residents.residenceStatus,
      where: residentScope,
    }),
    /**
     * A page of a grid's people: those living in it, or with a status those of that 人户分离 status (户在人不在 too);
     * one statement for every grid asked with the same page and filter.
     */
    residentPageByGrid: () => pageByParent<typeof residents, ResidentFilter>({
      db,
      table: residents,
      parentColumn: residents.gridCode,
      orderColumn: residents.id,
      parentOf: (r) => r.gridCode,
      where: ({ type, status }) =>
        and(residentScope, type ? eq(residents.populationType, type) : undefined, status ? eq(residents.residenceStatus, status) : livingHere),
    }),
    /** The people living in a grid (实有人口) by population type. */
    populationByGrid: () => countsByParent<PopulationType>({
      db,
      table: residents,
      parentColumn: residents.gridCode,
      groupColumn: residents.populationType,
      where: and(residentScope, livingHere),
    }),
    /** A grid's people of one 人户分离 status by population type, for a list filtered on both; made on first use. */
    populationOfStatusByGrid: () => (status: ResidenceStatus) => {
      let loader = populationOfStatus.get(status);
      if (!loader) {
        loader = countsByParent<PopulationType>({
          db,
          table: residents,
          parentColumn: residents.gridCode,
          groupColumn: residents.populationType,
          where: and(residentScope, eq(residents.residenceStatus, status)),
        });
        populationOfStatus.set(status, loader);
      }
      return loader;
    },
    /** The same counts for communities, streets and the district: one statement per level, over their grids' code ranges. */
    populationByPlace: () => byPlaceLevel((level) =>
      countsByPlace<PopulationType>({
        db,
        level,
        table: residents,
        gridColumn: residents.gridCode,
        groupColumn: residents.populationType,
        where: and(residentScope, livingHere),
      }),
    ),
    /** 人户分离 counts of communities, streets and the district, as `populationByPlace`. */
    residenceStatusByPlace: () => byPlaceLevel((level) =>
      countsByPlace<ResidenceStatus>({
        db,
        level,
        table: residents,
        gridColumn: residents.gridCode,
        groupColumn: residents.residenceStatus,
        where: residentScope,
      }),
    ),
    /** The people living in a house (residents_house_idx). */
    residentsByHouse: () => rowsByKey(db, residents, residents.houseCode, residents.id, (r) => r.houseCode ?? '', residentScope),
    keyPersonByResident: () => rowByKey(db, keyPersons, keyPersons.residentId, (r) => r.residentId, keyPersonScope),
    keyPersonPageByGrid: () => pageByParent<typeof keyPersons, KeyPersonCategory | null>({
      db,
      table: keyPersons,
      parentColumn: keyPersons.gridCode,
      orderColumn: keyPersons.id,
      parentOf: (r) => r.gridCode,
      where: (category) => and(keyPersonScope, category ? inGroup(category) : undefined),
    }),
    /** Key persons per grid and special group (a person on two lists counts in both), one statement a batch. */
    specialGroupCountsByGrid: () => new RequestLoader<string, Partial<Record<KeyPersonCategory, number>>>(async (grids) => {
      const rows = await db
        .select({ grid: keyPersons.gridCode, category: keyPersonCategories.category, n: count() })
        .from(keyPersonCategories)
        .innerJoin(keyPersons, eq(keyPersons.id, keyPersonCategories.keyPersonId))
        .where(and(inArray(keyPersons.gridCode, [...grids]), keyPersonScope))
        .groupBy(keyPersons.gridCode, keyPersonCategories.category);
      const byGrid = new Map<string, Partial<Record<KeyPersonCategory, number>>>();
      for (const r of rows) byGrid.set(r.grid, { ...byGrid.get(r.grid), [r.category]: r.n });
      return grids.map((g) => byGrid.get(g) ?? {});
    }),
    keyPersonCountsByGrid: () => countsByParent<KeyPersonCategory>({
      db,
      table: keyPersons,
      parentColumn: keyPersons.gridCode,
      groupColumn: keyPersons.category,
      where: keyPersonScope,
    }),
    /** A key person's special groups, officers and contact log: reached only through a key person, so in its scope. */
    specialGroupsByKeyPerson: () => rowsByKey(db, keyPersonCategories, keyPersonCategories.keyPersonId, keyPersonCategories.category, (r) => r.keyPersonId),
    officersByKeyPerson: () => rowsByKey(db, keyPersonOfficers, keyPersonOfficers.keyPersonId, keyPersonOfficers.position, (r) => r.keyPersonId),
    contactsByKeyPerson: () => rowsByKey(db, keyPersonContacts, keyPersonContacts.keyPersonId, keyPersonContacts.contactedOn, (r) => r.keyPersonId),
    incidentById: () => rowByKey(db, incidents, incidents.id, (r) => r.id, incidentScope),
    incidentPageByGrid: () => pageByParent<typeof incidents, null>({
      db,
      table: incidents,
      parentColumn: incidents.gridCode,
      orderColumn: incidents.id,
      parentOf: (r) => r.gridCode,
      where: () => incidentScope,
    }),
    incidentCountsByGrid: () => countsByParent<IncidentType>({
      db,
      table: incidents,
      parentColumn: incidents.gridCode,
      groupColumn: incidents.type,
      where: incidentScope,
    }),
    /** Who an incident involved, in recorded order. */
    involvementsByIncident: () => rowsByKey(db, incidentInvolved, incidentInvolved.incidentId, incidentInvolved.position, (r) => r.incidentId),
    /** The incidents a resident was involved in (ids; the incidents load through incidentById). */
    involvementsByResident: () => rowsByKey(db, incidentInvolved, incidentInvolved.residentId, incidentInvolved.incidentId, (r) => r.residentId),
  });
}

export type Loaders = ReturnType<typeof createLoaders>;

/** The filters of a grid's list of people: no status means the people living in the grid. */
export interface ResidentFilter {
  type: PopulationType | null;
  status: ResidenceStatus | null;
}
