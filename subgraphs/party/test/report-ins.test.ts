import { DEMO_HUB_SECRET, residentKey } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoPartyReportIn } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const grids = [...world.gridContents()];
const reportIns: DemoPartyReportIn[] = grids.flatMap((g) => g.party.reportIns);
const members = grids.flatMap((g) => g.party.members);
const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);
const FIELDS = 'id resident { id } kind organization { id level } membershipOrganization workUnit joinedOn reportedOn grid { code }';
const COUNTS = 'partyReportInCounts { total inService floating }';
const expected = (b: DemoPartyReportIn, level: string) => ({
  id: b.id, resident: { id: idOf(b.idNumber) }, kind: b.kind, organization: { id: b.organizationId, level }, membershipOrganization: b.membershipOrganization,
  workUnit: b.workUnit, joinedOn: b.joinedOn, reportedOn: b.reportedOn, grid: { code: b.gridCode },
});
const countsOf = (list: DemoPartyReportIn[]) => ({ total: list.length, inService: list.filter((b) => b.kind === 'IN_SERVICE').length, floating: list.filter((b) => b.kind === 'FLOATING').length });
const levelOf = new Map(grids.flatMap((g) => g.party.organizations).map((o) => [o.organizationId, o.level]));

const harness = serveSubgraphForTests(subgraph);
const ok = async (query: string, variables?: Record<string, unknown>, caller?: ReturnType<typeof testCaller>) => {
  const response = await harness.gql<Record<string, any>>(query, variables, caller);
  expect(response.errors).toBeUndefined();
  return response.data!;
};
/** A connection as these queries select it. */
type Edges<TNode> = { edges: { node: TNode }[] };
const gridReps = (codes: string[]) => codes.map((code) => ({ __typename: 'Grid', code }));
const GRID = `query ($reps: [_Any!]!, $first: Int, $after: String) { _entities(representations: $reps) { ... on Grid {
  partyReportIns(first: $first, after: $after) { totalCount edges { node { ${FIELDS} } } pageInfo { hasNextPage endCursor } } ${COUNTS} } } }`;

describe('双报到: members reporting in to the community they live in', () => {
  const busiest = grids.reduce((a, b) => (b.party.reportIns.length > a.party.reportIns.length ? b : a));

  it('has in-service and floating report-ins, none of them a member of a residential branch', () => {
    expect(reportIns.some((b) => b.kind === 'IN_SERVICE') && reportIns.some((b) => b.kind === 'FLOATING')).toBe(true);
    const inBranches = new Set(members.map((m) => m.idNumber));
    expect(reportIns.filter((b) => inBranches.has(b.idNumber))).toEqual([]);
    expect(new Set(members.map((m) => m.status))).toEqual(new Set(['RETIRED']));
  });

  it("answers a grid's report-ins with the community organization, membership kept elsewhere, dates and counts", async () => {
    const data = await ok(GRID, { reps: gridReps([busiest.grid.code]), first: 500 });
    const [grid] = data._entities;
    const own = [...busiest.party.reportIns].sort((a, b) => a.id.localeCompare(b.id));
    expect(grid.partyReportIns.totalCount).toBe(own.length);
    expect((grid.partyReportIns as Edges<unknown>).edges.map((e) => e.node)).toEqual(own.map((b) => expected(b, levelOf.get(b.organizationId)!)));
    expect(grid.partyReportInCounts).toEqual(countsOf(own));
  });

  it("answers the community organization's report-ins and the place counts (双报到 per community, street, district)", async () => {
    const community = busiest.grid.communityCode;
    const orgId = `PG${community}001`;
    const inCommunity = reportIns.filter((b) => b.gridCode.startsWith(community));
    const street = world.communities.find((c) => c.code === community)!.streetCode;
    const streetCommunities = new Set(world.communities.filter((c) => c.streetCode === street).map((c) => c.code));
    const inStreet = reportIns.filter((b) => streetCommunities.has(b.gridCode.slice(0, 12)));
    const data = await ok(`query ($id: ID!, $reps: [_Any!]!) {
      partyOrganization(id: $id) { level reportIns(first: 500) { totalCount edges { node { id } } } }
      _entities(representations: $reps) { ... on Community { ${COUNTS} } ... on Street { ${COUNTS} } ... on District { ${COUNTS} } } }`,
      { id: orgId, reps: [{ __typename: 'Community', code: community }, { __typename: 'Street', code: street }, { __typename: 'District', code: world.district.code }] });
    expect(data.partyOrganization.level).toBe(levelOf.get(orgId));
    expect(data.partyOrganization.reportIns.totalCount).toBe(inCommunity.length);
    expect((data.partyOrganization.reportIns as Edges<{ id: string }>).edges.map((e) => e.node.id)).toEqual(inCommunity.map((b) => b.id).sort());
    expect((data._entities as { partyReportInCounts: unknown }[]).map((e) => e.partyReportInCounts)).toEqual([countsOf(inCommunity), countsOf(inStreet), countsOf(reportIns)]);
  });

  it("answers a resident's report-in, and null for a member of a residential branch", async () => {
    const b = reportIns[0]!;
    const m = members[0]!;
    const data = await ok(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { partyReportIn { id kind } partyMembership { status } } } }`,
      { reps: [b.idNumber, m.idNumber].map((i) => ({ __typename: 'Resident', id: idOf(i) })) });
    expect(data._entities).toEqual([{ partyReportIn: { id: b.id, kind: b.kind }, partyMembership: null }, { partyReportIn: null, partyMembership: { status: 'RETIRED' } }]);
  });

  it('holds the theme party day (主题党日) monthly, with attendance', async () => {
    const day = grids.flatMap((g) => g.party.activities).find((a) => a.kind === 'THEME_PARTY_DAY')!;
    const data = await ok(`query ($id: ID!) { partyOrganization(id: $id) { activities(first: 500) { edges { node { id kind heldOn attendeeCount } } } } }`, { id: day.organizationId });
    const node = (data.partyOrganization.activities as Edges<{ id: string }>).edges.map((e) => e.node).find((a) => a.id === day.id);
    expect(node).toEqual({ id: day.id, kind: 'THEME_PARTY_DAY', heldOn: day.heldOn, attendeeCount: day.attendeeIdNumbers.length });
  });

  it("leaves other grids' report-ins out for a grid worker", async () => {
    const other = grids.find((g) => g.grid.code !== busiest.grid.code && g.party.reportIns.length > 0)!;
    const worker = testCaller('grid-worker', { grids: [other.grid.code] });
    const [mine, theirs] = (await ok(GRID, { reps: gridReps([other.grid.code, busiest.grid.code]), first: 500 }, worker))._entities;
    expect(mine.partyReportIns.totalCount).toBe(other.party.reportIns.length);
    expect(theirs.partyReportIns.totalCount).toBe(0);
    expect(theirs.partyReportInCounts.total).toBe(0);
  });

  it("costs the same for 10 grids as for 1, and refuses page sizes out of range", async () => {
    const codes = grids.slice(0, 10).map((g) => g.grid.code);
    const measure = async (n: number, first: number) => {
      harness.database.statements.reset();
      await ok(GRID, { reps: gridReps(codes.slice(0, n)), first });
      return harness.database.statements.count;
    };
    const one = await measure(1, 10);
    expect(one).toBeGreaterThan(0);
    expect(await measure(10, 10)).toBe(one);
    expect(await measure(10, 500)).toBe(one);
    expect(errorCodes(await harness.gql(GRID, { reps: gridReps(codes.slice(0, 1)), first: 501 }))).toEqual(['INVALID_PAGE_SIZE']);
  });
});

describe('the volunteer register and claimed posts', () => {
  const volunteers = grids.flatMap((g) => g.party.volunteers);
  const grid = grids.reduce((a, b) => (b.party.volunteers.length > a.party.volunteers.length ? b : a));
  const QUERY = `query ($reps: [_Any!]!, $first: Int) { _entities(representations: $reps) { ... on Grid {
    volunteers(first: $first) { totalCount edges { node { id resident { id } team role partyMember serviceHours registeredOn grid { code } } } }
    volunteerCounts { total partyMembers monitors } } } }`;

  it("answers a grid's volunteers, party members and others, with their hours, and the counts", async () => {
    expect(volunteers.some((v) => v.partyMember) && volunteers.some((v) => !v.partyMember) && volunteers.some((v) => v.role === 'MONITOR')).toBe(true);
    const [g] = (await ok(QUERY, { reps: gridReps([grid.grid.code]), first: 500 }))._entities;
    const own = grid.party.volunteers;
    expect(g.volunteers.totalCount).toBe(own.length);
    expect((g.volunteers as Edges<unknown>).edges.map((e) => e.node)).toEqual(own.map((v) => ({
      id: v.id, resident: { id: idOf(v.idNumber) }, team: v.team, role: v.role, partyMember: v.partyMember, serviceHours: v.serviceHours, registeredOn: v.registeredOn, grid: { code: v.gridCode },
    })));
    expect(g.volunteerCounts).toEqual({ total: own.length, partyMembers: own.filter((v) => v.partyMember).length, monitors: own.filter((v) => v.role === 'MONITOR').length });
  });

  it("answers a resident's volunteer entry and claimed posts", async () => {
    const claim = grids.flatMap((g) => g.party.postClaims)[0]!;
    const v = volunteers[0]!;
    const data = await ok(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { volunteer { id role } postClaims { id post claimedOn organization { id } } } } }`,
      { reps: [claim.idNumber, v.idNumber].map((i) => ({ __typename: 'Resident', id: idOf(i) })) });
    expect(data._entities[0].postClaims).toContainEqual({ id: claim.id, post: claim.post, claimedOn: claim.claimedOn, organization: { id: claim.organizationId } });
    expect(data._entities[1].volunteer).toEqual({ id: v.id, role: v.role });
  });

  it('costs the same for 10 grids as for 1', async () => {
    const codes = grids.slice(0, 10).map((g) => g.grid.code);
    const measure = async (n: number) => {
      harness.database.statements.reset();
      await ok(QUERY, { reps: gridReps(codes.slice(0, n)), first: 50 });
      return harness.database.statements.count;
    };
    expect(await measure(10)).toBe(await measure(1));
  });
});

describe('report-in and volunteer counts for a caller who sees none of the people (小数抑制)', () => {
  // The supervision office reads statistics but not party records; the analyst reads both.
  const supervisor = testCaller('supervisor', { purpose: 'case-handling' });
  const analyst = testCaller('district-analyst', { purpose: 'statistics' });
  /** The datasets' rule, written out: 1 to 4 hidden; a part hidden alone hides the smallest other part. */
  const shown = (n: number) => (n >= 1 && n <= 4 ? null : n);
  const parts = (a: number, b: number): [number | null, number | null] => {
    const [x, y] = [shown(a), shown(b)];
    if (x === null && a > 0 && !(y === null && b > 0) && b > 0) return [null, null];
    if (y === null && b > 0 && !(x === null && a > 0) && a > 0) return [null, null];
    return [x, y];
  };
  const published = (list: DemoPartyReportIn[]) => {
    const c = countsOf(list);
    const [inService, floating] = parts(c.inService, c.floating);
    return { total: shown(c.total), inService, floating };
  };
  const volunteersOf = (g: (typeof grids)[number]) => {
    const own = g.party.volunteers;
    const members = own.filter((v) => v.partyMember).length;
    return { total: own.length, partyMembers: members, monitors: own.filter((v) => v.role === 'MONITOR').length, others: own.length - members };
  };
  const QUERY = `query ($reps: [_Any!]!) { _entities(representations: $reps) {
    ... on Grid { ${COUNTS} volunteerCounts { total partyMembers monitors } } ... on Community { ${COUNTS} } ... on Street { ${COUNTS} } ... on District { ${COUNTS} } } }`;
  const reps = [
    ...gridReps(grids.map((g) => g.grid.code)),
    ...world.communities.map((c) => ({ __typename: 'Community', code: c.code })),
    ...world.streets.map((s) => ({ __typename: 'Street', code: s.code })),
    { __typename: 'District', code: world.district.code },
  ];
  const exact = [
    ...grids.map((g) => {
      const v = volunteersOf(g);
      return { partyReportInCounts: countsOf(g.party.reportIns), volunteerCounts: { total: v.total, partyMembers: v.partyMembers, monitors: v.monitors } };
    }),
    ...world.communities.map((c) => ({ partyReportInCounts: countsOf(reportIns.filter((b) => b.gridCode.startsWith(c.code))) })),
    ...world.streets.map((s) => ({ partyReportInCounts: countsOf(reportIns.filter((b) => b.gridCode.startsWith(s.code.slice(0, 9)))) })),
    { partyReportInCounts: countsOf(reportIns) },
  ];

  it('suppresses every place’s counts of 1 to 4 for the supervision office, as the datasets do', async () => {
    type Published = { partyReportInCounts: ReturnType<typeof published>; volunteerCounts?: { total: number | null; partyMembers: number | null; monitors: number | null } };
    const expected: Published[] = [
      ...grids.map((g) => {
        const v = volunteersOf(g);
        return { partyReportInCounts: published(g.party.reportIns), volunteerCounts: { total: shown(v.total), partyMembers: parts(v.partyMembers, v.others)[0], monitors: shown(v.monitors) } };
      }),
      ...world.communities.map((c) => ({ partyReportInCounts: published(reportIns.filter((b) => b.gridCode.startsWith(c.code))) })),
      ...world.streets.map((s) => ({ partyReportInCounts: published(reportIns.filter((b) => b.gridCode.startsWith(s.code.slice(0, 9)))) })),
      { partyReportInCounts: published(reportIns) },
    ];
    // The test district has both: grids whose counts hide and places whose counts show.
    expect(expected.some((e) => e.partyReportInCounts.total === null)).toBe(true);
    expect(expected.some((e) => e.partyReportInCounts.total !== null && e.partyReportInCounts.total > 0)).toBe(true);
    expect(expected.some((e) => e.volunteerCounts?.total === null)).toBe(true);
    expect((await ok(QUERY, { reps }, supervisor))._entities).toEqual(expected);
    // Nor may the office list the people counted.
    const listed = await harness.gql(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { partyReportIns(first: 1) { totalCount } } } }`, { reps: gridReps([grids[0]!.grid.code]) }, supervisor);
    expect(errorCodes(listed)).toEqual(['FORBIDDEN']);
  });

  it('answers them whole to a caller with party:read, who may list the people anyway', async () => {
    expect((await ok(QUERY, { reps }, analyst))._entities).toEqual(exact);
  });
});
