import { byPlaceLevel, countsByParent, countsByPlace, gridScopeWhere, keyBatch, lazyLoaders, pageByParent, rowByKey, rowsByKey, RequestLoader, type RowScope } from '@hub/core';
import { and, inArray, sql } from 'drizzle-orm';
import type { Db } from './db/index.ts';
import { activityAttendance, partyActivities, partyMembers, partyOrganizations, partyReportIns, pointsEntries, postClaims, volunteers } from './db/schema.ts';
import type { PartyActivityKind, PartyMemberStatus, ReportInKind } from './__generated__/resolvers-types.ts';

/**
 * The request's loaders. Built per request, so nothing cached outlives the request that read it. Members outside the
 * caller's row scope (a grid worker's grids; a member with no grid is outside it) are filtered in the same
 * statements: they load as null, lists and counts leave them out, and so does their attendance at activities.
 * Party organizations and activities are not personal records and are not scoped.
 */
export function createLoaders(db: Db, scope: RowScope = { allGrids: true }) {
  const memberScope = gridScopeWhere(scope, partyMembers.gridCode);
  // Report-ins are scoped by the grid the member lives in, like members by the grid their branch serves.
  const reportInScope = gridScopeWhere(scope, partyReportIns.gridCode);
  const volunteerScope = gridScopeWhere(scope, volunteers.gridCode);
  const claimScope = gridScopeWhere(scope, postClaims.gridCode);
  const attendanceScope =
    memberScope && inArray(activityAttendance.residentId, db.select({ id: partyMembers.residentId }).from(partyMembers).where(memberScope));
  const pointsOf = keyBatch(db, 'party.pointsByResident', undefined, (keysIn) =>
    db
      .select({
        residentId: pointsEntries.residentId,
        balance: sql<number>`sum(${pointsEntries.points})::int`,
        entries: sql<number>`count(*)::int`,
      })
      .from(pointsEntries)
      .where(keysIn(pointsEntries.residentId))
      .groupBy(pointsEntries.residentId),
  );
  return lazyLoaders({
    organizationById: () => rowByKey(db, partyOrganizations, partyOrganizations.id, (r) => r.id),
    organizationsByParent: () => rowsByKey(db, partyOrganizations, partyOrganizations.parentId, partyOrganizations.id, (r) => r.parentId!),
    organizationsByGrid: () => rowsByKey(db, partyOrganizations, partyOrganizations.servesGridCode, partyOrganizations.id, (r) => r.servesGridCode!),
    memberByResidentId: () => rowByKey(db, partyMembers, partyMembers.residentId, (r) => r.residentId, memberScope),
    activityById: () => rowByKey(db, partyActivities, partyActivities.id, (r) => r.id),

    memberPageByOrganization: () => pageByParent<typeof partyMembers, null>({
      db,
      table: partyMembers,
      parentColumn: partyMembers.organizationId,
      orderColumn: partyMembers.residentId,
      parentOf: (r) => r.organizationId,
      where: () => memberScope,
    }),
    memberCountsByOrganization: () => countsByParent<PartyMemberStatus>({
      db,
      table: partyMembers,
      parentColumn: partyMembers.organizationId,
      groupColumn: partyMembers.status,
      where: memberScope,
    }),
    memberPageByGrid: () => pageByParent<typeof partyMembers, null>({
      db,
      table: partyMembers,
      parentColumn: partyMembers.gridCode,
      orderColumn: partyMembers.residentId,
      parentOf: (r) => r.gridCode!,
      where: () => memberScope,
    }),
    memberCountsByGrid: () => countsByParent<PartyMemberStatus>({
      db,
      table: partyMembers,
      parentColumn: partyMembers.gridCode,
      groupColumn: partyMembers.status,
      where: memberScope,
    }),
    /** The same counts for communities, streets and the district: one statement per level, over their grids' code ranges. */
    memberCountsByPlace: () => byPlaceLevel((level) =>
      countsByPlace<PartyMemberStatus>({
        db,
        level,
        table: partyMembers,
        gridColumn: partyMembers.gridCode,
        groupColumn: partyMembers.status,
        where: memberScope,
      }),
    ),
    /** Members of each organization and of every organization under it: one recursive statement per batch. */
    memberCountUnder: () => new RequestLoader<string, number>(async (ids) => {
      const tree = sql`with recursive tree(root, id) as (
          select ${partyOrganizations.id}, ${partyOrganizations.id} from ${partyOrganizations}
          where ${inArray(partyOrganizations.id, [...ids])}
          union all
          select tree.root, ${partyOrganizations.id} from ${partyOrganizations}
          join tree on ${partyOrganizations.parentId} = tree.id
        )
        select tree.root as root, count(*)::int as n from tree
        join ${partyMembers} on ${partyMembers.organizationId} = tree.id
        ${memberScope ? sql`where ${memberScope}` : sql``}
        group by tree.root`;
      const { rows } = await db.execute<{ root: string; n: number }>(tree);
      const byId = new Map(rows.map((r) => [r.root, r.n]));
      return ids.map((id) => byId.get(id) ?? 0);
    }),

    volunteerByResidentId: () => rowByKey(db, volunteers, volunteers.residentId, (r) => r.residentId, volunteerScope),
    volunteerPageByGrid: () => pageByParent<typeof volunteers, null>({
      db,
      table: volunteers,
      parentColumn: volunteers.gridCode,
      orderColumn: volunteers.id,
      parentOf: (r) => r.gridCode,
      where: () => volunteerScope,
    }),
    /** A grid's volunteers by role, and by party membership: two grouped statements per batch. */
    volunteerCountsByGrid: () => countsByParent<'VOLUNTEER' | 'MONITOR'>({ db, table: volunteers, parentColumn: volunteers.gridCode, groupColumn: volunteers.role, where: volunteerScope }),
    // Grouped by the boolean itself: its groups come back keyed "true" and "false".
    memberVolunteerCountsByGrid: () => countsByParent<'true' | 'false'>({ db, table: volunteers, parentColumn: volunteers.gridCode, groupColumn: volunteers.partyMember, where: volunteerScope }),
    postClaimsByResident: () => rowsByKey(db, postClaims, postClaims.residentId, postClaims.id, (r) => r.residentId, claimScope),
    reportInByResidentId: () => rowByKey(db, partyReportIns, partyReportIns.residentId, (r) => r.residentId, reportInScope),
    reportInPageByOrganization: () => pageByParent<typeof partyReportIns, null>({
      db,
      table: partyReportIns,
      parentColumn: partyReportIns.organizationId,
      orderColumn: partyReportIns.id,
      parentOf: (r) => r.organizationId,
      where: () => reportInScope,
    }),
    reportInCountsByOrganization: () => countsByParent<ReportInKind>({
      db,
      table: partyReportIns,
      parentColumn: partyReportIns.organizationId,
      groupColumn: partyReportIns.kind,
      where: reportInScope,
    }),
    reportInPageByGrid: () => pageByParent<typeof partyReportIns, null>({
      db,
      table: partyReportIns,
      parentColumn: partyReportIns.gridCode,
      orderColumn: partyReportIns.id,
      parentOf: (r) => r.gridCode,
      where: () => reportInScope,
    }),
    reportInCountsByGrid: () => countsByParent<ReportInKind>({
      db,
      table: partyReportIns,
      parentColumn: partyReportIns.gridCode,
      groupColumn: partyReportIns.kind,
      where: reportInScope,
    }),
    /** 双报到 members per community, street and district: one statement per level over their grids' code ranges. */
    reportInCountsByPlace: () => byPlaceLevel((level) =>
      countsByPlace<ReportInKind>({ db, level, table: partyReportIns, gridColumn: partyReportIns.gridCode, groupColumn: partyReportIns.kind, where: reportInScope }),
    ),

    activityPageByOrganization: () => pageByParent<typeof partyActivities, null>({
      db,
      table: partyActivities,
      parentColumn: partyActivities.organizationId,
      orderColumn: partyActivities.id,
      parentOf: (r) => r.organizationId,
    }),
    activityCountsByOrganization: () => countsByParent<PartyActivityKind>({
      db,
      table: partyActivities,
      parentColumn: partyActivities.organizationId,
      groupColumn: partyActivities.kind,
    }),
    attendancePageByActivity: () => pageByParent<typeof activityAttendance, null>({
      db,
      table: activityAttendance,
      parentColumn: activityAttendance.activityId,
      orderColumn: activityAttendance.id,
      parentOf: (r) => r.activityId,
      where: () => attendanceScope,
    }),
    attendancePageByResident: () => pageByParent<typeof activityAttendance, null>({
      db,
      table: activityAttendance,
      parentColumn: activityAttendance.residentId,
      orderColumn: activityAttendance.id,
      parentOf: (r) => r.residentId,
    }),
    // Attendance has nothing to break down by: grouping by the parent itself gives one count per parent.
    attendanceCountsByActivity: () => countsByParent<string>({
      db,
      table: activityAttendance,
      parentColumn: activityAttendance.activityId,
      groupColumn: activityAttendance.activityId,
      where: attendanceScope,
    }),
    attendanceCountsByResident: () => countsByParent<string>({
      db,
      table: activityAttendance,
      parentColumn: activityAttendance.residentId,
      groupColumn: activityAttendance.residentId,
    }),

    pointsPageByResident: () => pageByParent<typeof pointsEntries, null>({
      db,
      table: pointsEntries,
      parentColumn: pointsEntries.residentId,
      orderColumn: pointsEntries.id,
      parentOf: (r) => r.residentId,
    }),
    /** Each member's points balance (the sum of the ledger) and number of entries: one grouped statement per batch. */
    pointsByResident: () => new RequestLoader<string, { balance: number; entries: number }>(async (residentIds) => {
      const rows = await pointsOf(residentIds);
      const byId = new Map(rows.map((r) => [r.residentId, r]));
      return residentIds.map((id) => byId.get(id) ?? { balance: 0, entries: 0 });
    }),
  });
}

export type Loaders = ReturnType<typeof createLoaders>;
