import { DEMO_HUB_SECRET, encodeCursor, residentKey } from '@hub/core';
import { errorCodes, type GraphQLResponse, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import {
  generateDemoWorld,
  type DemoGridContents,
  type DemoPartyActivity,
  type DemoPartyMember,
  type DemoPartyOrganization,
  type DemoPointsEntry,
} from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { count } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { activityAttendance, partyActivities, partyMembers, partyOrganizations, pointsEntries } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';


const grids: DemoGridContents[] = [...generateDemoWorld(TEST_DEMO).gridContents()];
const organizations: DemoPartyOrganization[] = grids.flatMap((g) => g.party.organizations);
const members: DemoPartyMember[] = grids.flatMap((g) => g.party.members);
const activities: DemoPartyActivity[] = grids.flatMap((g) => g.party.activities);
const ledger: DemoPointsEntry[] = grids.flatMap((g) => g.party.points);
const directoryName = new Map(grids.flatMap((g) => g.organizations.map((o) => [o.id, o.name] as const)));
const organizationById = new Map(organizations.map((o) => [o.organizationId, o]));
const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);
const byId = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

const pointsOf = (m: DemoPartyMember) => ledger.filter((p) => p.memberIdNumber === m.idNumber).reduce((s, p) => s + p.points, 0);
const membersOfGrid = (code: string) =>
  members.filter((m) => organizationById.get(m.organizationId)?.servesGridCode === code).sort(byId((m) => idOf(m.idNumber)));
const membersUnder = (id: string): number =>
  members.filter((m) => m.organizationId === id).length +
  organizations.filter((o) => o.parentId === id).reduce((s, o) => s + membersUnder(o.organizationId), 0);

const harness = serveSubgraphForTests(subgraph);

const gql = async <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
  harness.gql<T>(query, variables);

interface Page<T> {
  totalCount: number;
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const MEMBER_FIELDS = /* GraphQL */ `
  resident { id } memberNumber status joinedOn fullMemberOn probationary points
  branch { id name level servesGrid { code } }
`;

const GRID_MEMBERS = /* GraphQL */ `
  query ($reps: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $reps) {
      ... on Grid {
        code
        partyOrganizations { id name level }
        partyMembers(first: $first, after: $after) {
          totalCount
          edges { cursor node { ${MEMBER_FIELDS} } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`;

const memberAnswer = (m: DemoPartyMember) => {
  const branch = organizationById.get(m.organizationId)!;
  return {
    resident: { id: idOf(m.idNumber) },
    memberNumber: m.memberNumber,
    status: m.status,
    joinedOn: m.joinedOn,
    fullMemberOn: m.fullMemberOn,
    probationary: m.fullMemberOn === null,
    points: pointsOf(m),
    branch: {
      id: branch.organizationId,
      name: directoryName.get(branch.organizationId),
      level: branch.level,
      servesGrid: branch.servesGridCode === null ? null : { code: branch.servesGridCode },
    },
  };
};

describe('the demo world', () => {
  it('has party records to test against', () => {
    expect(organizations.some((o) => o.level === 'COMMITTEE')).toBe(true);
    expect(organizations.some((o) => o.level === 'GENERAL_BRANCH')).toBe(true);
    expect(organizations.some((o) => o.level === 'BRANCH')).toBe(true);
    expect(members.length).toBeGreaterThan(20);
    expect(activities.length).toBeGreaterThan(0);
    expect(ledger.length).toBeGreaterThan(0);
  });
});

describe('the party register', () => {
  it('holds every generated organization, member, activity, attendance and points entry', async () => {
    const countOf = async (table: PgTable) => {
      const [row] = await harness.database.db.select({ n: count() }).from(table);
      return row?.n;
    };
    expect(await countOf(partyOrganizations)).toBe(organizations.length);
    expect(await countOf(partyMembers)).toBe(members.length);
    expect(await countOf(partyActivities)).toBe(activities.length);
    expect(await countOf(activityAttendance)).toBe(activities.reduce((s, a) => s + a.attendeeIdNumbers.length, 0));
    expect(await countOf(pointsEntries)).toBe(ledger.length);
  });
});

describe("a grid's party members", () => {
  const grid = grids.map((g) => g.grid.code).reduce((a, b) => (membersOfGrid(b).length > membersOfGrid(a).length ? b : a));
  const expected = membersOfGrid(grid);

  it('pages through the members of the branches serving the grid, with branch and points balance', async () => {
    // Residential branches keep the retired only (the rest report in): a few per grid in the test district.
    expect(expected.length).toBeGreaterThan(2);
    const seen: unknown[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const response: GraphQLResponse<{ _entities: { partyMembers: Page<unknown> }[] }> = await gql(GRID_MEMBERS, {
        reps: [{ __typename: 'Grid', code: grid }],
        first: 2,
        after,
      });
      expect(response.errors).toBeUndefined();
      const connection: Page<unknown> = response.data!._entities[0]!.partyMembers;
      expect(connection.totalCount).toBe(expected.length);
      seen.push(...connection.edges.map((e) => e.node));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected.map(memberAnswer));
  });

  it('lists the organizations serving the grid, named as in the directory', async () => {
    const response = await gql<{ _entities: { partyOrganizations: unknown[] }[] }>(GRID_MEMBERS, {
      reps: [{ __typename: 'Grid', code: grid }],
      first: 0,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities[0]!.partyOrganizations).toEqual(
      organizations
        .filter((o) => o.servesGridCode === grid)
        .sort(byId((o) => o.organizationId))
        .map((o) => ({ id: o.organizationId, name: directoryName.get(o.organizationId), level: o.level })),
    );
  });

  it('answers a grid no branch serves with no organizations and no members', async () => {
    const response = await gql<{ _entities: { partyOrganizations: unknown[]; partyMembers: Page<unknown> }[] }>(GRID_MEMBERS, {
      reps: [{ __typename: 'Grid', code: '999999999999999' }],
      first: 5,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities[0]).toMatchObject({
      partyOrganizations: [],
      partyMembers: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
    });
  });
});

describe("a resident's membership", () => {
  const member = members.find((m) => ledger.some((p) => p.memberIdNumber === m.idNumber && p.activityId !== null))!;
  const nonMember = grids.flatMap((g) => g.residents).find((r) => !members.some((m) => m.idNumber === r.idNumber))!;

  it('resolves Resident.partyMembership by hub id, null for a resident who is not a member', async () => {
    const response = await gql<{ _entities: unknown[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { id partyMembership { ${MEMBER_FIELDS} } } } }`,
      {
        reps: [
          { __typename: 'Resident', id: idOf(member.idNumber) },
          { __typename: 'Resident', id: idOf(nonMember.idNumber) },
          { __typename: 'Resident', id: 'not-a-hub-id' },
        ],
      },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toEqual([
      { id: idOf(member.idNumber), partyMembership: memberAnswer(member) },
      { id: idOf(nonMember.idNumber), partyMembership: null },
      { id: 'not-a-hub-id', partyMembership: null },
    ]);
  });

  it('answers the points ledger and the activities attended', async () => {
    const response = await gql<{ partyMember: { points: number; pointsLedger: Page<unknown>; activities: Page<unknown> } }>(
      `query ($id: ID!) { partyMember(residentId: $id) {
        points
        pointsLedger(first: 500) { totalCount edges { node { id points reason awardedOn activity { id } member { memberNumber } } } }
        activities(first: 500) { totalCount edges { node { id kind title heldOn organization { id } } } }
      } }`,
      { id: idOf(member.idNumber) },
    );
    expect(response.errors).toBeUndefined();
    const entries = ledger.filter((p) => p.memberIdNumber === member.idNumber).sort(byId((p) => p.id));
    const attended = activities.filter((a) => a.attendeeIdNumbers.includes(member.idNumber)).sort(byId((a) => a.id));
    const answer = response.data!.partyMember;
    expect(answer.points).toBe(entries.reduce((s, p) => s + p.points, 0));
    expect(answer.pointsLedger.totalCount).toBe(entries.length);
    expect(answer.pointsLedger.edges.map((e) => e.node)).toEqual(
      entries.map((p) => ({
        id: p.id,
        points: p.points,
        reason: p.reason,
        awardedOn: p.awardedOn,
        activity: p.activityId === null ? null : { id: p.activityId },
        member: { memberNumber: member.memberNumber },
      })),
    );
    expect(answer.activities.totalCount).toBe(attended.length);
    expect(answer.activities.edges.map((e) => e.node)).toEqual(
      attended.map((a) => ({ id: a.id, kind: a.kind, title: a.title, heldOn: a.heldOn, organization: { id: a.organizationId } })),
    );
  });

  it('pages the ledger with cursors', async () => {
    const entries = ledger.filter((p) => p.memberIdNumber === member.idNumber).sort(byId((p) => p.id));
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const response: GraphQLResponse<{ partyMember: { pointsLedger: Page<{ id: string }> } }> = await gql(
        `query ($id: ID!, $after: String) { partyMember(residentId: $id) { pointsLedger(first: 1, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
        { id: idOf(member.idNumber), after },
      );
      expect(response.errors).toBeUndefined();
      const ledgerPage: Page<{ id: string }> = response.data!.partyMember.pointsLedger;
      seen.push(...ledgerPage.edges.map((e) => e.node.id));
      if (!ledgerPage.pageInfo.hasNextPage) break;
      after = ledgerPage.pageInfo.endCursor;
    }
    expect(seen).toEqual(entries.map((p) => p.id));
  });
});

const ORGANIZATION_FIELDS = /* GraphQL */ `
  id name level foundedOn organization { id }
  parent { id } children { id }
  servesGrid { code } servesCommunity { code } secretary { id }
  memberCount
  members(first: $first) { totalCount edges { node { resident { id } branch { id } } } }
  activities(first: $first) { totalCount edges { node { id kind attendeeCount attendees(first: $first) { totalCount edges { node { resident { id } } } } } } }
`;

const organizationAnswer = (o: DemoPartyOrganization) => {
  const own = members.filter((m) => m.organizationId === o.organizationId).sort(byId((m) => idOf(m.idNumber)));
  const held = activities.filter((a) => a.organizationId === o.organizationId).sort(byId((a) => a.id));
  return {
    id: o.organizationId,
    name: directoryName.get(o.organizationId),
    level: o.level,
    foundedOn: o.foundedOn,
    organization: { id: o.organizationId },
    parent: o.parentId === null ? null : { id: o.parentId },
    children: organizations
      .filter((c) => c.parentId === o.organizationId)
      .sort(byId((c) => c.organizationId))
      .map((c) => ({ id: c.organizationId })),
    servesGrid: o.servesGridCode === null ? null : { code: o.servesGridCode },
    servesCommunity: { code: o.servesCommunityCode },
    secretary: o.secretaryIdNumber === null ? null : { id: idOf(o.secretaryIdNumber) },
    memberCount: membersUnder(o.organizationId),
    members: {
      totalCount: own.length,
      edges: own.map((m) => ({ node: { resident: { id: idOf(m.idNumber) }, branch: { id: o.organizationId } } })),
    },
    activities: {
      totalCount: held.length,
      edges: held.map((a) => {
        const attendees = a.attendeeIdNumbers.map(idOf).sort();
        return {
          node: {
            id: a.id,
            kind: a.kind,
            attendeeCount: attendees.length,
            attendees: { totalCount: attendees.length, edges: attendees.map((id) => ({ node: { resident: { id } } })) },
          },
        };
      }),
    },
  };
};

describe('party organizations', () => {
  const branch = organizations
    .filter((o) => o.level === 'BRANCH')
    .reduce((a, b) => (activities.filter((x) => x.organizationId === b.organizationId).length > activities.filter((x) => x.organizationId === a.organizationId).length ? b : a));
  const generalBranch = organizations.find((o) => o.level === 'GENERAL_BRANCH' && organizations.some((c) => c.parentId === o.organizationId))!;
  const committee = organizations.find((o) => o.level === 'COMMITTEE')!;

  it('answers a branch by id with its members, activities and attendees', async () => {
    const response = await gql(`query ($id: ID!, $first: Int) { partyOrganization(id: $id) { ${ORGANIZATION_FIELDS} } }`, {
      id: branch.organizationId,
      first: 500,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ partyOrganization: organizationAnswer(branch) });
  });

  it("resolves Organization.partyOrganization: a general branch's children and a committee's whole membership", async () => {
    const other = grids.flatMap((g) => g.organizations).find((o) => o.kind !== 'PARTY_ORGANIZATION');
    const reps = [generalBranch, committee].map((o) => ({ __typename: 'Organization', id: o.organizationId }));
    if (other) reps.push({ __typename: 'Organization', id: other.id });
    reps.push({ __typename: 'Organization', id: 'PB999999999999999' });
    const response = await gql<{ _entities: unknown[] }>(
      `query ($reps: [_Any!]!, $first: Int) { _entities(representations: $reps) { ... on Organization { id partyOrganization { ${ORGANIZATION_FIELDS} } } } }`,
      { reps, first: 500 },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toEqual([
      { id: generalBranch.organizationId, partyOrganization: organizationAnswer(generalBranch) },
      { id: committee.organizationId, partyOrganization: organizationAnswer(committee) },
      ...(other ? [{ id: other.id, partyOrganization: null }] : []),
      { id: 'PB999999999999999', partyOrganization: null },
    ]);
    expect(membersUnder(committee.organizationId)).toBeGreaterThan(0);
  });
});

describe('statement counts', () => {
  const DEEP_GRID = /* GraphQL */ `
    query ($reps: [_Any!]!, $first: Int) {
      _entities(representations: $reps) {
        ... on Grid {
          partyOrganizations { name memberCount parent { name memberCount } children { id } }
          partyMembers(first: $first) {
            totalCount
            edges { node {
              memberNumber points
              branch { name level parent { name } }
              pointsLedger(first: $first) { totalCount edges { node { points activity { title organization { name } } member { memberNumber } } } }
              activities(first: $first) { totalCount edges { node { title attendeeCount organization { name } } } }
            } }
          }
        }
      }
    }
  `;
  const gridCodes = grids.map((g) => g.grid.code).sort((a, b) => membersOfGrid(b).length - membersOfGrid(a).length);

  const measure = async (query: string, variables: Record<string, unknown>) => {
    harness.database.statements.reset();
    const response = await gql(query, variables);
    expect(response.errors).toBeUndefined();
    return harness.database.statements.count;
  };

  it("runs as many statements for 10 grids as for 1, and for first=500 as for first=10", async () => {
    const reps = (codes: string[]) => codes.map((code) => ({ __typename: 'Grid', code }));
    const one = await measure(DEEP_GRID, { reps: reps(gridCodes.slice(0, 1)), first: 10 });
    expect(one).toBeGreaterThan(0);
    // Two branches of this query load members at different depths, after different database replies: the request's
    // loader batches go out in waves (no batch while a statement of the request is in flight), so they share one
    // batch whichever reply comes first, and the count is exact.
    expect(await measure(DEEP_GRID, { reps: reps(gridCodes.slice(0, 1)), first: 500 })).toBe(one);
    expect(await measure(DEEP_GRID, { reps: reps(gridCodes.slice(0, 10)), first: 10 })).toBe(one);
    expect(await measure(DEEP_GRID, { reps: reps(gridCodes.slice(0, 10)), first: 500 })).toBe(one);
  });

  it('runs as many statements for 10 organizations as for 1, whatever the page size', async () => {
    const query = `query ($reps: [_Any!]!, $first: Int) { _entities(representations: $reps) { ... on Organization { partyOrganization { ${ORGANIZATION_FIELDS} } } } }`;
    // The single organization is a branch with members and activities, so every nested list is fetched for it too.
    const busiest = organizations.reduce((a, b) =>
      activities.filter((x) => x.organizationId === b.organizationId).length >
      activities.filter((x) => x.organizationId === a.organizationId).length
        ? b
        : a,
    );
    const ids = [busiest.organizationId, ...organizations.slice(0, 9).map((o) => o.organizationId)];
    const reps = (n: number) => ids.slice(0, n).map((id) => ({ __typename: 'Organization', id }));
    const one = await measure(query, { reps: reps(1), first: 10 });
    expect(await measure(query, { reps: reps(1), first: 500 })).toBe(one);
    expect(await measure(query, { reps: reps(10), first: 10 })).toBe(one);
    expect(await measure(query, { reps: reps(10), first: 500 })).toBe(one);
  });
});

describe('bad input', () => {
  const branch = organizations.find((o) => o.level === 'BRANCH' && members.some((m) => m.organizationId === o.organizationId))!;
  const member = members.find((m) => ledger.some((p) => p.memberIdNumber === m.idNumber))!;
  const activity = activities.find((a) => a.attendeeIdNumbers.length > 0)!;

  it('refuses a malformed organization id, and answers null for a well-formed unknown one', async () => {
    for (const id of ['PB32031100100100', 'XX320311001001001', 'pb320311001001001', '']) {
      const response = await gql(`query ($id: ID!) { partyOrganization(id: $id) { id } }`, { id });
      expect(errorCodes(response)).toEqual(['INVALID_ORGANIZATION_ID']);
      expect(response.errors?.[0]?.extensions).toMatchObject({ argumentName: 'id' });
    }
    for (const id of ['PB999999999999999', 'SO320311001001001']) {
      expect((await gql(`query ($id: ID!) { partyOrganization(id: $id) { id } }`, { id })).data).toEqual({ partyOrganization: null });
    }
  });

  it('refuses a malformed resident id, and answers null for a resident who is not a member', async () => {
    for (const residentId of ['not-a-hub-id', 'A'.repeat(32), '0'.repeat(31)]) {
      const response = await gql(`query ($id: ID!) { partyMember(residentId: $id) { memberNumber } }`, { id: residentId });
      expect(errorCodes(response)).toEqual(['INVALID_RESIDENT_ID']);
      expect(response.errors?.[0]?.extensions).toMatchObject({ argumentName: 'residentId' });
    }
    expect((await gql(`{ partyMember(residentId: "${'0'.repeat(32)}") { memberNumber } }`)).data).toEqual({ partyMember: null });
  });

  const lists: { name: string; query: string; variables: Record<string, unknown> }[] = [
    {
      name: 'Grid.partyMembers',
      query: `query ($reps: [_Any!]!, $first: Int, $after: String) { _entities(representations: $reps) { ... on Grid { partyMembers(first: $first, after: $after) { totalCount } } } }`,
      variables: { reps: [{ __typename: 'Grid', code: branch.servesGridCode ?? '320311001001001' }] },
    },
    {
      name: 'PartyOrganization.members',
      query: `query ($id: ID!, $first: Int, $after: String) { partyOrganization(id: $id) { members(first: $first, after: $after) { totalCount } } }`,
      variables: { id: branch.organizationId },
    },
    {
      name: 'PartyOrganization.activities',
      query: `query ($id: ID!, $first: Int, $after: String) { partyOrganization(id: $id) { activities(first: $first, after: $after) { totalCount } } }`,
      variables: { id: branch.organizationId },
    },
    {
      name: 'PartyMember.pointsLedger',
      query: `query ($id: ID!, $first: Int, $after: String) { partyMember(residentId: $id) { pointsLedger(first: $first, after: $after) { totalCount } } }`,
      variables: { id: idOf(member.idNumber) },
    },
    {
      name: 'PartyMember.activities',
      query: `query ($id: ID!, $first: Int, $after: String) { partyMember(residentId: $id) { activities(first: $first, after: $after) { totalCount } } }`,
      variables: { id: idOf(member.idNumber) },
    },
    {
      name: 'PartyActivity.attendees',
      query: `query ($id: ID!, $first: Int, $after: String) { partyOrganization(id: $id) { activities(first: 1) { edges { node { attendees(first: $first, after: $after) { totalCount } } } } } }`,
      variables: { id: activity.organizationId },
    },
  ];

  for (const list of lists) {
    it(`refuses page sizes out of range and foreign or malformed cursors on ${list.name}`, async () => {
      const ok = await gql(list.query, { ...list.variables, first: 500 });
      expect(ok.errors).toBeUndefined();
      for (const first of [501, -1]) {
        const response = await gql(list.query, { ...list.variables, first });
        expect(errorCodes(response)).toEqual(['INVALID_PAGE_SIZE']);
        expect(response.errors?.[0]?.extensions).toMatchObject({ argumentName: 'first', maximum: 500 });
      }
      // A cursor of another list, a cursor of this shape with a wrong key, and no cursor at all.
      const foreign = encodeCursor('grid-residents', idOf(member.idNumber));
      for (const after of ['not a cursor', foreign, encodeCursor('points-ledger', 'DROP TABLE'), encodeCursor('organization-members', 'x')]) {
        const response = await gql(list.query, { ...list.variables, first: 5, after });
        expect(errorCodes(response)).toEqual(['INVALID_CURSOR']);
        expect(response.errors?.[0]?.extensions).toMatchObject({ argumentName: 'after' });
      }
    });
  }
});

describe('row scope at the subgraph itself', () => {
  const [own, other] = grids.filter((g) => g.party.members.length > 0 && g.party.organizations.length > 0) as [DemoGridContents, DemoGridContents];
  const worker = testCaller('grid-worker', { grids: [own.grid.code] });
  const as = async (query: string) => harness.gql<Record<string, any>>(query, undefined, worker);

  it("answers a grid worker their own grid's party members, and none of another grid", async () => {
    const ownMember = own.party.members[0]!;
    const otherMember = other.party.members[0]!;
    const response = await as(`{
      mine: partyMember(residentId: "${idOf(ownMember.idNumber)}") { memberNumber }
      theirs: partyMember(residentId: "${idOf(otherMember.idNumber)}") { memberNumber }
      _entities(representations: [{ __typename: "Grid", code: "${own.grid.code}" }, { __typename: "Grid", code: "${other.grid.code}" }]) {
        ... on Grid { partyMembers(first: 500) { totalCount edges { node { memberNumber } } } }
      }
      org: partyOrganization(id: "${other.party.organizations[0]!.organizationId}") { memberCount members(first: 500) { totalCount edges { node { memberNumber } } } }
    }`);
    expect(response.errors).toBeUndefined();
    expect(response.data?.mine).toEqual({ memberNumber: ownMember.memberNumber });
    expect(response.data?.theirs).toBeNull();
    const [ownGrid, otherGrid] = response.data?._entities;
    expect(ownGrid.partyMembers.edges).toHaveLength(ownGrid.partyMembers.totalCount);
    expect(ownGrid.partyMembers.totalCount).toBeGreaterThan(0);
    expect(otherGrid.partyMembers).toEqual({ totalCount: 0, edges: [] });
    // Another grid's branch: its members are left out of the list, the count and the count under it alike.
    expect(response.data?.org.members.edges).toHaveLength(response.data?.org.members.totalCount);
    expect(response.data?.org.memberCount).toBe(response.data?.org.members.totalCount);
  });
});
