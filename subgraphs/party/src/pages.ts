import { mustExist, pageWithTotal, RESIDENT_KEY, type Connection, type PageArgs, type PageRequest } from '@hub/core';
import type { ActivityAttendanceRow, PartyActivityRow, PartyMemberRow, PartyReportInRow } from './db/schema.ts';
import type { PartyContext } from './context.ts';
import { ATTENDANCE_ID, REPORT_IN_ID } from './keys.ts';

/** A page of members under one parent (an organization, a grid), with the parent's total. */
export const memberPage = (kind: string, args: PageArgs, load: (page: PageRequest) => Promise<[PartyMemberRow[], number]>) =>
  pageWithTotal({ kind, keyPattern: RESIDENT_KEY, keyOf: (r) => r.residentId }, args, load);

/** A page of report-ins under one parent (an organization, a grid), with the parent's total. */
export const reportInPage = (kind: string, args: PageArgs, load: (page: PageRequest) => Promise<[PartyReportInRow[], number]>) =>
  pageWithTotal({ kind, keyPattern: REPORT_IN_ID, keyOf: (r) => r.id }, args, load);

/**
 * A page of attendance turned into a page of what it links (the activities of a member, the members at an
 * activity). Cursors stay on the attendance key; the linked rows come through one batched load.
 */
export async function attendancePage<T>(
  kind: string,
  args: PageArgs,
  load: (page: PageRequest) => Promise<[ActivityAttendanceRow[], number]>,
  linked: (row: ActivityAttendanceRow) => Promise<T | null>,
  what: string,
): Promise<Connection<T> & { totalCount: number }> {
  const connection = await pageWithTotal({ kind, keyPattern: ATTENDANCE_ID, keyOf: (r) => r.id }, args, load);
  const nodes = await Promise.all(connection.edges.map((e) => linked(e.node)));
  return {
    edges: connection.edges.map((e, i) => ({ cursor: e.cursor, node: mustExist(nodes[i], what) })),
    pageInfo: connection.pageInfo,
    totalCount: connection.totalCount,
  };
}

export const activityOf = ({ loaders }: PartyContext) => (r: ActivityAttendanceRow): Promise<PartyActivityRow | null> =>
  loaders.activityById.load(r.activityId);
export const memberOf = ({ loaders }: PartyContext) => (r: ActivityAttendanceRow): Promise<PartyMemberRow | null> =>
  loaders.memberByResidentId.load(r.residentId);
