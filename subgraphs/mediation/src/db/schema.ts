import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';

export { demoSeed } from '@hub/core/db-meta';

export const caseCategory = pgEnum('case_category', [
  'MARRIAGE_FAMILY',
  'NEIGHBOURS',
  'HOUSES_HOMESTEADS',
  'CONTRACTS',
  'PRODUCTION_BUSINESS',
  'DAMAGES',
  'FORESTS_LAND',
  'LAND_ACQUISITION_DEMOLITION',
  'ENVIRONMENT',
  'LABOUR',
  'CONSUMER',
  'MEDICAL',
  'ROAD_TRAFFIC',
  'PROPERTY_MANAGEMENT',
  'OTHER',
]);
export const caseSource = pgEnum('case_source', [
  'PARTY_APPLICATION',
  'COMMITTEE_INITIATIVE',
  'POLICE_REFERRAL',
  'COURT_REFERRAL',
  'PETITION_REFERRAL',
  'GOVERNMENT_ASSIGNED',
  'GRID_WORKER_REPORT',
]);
export const caseStatus = pgEnum('case_status', [
  'REPORTED',
  'ACCEPTED',
  'REJECTED',
  'DISPATCHED',
  'IN_PROGRESS',
  'RESOLVED',
  'CLOSED',
  'ESCALATED',
]);
export const caseOutcome = pgEnum('case_outcome', ['AGREEMENT_REACHED', 'MEDIATION_FAILED', 'HANDLED_BY_DEPARTMENT']);
export const casePartyRole = pgEnum('case_party_role', ['APPLICANT', 'RESPONDENT']);
export const committeeType = pgEnum('mediation_committee_type', ['COMMUNITY', 'INDUSTRY']);
export const committeeIndustry = pgEnum('mediation_industry', ['PROPERTY', 'HOUSING', 'LAND', 'AGRICULTURE', 'MEDICAL', 'LABOUR']);
export const mediatorEmployment = pgEnum('mediator_employment', ['FULL_TIME', 'PART_TIME']);
export const mediatorBackground = pgEnum('mediator_background', [
  'LAWYER',
  'GRID_WORKER',
  'JUDGE',
  'PROSECUTOR',
  'POLICE',
  'ELDER',
  'OTHER',
]);

/**
 * People's mediation committees (人民调解委员会). The organization directory (name, credit code, office) is civil
 * affairs'; mediation keeps what makes a body a mediation committee, under the directory's organization id.
 */
export const mediationCommittees = pgTable(
  'mediation_committees',
  {
    organizationId: varchar('organization_id', { length: 17 }).primaryKey(),
    type: committeeType('type').notNull(),
    industry: committeeIndustry('industry'),
    /** The community it serves: digits 3-14 of the organization id, kept for listing a community's committees. */
    communityCode: varchar('community_code', { length: 12 }).notNull(),
  },
  (t) => [index('mediation_committees_community_idx').on(t.communityCode)],
);

/** Mediators (人民调解员). The ID number is mediation's own record of its mediator; the graph shows the hub id only. */
export const mediators = pgTable(
  'mediators',
  {
    id: varchar('id', { length: 21 }).primaryKey(),
    committeeId: varchar('committee_id', { length: 17 })
      .notNull()
      .references(() => mediationCommittees.organizationId),
    name: text('name').notNull(),
    idNumber: varchar('id_number', { length: 18 }),
    residentId: varchar('resident_id', { length: 32 }),
    employment: mediatorEmployment('employment').notNull(),
    background: mediatorBackground('background').notNull(),
  },
  (t) => [index('mediators_committee_idx').on(t.committeeId, t.id), index('mediators_resident_idx').on(t.residentId)],
);

/**
 * Dispute cases (矛盾纠纷案件). Grid, community and street codes are all kept so that every place filter pages by
 * its own index in case-id order; `version` counts changes, for optimistic locking once cases are written through
 * the graph.
 */
export const cases = pgTable(
  'cases',
  {
    id: varchar('id', { length: 21 }).primaryKey(),
    category: caseCategory('category').notNull(),
    source: caseSource('source').notNull(),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    communityCode: varchar('community_code', { length: 12 }).notNull(),
    streetCode: varchar('street_code', { length: 12 }).notNull(),
    committeeId: varchar('committee_id', { length: 17 })
      .notNull()
      .references(() => mediationCommittees.organizationId),
    mediatorId: varchar('mediator_id', { length: 21 }).references(() => mediators.id),
    status: caseStatus('status').notNull(),
    outcome: caseOutcome('outcome'),
    summary: text('summary').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    /** The police incident it was referred from (警调对接); public security owns incidents, so no foreign key. */
    incidentId: varchar('incident_id', { length: 28 }),
    /** The house in dispute; housing owns houses, so no foreign key. */
    houseCode: varchar('house_code', { length: 25 }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('cases_grid_idx').on(t.gridCode, t.id),
    index('cases_grid_status_category_idx').on(t.gridCode, t.status, t.category, t.id),
    index('cases_community_idx').on(t.communityCode, t.id),
    index('cases_street_idx').on(t.streetCode, t.id),
    index('cases_status_category_idx').on(t.status, t.category, t.id),
    index('cases_committee_idx').on(t.committeeId, t.id),
    index('cases_mediator_idx').on(t.mediatorId),
    // One case per referred incident: Incident.mediationCase is a single case.
    uniqueIndex('cases_incident_idx').on(t.incidentId),
    index('cases_house_idx').on(t.houseCode, t.id),
  ],
);

/**
 * Parties of a case (当事人), a person or an organization. A person's ID number is part of the case file (identity
 * proof); the graph shows the hub id only.
 */
export const caseParties = pgTable(
  'case_parties',
  {
    caseId: varchar('case_id', { length: 21 })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    /** Order in the intake record, from 1. */
    position: smallint('position').notNull(),
    role: casePartyRole('role').notNull(),
    residentId: varchar('resident_id', { length: 32 }),
    idNumber: varchar('id_number', { length: 18 }),
    organizationId: varchar('organization_id', { length: 17 }),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.position] }),
    index('case_parties_resident_idx').on(t.residentId, t.caseId),
    index('case_parties_organization_idx').on(t.organizationId, t.caseId),
    check('case_parties_one_party', sql`(${t.residentId} is null) <> (${t.organizationId} is null)`),
  ],
);

/** Mediation sessions (调解记录). */
export const mediationRecords = pgTable(
  'mediation_records',
  {
    caseId: varchar('case_id', { length: 21 })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    position: smallint('position').notNull(),
    heldOn: date('held_on', { mode: 'string' }).notNull(),
    mediatorId: varchar('mediator_id', { length: 21 })
      .notNull()
      .references(() => mediators.id),
    content: text('content').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.position] }), index('mediation_records_mediator_idx').on(t.mediatorId)],
);

/** Mediation agreements (人民调解协议书), at most one per case. */
export const agreements = pgTable('agreements', {
  caseId: varchar('case_id', { length: 21 })
    .primaryKey()
    .references(() => cases.id, { onDelete: 'cascade' }),
  reachedOn: date('reached_on', { mode: 'string' }).notNull(),
  terms: text('terms').notNull(),
  performBy: date('perform_by', { mode: 'string' }).notNull(),
  performed: boolean('performed').notNull(),
});

/** Follow-up visits (回访记录). */
export const followUps = pgTable(
  'follow_ups',
  {
    caseId: varchar('case_id', { length: 21 })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    position: smallint('position').notNull(),
    visitedOn: date('visited_on', { mode: 'string' }).notNull(),
    satisfied: boolean('satisfied').notNull(),
    note: text('note').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.position] })],
);

export type MediationCommitteeRow = typeof mediationCommittees.$inferSelect;
export type MediatorRow = typeof mediators.$inferSelect;
export type CaseRow = typeof cases.$inferSelect;
export type CasePartyRow = typeof caseParties.$inferSelect;
export type MediationRecordRow = typeof mediationRecords.$inferSelect;
export type AgreementRow = typeof agreements.$inferSelect;
export type FollowUpRow = typeof followUps.$inferSelect;
