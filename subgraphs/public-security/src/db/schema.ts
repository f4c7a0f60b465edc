import { date, index, pgEnum, pgTable, text, timestamp, varchar } from 'drizzle-orm/pg-core';

export { demoSeed } from '@hub/core/db-meta';

export const sex = pgEnum('sex', ['UNKNOWN', 'MALE', 'FEMALE', 'UNSTATED']);
export const populationType = pgEnum('population_type', ['REGISTERED', 'FLOATING', 'OVERSEAS', 'UNSETTLED']);
export const householdRelation = pgEnum('household_relation', [
  'SELF', 'SPOUSE', 'CHILD', 'PARENT', 'GRANDCHILD', 'OTHER_RELATIVE', 'TENANT',
]);
export const inflowReason = pgEnum('inflow_reason', ['WORK', 'BUSINESS', 'STUDY', 'FAMILY', 'MEDICAL', 'OTHER']);

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

export type ResidentRow = typeof residents.$inferSelect;
export type FloatingDetailsRow = typeof floatingDetails.$inferSelect;
