import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  jsonb,
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

export { demoSeed, importRuns } from '@hub/core/db-meta';

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
  'DEPARTMENT_REFERRAL',
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
/** The departments a case can be dispatched to; the names of their callers' `department` claim, in enum form. */
export const caseDepartment = pgEnum('case_department', ['PUBLIC_SECURITY', 'CIVIL_AFFAIRS', 'PARTY', 'HOUSING', 'MEDIATION']);
/** What a change to a case was: one value per mutation of the workflow. */
export const caseAction = pgEnum('case_action', [
  'REPORT',
  'ACCEPT',
  'REJECT',
  'DISPATCH',
  'ACKNOWLEDGE',
  'ADD_RECORD',
  'RESOLVE',
  'FOLLOW_UP',
  'CLOSE',
  'REOPEN',
  // Handling units, levels and time limits (issue 18, items 1-3, 5).
  'FINISH_PART',
  'CLOSE_OUT_PART',
  'HAND_BACK',
  'REPORT_UP',
  'ASSIGN_DOWN',
  'EXTEND_TIME_LIMIT',
]);
/** The level that handles a case (办理层级): the community or village (村居), the street or town (镇街), the district (区). */
export const caseLevel = pgEnum('case_level', ['COMMUNITY', 'STREET', 'DISTRICT']);
/** A unit's part in a dispatch: the lead (主办) or a co-handler (协办). */
export const casePartRole = pgEnum('case_part_role', ['LEAD', 'CO_HANDLER']);
/** Where a unit's part stands. */
export const casePartStatus = pgEnum('case_part_status', ['DISPATCHED', 'ACKNOWLEDGED', 'FINISHED', 'HANDED_BACK', 'CLOSED_OUT', 'SUPERSEDED']);
/** Why a unit hands a case back (退单理由). */
export const handBackReason = pgEnum('hand_back_reason', ['WRONG_UNIT', 'OUTSIDE_POWERS', 'DUPLICATE', 'INSUFFICIENT_INFORMATION', 'OTHER']);
export const caseRecordKind = pgEnum('case_record_kind', ['MEDIATION_SESSION', 'VISIT', 'EVIDENCE_NOTE']);
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
    /** The group rental the dispute is about (群租纠纷); housing owns group rentals, so no foreign key. */
    groupRentalId: varchar('group_rental_id', { length: 20 }),
    /** The department the case is dispatched to (承办部门); null before dispatch. */
    assignedDepartment: caseDepartment('assigned_department'),
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    rejectionReason: text('rejection_reason'),
    resolutionNote: text('resolution_note'),
    /** The handling level (办理层级); new cases start in the community (小事不出网格，大事不出社区). */
    level: caseLevel('level').notNull().default('COMMUNITY'),
    /** The lead unit (主办单位) of the current dispatch, a code of the unit directory; null before dispatch. */
    leadUnit: varchar('lead_unit', { length: 40 }),
    /** Dispatches so far: the parts of the current one carry this round. */
    dispatchRound: integer('dispatch_round').notNull().default(0),
    /** Acceptance time limit (受理时限) set when the case was reported. */
    acceptBy: date('accept_by', { mode: 'string' }),
    /** When it was last reported up a level (上报/提级); null if never. */
    reportedUpAt: timestamp('reported_up_at', { withTimezone: true }),
    /** Unsatisfied follow-up visits since the case was last resolved: the second one escalates it. */
    unsatisfiedFollowUps: smallint('unsatisfied_follow_ups').notNull().default(0),
    /** Changes so far: every change adds one and writes the event of that version (optimistic locking). */
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
    index('cases_group_rental_idx').on(t.groupRentalId, t.id),
    index('cases_department_idx').on(t.assignedDepartment, t.id),
    index('cases_due_idx').on(t.status, t.dueOn),
    index('cases_level_idx').on(t.level, t.id),
    index('cases_lead_unit_idx').on(t.leadUnit, t.id),
  ],
);

/**
 * The next sequence number of a grid's case ids (TJ + grid code + 4 digits): a row per grid, locked while a report
 * takes its number, so two reports in one grid never get the same id.
 */
export const caseSequences = pgTable('case_sequences', {
  gridCode: varchar('grid_code', { length: 15 }).primaryKey(),
  lastSequence: integer('last_sequence').notNull(),
});

/**
 * Every change to a case (案件流转记录): the case's timeline and, in `sequence` order, the outbox feed other systems
 * follow. Written in the transaction of the change it records, under one advisory lock so that sequence order is
 * commit order and a reader never sees a later event before an earlier one commits. One event per case version.
 */
export const caseEvents = pgTable(
  'case_events',
  {
    sequence: bigint('sequence', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    caseId: varchar('case_id', { length: 21 })
      .notNull()
      .references(() => cases.id),
    caseVersion: integer('case_version').notNull(),
    action: caseAction('action').notNull(),
    fromStatus: caseStatus('from_status'),
    toStatus: caseStatus('to_status').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorUserId: text('actor_user_id').notNull(),
    actorRole: text('actor_role').notNull(),
    actorDepartment: text('actor_department'),
    /** The case's grid, so a grid worker's feed is filtered by the same grid scope as their case lists. */
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    /** The department the case was assigned to after this change. */
    department: caseDepartment('department'),
    /** The unit whose part the change concerned (its report-in, finish, hand-back), or the lead of a dispatch. */
    unitCode: varchar('unit_code', { length: 40 }),
    /** What the action carried: reason, note, deadline, outcome, record kind; never a personal identifier. */
    details: jsonb('details').$type<CaseEventDetails>().notNull(),
  },
  (t) => [
    uniqueIndex('case_events_case_version_idx').on(t.caseId, t.caseVersion),
    index('case_events_grid_idx').on(t.gridCode, t.sequence),
    index('case_events_department_idx').on(t.department, t.sequence),
    index('case_events_unit_idx').on(t.unitCode, t.sequence),
  ],
);

/** What an event records beside its action and statuses. */
export interface CaseEventDetails {
  note?: string;
  dueOn?: string;
  outcome?: 'AGREEMENT_REACHED' | 'MEDIATION_FAILED' | 'HANDLED_BY_DEPARTMENT';
  recordKind?: 'MEDIATION_SESSION' | 'VISIT' | 'EVIDENCE_NOTE';
  satisfied?: boolean;
  mediatorId?: string;
  /** A dispatch: the lead and co-handlers with their deadlines. */
  parts?: { unit: string; role: 'LEAD' | 'CO_HANDLER'; dueOn: string }[];
  /** A hand-back (退单) or the centre closing a part out: the reason's code. */
  handBackReason?: 'WRONG_UNIT' | 'OUTSIDE_POWERS' | 'DUPLICATE' | 'INSUFFICIENT_INFORMATION' | 'OTHER';
  /** A report-up or assign-down: the levels before and after. */
  fromLevel?: 'COMMUNITY' | 'STREET' | 'DISTRICT';
  toLevel?: 'COMMUNITY' | 'STREET' | 'DISTRICT';
  /** An extension of the time limit: the limit before it and the positions of the parties who agreed. */
  previousDueOn?: string;
  consentingParties?: number[];
}

/**
 * Idempotency keys of case mutations, per caller: the first successful use stores what it did; a replay with the
 * same input gets that back, the same key with another input is refused. Written in the mutation's transaction.
 */
export const caseIdempotencyKeys = pgTable(
  'case_idempotency_keys',
  {
    callerUserId: text('caller_user_id').notNull(),
    key: varchar('key', { length: 100 }).notNull(),
    action: caseAction('action').notNull(),
    /** SHA-256 of the action and its input, without the key. */
    requestHash: varchar('request_hash', { length: 64 }).notNull(),
    /** The case and event the first use made; set before its transaction commits, so never seen empty. */
    caseId: varchar('case_id', { length: 21 }),
    eventSequence: bigint('event_sequence', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.callerUserId, t.key] })],
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
    kind: caseRecordKind('kind').notNull().default('MEDIATION_SESSION'),
    heldOn: date('held_on', { mode: 'string' }).notNull(),
    /** The mediator who held a session; visits and evidence notes by a department's staff name none. */
    mediatorId: varchar('mediator_id', { length: 21 }).references(() => mediators.id),
    /** Who entered it through the hub (user id); null for records loaded from the committee's files. */
    recordedBy: text('recorded_by'),
    content: text('content').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.position] }),
    index('mediation_records_mediator_idx').on(t.mediatorId),
    check('mediation_records_session_mediator', sql`${t.kind} <> 'MEDIATION_SESSION' or ${t.mediatorId} is not null`),
  ],
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

/**
 * Cases loaded from a committee's legacy system (`npm run import -- mediation cases`), by the number the legacy
 * system gave them (原案件编号): the import inserts a case once and never again, so a file loaded twice changes
 * nothing. `rowSha256` is the hash of the file's row as it was loaded (parties by hub id, never the ID number): a
 * later file whose row for the same number differs is refused, because a loaded case changes only through the
 * case workflow.
 */
export const importedCases = pgTable(
  'imported_cases',
  {
    legacyNumber: varchar('legacy_number', { length: 50 }).primaryKey(),
    caseId: varchar('case_id', { length: 21 })
      .notNull()
      .references(() => cases.id),
    rowSha256: varchar('row_sha256', { length: 64 }).notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('imported_cases_case_idx').on(t.caseId)],
);

/**
 * The units' parts of a case's dispatches (主办/协办): one row per unit and dispatch round. A new dispatch supersedes
 * the open parts of the round before, so the rows keep who was sent, who reported in, who finished and who handed
 * the case back (退单), for the timeline and the units' figures.
 */
export const caseParts = pgTable(
  'case_parts',
  {
    caseId: varchar('case_id', { length: 21 })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    round: integer('round').notNull(),
    unitCode: varchar('unit_code', { length: 40 }).notNull(),
    role: casePartRole('role').notNull(),
    status: casePartStatus('status').notNull(),
    /** The unit's own deadline (办理期限), within the directory's limit for it. */
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true }).notNull(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    /** When the part ended: finished, handed back, closed out by the centre or superseded by a new dispatch. */
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /** Instructions of the dispatch for this unit. */
    note: text('note'),
    /** Why it was handed back or closed out. */
    endReason: handBackReason('end_reason'),
    /** What the unit reported when it finished, or the centre's or unit's words when it ended otherwise. */
    endNote: text('end_note'),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.round, t.unitCode] }),
    index('case_parts_unit_idx').on(t.unitCode, t.status, t.caseId),
    check('case_parts_ended', sql`(${t.status} in ('DISPATCHED', 'ACKNOWLEDGED')) = (${t.endedAt} is null)`),
  ],
);

/** Extensions of a mediation's time limit with the parties' consent (延长调解期限): new date, who agreed, why. */
export const caseTimeLimitExtensions = pgTable(
  'case_time_limit_extensions',
  {
    caseId: varchar('case_id', { length: 21 })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    position: smallint('position').notNull(),
    previousDueOn: date('previous_due_on', { mode: 'string' }).notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    /** The parties who agreed, by their position in the case's intake record (never a name or ID number). */
    consentingParties: jsonb('consenting_parties').$type<number[]>().notNull(),
    reason: text('reason').notNull(),
    extendedAt: timestamp('extended_at', { withTimezone: true }).notNull(),
    extendedBy: text('extended_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.position] })],
);

export type CasePartRow = typeof caseParts.$inferSelect;
export type CaseTimeLimitExtensionRow = typeof caseTimeLimitExtensions.$inferSelect;

export type MediationCommitteeRow = typeof mediationCommittees.$inferSelect;
export type MediatorRow = typeof mediators.$inferSelect;
export type CaseRow = typeof cases.$inferSelect;
export type CasePartyRow = typeof caseParties.$inferSelect;
export type MediationRecordRow = typeof mediationRecords.$inferSelect;
export type AgreementRow = typeof agreements.$inferSelect;
export type FollowUpRow = typeof followUps.$inferSelect;
export type CaseEventRow = typeof caseEvents.$inferSelect;
