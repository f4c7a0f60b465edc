import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/pg-core';

export { demoSeed, importRuns } from '@hub/core/db-meta';

export const sex = pgEnum('sex', ['UNKNOWN', 'MALE', 'FEMALE', 'UNSTATED']);
export const populationType = pgEnum('population_type', ['REGISTERED', 'FLOATING', 'OVERSEAS', 'UNSETTLED']);
/** GB/T 4761 family relations; TENANT is kept only so old rows and files read, the register writes NON_RELATIVE + tenure. */
export const householdRelation = pgEnum('household_relation', [
  'SELF', 'SPOUSE', 'CHILD', 'PARENT', 'GRANDCHILD', 'OTHER_RELATIVE', 'TENANT', 'GRANDPARENT', 'SIBLING', 'NON_RELATIVE',
]);
/** 人户一致 / 人在户不在 / 户在人不在; null for people with no hukou anywhere in China (overseas, unsettled). */
export const residenceStatus = pgEnum('residence_status', ['RESIDENT_AND_REGISTERED', 'RESIDENT_NOT_REGISTERED', 'REGISTERED_NOT_RESIDENT']);
export const documentType = pgEnum('document_type', [
  'ID_CARD', 'PASSPORT', 'HK_MACAO_PERMIT', 'TAIWAN_PERMIT', 'FOREIGN_PERMANENT_RESIDENCE', 'NONE',
]);
export const tenure = pgEnum('tenure', ['OWNED', 'RENTED', 'LODGING', 'DORMITORY', 'OTHER']);
export const householdKind = pgEnum('household_kind', ['FAMILY', 'COLLECTIVE']);
export const householdBasis = pgEnum('household_basis', ['HUKOU', 'RESIDENCE']);
export const stayPermitKind = pgEnum('stay_permit_kind', ['VISA', 'RESIDENCE_PERMIT', 'PERMANENT_RESIDENCE', 'NONE']);
export const owningUnit = pgEnum('owning_unit', ['JUSTICE_OFFICE', 'HEALTH', 'NARCOTICS_CONTROL', 'POLICE_STATION', 'GOVERNANCE_CENTRE']);
export const contactMethod = pgEnum('contact_method', ['HOME_VISIT', 'PHONE', 'VIDEO', 'INTERVIEW', 'REPORT_IN']);
export const inflowReason = pgEnum('inflow_reason', ['WORK', 'BUSINESS', 'STUDY', 'FAMILY', 'MEDICAL', 'OTHER']);
export const keyPersonCategory = pgEnum('key_person_category', [
  'COMMUNITY_CORRECTION', 'RELEASED_PRISONER', 'SEVERE_MENTAL_DISORDER', 'DRUG_USER', 'KEY_YOUTH', 'AIDS_RISK',
]);
export const riskLevel = pgEnum('risk_level', ['LOW', 'MEDIUM', 'HIGH']);
export const incidentType = pgEnum('incident_type', ['DISPUTE', 'THEFT', 'FRAUD', 'TRAFFIC', 'NOISE', 'DOMESTIC', 'OTHER']);

/** The actual-population register (实有人口). */
export const residents = pgTable(
  'residents',
  {
    /** Hub id: HMAC of the ID number (or, for people without one, of their document key), the key other departments join on. */
    id: varchar('id', { length: 32 }).primaryKey(),
    /** Null for people who hold no citizen ID (overseas, unsettled): their document is in document_type/number. */
    idNumber: varchar('id_number', { length: 18 }).unique(),
    documentType: documentType('document_type').notNull().default('ID_CARD'),
    /** Passport, permit or register number; null for ID cards, whose number is id_number. */
    documentNumber: varchar('document_number', { length: 40 }),
    /** ISO 3166-1 alpha-3 (GB/T 2659), CHN for citizens. */
    nationality: varchar('nationality', { length: 3 }).notNull().default('CHN'),
    name: text('name').notNull(),
    sex: sex('sex').notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    /** A mobile or a landline with its area code (0516-83801234). */
    phone: varchar('phone', { length: 20 }),
    populationType: populationType('population_type').notNull(),
    registeredAddress: text('registered_address'),
    residenceStatus: residenceStatus('residence_status'),
    /** The hukou place: its county-level division code and the police station (派出所) that keeps the hukou. */
    hukouDivisionCode: varchar('hukou_division_code', { length: 6 }),
    hukouPoliceStation: text('hukou_police_station'),
    /** Code of the house lived in; the housing department owns houses, so no foreign key crosses databases. Null for 户在人不在. */
    houseCode: text('house_code'),
    /**
     * The grid that answers for the person: where they live, or for 户在人不在 the grid of their hukou address, so that
     * the grid worker who keeps the hukou household keeps track of them (row scope follows this column).
     */
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    /** The household living together (居住户). */
    householdId: text('household_id'),
    relationToHead: householdRelation('relation_to_head').notNull().default('SELF'),
    /** The hukou household (户籍户) when the hukou is kept here; null when it lies elsewhere or there is none. */
    hukouHouseholdId: text('hukou_household_id'),
    /** How the person holds the dwelling lived in (居住方式): a tenant is a tenure, not a family relation. */
    tenure: tenure('tenure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Grid pages are keyset-paged by id within a grid; population counts group by type within a grid. The index also
    // holds what a column page of residents reads beyond its key (sex, birth date, population type, residence
    // status), so a grid's page is an index-only range in id order (resident-columns.ts), not a heap visit per row.
    index('residents_grid_id_idx').on(t.gridCode, t.id, t.sex, t.birthDate, t.populationType, t.residenceStatus),
    index('residents_grid_type_idx').on(t.gridCode, t.populationType, t.id),
    // Population counts count the people living in the grid (实有人口): this index alone answers them (an index-only
    // scan), where the one above must visit every row to read its residence status. Its predicate is the loaders'
    // `livingHere` word for word, so the planner can prove it.
    index('residents_living_grid_type_idx')
      .on(t.gridCode, t.populationType)
      .where(sql`${t.residenceStatus} is distinct from 'REGISTERED_NOT_RESIDENT'`),
    // Lookups by hub id (every other department's residents, twenty at a time) probe a bucket page whatever the
    // district's size; the primary key's btree is a level deeper at 1,000,000 residents (80 buffers for twenty ids
    // against 41-45 through this, 0.69x the execution: docs/benchmarks.md).
    index('residents_id_hash_idx').using('hash', t.id),
    index('residents_house_idx').on(t.houseCode),
    index('residents_household_idx').on(t.householdId),
    index('residents_hukou_household_idx').on(t.hukouHouseholdId),
    uniqueIndex('residents_document_idx').on(t.documentType, t.nationality, t.documentNumber),
    check('residents_identity_check', sql`(${t.documentType} = 'ID_CARD') = (${t.idNumber} IS NOT NULL) AND (${t.documentType} = 'ID_CARD') = (${t.documentNumber} IS NULL)`),
  ],
);

/**
 * Households (户): a hukou household (户籍户, the 户口簿 kept by the police station, 户号 its id) or a household living
 * together at a dwelling (居住户). Either is a family (家庭户) or a collective (集体户: a unit's dormitory, a school).
 */
export const households = pgTable(
  'households',
  {
    /** 户号. */
    id: text('id').primaryKey(),
    kind: householdKind('kind').notNull(),
    basis: householdBasis('basis').notNull(),
    headResidentId: varchar('head_resident_id', { length: 32 }),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    houseCode: text('house_code'),
    /** For hukou households: the police station that keeps the 户口簿. */
    policeStation: text('police_station'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('households_grid_id_idx').on(t.gridCode, t.id)],
);

/** Overseas people's stay (境外人员): entry and the visa or residence permit that allows it. */
export const overseasDetails = pgTable('overseas_details', {
  residentId: varchar('resident_id', { length: 32 })
    .primaryKey()
    .references(() => residents.id, { onDelete: 'cascade' }),
  entryDate: date('entry_date', { mode: 'string' }),
  permitKind: stayPermitKind('permit_kind').notNull(),
  permitNumber: varchar('permit_number', { length: 40 }),
  permitExpiresOn: date('permit_expires_on', { mode: 'string' }),
  /** Employer or school, as registered with the entry-exit administration. */
  employerOrSchool: text('employer_or_school'),
});

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

/**
 * The special groups a key person belongs to (特殊人群), several per person (a released prisoner may also use drugs),
 * each with the unit that owns it in practice: 司法所 for correction and 安置帮教, 卫健 for 精防, 禁毒办 for drug users,
 * 派出所 or the 综治中心 for the others.
 */
export const keyPersonCategories = pgTable(
  'key_person_categories',
  {
    keyPersonId: varchar('key_person_id', { length: 20 })
      .notNull()
      .references(() => keyPersons.id, { onDelete: 'cascade' }),
    category: keyPersonCategory('category').notNull(),
    owningUnit: owningUnit('owning_unit').notNull(),
    since: date('since', { mode: 'string' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyPersonId, t.category] }), index('key_person_categories_category_idx').on(t.category)],
);

/** The people responsible for a key person, the police officer among them, each of their unit. */
export const keyPersonOfficers = pgTable(
  'key_person_officers',
  {
    keyPersonId: varchar('key_person_id', { length: 20 })
      .notNull()
      .references(() => keyPersons.id, { onDelete: 'cascade' }),
    position: smallint('position').notNull(),
    name: text('name').notNull(),
    unit: owningUnit('unit').notNull(),
    /** 警号 for police officers, null for the others. */
    badge: varchar('badge', { length: 6 }),
    phone: varchar('phone', { length: 20 }),
  },
  (t) => [primaryKey({ columns: [t.keyPersonId, t.position] })],
);

/** The visit and contact log (走访记录): who, when, how, what they found. */
export const keyPersonContacts = pgTable(
  'key_person_contacts',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    keyPersonId: varchar('key_person_id', { length: 20 })
      .notNull()
      .references(() => keyPersons.id, { onDelete: 'cascade' }),
    contactedOn: date('contacted_on', { mode: 'string' }).notNull(),
    byName: text('by_name').notNull(),
    byUnit: owningUnit('by_unit').notNull(),
    method: contactMethod('method').notNull(),
    finding: text('finding').notNull(),
  },
  (t) => [uniqueIndex('key_person_contacts_natural_idx').on(t.keyPersonId, t.contactedOn, t.byName, t.method)],
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
    // Police-to-mediation referrals (警调对接) of a street: their page's ids and their count from this index alone, a
    // range of the street's grids holding only referrals. Its predicate is the page's condition word for word.
    index('incidents_referred_grid_idx').on(t.gridCode, t.id).where(sql`${t.referredToMediation}`),
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
export type HouseholdRow = typeof households.$inferSelect;
export type OverseasDetailsRow = typeof overseasDetails.$inferSelect;
export type KeyPersonCategoryRow = typeof keyPersonCategories.$inferSelect;
export type KeyPersonOfficerRow = typeof keyPersonOfficers.$inferSelect;
export type KeyPersonContactRow = typeof keyPersonContacts.$inferSelect;
export type FloatingDetailsRow = typeof floatingDetails.$inferSelect;
export type KeyPersonRow = typeof keyPersons.$inferSelect;
export type IncidentRow = typeof incidents.$inferSelect;
export type IncidentInvolvedRow = typeof incidentInvolved.$inferSelect;
