import { DEMO_HUB_SECRET, maskName, residentKey, toChinaTime } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoCase, type DemoGridContents } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { caseParties, cases, caseStatus, mediationCommittees, mediators } from '../src/db/schema.ts';
import { demoHistory } from '../src/demo/history.ts';
import { subgraph } from '../src/server.ts';
import { addDays, chinaToday } from '../src/workflow/deadlines.ts';

const grids: DemoGridContents[] = [...generateDemoWorld(TEST_DEMO).gridContents()];
const allCases: DemoCase[] = grids.flatMap((g) => g.mediation.cases);
const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const sorted = (xs: DemoCase[]) => [...xs].sort(byId).map((c) => c.id);
const time = (iso: string | null) => (iso === null ? null : toChinaTime(new Date(iso)));
/** The time limit the seed gives a case: the acceptance limit while reported, the supervision limit once escalated. */
const dueOnOf = (c: DemoCase) => demoHistory(c).caseFields.dueOn ?? c.dueOn;
const overdue = (c: DemoCase) => ['REPORTED', 'ACCEPTED', 'DISPATCHED', 'IN_PROGRESS', 'ESCALATED'].includes(c.status) && dueOnOf(c) < chinaToday(new Date());

const harness = serveSubgraphForTests(subgraph);

const gql = async (query: string, variables?: Record<string, unknown>) =>
  harness.gql(query, variables);

type Page = {
  totalCount: number;
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};

const CASE_FIELDS = /* GraphQL */ `
  id category source status outcome summary receivedAt acceptedAt resolvedAt closedAt dueOn overdue
  grid { code } committee { id } mediator { id } incident { id } house { code }
  parties { role resident { id } organization { id } }
  records { heldOn content mediator { id } }
  agreement { reachedOn terms performBy performed judicialConfirmationDueOn }
  followUps { visitedOn satisfied note }
`;

/**
 * The answer a case should give, from the generator's record and its seeded history (a department's agreement is
 * seeded as administrative mediation, without a people's mediation agreement).
 */
function expectedCase(c: DemoCase) {
  const history = demoHistory(c);
  return {
    id: c.id,
    category: c.category,
    source: history.caseFields.source,
    status: c.status,
    outcome: history.caseFields.outcome,
    summary: c.summary,
    receivedAt: time(c.receivedAt),
    acceptedAt: time(c.acceptedAt),
    resolvedAt: time(c.resolvedAt),
    closedAt: time(c.closedAt),
    dueOn: dueOnOf(c),
    overdue: overdue(c),
    grid: { code: c.gridCode },
    committee: { id: c.committeeId },
    mediator: c.mediatorId === null ? null : { id: c.mediatorId },
    incident: c.incidentId === null ? null : { id: c.incidentId },
    house: c.houseCode === null ? null : { code: c.houseCode },
    parties: c.parties.map((p) => ({
      role: p.role,
      resident: p.idNumber === null ? null : { id: idOf(p.idNumber) },
      organization: p.organizationId === null ? null : { id: p.organizationId },
    })),
    records: c.records.map((r) => ({ heldOn: r.heldOn, content: r.content, mediator: { id: r.mediatorId } })),
    agreement: history.agreement && { ...history.agreement, judicialConfirmationDueOn: addDays(history.agreement.reachedOn, 30) },
    followUps: c.followUps,
  };
}

const GRID_CASES = /* GraphQL */ `
  query ($reps: [_Any!]!, $first: Int, $after: String, $status: CaseStatus, $category: CaseCategory) {
    _entities(representations: $reps) {
      ... on Grid {
        code
        cases(first: $first, after: $after, status: $status, category: $category) {
          totalCount
          edges { cursor node { ${CASE_FIELDS} } }
          pageInfo { hasNextPage endCursor }
        }
        caseCounts { total overdue byStatus { status count } byCategory { category count } }
      }
    }
  }
`;

type GridAnswer = { code: string; cases: Page; caseCounts: { total: number; overdue: number; byStatus: { status: string; count: number }[]; byCategory: { category: string; count: number }[] } };

async function gridCases(code: string, variables: Record<string, unknown> = {}): Promise<GridAnswer> {
  const response = await gql(GRID_CASES, { reps: [{ __typename: 'Grid', code }], ...variables });
  expect(response.errors).toBeUndefined();
  return (response.data as { _entities: GridAnswer[] })._entities[0]!;
}

/** Pages through a connection with the given page size, returning the ids seen and checking every total. */
async function pageAll(fetch: (after: string | null) => Promise<Page>, expectedTotal: number): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 200; pages++) {
    const page = await fetch(after);
    expect(page.totalCount).toBe(expectedTotal);
    seen.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return seen;
    after = page.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

describe('the seeded records', () => {
  it('holds every generated committee, mediator, case and party', async () => {
    expect(allCases.length).toBeGreaterThan(0);
    const rows = async (table: typeof cases | typeof mediators | typeof mediationCommittees | typeof caseParties) =>
      (await harness.database.db.select({ n: count() }).from(table))[0]?.n;
    expect(await rows(mediationCommittees)).toBe(grids.flatMap((g) => g.mediation.committees).length);
    expect(await rows(mediators)).toBe(grids.flatMap((g) => g.mediation.mediators).length);
    expect(await rows(cases)).toBe(allCases.length);
    expect(await rows(caseParties)).toBe(allCases.flatMap((c) => c.parties).length);
  });
});

describe('a case', () => {
  const full =
    allCases.find((c) => demoHistory(c).agreement && c.followUps.length > 0 && c.records.length > 1 && c.parties.some((p) => p.organizationId)) ??
    allCases.find((c) => demoHistory(c).agreement && c.followUps.length > 0 && c.records.length > 0)!;

  it('answers with its parties, records, agreement and follow-ups', async () => {
    const response = await gql(`query ($id: ID!) { case(id: $id) { ${CASE_FIELDS} } }`, { id: full.id });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ case: expectedCase(full) });
  });

  it('answers every case of a sample alike through _entities, in the order asked', async () => {
    const step = Math.max(1, Math.floor(allCases.length / 100));
    const sample = allCases.filter((_, i) => i % step === 0);
    const response = await gql(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Case { ${CASE_FIELDS} } } }`, {
      reps: sample.map((c) => ({ __typename: 'Case', id: c.id })),
    });
    expect(response.errors).toBeUndefined();
    expect((response.data as { _entities: unknown[] })._entities).toEqual(sample.map(expectedCase));
  });

  it('names its mediator and the committee with its details', async () => {
    const c = allCases.find((x) => x.mediatorId !== null)!;
    const everyMediator = grids.flatMap((g) => g.mediation.mediators);
    const mediator = everyMediator.find((m) => m.id === c.mediatorId)!;
    const committee = grids.flatMap((g) => g.mediation.committees).find((m) => m.organizationId === c.committeeId)!;
    const response = await gql(
      `query ($id: ID!) { case(id: $id) {
        mediator { id name employment background resident { id } committee { id } }
        committee { id mediationCommittee { type industry organization { id } mediators { id name } } }
      } }`,
      { id: c.id },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      case: {
        mediator: {
          id: mediator.id,
          name: mediator.name,
          employment: mediator.employment,
          background: mediator.background,
          resident: mediator.idNumber === null ? null : { id: idOf(mediator.idNumber) },
          committee: { id: mediator.committeeId },
        },
        committee: {
          id: c.committeeId,
          mediationCommittee: {
            type: committee.type,
            industry: committee.industry,
            organization: { id: committee.organizationId },
            mediators: everyMediator
              .filter((m) => m.committeeId === committee.organizationId)
              .sort(byId)
              .map((m) => ({ id: m.id, name: m.name })),
          },
        },
      },
    });
  });

  it('is null for a well-formed id mediation does not hold, in the root and in _entities', async () => {
    const unknown = `TJ${grids[0]!.grid.code}9999`;
    expect((await gql(`{ case(id: "${unknown}") { id } }`)).data).toEqual({ case: null });
    const response = await gql(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Case { id } } }`, {
      reps: [{ __typename: 'Case', id: unknown }, { __typename: 'Case', id: full.id }, { __typename: 'Case', id: 'not-a-case' }],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ _entities: [null, { id: full.id }, null] });
  });
});

describe("a grid's cases", () => {
  const grid = grids.reduce((a, b) => (b.mediation.cases.length > a.mediation.cases.length ? b : a));
  const gridCasesList = [...grid.mediation.cases].sort(byId);

  it('pages through every case of the grid in id order, with the total', async () => {
    expect(gridCasesList.length).toBeGreaterThan(1);
    const seen = await pageAll(async (after) => (await gridCases(grid.grid.code, { first: 1, after })).cases, gridCasesList.length);
    expect(seen).toEqual(gridCasesList.map((c) => c.id));
  });

  it('filters by status, by category and by both, with the totals of each filter', async () => {
    const [status, category] = (() => {
      const pairs = new Map<string, number>();
      for (const c of gridCasesList) pairs.set(`${c.status}|${c.category}`, (pairs.get(`${c.status}|${c.category}`) ?? 0) + 1);
      const best = [...pairs].sort((a, b) => b[1] - a[1])[0]![0];
      return best.split('|') as [DemoCase['status'], DemoCase['category']];
    })();
    const filters: Record<string, unknown>[] = [{ status }, { category }, { status, category }];
    for (const filter of filters) {
      const expected = gridCasesList.filter(
        (c) => (!filter.status || c.status === filter.status) && (!filter.category || c.category === filter.category),
      );
      const answer = await gridCases(grid.grid.code, { first: 500, ...filter });
      expect(answer.cases.totalCount).toBe(expected.length);
      expect(answer.cases.edges.map((e) => e.node)).toEqual(expected.map(expectedCase));
    }
    const none = allCases.some((c) => c.gridCode === grid.grid.code && c.status === 'ESCALATED' && c.category === 'MEDICAL');
    if (!none) {
      const empty = await gridCases(grid.grid.code, { status: 'ESCALATED', category: 'MEDICAL' });
      expect(empty.cases).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    }
  });

  it('counts the cases by status and category, and the overdue ones', async () => {
    const answer = await gridCases(grid.grid.code, { first: 0 });
    const tally = <K extends 'status' | 'category'>(key: K, value: DemoCase[K]) =>
      gridCasesList.filter((c) => c[key] === value).length;
    expect(answer.caseCounts.total).toBe(gridCasesList.length);
    expect(answer.caseCounts.overdue).toBe(gridCasesList.filter(overdue).length);
    expect(answer.caseCounts.byStatus).toHaveLength(caseStatus.enumValues.length);
    expect(answer.caseCounts.byCategory).toHaveLength(15);
    for (const { status, count: n } of answer.caseCounts.byStatus) expect(n).toBe(tally('status', status as DemoCase['status']));
    for (const { category, count: n } of answer.caseCounts.byCategory) {
      expect(n).toBe(tally('category', category as DemoCase['category']));
    }
    expect(answer.cases).toMatchObject({ totalCount: gridCasesList.length, edges: [] });
  });

  it('knows no cases of a grid without any', async () => {
    const quiet = grids.find((g) => g.mediation.cases.length === 0)?.grid.code ?? '320311001999001';
    const answer = await gridCases(quiet, { first: 5 });
    expect(answer.cases.totalCount).toBe(0);
    expect(answer.caseCounts.total).toBe(0);
    expect(answer.caseCounts.byStatus.every((s) => s.count === 0)).toBe(true);
  });
});

describe('cases of the district', () => {
  const CASES = /* GraphQL */ `
    query ($first: Int, $after: String, $status: CaseStatus, $category: CaseCategory, $streetCode: ID, $communityCode: ID, $gridCode: ID, $committeeId: ID) {
      cases(first: $first, after: $after, status: $status, category: $category, streetCode: $streetCode,
            communityCode: $communityCode, gridCode: $gridCode, committeeId: $committeeId) {
        totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor }
      }
    }
  `;
  const list = async (variables: Record<string, unknown>) => {
    const response = await gql(CASES, variables);
    expect(response.errors).toBeUndefined();
    return (response.data as { cases: Page }).cases;
  };

  it('pages through every case of the district', async () => {
    const seen = await pageAll((after) => list({ first: 50, after }), allCases.length);
    expect(seen).toEqual(sorted(allCases));
  });

  it('filters by street, community, grid, committee, status and category', async () => {
    const sample = allCases[Math.floor(allCases.length / 2)]!;
    const community = sample.gridCode.slice(0, 12);
    const street = `${sample.gridCode.slice(0, 9)}000`;
    const cases: [Record<string, unknown>, (c: DemoCase) => boolean][] = [
      [{ streetCode: street }, (c) => c.gridCode.startsWith(street.slice(0, 9))],
      [{ communityCode: community }, (c) => c.gridCode.startsWith(community)],
      [{ gridCode: sample.gridCode }, (c) => c.gridCode === sample.gridCode],
      [{ committeeId: sample.committeeId }, (c) => c.committeeId === sample.committeeId],
      [{ status: sample.status, streetCode: street }, (c) => c.status === sample.status && c.gridCode.startsWith(street.slice(0, 9))],
      [{ category: sample.category }, (c) => c.category === sample.category],
    ];
    for (const [filter, keep] of cases) {
      const expected = sorted(allCases.filter(keep));
      const page = await list({ first: 500, ...filter });
      expect(page.totalCount).toBe(expected.length);
      expect(page.edges.map((e) => e.node.id)).toEqual(expected.slice(0, 500));
    }
  });

  it('lists nothing for well-formed places and committees that hold no case', async () => {
    const empty = { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    expect(await list({ gridCode: '320311001999001' })).toEqual(empty);
    expect(await list({ communityCode: '320311099999' })).toEqual(empty);
    expect(await list({ streetCode: '320311099000' })).toEqual(empty);
    expect(await list({ committeeId: 'RC320311001001001' })).toEqual(empty);
  });
});

describe('contributions to other departments’ entities', () => {
  it("lists a resident's cases, and none for a resident who is party to none", async () => {
    const casesOf = new Map<string, Set<string>>();
    for (const c of allCases) {
      for (const p of c.parties) {
        if (p.idNumber === null) continue;
        const id = idOf(p.idNumber);
        casesOf.set(id, (casesOf.get(id) ?? new Set()).add(c.id));
      }
    }
    const [residentId, ids] = [...casesOf].sort((a, b) => b[1].size - a[1].size)[0]!;
    const nobody = idOf(grids[0]!.residents.find((r) => !casesOf.has(idOf(r.idNumber)))!.idNumber);
    const response = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { id cases { id parties { resident { id } } } } } }`,
      { reps: [{ __typename: 'Resident', id: residentId }, { __typename: 'Resident', id: nobody }] },
    );
    expect(response.errors).toBeUndefined();
    const [one, none] = (response.data as { _entities: { id: string; cases: { id: string; parties: { resident: { id: string } | null }[] }[] }[] })._entities;
    expect(one!.cases.map((c) => c.id)).toEqual([...ids].sort());
    for (const c of one!.cases) expect(c.parties.map((p) => p.resident?.id)).toContain(residentId);
    expect(none).toEqual({ id: nobody, cases: [] });
  });

  it("lists a house's cases", async () => {
    const withHouse = allCases.filter((c) => c.houseCode !== null);
    expect(withHouse.length).toBeGreaterThan(0);
    const houseCode = withHouse[0]!.houseCode!;
    const response = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on House { code cases { id house { code } } } } }`,
      { reps: [{ __typename: 'House', code: houseCode }, { __typename: 'House', code: '32031100100199999-01-0101' }] },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      _entities: [
        { code: houseCode, cases: sorted(withHouse.filter((c) => c.houseCode === houseCode)).map((id) => ({ id, house: { code: houseCode } })) },
        { code: '32031100100199999-01-0101', cases: [] },
      ],
    });
  });

  it('finds the case an incident was referred to, through _entities and the root', async () => {
    const referred = allCases.filter((c) => c.incidentId !== null).slice(0, 20);
    expect(referred.length).toBeGreaterThan(0);
    expect(referred.every((c) => c.source === 'POLICE_REFERRAL')).toBe(true);
    const unreferred = `JQ20260101${grids[0]!.grid.code}999`;
    const response = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Incident { id mediationCase { id source incident { id } } } } }`,
      {
        reps: [
          ...referred.map((c) => ({ __typename: 'Incident', id: c.incidentId })),
          { __typename: 'Incident', id: unreferred },
          { __typename: 'Incident', id: 'not-an-incident' },
        ],
      },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      _entities: [
        ...referred.map((c) => ({ id: c.incidentId, mediationCase: { id: c.id, source: 'POLICE_REFERRAL', incident: { id: c.incidentId } } })),
        { id: unreferred, mediationCase: null },
        { id: 'not-an-incident', mediationCase: null },
      ],
    });
    const root = await gql(`query ($id: ID!) { caseByIncident(incidentId: $id) { id } }`, { id: referred[0]!.incidentId });
    expect(root.data).toEqual({ caseByIncident: { id: referred[0]!.id } });
    expect((await gql(`{ caseByIncident(incidentId: "${unreferred}") { id } }`)).data).toEqual({ caseByIncident: null });
  });

  it('details the mediation committees of the directory, and nothing for other organizations', async () => {
    const committees = grids.flatMap((g) => g.mediation.committees);
    const everyMediator = grids.flatMap((g) => g.mediation.mediators);
    const other = grids.flatMap((g) => g.organizations).find((o) => o.kind !== 'MEDIATION_COMMITTEE')?.id ?? 'RC320311001001001';
    const sample = committees.slice(0, 10);
    const response = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Organization { id mediationCommittee { type industry mediators { id committee { id } } } } } }`,
      { reps: [...sample.map((c) => ({ __typename: 'Organization', id: c.organizationId })), { __typename: 'Organization', id: other }] },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      _entities: [
        ...sample.map((c) => ({
          id: c.organizationId,
          mediationCommittee: {
            type: c.type,
            industry: c.industry,
            mediators: everyMediator
              .filter((m) => m.committeeId === c.organizationId)
              .sort(byId)
              .map((m) => ({ id: m.id, committee: { id: c.organizationId } })),
          },
        })),
        { id: other, mediationCommittee: null },
      ],
    });
  });
});

describe('statement counts', () => {
  const measure = async (query: string, variables: Record<string, unknown>) => {
    harness.database.statements.reset();
    const response = await gql(query, variables);
    expect(response.errors).toBeUndefined();
    return harness.database.statements.count;
  };
  // The single parent must reach every loader (a mediator, sessions), or the comparison would prove nothing.
  const rich = allCases.find((c) => c.mediatorId !== null && c.records.length > 0 && demoHistory(c).agreement && c.followUps.length > 0)!;

  it("stays flat for a grid's cases: first=500 as first=10, 10 grids as 1", async () => {
    const one = [{ __typename: 'Grid', code: rich.gridCode }];
    const ten = [rich.gridCode, ...grids.map((g) => g.grid.code).filter((code) => code !== rich.gridCode)]
      .slice(0, 10)
      .map((code) => ({ __typename: 'Grid', code }));
    const base = await measure(GRID_CASES, { reps: one, first: 10 });
    expect(base).toBeGreaterThan(0);
    expect(await measure(GRID_CASES, { reps: one, first: 500 })).toBe(base);
    expect(await measure(GRID_CASES, { reps: ten, first: 10 })).toBe(base);
    expect(await measure(GRID_CASES, { reps: ten, first: 500 })).toBe(base);
  });

  it('stays flat for the cases of the district: first=500 as first=10', async () => {
    expect(allCases.length).toBeGreaterThan(10);
    expect([...allCases].sort(byId).slice(0, 10).some((c) => c.mediatorId !== null && c.records.length > 0)).toBe(true);
    const query = `query ($first: Int) { cases(first: $first) { totalCount edges { node { ${CASE_FIELDS} committee { mediationCommittee { mediators { id } } } } } } }`;
    const ten = await measure(query, { first: 10 });
    expect(await measure(query, { first: 500 })).toBe(ten);
  });

  it("stays flat for residents' cases: 10 residents as 1", async () => {
    const first = idOf(rich.parties.find((p) => p.idNumber !== null)!.idNumber!);
    const others = [...new Set(allCases.flatMap((c) => c.parties.flatMap((p) => (p.idNumber ? [idOf(p.idNumber)] : []))))];
    const residents = [first, ...others.filter((id) => id !== first)].slice(0, 10);
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { cases { ${CASE_FIELDS} } } } }`;
    const one = await measure(query, { reps: [{ __typename: 'Resident', id: first }] });
    expect(await measure(query, { reps: residents.map((id) => ({ __typename: 'Resident', id })) })).toBe(one);
  });

  it('stays flat for incidents and committees through _entities: 10 as 1', async () => {
    const referred = allCases.filter((c) => c.incidentId !== null && c.mediatorId !== null);
    const incidents = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Incident { mediationCase { ${CASE_FIELDS} } } } }`;
    const reps = referred.map((c) => ({ __typename: 'Incident', id: c.incidentId }));
    expect(reps.length).toBeGreaterThan(1);
    expect(await measure(incidents, { reps: reps.slice(0, 10) })).toBe(await measure(incidents, { reps: reps.slice(0, 1) }));
    const committees = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Organization { mediationCommittee { type mediators { id resident { id } } } } } }`;
    const orgs = grids.flatMap((g) => g.mediation.committees).map((c) => ({ __typename: 'Organization', id: c.organizationId }));
    expect(await measure(committees, { reps: orgs.slice(0, 10) })).toBe(await measure(committees, { reps: orgs.slice(0, 1) }));
  });
});

describe('bad input', () => {
  const code = async (query: string, variables?: Record<string, unknown>) => {
    const response = await gql(query, variables);
    return { codes: errorCodes(response), extensions: response.errors?.[0]?.extensions };
  };
  const grid = grids[0]!.grid.code;

  it('refuses malformed case and incident ids', async () => {
    for (const id of ['TJ123', `XX${grid}0001`, `TJ${grid}00001`, 'TJ0000000000000000001', `tj${grid}0001`]) {
      expect(await code(`query ($id: ID!) { case(id: $id) { id } }`, { id })).toEqual({
        codes: ['INVALID_CASE_ID'],
        extensions: expect.objectContaining({ argumentName: 'id' }),
      });
    }
    for (const id of ['JQ1', `JQ20261340${grid}001`, `JQ20260101${grid}01`, `JQ20260101000000000000000001`]) {
      expect(await code(`query ($id: ID!) { caseByIncident(incidentId: $id) { id } }`, { id })).toEqual({
        codes: ['INVALID_INCIDENT_ID'],
        extensions: expect.objectContaining({ argumentName: 'incidentId' }),
      });
    }
  });

  it('refuses malformed places and organization ids in the case list, naming the argument', async () => {
    const bad: [string, string, string][] = [
      ['streetCode', '320311001001', 'INVALID_PLACE_CODE'],
      ['streetCode', '32031100100', 'INVALID_PLACE_CODE'],
      ['communityCode', '320311001000', 'INVALID_PLACE_CODE'],
      ['communityCode', 'abc', 'INVALID_PLACE_CODE'],
      ['gridCode', '320311001001000', 'INVALID_GRID_CODE'],
      ['gridCode', '3203110010010011', 'INVALID_GRID_CODE'],
      ['committeeId', 'MC3203110010010011', 'INVALID_ORGANIZATION_ID'],
      ['committeeId', 'XX320311001001001', 'INVALID_ORGANIZATION_ID'],
      ['committeeId', 'MC320311001000001', 'INVALID_ORGANIZATION_ID'],
    ];
    for (const [argumentName, value, expected] of bad) {
      expect(await code(`query ($v: ID) { cases(${argumentName}: $v) { totalCount } }`, { v: value })).toEqual({
        codes: [expected],
        extensions: expect.objectContaining({ argumentName }),
      });
    }
  });

  it('refuses page sizes out of range and cursors of other lists', async () => {
    const reps = [{ __typename: 'Grid', code: grid }];
    for (const first of [501, -1]) {
      expect(await code(`query ($first: Int) { cases(first: $first) { totalCount } }`, { first })).toEqual({
        codes: ['INVALID_PAGE_SIZE'],
        extensions: expect.objectContaining({ argumentName: 'first', maximum: 500 }),
      });
      expect((await code(GRID_CASES, { reps, first })).codes).toEqual(['INVALID_PAGE_SIZE']);
    }
    const rootPage = (await gql(`{ cases(first: 1) { pageInfo { endCursor } } }`)).data as { cases: Page };
    const rootCursor = rootPage.cases.pageInfo.endCursor!;
    const gridCursor = (await gridCases(allCases[0]!.gridCode, { first: 1 })).cases.pageInfo.endCursor!;
    for (const after of ['not a cursor', gridCursor, Buffer.from('cases:TJ1').toString('base64url')]) {
      expect((await code(`query ($after: String) { cases(after: $after) { totalCount } }`, { after })).codes).toEqual(['INVALID_CURSOR']);
    }
    for (const after of ['not a cursor', rootCursor]) {
      expect((await code(GRID_CASES, { reps, first: 5, after })).codes).toEqual(['INVALID_CURSOR']);
    }
  });

  it('leaves unknown enum values to GraphQL itself', async () => {
    const response = await gql(`{ cases(status: FINISHED) { totalCount } }`);
    expect(response.errors?.length).toBe(1);
    expect(response.data).toBeUndefined();
    const viaVariable = await gql(`query ($c: CaseCategory) { cases(category: $c) { totalCount } }`, { c: 'NOISE' });
    expect(errorCodes(viaVariable)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('row scope and masking at the subgraph itself', () => {
  const [own, other] = grids.filter((g) => g.mediation.cases.length > 0) as [DemoGridContents, DemoGridContents];
  const as = async (caller: ReturnType<typeof testCaller>, query: string) =>
    harness.gql<Record<string, any>>(query, undefined, caller);

  it("answers a grid worker their own grid's cases only: another grid's case is null, its lists and counts empty", async () => {
    const response = await as(
      testCaller('grid-worker', { grids: [own.grid.code] }),
      `{
        mine: case(id: "${own.mediation.cases[0]!.id}") { id }
        theirs: case(id: "${other.mediation.cases[0]!.id}") { id }
        cases(first: 500) { totalCount edges { node { id } } }
        _entities(representations: [{ __typename: "Grid", code: "${own.grid.code}" }, { __typename: "Grid", code: "${other.grid.code}" }]) {
          ... on Grid { cases(first: 500) { totalCount } caseCounts { total } }
        }
      }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.mine).toEqual({ id: own.mediation.cases[0]!.id });
    expect(response.data?.theirs).toBeNull();
    expect(response.data?.cases.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(sorted(own.mediation.cases));
    expect(response.data?.cases.totalCount).toBe(own.mediation.cases.length);
    expect(response.data?._entities).toEqual([
      { cases: { totalCount: own.mediation.cases.length }, caseCounts: { total: own.mediation.cases.length } },
      { cases: { totalCount: 0 }, caseCounts: { total: 0 } },
    ]);
  });

  it("masks mediators' names for an analyst", async () => {
    const mediated = allCases.find((c) => c.mediatorId)!;
    const mediator = grids.flatMap((g) => g.mediation.mediators).find((m) => m.id === mediated.mediatorId)!;
    const response = await as(testCaller('district-analyst'), `{ case(id: "${mediated.id}") { mediator { name } } }`);
    expect(response.data?.case).toEqual({ mediator: { name: maskName(mediator.name) } });
  });
});
