import { date, doublePrecision, index, integer, pgEnum, pgTable, text, varchar } from 'drizzle-orm/pg-core';

export { demoSeed } from '@hub/core/db-meta';

export const townshipKind = pgEnum('township_kind', ['STREET', 'TOWN', 'TOWNSHIP']);
export const communityKind = pgEnum('community_kind', ['COMMUNITY', 'VILLAGE']);
export const gridWorkerRole = pgEnum('grid_worker_role', ['FULL_TIME', 'PART_TIME']);

/** County-level districts (区县). */
export const districts = pgTable('districts', {
  code: varchar('code', { length: 6 }).primaryKey(),
  name: text('name').notNull(),
  cityName: text('city_name').notNull(),
  provinceName: text('province_name').notNull(),
});

/** Streets and towns (街道/乡镇). */
export const streets = pgTable(
  'streets',
  {
    code: varchar('code', { length: 12 }).primaryKey(),
    name: text('name').notNull(),
    kind: townshipKind('kind').notNull(),
    districtCode: varchar('district_code', { length: 6 }).notNull().references(() => districts.code),
  },
  (t) => [index('streets_district_idx').on(t.districtCode, t.code)],
);

/** Communities and villages (社区/村). */
export const communities = pgTable(
  'communities',
  {
    code: varchar('code', { length: 12 }).primaryKey(),
    name: text('name').notNull(),
    kind: communityKind('kind').notNull(),
    areaKm2: doublePrecision('area_km2').notNull(),
    streetCode: varchar('street_code', { length: 12 }).notNull().references(() => streets.code),
  },
  (t) => [index('communities_street_idx').on(t.streetCode, t.code)],
);

/** Grids (网格). The street code is kept alongside so a street's grids page by one index. */
export const grids = pgTable(
  'grids',
  {
    code: varchar('code', { length: 15 }).primaryKey(),
    name: text('name').notNull(),
    sequence: integer('sequence').notNull(),
    communityCode: varchar('community_code', { length: 12 }).notNull().references(() => communities.code),
    streetCode: varchar('street_code', { length: 12 }).notNull().references(() => streets.code),
  },
  (t) => [index('grids_community_idx').on(t.communityCode, t.code), index('grids_street_idx').on(t.streetCode, t.code)],
);

/** Grid workers (网格员). Civil affairs keeps their ID numbers as their employer; the graph shows only the hub id. */
export const gridWorkers = pgTable(
  'grid_workers',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    gridCode: varchar('grid_code', { length: 15 }).notNull().references(() => grids.code),
    residentId: varchar('resident_id', { length: 32 }).notNull(),
    idNumber: varchar('id_number', { length: 18 }).notNull(),
    name: text('name').notNull(),
    phone: varchar('phone', { length: 11 }).notNull(),
    role: gridWorkerRole('role').notNull(),
    startedOn: date('started_on', { mode: 'string' }).notNull(),
  },
  (t) => [index('grid_workers_grid_idx').on(t.gridCode), index('grid_workers_resident_idx').on(t.residentId)],
);

export type DistrictRow = typeof districts.$inferSelect;
export type StreetRow = typeof streets.$inferSelect;
export type CommunityRow = typeof communities.$inferSelect;
export type GridRow = typeof grids.$inferSelect;
export type GridWorkerRow = typeof gridWorkers.$inferSelect;
