import { pageRequest, RESIDENT_KEY, toConnection, type Connection } from '@hub/core';
import type { ActivityAttendanceRow, PartyActivityRow, PartyMemberRow } from '../db/schema.ts';
import type { PartyContext } from '../context.ts';
import { ATTENDANCE_ID, required } from './ids.ts';

type PageArgs = { first?: number | null; after?: string | null };

/** A page of members under one parent (an organization, a grid), with the parent's total. */
export async function memberPage(
  kind: string,
  args: PageArgs,
  load: (page: { first: number; after: string | null }) => Promise<[PartyMemberRow[], number]>,
): Promise<Connection<PartyMemberRow> & { totalCount: number }> {
  const page = pageRequest(kind, args, RESIDENT_KEY);
  const [rows, totalCount] = await load(page);
  return { ...toConnection(kind, rows, page, (r) => r.residentId), totalCount };
}

/**
 * A page of attendance turned into a page of what it links (the activities of a member, the members at an
 * activity). Cursors stay on the attendance key; the linked rows come through one batched load.
 */
export async function attendancePage<T>(
  kind: string,
  args: PageArgs,
  load: (page: { first: number; after: string | null }) => Promise<[ActivityAttendanceRow[], number]>,
  linked: (row: ActivityAttendanceRow) => Promise<T | null>,
  what: string,
): Promise<Connection<T> & { totalCount: number }> {
  const page = pageRequest(kind, args, ATTENDANCE_ID);
  const [rows, totalCount] = await load(page);
  const connection = toConnection(kind, rows, page, (r) => r.id);
  const nodes = await Promise.all(connection.edges.map((e) => linked(e.node)));
  return {
    edges: connection.edges.map((e, i) => ({ cursor: e.cursor, node: required(nodes[i] ?? null, what) })),
    pageInfo: connection.pageInfo,
    totalCount,
  };
}

export const activityOf = ({ loaders }: PartyContext) => (r: ActivityAttendanceRow): Promise<PartyActivityRow | null> =>
  loaders.activityById.load(r.activityId);
export const memberOf = ({ loaders }: PartyContext) => (r: ActivityAttendanceRow): Promise<PartyMemberRow | null> =>
  loaders.memberByResidentId.load(r.residentId);
