import { boolean, date, index, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/pg-core';

export { demoSeed, importRuns } from '@hub/core/db-meta';

export const sex = pgEnum('sex', ['UNKNOWN', 'MALE', 'FEMALE', 'UNSTATED']);
export const populationType = pgEnum('population_type', ['REGISTERED', 'FLOATING', 'OVERSEAS', 'UNSETTLED']);
export const householdRelation = pgEnum('household_relation', [
  'SELF', 'SPOUSE', 'CHILD', 'PARENT', 'GRANDCHILD', 'OTHER_RELATIVE', 'TENANT',
]);
export const inflowReason = pgEnum('inflow_reason', ['WORK', 'BUSINESS', 'STUDY', 'FAMILY', 'MEDICAL', 'OTHER']);
export const keyPersonCategory = pgEnum('key_person_category', [
  'COMMUNITY_CORRECTION', 'RELEASED_PRISONER', 'SEVERE_MENTAL_DISORDER', 'DRUG_USER', 'KEY_YOUTH',
]);
export const riskLevel = pgEnum('risk_level', ['LOW', 'MEDIUM', 'HIGH']);
export const incidentType = pgEnum('incident_type', ['DISPUTE', 'THEFT', 'FRAUD', 'TRAFFIC', 'NOISE', 'DOMESTIC', 'OTHER']);

/** The actual-population register (实有人口). */
export const residents = pgTable(
  'residents',
  {
    /** Hub id: HMAC of the ID number, the key other departments join on. */
    id: varchar('id', { length: 32 }).primaryKey(),
    idNumber: varchar('id_number', { length: 18 }).notNull().unique(),
    name: text('name').notNull(),
    sex: sex('sex').notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    phone: varchar('phone', { length: 11 }),
    populationType: populationType('population_type').notNull(),
    registeredAddress: text('registered_address'),
    /** Code of the house lived in; the housing department owns houses, so no foreign key crosses databases. */
    houseCode: text('house_code'),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    householdId: text('household_id'),
    relationToHead: householdRelation('relation_to_head').notNull().default('SELF'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Grid pages are keyset-paged by id within a grid; population counts group by type within a grid.
    index('residents_grid_id_idx').on(t.gridCode, t.id),
    index('residents_grid_type_idx').on(t.gridCode, t.populationType, t.id),
    index('residents_house_idx').on(t.houseCode),
  ],
);

/** Floating-population details (流动人口信息), one row per floating resident. */
export const floatingDetails = pgTable('floating_details', {
  residentId: varchar('resident_id', { length: 32 })
    .primaryKey()
    .references(() => residents.id, { onDelete: 'cascade' }),
  inflowReason: inflowReason('inflow_reason').notNull(),
  inflowDate: date('inflow_date', { mode: 'string' }).notNull(),
  originAddress: text('origin_address').notNull(),
  residencePermitNumber: text('residence_permit_number'),
  residencePermitExpiresOn: date('residence_permit_expires_on', { mode: 'string' }),
});

/** Key persons (重点人员), one person one plan: at most one record per resident. */
export const keyPersons = pgTable(
  'key_persons',
  {
    id: varchar('id', { length: 20 }).primaryKey(),
    residentId: varchar('resident_id', { length: 32 })
      .notNull()
      .references(() => residents.id, { onDelete: 'cascade' }),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    category: keyPersonCategory('category').notNull(),
    riskLevel: riskLevel('risk_level').notNull(),
    officerName: text('officer_name').notNull(),
    officerBadge: varchar('officer_badge', { length: 6 }).notNull(),
    plan: text('plan').notNull(),
    since: date('since', { mode: 'string' }).notNull(),
    guardianId: varchar('guardian_id', { length: 32 }),
  },
  (t) => [
    uniqueIndex('key_persons_resident_idx').on(t.residentId),
    index('key_persons_grid_id_idx').on(t.gridCode, t.id),
    index('key_persons_grid_category_idx').on(t.gridCode, t.category, t.id),
  ],
);

/** Police incidents (警情). The id begins with the date, so id order is roughly time order. */
export const incidents = pgTable(
  'incidents',
  {
    id: varchar('id', { length: 28 }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    address: text('address').notNull(),
    type: incidentType('type').notNull(),
    summary: text('summary').notNull(),
    referredToMediation: boolean('referred_to_mediation').notNull(),
    referredOn: date('referred_on', { mode: 'string' }),
  },
  (t) => [
    index('incidents_grid_id_idx').on(t.gridCode, t.id),
    index('incidents_occurred_at_idx').on(t.occurredAt),
  ],
);

/** The residents an incident involved, in the order recorded. */
export const incidentInvolved = pgTable(
  'incident_involved',
  {
    incidentId: varchar('incident_id', { length: 28 })
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    position: smallint('position').notNull(),
    residentId: varchar('resident_id', { length: 32 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.position] }), index('incident_involved_resident_idx').on(t.residentId)],
);

export type ResidentRow = typeof residents.$inferSelect;
export type FloatingDetailsRow = typeof floatingDetails.$inferSelect;
export type KeyPersonRow = typeof keyPersons.$inferSelect;
export type IncidentRow = typeof incidents.$inferSelect;
export type IncidentInvolvedRow = typeof incidentInvolved.$inferSelect;
