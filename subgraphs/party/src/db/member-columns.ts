import { columnFor, columnPageOfRows, gridRangeRows, gridScopeWhere, rowsOfKeys, type ColumnPageKind, type ColumnPageRequest, type GridRangeReader, type RowScope } from '@hub/core';
import { sql } from 'drizzle-orm';
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

type MemberRow = { id: string; gridCode: string; organizationId: string; status: string; joinedOn: string; fullMemberOn: string | null };

/**
 * The members of the branches serving some grids after a (grid code, hub id) position, in that order: one range of
 * `party_members_grid_idx` per page. A member read for a grid of the page has that grid, never none.
 */
function membersOfGrids(db: Db, scope: RowScope): GridRangeReader<MemberRow> {
  return gridRangeRows(db, partyMembers, { grid: partyMembers.gridCode, id: partyMembers.residentId }, gridScopeWhere(scope, partyMembers.gridCode), COLUMNS) as GridRangeReader<MemberRow>;
}

/**
 * The members of some grids' branches after a (grid code, hub id) position, as columns, with their branch and points
 * balance: the grids' ranges, then one statement for the page's branches and one for its points. The same members,
 * order and values as each grid's `partyMembers` connection gives them.
 */
export function partyMemberColumnsPage(db: Db, scope: RowScope, request: ColumnPageRequest): Promise<PartyMemberColumnsPage> {
  return columnPageOfRows(request, scope, PARTY_MEMBER_COLUMNS, membersOfGrids(db, scope), (rows) => columnsOfMembers(db, rows));
}

/**
 * A page's members as columns, with their branch and points balance: one statement for the branches, one for the
 * points, each named and reading the page's keys through an InitPlan (`rowsOfKeys`). The points' `= any($1)` of the
 * page's 5,000 ids was planned afresh for every page (the departments' `force_custom_plan`), the planner weighing
 * the array id by id, and both statements were built by drizzle per page.
 */
async function columnsOfMembers(db: Db, rows: MemberRow[]): Promise<Omit<PartyMemberColumnsPage, 'page' | 'hasNextPage' | 'endCursor'>> {
  const ids = rows.map((r) => r.id);
  const branchIds = [...new Set(rows.map((r) => r.organizationId))];
  const [branches, balances] = await Promise.all([
    rowsOfKeys(db, 'member-columns-branches', branchIds, undefined, (among) =>
      db.select({ id: partyOrganizations.id, name: partyOrganizations.name, level: partyOrganizations.level }).from(partyOrganizations).where(among(partyOrganizations.id)),
    ),
    rowsOfKeys(db, 'member-columns-points', ids, undefined, (among) =>
      db
        .select({ residentId: pointsEntries.residentId, balance: sql<number>`sum(${pointsEntries.points})::int` })
        .from(pointsEntries)
        .where(among(pointsEntries.residentId))
        .groupBy(pointsEntries.residentId),
    ),
  ]);
  const branchOf = new Map(branches.map((b) => [b.id, b]));
  const branch = (id: string) => {
    const found = branchOf.get(id);
    // A member's branch is a foreign key: a missing one is a broken database, not a row to guess.
    if (!found) throw new Error(`the branch ${id} of a party member is missing`);
    return found;
  };
  return {
    residentIds: ids,
    gridCodes: rows.map((r) => r.gridCode),
    statuses: rows.map((r) => r.status),
    joinedOns: rows.map((r) => r.joinedOn),
    fullMemberOns: rows.map((r) => r.fullMemberOn),
    points: columnFor<(typeof balances)[number], number>(ids, balances, (b) => b.residentId, (_, b) => b.balance, () => 0),
    branchIds: rows.map((r) => r.organizationId),
    branchNames: rows.map((r) => branch(r.organizationId).name),
    branchLevels: rows.map((r) => branch(r.organizationId).level),
  };
}
