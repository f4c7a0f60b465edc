import { byPlaceLevel, countsByParent, countsByPlace, gridScopeWhere, pageByParent, rowByKey, rowsByKey, type RowScope } from '@hub/core';
import DataLoader from 'dataloader';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from './db/index.ts';
import { floatingDetails, incidentInvolved, incidents, keyPersons, residents } from './db/schema.ts';
import type { IncidentType, KeyPersonCategory, PopulationType } from './__generated__/resolvers-types.ts';

/**
 * The request's loaders. Built per request, so nothing cached outlives the request that read it. Rows outside the
 * caller's row scope (a grid worker's grids) are filtered in the same statements: they load as null, lists and
 * counts leave them out.
 */
export function createLoaders(db: Db, scope: RowScope = { allGrids: true }) {
  const residentScope = gridScopeWhere(scope, residents.gridCode);
  const keyPersonScope = gridScopeWhere(scope, keyPersons.gridCode);
  const incidentScope = gridScopeWhere(scope, incidents.gridCode);
  return {
    residentById: rowByKey(db, residents, residents.id, (r) => r.id, residentScope),
    /**
     * Whether a person is on the register at all, whatever the caller's scope: a reference to someone outside a grid
     * worker's grids is answered OUTSIDE_SCOPE rather than as nobody. Only the id is read; nothing of it is served.
     */
    residentOnRegister: new DataLoader<string, boolean>(async (ids) => {
      const found = new Set((await db.select({ id: residents.id }).from(residents).where(inArray(residents.id, [...ids]))).map((r) => r.id));
      return ids.map((id) => found.has(id));
    }),
    /** People's names whatever the caller's scope, only to find and mask them in free text (`masks.text`). */
    nameOfResident: new DataLoader<string, string | null>(async (ids) => {
      const rows = await db.select({ id: residents.id, name: residents.name }).from(residents).where(inArray(residents.id, [...ids]));
      const byId = new Map(rows.map((r) => [r.id, r.name]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    floatingByResidentId: rowByKey(db, floatingDetails, floatingDetails.residentId, (r) => r.residentId),
    /** A page of a grid's residents; one statement for every grid asked with the same page and filter. */
    residentPageByGrid: pageByParent<typeof residents, PopulationType | null>({
      db,
      table: residents,
      parentColumn: residents.gridCode,
      orderColumn: residents.id,
      parentOf: (r) => r.gridCode,
      where: (type) => and(residentScope, type ? eq(residents.populationType, type) : undefined),
    }),
    populationByGrid: countsByParent<PopulationType>({
      db,
      table: residents,
      parentColumn: residents.gridCode,
      groupColumn: residents.populationType,
      where: residentScope,
    }),
    /** The same counts for communities, streets and the district: one statement per level, over their grids' code ranges. */
    populationByPlace: byPlaceLevel((level) =>
      countsByPlace<PopulationType>({
        db,
        level,
        table: residents,
        gridColumn: residents.gridCode,
        groupColumn: residents.populationType,
        where: residentScope,
      }),
    ),
    /** The people living in a house (residents_house_idx). */
    residentsByHouse: rowsByKey(db, residents, residents.houseCode, residents.id, (r) => r.houseCode ?? '', residentScope),
    keyPersonByResident: rowByKey(db, keyPersons, keyPersons.residentId, (r) => r.residentId, keyPersonScope),
    keyPersonPageByGrid: pageByParent<typeof keyPersons, KeyPersonCategory | null>({
      db,
      table: keyPersons,
      parentColumn: keyPersons.gridCode,
      orderColumn: keyPersons.id,
      parentOf: (r) => r.gridCode,
      where: (category) => and(keyPersonScope, category ? eq(keyPersons.category, category) : undefined),
    }),
    keyPersonCountsByGrid: countsByParent<KeyPersonCategory>({
      db,
      table: keyPersons,
      parentColumn: keyPersons.gridCode,
      groupColumn: keyPersons.category,
      where: keyPersonScope,
    }),
    incidentById: rowByKey(db, incidents, incidents.id, (r) => r.id, incidentScope),
    incidentPageByGrid: pageByParent<typeof incidents, null>({
      db,
      table: incidents,
      parentColumn: incidents.gridCode,
      orderColumn: incidents.id,
      parentOf: (r) => r.gridCode,
      where: () => incidentScope,
    }),
    incidentCountsByGrid: countsByParent<IncidentType>({
      db,
      table: incidents,
      parentColumn: incidents.gridCode,
      groupColumn: incidents.type,
      where: incidentScope,
    }),
    /** Who an incident involved, in recorded order. */
    involvementsByIncident: rowsByKey(db, incidentInvolved, incidentInvolved.incidentId, incidentInvolved.position, (r) => r.incidentId),
    /** The incidents a resident was involved in (ids; the incidents load through incidentById). */
    involvementsByResident: rowsByKey(db, incidentInvolved, incidentInvolved.residentId, incidentInvolved.incidentId, (r) => r.residentId),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
