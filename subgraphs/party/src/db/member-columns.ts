import { anyOf, columnFor, rowsOverGrids, type ColumnPageKind, type ColumnPageRequest, type RowScope } from '@hub/core';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from './index.ts';
import { partyMembers, partyOrganizations, pointsEntries } from './schema.ts';

/** Members are keyed by hub id, as residents. */
export const PARTY_MEMBER_COLUMNS: ColumnPageKind = { name: 'party-member-columns', cursorKey: /^\d{15}:[0-9a-f]{32}$/ };

/** A page of party members as columns: what `PartyMemberColumns` answers (the party's part). */
export interface PartyMemberColumnsPage {
  page: string;
  residentIds: string[];
  gridCodes: string[];
  statuses: string[];
  joinedOns: string[];
  fullMemberOns: (string | null)[];
  points: number[];
  branchIds: string[];
  branchNames: string[];
  branchLevels: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const COLUMNS = {
  id: partyMembers.residentId,
  gridCode: partyMembers.gridCode,
  organizationId: partyMembers.organizationId,
  status: partyMembers.status,
  joinedOn: partyMembers.joinedOn,
  fullMemberOn: partyMembers.fullMemberOn,
};

/** The members of the branches serving one grid after a hub id, in hub-id order: a range of `party_members_grid_idx`. */
function membersOfGrid(db: Db, gridCode: string, afterId: string | null, limit: number) {
  return db
    .select(COLUMNS)
    .from(partyMembers)
    .where(and(eq(partyMembers.gridCode, gridCode), afterId === null ? undefined : gt(partyMembers.residentId, afterId)))
    .orderBy(asc(partyMembers.residentId))
    .limit(limit);
}

/**
 * The members of some grids' branches after a (grid code, hub id) position, as columns, with their branch and points
 * balance: the grids' ranges, then one statement for the page's branches and one for its points. The same members,
 * order and values as each grid's `partyMembers` connection gives them.
 */
export async function partyMemberColumnsPage(db: Db, scope: RowScope, request: ColumnPageRequest): Promise<PartyMemberColumnsPage> {
  const { rows, hasNextPage, endCursor } = await rowsOverGrids(
    request,
    scope,
    (gridCode, afterId, limit) => membersOfGrid(db, gridCode, afterId, limit),
    (r) => ({ gridCode: r.gridCode as string, id: r.id }),
    PARTY_MEMBER_COLUMNS,
  );
  const ids = rows.map((r) => r.id);
  const branchIds = [...new Set(rows.map((r) => r.organizationId))];
  const [branches, balances] = await Promise.all([
    branchIds.length === 0
      ? []
      : db.select({ id: partyOrganizations.id, name: partyOrganizations.name, level: partyOrganizations.level }).from(partyOrganizations).where(inArray(partyOrganizations.id, branchIds)),
    ids.length === 0
      ? []
      : db
          .select({ residentId: pointsEntries.residentId, balance: sql<number>`sum(${pointsEntries.points})::int` })
          .from(pointsEntries)
          .where(anyOf(pointsEntries.residentId, ids))
          .groupBy(pointsEntries.residentId),
  ]);
  const branchOf = new Map(branches.map((b) => [b.id, b]));
  const branch = (id: string) => {
    const found = branchOf.get(id);
    // A member's branch is a foreign key: a missing one is a broken database, not a row to guess.
    if (!found) throw new Error(`the branch ${id} of a party member is missing`);
    return found;
  };
  return {
    page: request.page,
    residentIds: ids,
    gridCodes: rows.map((r) => r.gridCode as string),
    statuses: rows.map((r) => r.status),
    joinedOns: rows.map((r) => r.joinedOn),
    fullMemberOns: rows.map((r) => r.fullMemberOn),
    points: columnFor<(typeof balances)[number], number>(ids, balances, (b) => b.residentId, (_, b) => b.balance, () => 0),
    branchIds: rows.map((r) => r.organizationId),
    branchNames: rows.map((r) => branch(r.organizationId).name),
    branchLevels: rows.map((r) => branch(r.organizationId).level),
    hasNextPage,
    endCursor,
  };
}
