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
  'HOTLINE_12345',
]);
/** How serious a dispute is (一般/较大/重大), as the centre assesses it (研判). */
export const caseSeverity = pgEnum('case_severity', ['GENERAL', 'SIGNIFICANT', 'MAJOR']);
export const caseStatus = pgEnum('case_status', [
  'REPORTED',
  'ACCEPTED',
  'REJECTED',
  'DISPATCHED',
  'IN_PROGRESS',
  'RESOLVED',
  'CLOSED',
  'ESCALATED',
  // Lawful endings other than a resolution (人民调解法 arts. 23, 26): see src/workflow/endings.ts.
  'TERMINATED',
  'WITHDRAWN',
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
  // Lawful endings (src/workflow/endings.ts).
  'TERMINATE',
  'WITHDRAW',
  'RECORD_JUDICIAL_CONFIRMATION',
  'RECORD_PERFORMANCE',
  // Issued supervision (src/workflow/supervision.ts).
  'SUPERVISE',
  'REPLY_SUPERVISION',
  'NOTE_ACCOUNTABILITY',
  'ASSESS',
]);
/** The level that handles a case (办理层级): the community or village (村居), the street or town (镇街), the district (区). */
export const caseLevel = pgEnum('case_level', ['COMMUNITY', 'STREET', 'DISTRICT']);
/** A unit's part in a dispatch: the lead (主办) or a co-handler (协办). */
export const casePartRole = pgEnum('case_part_role', ['LEAD', 'CO_HANDLER']);
/** Where a unit's part stands. */
export const casePartStatus = pgEnum('case_part_status', ['DISPATCHED', 'ACKNOWLEDGED', 'FINISHED', 'HANDED_BACK', 'CLOSED_OUT', 'SUPERSEDED']);
/** Why a unit hands a case back (退单理由). */
export const handBackReason = pgEnum('hand_back_reason', ['WRONG_UNIT', 'OUTSIDE_POWERS', 'DUPLICATE', 'INSUFFICIENT_INFORMATION', 'OTHER']);
/** How satisfied the parties were at a follow-up visit (满意/基本满意/不满意). */
export const satisfactionLevel = pgEnum('satisfaction_level', ['SATISFIED', 'BASICALLY_SATISFIED', 'DISSATISFIED']);
/** How a follow-up visit reached the party (回访方式). */
export const followUpChannel = pgEnum('follow_up_channel', ['PHONE', 'HOME_VISIT', 'SMS', 'WECHAT', 'AT_CENTRE']);
/** Which way an evaluation goes in 双向评议: the centre of a unit, or a unit of the centre. */
export const evaluationDirection = pgEnum('evaluation_direction', ['CENTRE_OF_UNIT', 'UNIT_OF_CENTRE']);
/** What a supervision notice is (督办单): a pre-deadline warning (临期预警), a yellow or a red card. */
export const supervisionNoticeKind = pgEnum('supervision_notice_kind', ['WARNING', 'YELLOW', 'RED']);
/** Who issued it: the system's daily check, or the supervision office (督查室) by hand. */
export const supervisionIssuer = pgEnum('supervision_issuer', ['SYSTEM', 'SUPERVISION_OFFICE']);
export const caseRecordKind = pgEnum('case_record_kind', ['MEDIATION_SESSION', 'VISIT', 'EVIDENCE_NOTE']);
export const caseOutcome = pgEnum('case_outcome', [
  'AGREEMENT_REACHED',
  'MEDIATION_FAILED',
  'HANDLED_BY_DEPARTMENT',
  'ADMINISTRATIVE_MEDIATION',
  'PARTIES_WITHDREW',
  'PARTIES_REFUSED',
]);
/** The channels parties are told of when mediation fails (人民调解法 art. 26): arbitration, administrative, judicial. */
export const disputeChannel = pgEnum('dispute_channel', ['ARBITRATION', 'ADMINISTRATIVE', 'JUDICIAL']);
export const agreementForm = pgEnum('agreement_form', ['WRITTEN', 'ORAL']);
/** How far an agreement has been performed (履行情况, art. 31): pending until someone checks. */
export const agreementPerformance = pgEnum('agreement_performance', ['PENDING', 'PERFORMED', 'PARTLY_PERFORMED', 'NOT_PERFORMED']);
export const judicialRuling = pgEnum('judicial_ruling', ['CONFIRMED', 'REJECTED']);
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
    /** The channels the parties were told of when mediation was terminated (art. 26); null otherwise. */
    informedChannels: disputeChannel('informed_channels').array(),
    /** The 12345 hotline's ticket (接诉即办工单编号) of a case that came from it; unique. */
    hotlineTicket: varchar('hotline_ticket', { length: 32 }),
    severity: caseSeverity('severity').notNull().default('GENERAL'),
    /** Risk that the dispute turns into a crime (民转刑风险). */
    criminalRisk: boolean('criminal_risk').notNull().default(false),
    /** People involved in a group dispute (群体性纠纷, five or more); null for other disputes. */
    headCount: smallint('head_count'),
    /** The leader who takes the case in charge (包案领导): name and post; null until one does. */
    leaderName: text('leader_name'),
    leaderPost: text('leader_post'),
    /** The party that withdrew or refused mediation (art. 23); null otherwise. */
    withdrawnBy: casePartyRole('withdrawn_by'),
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
    uniqueIndex('cases_hotline_ticket_idx').on(t.hotlineTicket),
    index('cases_severity_idx').on(t.severity, t.id),
    index('cases_source_idx').on(t.source, t.id),
    check('cases_group_head_count', sql`${t.headCount} is null or ${t.headCount} >= 5`),
    check('cases_leader_whole', sql`(${t.leaderName} is null) = (${t.leaderPost} is null)`),
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
  outcome?: (typeof caseOutcome.enumValues)[number];
  /** Channels the parties were told of (TERMINATE). */
  channels?: (typeof disputeChannel.enumValues)[number][];
  /** The party that withdrew or refused (WITHDRAW). */
  withdrawnBy?: 'APPLICANT' | 'RESPONDENT';
  /** The performance found (RECORD_PERFORMANCE). */
  performance?: (typeof agreementPerformance.enumValues)[number];
  /** Judicial confirmation applied for, or the ruling (RECORD_JUDICIAL_CONFIRMATION). */
  judicialConfirmation?: 'APPLIED' | (typeof judicialRuling.enumValues)[number];
  /** The supervision notice issued, replied to or noted (SUPERVISE, REPLY_SUPERVISION, NOTE_ACCOUNTABILITY). */
  noticeId?: number;
  noticeKind?: (typeof supervisionNoticeKind.enumValues)[number];
  /** What an assessment found (ASSESS). */
  severity?: (typeof caseSeverity.enumValues)[number];
  criminalRisk?: boolean;
  headCount?: number | null;
  recordKind?: 'MEDIATION_SESSION' | 'VISIT' | 'EVIDENCE_NOTE';
  satisfied?: boolean;
  /** The level a follow-up visit found. */
  level?: (typeof satisfactionLevel.enumValues)[number];
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
    /**
     * A person without a citizen ID (overseas, unsettled): the key of their document as the public-security register
     * derives it (`documentKey`: type, nationality, number), the identity proof of the case file; `residentId` is its hub key.
     */
    documentKey: varchar('document_key', { length: 60 }),
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

/**
 * People's mediation agreements (人民调解协议, arts. 28-33), at most one per case: only a mediation committee's
 * resolution makes one. Written (协议书: facts, liabilities, terms, manner and time of performance) or oral (口头协议,
 * recorded by the mediator). Facts, liabilities and manner are null on agreements recorded before the hub kept them.
 */
export const agreements = pgTable(
  'agreements',
  {
    caseId: varchar('case_id', { length: 21 })
      .primaryKey()
      .references(() => cases.id, { onDelete: 'cascade' }),
    reachedOn: date('reached_on', { mode: 'string' }).notNull(),
    form: agreementForm('form').notNull().default('WRITTEN'),
    facts: text('facts'),
    liabilities: text('liabilities'),
    terms: text('terms').notNull(),
    performanceManner: text('performance_manner'),
    performBy: date('perform_by', { mode: 'string' }).notNull(),
    performance: agreementPerformance('performance').notNull().default('PENDING'),
    /** The last check of performance (履行回访): when, and what was found. */
    performanceCheckedOn: date('performance_checked_on', { mode: 'string' }),
    performanceNote: text('performance_note'),
    /** Judicial confirmation (司法确认, art. 33): applied for on, at which court; the ruling and its date. */
    confirmationAppliedOn: date('confirmation_applied_on', { mode: 'string' }),
    confirmationCourt: text('confirmation_court'),
    confirmationRuledOn: date('confirmation_ruled_on', { mode: 'string' }),
    confirmationRuling: judicialRuling('confirmation_ruling'),
  },
  (t) => [
    check('agreements_ruling_after_application', sql`${t.confirmationRuling} is null or ${t.confirmationAppliedOn} is not null`),
    check('agreements_oral_not_confirmed', sql`${t.form} = 'WRITTEN' or ${t.confirmationAppliedOn} is null`),
  ],
);

/** Follow-up visits (回访记录). */
export const followUps = pgTable(
  'follow_ups',
  {
    caseId: varchar('case_id', { length: 21 })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    position: smallint('position').notNull(),
    visitedOn: date('visited_on', { mode: 'string' }).notNull(),
    level: satisfactionLevel('level').notNull(),
    /** How the party was reached; null on visits recorded before the hub kept it. */
    channel: followUpChannel('channel'),
    /** The party asked, by its position among the case's parties; null on visits recorded before the hub kept it. */
    askedParty: smallint('asked_party'),
    /** Who made the visit (user id); null on visits recorded before the hub kept it. */
    visitedBy: text('visited_by'),
    note: text('note').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.position] })],
);

/**
 * 双向评议: the centre's evaluation of each unit it dispatches to and each unit's of the centre, per period (a month,
 * YYYY-MM); one per period, direction and unit.
 */
export const unitEvaluations = pgTable(
  'unit_evaluations',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    period: varchar('period', { length: 7 }).notNull(),
    direction: evaluationDirection('direction').notNull(),
    department: caseDepartment('department').notNull(),
    level: satisfactionLevel('level').notNull(),
    /** A score out of 100 (评分). */
    score: smallint('score').notNull(),
    comment: text('comment').notNull(),
    evaluatedBy: text('evaluated_by').notNull(),
    evaluatedAt: timestamp('evaluated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('unit_evaluations_period_direction_department_idx').on(t.period, t.direction, t.department),
    check('unit_evaluations_score', sql`${t.score} between 0 and 100`),
  ],
);

/**
 * Supervision notices (督办单) as issued records: to whom (the unit the case was with), why, for which time limit, by
 * the system or the supervision office; the unit's reply. One notice of a kind per case and time limit, so neither a
 * second replica of the job nor a retry issues it twice.
 */
export const supervisionNotices = pgTable(
  'supervision_notices',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    caseId: varchar('case_id', { length: 21 })
      .notNull()
      .references(() => cases.id),
    kind: supervisionNoticeKind('kind').notNull(),
    issuer: supervisionIssuer('issuer').notNull(),
    /** The supervision office's user who issued it; null for the system. */
    issuedBy: text('issued_by'),
    /** The unit it is addressed to: the lead unit of the case's dispatch (a code of the directory), or null for the centre itself. */
    unitCode: varchar('unit_code', { length: 40 }),
    /** The time limit it is about. */
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    reason: text('reason').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    replyText: text('reply_text'),
    repliedBy: text('replied_by'),
    repliedAt: timestamp('replied_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('supervision_notices_case_kind_due_idx').on(t.caseId, t.kind, t.dueOn),
    index('supervision_notices_unit_idx').on(t.unitCode, t.id),
    check('supervision_notices_reply_whole', sql`(${t.replyText} is null) = (${t.repliedAt} is null) and (${t.replyText} is null) = (${t.repliedBy} is null)`),
  ],
);

/** Accountability notes of the supervision office on a notice (问责记录), in the order written. */
export const supervisionAccountability = pgTable(
  'supervision_accountability',
  {
    noticeId: integer('notice_id')
      .notNull()
      .references(() => supervisionNotices.id),
    position: smallint('position').notNull(),
    note: text('note').notNull(),
    notedBy: text('noted_by').notNull(),
    notedAt: timestamp('noted_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.noticeId, t.position] })],
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
export type UnitEvaluationRow = typeof unitEvaluations.$inferSelect;
export type CaseEventRow = typeof caseEvents.$inferSelect;
export type SupervisionNoticeRow = typeof supervisionNotices.$inferSelect;
export type SupervisionAccountabilityRow = typeof supervisionAccountability.$inferSelect;
