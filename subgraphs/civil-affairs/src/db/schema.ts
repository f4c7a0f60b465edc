import { check, date, doublePrecision, index, integer, numeric, pgEnum, pgTable, smallint, text, uniqueIndex, varchar } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

export { demoSeed, importRuns } from '@hub/core/db-meta';

export const townshipKind = pgEnum('township_kind', ['STREET', 'TOWN', 'TOWNSHIP']);
export const communityKind = pgEnum('community_kind', ['COMMUNITY', 'VILLAGE']);
export const gridWorkerRole = pgEnum('grid_worker_role', ['FULL_TIME', 'PART_TIME']);
export const organizationKind = pgEnum('organization_kind', [
  'PARTY_ORGANIZATION', 'SOCIAL_ORGANIZATION', 'RESIDENTS_COMMITTEE', 'VILLAGERS_COMMITTEE', 'PROPERTY_COMPANY',
  'OWNERS_COMMITTEE', 'MEDIATION_COMMITTEE', 'GOVERNMENT_AGENCY', 'COMMUNITY_ORGANIZATION', 'ENTERPRISE', 'INDIVIDUAL_BUSINESS',
  'SCHOOL', 'CLINIC',
]);
export const registeringDepartment = pgEnum('registering_department', [
  'PARTY', 'CIVIL_AFFAIRS', 'HOUSING', 'MEDIATION', 'MARKET_REGULATION', 'EDUCATION', 'HEALTH',
]);
export const socialOrganizationType = pgEnum('social_organization_type', ['SOCIAL_GROUP', 'PRIVATE_NON_ENTERPRISE', 'FOUNDATION']);
export const welfareKind = pgEnum('welfare_kind', [
  'MINIMUM_LIVING', 'EXTREME_POVERTY', 'DISABILITY_LIVING', 'DISABILITY_CARE', 'OLD_AGE',
]);
export const welfareStatus = pgEnum('welfare_status', ['ACTIVE', 'SUSPENDED', 'ENDED']);
export const assistanceKind = pgEnum('assistance_kind', ['TEMPORARY', 'MEDICAL']);
export const assistanceReason = pgEnum('assistance_reason', [
  'ACCIDENT', 'DISASTER', 'SUDDEN_ILLNESS', 'EDUCATION', 'LIVING_HARDSHIP', 'OTHER', 'INPATIENT', 'OUTPATIENT_CHRONIC',
]);
export const careKind = pgEnum('care_kind', [
  'LEFT_BEHIND_ELDERLY', 'LEFT_BEHIND_WOMAN', 'LEFT_BEHIND_CHILD', 'LIVING_ALONE_ELDERLY', 'EMPTY_NEST_ELDERLY', 'ORPHAN',
  'UNSUPPORTED_CHILD',
]);

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

/**
 * The organization directory (组织机构目录): every organization of the district, whichever department registered it.
 * Only the directory entry lives here; the registering department keeps the details under the same id.
 */
export const organizations = pgTable(
  'organizations',
  {
    id: varchar('id', { length: 17 }).primaryKey(),
    kind: organizationKind('kind').notNull(),
    name: text('name').notNull(),
    /** Null for party organizations, which have no credit code; unique among the rest. */
    creditCode: varchar('credit_code', { length: 18 }),
    gridCode: varchar('grid_code', { length: 15 }).notNull().references(() => grids.code),
    communityCode: varchar('community_code', { length: 12 }).notNull().references(() => communities.code),
    registeredOn: date('registered_on', { mode: 'string' }).notNull(),
    registeredBy: registeringDepartment('registered_by').notNull(),
  },
  (t) => [
    uniqueIndex('organizations_credit_code_idx').on(t.creditCode),
    // A grid's organizations page by id, all kinds or one kind; the directory filters by community or kind alone.
    index('organizations_grid_id_idx').on(t.gridCode, t.id),
    index('organizations_grid_kind_idx').on(t.gridCode, t.kind, t.id),
    index('organizations_community_idx').on(t.communityCode, t.id),
    index('organizations_kind_idx').on(t.kind, t.id),
  ],
);

/** Social organizations' registration details (社会组织登记), one row per directory entry of that kind. */
export const socialOrganizations = pgTable('social_organizations', {
  organizationId: varchar('organization_id', { length: 17 })
    .primaryKey()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  type: socialOrganizationType('type').notNull(),
  legalRepresentativeId: varchar('legal_representative_id', { length: 32 }).notNull(),
  businessScope: text('business_scope').notNull(),
});

/**
 * Welfare entitlements (社会救助与福利待遇). Recipients are referred to by hub id; the disability certificate number
 * embeds the ID number, which civil affairs keeps as part of its own record and shows masked.
 */
export const welfareEntitlements = pgTable(
  'welfare_entitlements',
  {
    id: varchar('id', { length: 21 }).primaryKey(),
    residentId: varchar('resident_id', { length: 32 }).notNull(),
    gridCode: varchar('grid_code', { length: 15 }).notNull().references(() => grids.code),
    kind: welfareKind('kind').notNull(),
    monthlyAmount: numeric('monthly_amount', { precision: 10, scale: 2, mode: 'number' }).notNull(),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }),
    status: welfareStatus('status').notNull(),
    disabilityCertificateNumber: varchar('disability_certificate_number', { length: 20 }),
  },
  (t) => [
    index('welfare_resident_idx').on(t.residentId),
    index('welfare_grid_id_idx').on(t.gridCode, t.id),
    index('welfare_grid_kind_idx').on(t.gridCode, t.kind, t.id),
    // A street's or community's entitlements of one kind and status (低保核查: MINIMUM_LIVING, ACTIVE), counted and
    // paged: a probe of this index per grid of the place, where without it the count read every entitlement of the
    // district (its cost grew with the district, not with the street asked).
    index('welfare_grid_kind_status_idx').on(t.gridCode, t.kind, t.status, t.id),
  ],
);

/**
 * Care lists (关爱对象名册): one row per person and list, a person may be on several (独居 and 留守). Kept by civil
 * affairs, whose community staff visit them; the entry ends (ended_on) when the person leaves the list.
 */
export const careRecords = pgTable(
  'care_records',
  {
    id: varchar('id', { length: 21 }).primaryKey(),
    residentId: varchar('resident_id', { length: 32 }).notNull(),
    gridCode: varchar('grid_code', { length: 15 }).notNull().references(() => grids.code),
    kind: careKind('kind').notNull(),
    listedOn: date('listed_on', { mode: 'string' }).notNull(),
    endedOn: date('ended_on', { mode: 'string' }),
  },
  (t) => [
    index('care_resident_idx').on(t.residentId),
    index('care_grid_id_idx').on(t.gridCode, t.id),
    index('care_grid_kind_idx').on(t.gridCode, t.kind, t.id),
  ],
);

/**
 * The disability register (残疾人登记): every holder of a disability certificate, whether or not an allowance is
 * paid. The certificate number embeds the ID number, so it is shown masked like the welfare one.
 */
export const disabilityRecords = pgTable(
  'disability_records',
  {
    id: varchar('id', { length: 21 }).primaryKey(),
    residentId: varchar('resident_id', { length: 32 }).notNull(),
    gridCode: varchar('grid_code', { length: 15 }).notNull().references(() => grids.code),
    certificateNumber: varchar('certificate_number', { length: 20 }).notNull(),
    category: smallint('category').notNull(),
    grade: smallint('grade').notNull(),
    issuedOn: date('issued_on', { mode: 'string' }).notNull(),
  },
  (t) => [
    uniqueIndex('disability_certificate_idx').on(t.certificateNumber),
    index('disability_resident_idx').on(t.residentId),
    index('disability_grid_id_idx').on(t.gridCode, t.id),
    check('disability_category_check', sql`${t.category} between 1 and 7`),
    check('disability_grade_check', sql`${t.grade} between 1 and 4`),
  ],
);

/**
 * One-off assistance (临时救助) and per-episode medical assistance (医疗救助): a sum granted once, for a reason, by an
 * approver, not a monthly allowance, so they are kept apart from `welfare_entitlements`. A medical grant carries its
 * episode (hospital, dates, the out-of-pocket cost left after medical insurance, the share assistance reimbursed); the
 * episode columns are set exactly for medical grants. Small grants are approved by the street (乡镇/街道), larger ones by the district's civil affairs bureau.
 */
export const assistanceGrants = pgTable(
  'assistance_grants',
  {
    id: varchar('id', { length: 21 }).primaryKey(),
    residentId: varchar('resident_id', { length: 32 }).notNull(),
    gridCode: varchar('grid_code', { length: 15 }).notNull().references(() => grids.code),
    kind: assistanceKind('kind').notNull(),
    reason: assistanceReason('reason').notNull(),
    amount: numeric('amount', { precision: 10, scale: 2, mode: 'number' }).notNull(),
    grantedOn: date('granted_on', { mode: 'string' }).notNull(),
    approvingOffice: text('approving_office').notNull(),
    approverName: text('approver_name').notNull(),
    hospital: text('hospital'),
    admittedOn: date('admitted_on', { mode: 'string' }),
    dischargedOn: date('discharged_on', { mode: 'string' }),
    eligibleCost: numeric('eligible_cost', { precision: 12, scale: 2, mode: 'number' }),
    reimbursedPercent: smallint('reimbursed_percent'),
  },
  (t) => [
    index('assistance_resident_idx').on(t.residentId),
    index('assistance_grid_kind_idx').on(t.gridCode, t.kind, t.id),
    check('assistance_amount_check', sql`${t.amount} > 0`),
    check(
      'assistance_episode_check',
      sql`(${t.kind} = 'MEDICAL') = (${t.hospital} is not null and ${t.admittedOn} is not null and ${t.eligibleCost} is not null and ${t.reimbursedPercent} is not null)`,
    ),
    check('assistance_reason_check', sql`(${t.kind} = 'MEDICAL') = (${t.reason} in ('INPATIENT', 'OUTPATIENT_CHRONIC'))`),
    check('assistance_percent_check', sql`${t.reimbursedPercent} between 1 and 100`),
  ],
);

export type DistrictRow = typeof districts.$inferSelect;
export type StreetRow = typeof streets.$inferSelect;
export type CommunityRow = typeof communities.$inferSelect;
export type GridRow = typeof grids.$inferSelect;
export type GridWorkerRow = typeof gridWorkers.$inferSelect;
export type OrganizationRow = typeof organizations.$inferSelect;
export type SocialOrganizationRow = typeof socialOrganizations.$inferSelect;
export type WelfareEntitlementRow = typeof welfareEntitlements.$inferSelect;
export type CareRecordRow = typeof careRecords.$inferSelect;
export type DisabilityRecordRow = typeof disabilityRecords.$inferSelect;
export type AssistanceGrantRow = typeof assistanceGrants.$inferSelect;
