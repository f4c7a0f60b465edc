import { boolean, date, index, integer, numeric, pgEnum, pgTable, text, varchar } from 'drizzle-orm/pg-core';

export { demoSeed, importRuns } from '@hub/core/db-meta';

export const partyOrganizationLevel = pgEnum('party_organization_level', ['COMMITTEE', 'GENERAL_BRANCH', 'BRANCH']);
export const partyMemberStatus = pgEnum('party_member_status', ['EMPLOYED', 'FLOATING', 'RETIRED']);
export const partyActivityKind = pgEnum('party_activity_kind', [
  'BRANCH_ASSEMBLY', 'COMMITTEE_MEETING', 'GROUP_MEETING', 'PARTY_LESSON', 'VOLUNTEER_SERVICE', 'THEME_PARTY_DAY',
]);
export const reportInKind = pgEnum('report_in_kind', ['IN_SERVICE', 'FLOATING']);
export const volunteerRole = pgEnum('volunteer_role', ['VOLUNTEER', 'MONITOR']);
export const placementReview = pgEnum('member_placement_review', ['WORK_UNIT_UNKNOWN', 'ORIGIN_UNKNOWN']);

/**
 * Party organizations (党组织), keyed by their id in the organization directory. The name is the party
 * department's own copy: it does not read the directory civil affairs keeps.
 */
export const partyOrganizations = pgTable(
  'party_organizations',
  {
    id: varchar('id', { length: 17 }).primaryKey(),
    name: text('name').notNull(),
    level: partyOrganizationLevel('level').notNull(),
    /** No foreign key: the tree is written as the district is walked, and a parent may come after its children. */
    parentId: varchar('parent_id', { length: 17 }),
    servesCommunityCode: varchar('serves_community_code', { length: 12 }).notNull(),
    servesGridCode: varchar('serves_grid_code', { length: 15 }),
    secretaryId: varchar('secretary_id', { length: 32 }),
    foundedOn: date('founded_on', { mode: 'string' }).notNull(),
  },
  (t) => [
    index('party_organizations_parent_idx').on(t.parentId, t.id),
    index('party_organizations_grid_idx').on(t.servesGridCode, t.id),
  ],
);

/**
 * Party members (党员), one membership per resident, keyed by hub id. `gridCode` is the grid the member's branch
 * serves, kept on the member so a grid's members page by one index.
 */
export const partyMembers = pgTable(
  'party_members',
  {
    residentId: varchar('resident_id', { length: 32 }).primaryKey(),
    memberNumber: varchar('member_number', { length: 20 }).notNull().unique(),
    organizationId: varchar('organization_id', { length: 17 }).notNull(),
    gridCode: varchar('grid_code', { length: 15 }),
    status: partyMemberStatus('status').notNull(),
    joinedOn: date('joined_on', { mode: 'string' }).notNull(),
    fullMemberOn: date('full_member_on', { mode: 'string' }),
    /**
     * Set on an in-service or floating member kept in a residential branch: their membership belongs with the work
     * unit's (or the origin's) organization, which the register does not know, so the placement awaits review
     * rather than being guessed (migration 0004 marks those an older database had there).
     */
    placementReview: placementReview('placement_review'),
  },
  (t) => [
    index('party_members_organization_idx').on(t.organizationId, t.residentId),
    index('party_members_grid_idx').on(t.gridCode, t.residentId),
    // A grid's members counted by status (a page's totalCount) from this index alone: through the one above, every
    // member's row was read for its status, a page of the table per member once the district outgrows the cache.
    index('party_members_grid_status_idx').on(t.gridCode, t.status),
  ],
);

/**
 * Memberships moved out of the residential branches (组织关系转出) by migration 0004: in-service and floating members
 * an older database kept in a branch while their report-in names the organization that keeps them. The branch row
 * goes, as the model has it; what it said is kept here.
 */
export const membershipTransfers = pgTable('membership_transfers', {
  memberNumber: varchar('member_number', { length: 20 }).primaryKey(),
  residentId: varchar('resident_id', { length: 32 }).notNull(),
  fromOrganizationId: varchar('from_organization_id', { length: 17 }).notNull(),
  toOrganization: text('to_organization').notNull(),
  status: partyMemberStatus('status').notNull(),
  joinedOn: date('joined_on', { mode: 'string' }).notNull(),
  fullMemberOn: date('full_member_on', { mode: 'string' }),
  transferredOn: date('transferred_on', { mode: 'string' }).notNull(),
});

/** Organizational life (组织生活): "three meetings and one lesson" and volunteer service. */
export const partyActivities = pgTable(
  'party_activities',
  {
    id: varchar('id', { length: 24 }).primaryKey(),
    organizationId: varchar('organization_id', { length: 17 }).notNull(),
    kind: partyActivityKind('kind').notNull(),
    heldOn: date('held_on', { mode: 'string' }).notNull(),
    title: text('title').notNull(),
  },
  (t) => [index('party_activities_organization_idx').on(t.organizationId, t.id)],
);

/**
 * Who attended which activity. `id` is the activity id followed by the hub id: unique, and within one activity
 * (or one member) it orders like the other half, so both lists page by it.
 */
export const activityAttendance = pgTable(
  'activity_attendance',
  {
    id: varchar('id', { length: 56 }).primaryKey(),
    activityId: varchar('activity_id', { length: 24 })
      .notNull()
      .references(() => partyActivities.id, { onDelete: 'cascade' }),
    residentId: varchar('resident_id', { length: 32 }).notNull(),
  },
  (t) => [
    index('activity_attendance_activity_idx').on(t.activityId, t.id),
    index('activity_attendance_resident_idx').on(t.residentId, t.id),
  ],
);

/** The service points ledger (积分): a member's balance is the sum of their entries. */
export const pointsEntries = pgTable(
  'points_entries',
  {
    id: varchar('id', { length: 24 }).primaryKey(),
    residentId: varchar('resident_id', { length: 32 }).notNull(),
    activityId: varchar('activity_id', { length: 24 }),
    points: integer('points').notNull(),
    reason: text('reason').notNull(),
    awardedOn: date('awarded_on', { mode: 'string' }).notNull(),
  },
  (t) => [
    // The ledger pages by id within a member; the balance sums a member's entries (the index covers both).
    index('points_entries_resident_idx').on(t.residentId, t.id, t.points),
  ],
);

/**
 * Members reporting in to the community they live in (报到登记): in-service members (在职党员 双报到), whose work
 * unit's organization keeps their membership, and floating members (流动党员), whose origin's does. Both are recorded
 * here, where they live, with the date; their membership stays in `membership_organization`, outside this tree, so
 * they are not members of a residential branch.
 */
export const partyReportIns = pgTable(
  'party_report_ins',
  {
    id: varchar('id', { length: 21 }).primaryKey(),
    residentId: varchar('resident_id', { length: 32 }).notNull().unique(),
    kind: reportInKind('kind').notNull(),
    /** The community's committee or general branch reported to. */
    organizationId: varchar('organization_id', { length: 17 }).notNull(),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    membershipOrganization: text('membership_organization').notNull(),
    workUnit: text('work_unit'),
    joinedOn: date('joined_on', { mode: 'string' }).notNull(),
    reportedOn: date('reported_on', { mode: 'string' }).notNull(),
  },
  (t) => [index('party_report_ins_organization_idx').on(t.organizationId, t.id), index('party_report_ins_grid_idx').on(t.gridCode, t.id)],
);

/**
 * The community's volunteer register (志愿者登记), kept by the party department with the community's party
 * organization that runs the teams: party members and others, and the 民情监督员 (monitors). One entry a person.
 */
export const volunteers = pgTable(
  'volunteers',
  {
    id: varchar('id', { length: 21 }).primaryKey(),
    residentId: varchar('resident_id', { length: 32 }).notNull().unique(),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    team: text('team').notNull(),
    role: volunteerRole('role').notNull(),
    partyMember: boolean('party_member').notNull(),
    serviceHours: numeric('service_hours', { precision: 7, scale: 1, mode: 'number' }).notNull(),
    registeredOn: date('registered_on', { mode: 'string' }).notNull(),
  },
  (t) => [index('volunteers_grid_idx').on(t.gridCode, t.id)],
);

/** Posts members claim in their community (岗位认领), with the community organization that set them. */
export const postClaims = pgTable(
  'post_claims',
  {
    id: varchar('id', { length: 21 }).primaryKey(),
    residentId: varchar('resident_id', { length: 32 }).notNull(),
    gridCode: varchar('grid_code', { length: 15 }).notNull(),
    organizationId: varchar('organization_id', { length: 17 }).notNull(),
    post: text('post').notNull(),
    claimedOn: date('claimed_on', { mode: 'string' }).notNull(),
  },
  (t) => [index('post_claims_resident_idx').on(t.residentId, t.id), index('post_claims_organization_idx').on(t.organizationId, t.id)],
);

export type PartyOrganizationRow = typeof partyOrganizations.$inferSelect;
export type PartyMemberRow = typeof partyMembers.$inferSelect;
export type PartyActivityRow = typeof partyActivities.$inferSelect;
export type ActivityAttendanceRow = typeof activityAttendance.$inferSelect;
export type PointsEntryRow = typeof pointsEntries.$inferSelect;
export type PartyReportInRow = typeof partyReportIns.$inferSelect;
export type VolunteerRow = typeof volunteers.$inferSelect;
export type PostClaimRow = typeof postClaims.$inferSelect;
