import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';

export { demoSeed, importRuns } from '@hub/core/db-meta';

export const buildingUse = pgEnum('building_use', ['RESIDENTIAL', 'MIXED', 'COMMERCIAL']);
export const houseUse = pgEnum('house_use', ['RESIDENTIAL', 'COMMERCIAL', 'OFFICE', 'OTHER']);
export const groupRentalStatus = pgEnum('group_rental_status', ['IDENTIFIED', 'INTERVIEWED', 'RECTIFIED', 'RELAPSED']);
/**
 * What moved a group rental (整治环节): IDENTIFY starts its record (identified, or taken over at the stage an import
 * or the register before the feed recorded), then the interview (约谈), the rectification (整改) and re-inspections (复查).
 */
export const groupRentalAction = pgEnum('group_rental_action', ['IDENTIFY', 'INTERVIEW', 'RECTIFY', 'REINSPECT']);
export const inspectionResult = pgEnum('inspection_result', ['COMPLIANT', 'RELAPSED']);
export const buildingStructure = pgEnum('building_structure', ['STEEL', 'REINFORCED_CONCRETE', 'BRICK_CONCRETE', 'BRICK_WOOD', 'OTHER']);
export const propertyNature = pgEnum('property_nature', ['COMMODITY', 'PUBLIC_RENTAL', 'REFORM', 'RESETTLEMENT', 'AFFORDABLE', 'SELF_BUILT', 'COLLECTIVE', 'OTHER']);

/** Buildings (楼栋). */
export const buildings = pgTable(
  'buildings',
  {
    /** Community code + 5-digit building number. */
    code: varchar('code', { length: 17 }).primaryKey(),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    number: integer('number').notNull(),
    address: text('address').notNull(),
    floors: integer('floors').notNull(),
    units: integer('units').notNull(),
    use: buildingUse('use').notNull(),
    builtYear: integer('built_year').notNull(),
    /** Null where the register has not recorded it (buildings entered before it was kept). */
    structure: buildingStructure('structure'),
  },
  // A grid's buildings page by code within the grid; counts per grid group by use on the same index.
  (t) => [index('buildings_grid_idx').on(t.gridCode, t.code)],
);

/** Houses (房屋): dwellings of a building. */
export const houses = pgTable(
  'houses',
  {
    /** `<building code>-<unit 2 digits>-<room 4 digits>`. */
    code: varchar('code', { length: 25 }).primaryKey(),
    buildingCode: varchar('building_code', { length: 17 })
      .notNull()
      .references(() => buildings.code),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    unit: integer('unit').notNull(),
    room: varchar('room', { length: 4 }).notNull(),
    areaM2: doublePrecision('area_m2').notNull(),
    rooms: integer('rooms').notNull(),
    use: houseUse('use').notNull().default('RESIDENTIAL'),
    address: text('address').notNull(),
    /** Usable area (使用面积), what the crowding rules measure; null where not recorded (then the floor area stands in). */
    usableAreaM2: doublePrecision('usable_area_m2'),
    /** 房屋性质/产权性质; null where not recorded. */
    propertyNature: propertyNature('property_nature'),
  },
  (t) => [
    index('houses_building_idx').on(t.buildingCode, t.code),
    // (grid, use) rather than (grid): a grid's houses counted by use (GridOverview's housingCounts) is an
    // index-only range, not a heap visit per house (561 houses a grid at 1,000,000 residents, 19 heap pages).
    index('houses_grid_use_idx').on(t.gridCode, t.use),
  ],
);

/**
 * Registered titles (产权登记). Owners are kept by hub id only: the graph joins on it, and the housing register's
 * own copy of ID numbers is not needed to answer anything here.
 */
export const ownerships = pgTable(
  'ownerships',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    houseCode: varchar('house_code', { length: 25 })
      .notNull()
      .references(() => houses.code),
    ownerResidentId: varchar('owner_resident_id', { length: 32 }),
    ownerOrganizationId: varchar('owner_organization_id', { length: 17 }),
    sharePercent: numeric('share_percent', { precision: 5, scale: 2, mode: 'number' }).notNull(),
    certificateNumber: text('certificate_number').notNull(),
    registeredOn: date('registered_on', { mode: 'string' }).notNull(),
  },
  (t) => [
    index('ownerships_house_idx').on(t.houseCode, t.id),
    index('ownerships_resident_idx').on(t.ownerResidentId),
    index('ownerships_organization_idx').on(t.ownerOrganizationId),
    check('ownerships_one_owner', sql`(${t.ownerResidentId} is null) <> (${t.ownerOrganizationId} is null)`),
  ],
);

/** Rental registrations (租赁登记备案). */
export const tenancies = pgTable(
  'tenancies',
  {
    /** ZL + grid code + 4-digit sequence. */
    id: varchar('id', { length: 21 }).primaryKey(),
    houseCode: varchar('house_code', { length: 25 })
      .notNull()
      .references(() => houses.code),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    landlordResidentId: varchar('landlord_resident_id', { length: 32 }),
    landlordOrganizationId: varchar('landlord_organization_id', { length: 17 }),
    rooms: integer('rooms').notNull(),
    areaM2: doublePrecision('area_m2').notNull(),
    monthlyRent: numeric('monthly_rent', { precision: 10, scale: 2, mode: 'number' }).notNull(),
    filingNumber: text('filing_number'),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }).notNull(),
  },
  (t) => [
    index('tenancies_house_idx').on(t.houseCode, t.startsOn),
    // Grid figures count registrations and filed ones per grid.
    index('tenancies_grid_idx').on(t.gridCode),
  ],
);

/** The people who live in a house under a lease (居住人). */
export const tenancyOccupants = pgTable(
  'tenancy_occupants',
  {
    tenancyId: varchar('tenancy_id', { length: 21 })
      .notNull()
      .references(() => tenancies.id),
    residentId: varchar('resident_id', { length: 32 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenancyId, t.residentId] }),
    index('tenancy_occupants_resident_idx').on(t.residentId),
  ],
);

/**
 * Group rentals (群租). A street's group rentals are those whose house code starts with the street's first 9 digits;
 * rather than scan that prefix (a LIKE on the house code needs a text_pattern_ops index and still sorts by house, not
 * by id), the street and community codes are stored beside the grid code. Each listing (grid, community, street)
 * then pages by keyset on one plain b-tree, `(place, id)`, and its status filter and per-status counts use
 * `(place, status, id)`.
 */
export const groupRentals = pgTable(
  'group_rentals',
  {
    /** QZ + grid code + 3-digit sequence. */
    id: varchar('id', { length: 20 }).primaryKey(),
    houseCode: varchar('house_code', { length: 25 })
      .notNull()
      .references(() => houses.code),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    communityCode: varchar('community_code', { length: 12 }).notNull(),
    streetCode: varchar('street_code', { length: 12 }).notNull(),
    status: groupRentalStatus('status').notNull(),
    identifiedOn: date('identified_on', { mode: 'string' }).notNull(),
    interviewedOn: date('interviewed_on', { mode: 'string' }),
    rectifiedOn: date('rectified_on', { mode: 'string' }),
    occupantCount: integer('occupant_count').notNull(),
    /** Rooms partitioned off (隔断) and beds let one by one (床位出租) when identified. */
    partitioned: boolean('partitioned').notNull().default(false),
    bedLetting: boolean('bed_letting').notNull().default(false),
    note: text('note').notNull(),
  },
  (t) => [
    index('group_rentals_house_idx').on(t.houseCode, t.identifiedOn),
    index('group_rentals_grid_idx').on(t.gridCode, t.id),
    index('group_rentals_grid_status_idx').on(t.gridCode, t.status, t.id),
    index('group_rentals_community_idx').on(t.communityCode, t.id),
    index('group_rentals_street_idx').on(t.streetCode, t.id),
    index('group_rentals_street_status_idx').on(t.streetCode, t.status, t.id),
  ],
);

/**
 * Re-inspections of a group rental after rectification (复查): whether it stayed compliant or relapsed, and how many
 * lived there. Id: the group rental's id and a 2-digit sequence.
 */
export const groupRentalInspections = pgTable(
  'group_rental_inspections',
  {
    id: varchar('id', { length: 22 }).primaryKey(),
    groupRentalId: varchar('group_rental_id', { length: 20 })
      .notNull()
      .references(() => groupRentals.id, { onDelete: 'cascade' }),
    inspectedOn: date('inspected_on', { mode: 'string' }).notNull(),
    occupantCount: integer('occupant_count').notNull(),
    result: inspectionResult('result').notNull(),
  },
  (t) => [index('group_rental_inspections_rental_idx').on(t.groupRentalId, t.id)],
);

/**
 * The group-rental feed (群租整治事件流), a committed feed (`@hub/core`'s `committed-feed.ts`): one row per stage a
 * group rental reached, appended in the transaction of the change, in commit order. Every group rental has its
 * IDENTIFY event (the migration that made the table gave each existing one an event at its recorded status), so
 * the feed read from the start tells every rental's stage. A change recorded by a person carries the caller's
 * idempotency key and the hash of its input: a retry finds its event here and is answered with it.
 */
export const groupRentalEvents = pgTable(
  'group_rental_events',
  {
    sequence: bigint('sequence', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    groupRentalId: varchar('group_rental_id', { length: 20 })
      .notNull()
      .references(() => groupRentals.id),
    /** The rental's grid, so a grid worker's feed is filtered by the same grid scope as their lists. */
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    action: groupRentalAction('action').notNull(),
    fromStatus: groupRentalStatus('from_status'),
    toStatus: groupRentalStatus('to_status').notNull(),
    /** The day the stage was reached (约谈、整改、复查日期), as recorded. */
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    /** When it was written. */
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** Null for the events the register's stages were taken over with. */
    actorUserId: text('actor_user_id'),
    actorRole: text('actor_role'),
    actorDepartment: text('actor_department'),
    note: text('note'),
    /** The re-inspection a REINSPECT recorded. */
    inspectionId: varchar('inspection_id', { length: 22 }).references(() => groupRentalInspections.id),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
  },
  (t) => [
    index('group_rental_events_grid_idx').on(t.gridCode, t.sequence),
    index('group_rental_events_rental_idx').on(t.groupRentalId, t.sequence),
    uniqueIndex('group_rental_events_key_idx').on(t.actorUserId, t.idempotencyKey),
  ],
);

/**
 * Property-service companies (物业服务企业): what housing records beside the directory entry. Qualification grades
 * (资质等级) were abolished in 2017-2018 and are not kept.
 */
export const propertyCompanies = pgTable('property_companies', {
  organizationId: varchar('organization_id', { length: 17 }).primaryKey(),
});

/**
 * Buildings under a property-service contract. One management area has one property-service company (物业管理条例),
 * so a building appears once: the building code is the key, and a company's buildings page by it.
 */
export const propertyCompanyBuildings = pgTable(
  'property_company_buildings',
  {
    buildingCode: varchar('building_code', { length: 17 })
      .primaryKey()
      .references(() => buildings.code),
    organizationId: varchar('organization_id', { length: 17 })
      .notNull()
      .references(() => propertyCompanies.organizationId),
  },
  (t) => [index('property_company_buildings_company_idx').on(t.organizationId, t.buildingCode)],
);

/** Owners' committees (业主委员会). */
export const ownersCommittees = pgTable('owners_committees', {
  organizationId: varchar('organization_id', { length: 17 }).primaryKey(),
  electedOn: date('elected_on', { mode: 'string' }).notNull(),
  filedOn: date('filed_on', { mode: 'string' }),
  chairResidentId: varchar('chair_resident_id', { length: 32 }).notNull(),
});

/** The buildings an owners' committee represents; a building's owners elect one committee, so the code is the key. */
export const ownersCommitteeBuildings = pgTable(
  'owners_committee_buildings',
  {
    buildingCode: varchar('building_code', { length: 17 })
      .primaryKey()
      .references(() => buildings.code),
    organizationId: varchar('organization_id', { length: 17 })
      .notNull()
      .references(() => ownersCommittees.organizationId),
  },
  (t) => [index('owners_committee_buildings_committee_idx').on(t.organizationId, t.buildingCode)],
);

export type BuildingRow = typeof buildings.$inferSelect;
export type HouseRow = typeof houses.$inferSelect;
export type OwnershipRow = typeof ownerships.$inferSelect;
export type TenancyRow = typeof tenancies.$inferSelect;
export type TenancyOccupantRow = typeof tenancyOccupants.$inferSelect;
export type GroupRentalRow = typeof groupRentals.$inferSelect;
export type PropertyCompanyRow = typeof propertyCompanies.$inferSelect;
export type PropertyCompanyBuildingRow = typeof propertyCompanyBuildings.$inferSelect;
export type OwnersCommitteeRow = typeof ownersCommittees.$inferSelect;
export type OwnersCommitteeBuildingRow = typeof ownersCommitteeBuildings.$inferSelect;
export type GroupRentalInspectionRow = typeof groupRentalInspections.$inferSelect;
export type GroupRentalEventRow = typeof groupRentalEvents.$inferSelect;
