import { DEMO_HUB_SECRET, maskIdNumber, residentKey, type Caller } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type CareKind, type DemoCareRecord, type DemoDisabilityRecord } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const contents = [...world.gridContents()];
const care: DemoCareRecord[] = contents.flatMap((c) => c.civilAffairs.care);
const disabilities: DemoDisabilityRecord[] = contents.flatMap((c) => c.civilAffairs.disabilities);
const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);
const masked = (certificate: string) => maskIdNumber(certificate.slice(0, 18)) + certificate.slice(18);
const CATEGORIES = ['VISUAL', 'HEARING', 'SPEECH', 'PHYSICAL', 'INTELLECTUAL', 'MENTAL', 'MULTIPLE'];
const COUNT_FIELD: Record<CareKind, string> = {
  LEFT_BEHIND_ELDERLY: 'leftBehindElderly',
  LEFT_BEHIND_WOMAN: 'leftBehindWomen',
  LEFT_BEHIND_CHILD: 'leftBehindChildren',
  LIVING_ALONE_ELDERLY: 'livingAloneElderly',
  EMPTY_NEST_ELDERLY: 'emptyNestElderly',
  ORPHAN: 'orphans',
  UNSUPPORTED_CHILD: 'unsupportedChildren',
};
const COUNTS = `careCounts { total ${Object.values(COUNT_FIELD).join(' ')} }`;
const countsOf = (list: DemoCareRecord[]) => {
  const counts: Record<string, number> = { total: list.length };
  for (const [kind, field] of Object.entries(COUNT_FIELD)) counts[field] = list.filter((c) => c.kind === kind).length;
  return counts;
};

const harness = serveSubgraphForTests(subgraph);
const gql = async <T = Record<string, any>>(query: string, variables?: Record<string, unknown>, caller?: ReturnType<typeof testCaller>) => {
  const response = await harness.gql<T>(query, variables, caller);
  return response;
};
const ok = async (query: string, variables?: Record<string, unknown>, caller?: ReturnType<typeof testCaller>) => {
  const response = await gql(query, variables, caller);
  expect(response.errors).toBeUndefined();
  return response.data as Record<string, any>;
};

const GRID_CARE = /* GraphQL */ `
  query ($reps: [_Any!]!, $kind: CareKind, $first: Int, $after: String) {
    _entities(representations: $reps) {
      ... on Grid {
        code
        careRecords(kind: $kind, first: $first, after: $after) {
          totalCount
          edges { node { id resident { id } kind listedOn endedOn grid { code } } }
          pageInfo { hasNextPage endCursor }
        }
        ${COUNTS}
        disabilityRecords(first: $first) { totalCount edges { node { id resident { id } certificateNumber category grade issuedOn grid { code } } } }
      }
    }
  }
`;
const gridReps = (codes: string[]) => codes.map((code) => ({ __typename: 'Grid', code }));

describe('care lists and the disability register', () => {
  const busiest = contents.reduce((a, b) => (b.civilAffairs.care.length > a.civilAffairs.care.length ? b : a));

  it('has some of every list in the test district, and certificate holders without an allowance', () => {
    for (const kind of ['LIVING_ALONE_ELDERLY', 'EMPTY_NEST_ELDERLY', 'LEFT_BEHIND_ELDERLY', 'LEFT_BEHIND_WOMAN']) expect(care.some((c) => c.kind === kind), kind).toBe(true);
    const allowance = new Set(contents.flatMap((c) => c.civilAffairs.welfare).map((w) => w.disabilityCertificateNumber));
    expect(disabilities.some((d) => !allowance.has(d.certificateNumber))).toBe(true);
  });

  it("answers a grid's care lists and register, with totals and counts by list", async () => {
    const [grid] = (await ok(GRID_CARE, { reps: gridReps([busiest.grid.code]), first: 500 }))._entities;
    const own = busiest.civilAffairs.care;
    expect(grid.careRecords.totalCount).toBe(own.length);
    expect(grid.careRecords.edges.map((e: { node: unknown }) => e.node)).toEqual(
      [...own].sort((a, b) => a.id.localeCompare(b.id)).map((c) => ({ id: c.id, resident: { id: idOf(c.idNumber) }, kind: c.kind, listedOn: c.listedOn, endedOn: null, grid: { code: c.gridCode } })),
    );
    expect(grid.careCounts).toEqual(countsOf(own));
    expect(grid.disabilityRecords.totalCount).toBe(busiest.civilAffairs.disabilities.length);
    expect(grid.disabilityRecords.edges.map((e: { node: unknown }) => e.node)).toEqual(
      busiest.civilAffairs.disabilities.map((d) => ({
        id: d.id, resident: { id: idOf(d.idNumber) }, certificateNumber: masked(d.certificateNumber), category: CATEGORIES[d.category - 1], grade: d.grade, issuedOn: d.issuedOn, grid: { code: d.gridCode },
      })),
    );
  });

  it('filters a grid by list and pages in id order', async () => {
    const alone = busiest.civilAffairs.care.filter((c) => c.kind === 'LIVING_ALONE_ELDERLY').map((c) => c.id).sort();
    expect(alone.length).toBeGreaterThan(1);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const grid: { careRecords: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = (
        await ok(GRID_CARE, { reps: gridReps([busiest.grid.code]), kind: 'LIVING_ALONE_ELDERLY', first: 1, after })
      )._entities[0];
      expect(grid.careRecords.totalCount).toBe(alone.length);
      seen.push(...grid.careRecords.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!grid.careRecords.pageInfo.hasNextPage) break;
      after = grid.careRecords.pageInfo.endCursor;
    }
    expect(seen).toEqual(alone);
  });

  it('counts communities, streets and the district over their grids (e.g. 独居老人 per community)', async () => {
    const community = contents[0]!.grid.communityCode;
    const street = world.communities.find((c) => c.code === community)!.streetCode;
    const inCommunity = contents.filter((c) => c.grid.communityCode === community).flatMap((c) => c.civilAffairs.care);
    const communitiesOfStreet = new Set(world.communities.filter((c) => c.streetCode === street).map((c) => c.code));
    const inStreet = contents.filter((c) => communitiesOfStreet.has(c.grid.communityCode)).flatMap((c) => c.civilAffairs.care);
    const data = await ok(`query ($c: ID!, $s: ID!) { community(code: $c) { ${COUNTS} } street(code: $s) { ${COUNTS} } district { ${COUNTS} } }`, { c: community, s: street });
    expect(data.community.careCounts).toEqual(countsOf(inCommunity));
    expect(data.street.careCounts).toEqual(countsOf(inStreet));
    expect(data.district.careCounts).toEqual(countsOf(care));
  });

  it("answers a resident's lists and certificate; a resident on none has none", async () => {
    const holder = disabilities.find((d) => care.some((c) => c.idNumber === d.idNumber)) ?? disabilities[0]!;
    const nobody = contents[0]!.residents.find((r) => !care.some((c) => c.idNumber === r.idNumber) && !disabilities.some((d) => d.idNumber === r.idNumber))!;
    const data = await ok(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { id careRecords { id kind } disability { id certificateNumber grade } } } }`,
      { reps: [holder.idNumber, nobody.idNumber].map((i) => ({ __typename: 'Resident', id: idOf(i) })) },
    );
    expect(data._entities[0]).toEqual({
      id: idOf(holder.idNumber),
      careRecords: care.filter((c) => c.idNumber === holder.idNumber).map((c) => ({ id: c.id, kind: c.kind })).sort((a, b) => a.id.localeCompare(b.id)),
      disability: { id: holder.id, certificateNumber: masked(holder.certificateNumber), grade: holder.grade },
    });
    expect(data._entities[1]).toEqual({ id: idOf(nobody.idNumber), careRecords: [], disability: null });
  });
});

describe('welfare and social assistance told apart', () => {
  const welfare = contents.flatMap((c) => c.civilAffairs.welfare);
  const grid = contents.reduce((a, b) => (b.civilAffairs.welfare.length > a.civilAffairs.welfare.length ? b : a));

  it('labels 高龄津贴 and the disability allowances welfare, 低保 and 特困 social assistance', async () => {
    const data = await ok(`{ welfareEntitlements(first: 500) { edges { node { id kind category } } } }`);
    const byKind = new Map<string, Set<string>>();
    for (const { node } of data.welfareEntitlements.edges) byKind.set(node.kind, (byKind.get(node.kind) ?? new Set()).add(node.category));
    expect(Object.fromEntries([...byKind].map(([k, v]) => [k, [...v]]))).toEqual({
      MINIMUM_LIVING: ['SOCIAL_ASSISTANCE'],
      EXTREME_POVERTY: ['SOCIAL_ASSISTANCE'],
      DISABILITY_LIVING: ['WELFARE'],
      DISABILITY_CARE: ['WELFARE'],
      OLD_AGE: ['WELFARE'],
    });
  });

  it("lists a grid's social assistance only, for the property cross-check, with its total", async () => {
    const query = `query ($reps: [_Any!]!, $category: WelfareCategory, $kind: WelfareKind) { _entities(representations: $reps) { ... on Grid {
      welfareRecipients(category: $category, kind: $kind, first: 500) { totalCount edges { node { id kind } } } } } }`;
    const assistance = grid.civilAffairs.welfare.filter((w) => w.kind === 'MINIMUM_LIVING' || w.kind === 'EXTREME_POVERTY');
    expect(assistance.length).toBeGreaterThan(0);
    expect(assistance.length).toBeLessThan(grid.civilAffairs.welfare.length);
    const [page] = (await ok(query, { reps: gridReps([grid.grid.code]), category: 'SOCIAL_ASSISTANCE' }))._entities;
    expect(page.welfareRecipients.totalCount).toBe(assistance.length);
    expect(page.welfareRecipients.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(assistance.map((w) => w.id).sort());
    const [none] = (await ok(query, { reps: gridReps([grid.grid.code]), category: 'WELFARE', kind: 'MINIMUM_LIVING' }))._entities;
    expect(none.welfareRecipients).toEqual({ totalCount: 0, edges: [] });
    expect(welfare.length).toBeGreaterThan(0);
  });
});

describe('access to care lists and certificates', () => {
  const holder = disabilities[0]!;
  const QUERY = `{ _entities(representations: [{ __typename: "Resident", id: "${idOf(holder.idNumber)}" }]) { ... on Resident { disability { certificateNumber } } } }`;

  it('shows a certificate whole only with the scopes and a purpose', async () => {
    const certificate = async (caller: ReturnType<typeof testCaller>) => (await ok(QUERY, undefined, caller))._entities[0].disability?.certificateNumber;
    expect(await certificate(testCaller('civil-affairs-clerk', { purpose: 'welfare-review' }))).toBe(holder.certificateNumber);
    expect(await certificate(testCaller('civil-affairs-clerk'))).toBe(masked(holder.certificateNumber));
  });

  it("leaves other grids' entries out for a caller limited to their grids, in lookups, pages and counts", async () => {
    const other = contents.find((c) => c.grid.code !== holder.gridCode && c.civilAffairs.care.length > 0)!;
    // A grid worker holds no welfare:read or health:read (the subgraph refuses the fields outright): a role limited to
    // its grids that holds them, as a site's roles file may define, is what row scope must hold.
    const grid = testCaller('grid-worker', { grids: [other.grid.code] });
    const worker: Caller = { ...grid, scopes: [...grid.scopes, 'welfare:read', 'health:read'] };
    const data = await ok(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { careRecords { id } disability { id } } } }`,
      { reps: [{ __typename: 'Resident', id: idOf(holder.idNumber) }] }, worker);
    expect(data._entities[0]).toEqual({ careRecords: [], disability: null });
    const [mine, theirs] = (await ok(`query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { careRecords(first: 500) { totalCount } ${COUNTS} } } }`,
      { reps: gridReps([other.grid.code, holder.gridCode]) }, worker))._entities;
    expect(mine.careRecords.totalCount).toBe(other.civilAffairs.care.length);
    expect(theirs.careRecords.totalCount).toBe(0);
    expect(theirs.careCounts.total).toBe(0);
  });
});

describe('statement counts and bad input', () => {
  const codes = contents.slice(0, 10).map((c) => c.grid.code);
  const measure = async (query: string, variables: Record<string, unknown>) => {
    harness.database.statements.reset();
    await ok(query, variables);
    return harness.database.statements.count;
  };

  it("costs the same for 10 grids' lists as for 1, and for 10 residents as for 1", async () => {
    const one = await measure(GRID_CARE, { reps: gridReps(codes.slice(0, 1)), first: 10 });
    expect(one).toBeGreaterThan(0);
    expect(await measure(GRID_CARE, { reps: gridReps(codes), first: 10 })).toBe(one);
    expect(await measure(GRID_CARE, { reps: gridReps(codes), first: 500 })).toBe(one);
    const residents = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { careRecords { id grid { name } } disability { id } } } }`;
    const reps = (n: number) => [...new Set(care.map((c) => c.idNumber))].slice(0, n).map((i) => ({ __typename: 'Resident', id: idOf(i) }));
    expect(await measure(residents, { reps: reps(10) })).toBe(await measure(residents, { reps: reps(1) }));
  });

  it('refuses page sizes out of range and foreign cursors', async () => {
    const query = `query ($reps: [_Any!]!, $first: Int, $after: String) { _entities(representations: $reps) { ... on Grid { careRecords(first: $first, after: $after) { totalCount } } } }`;
    const register = `query ($reps: [_Any!]!, $first: Int) { _entities(representations: $reps) { ... on Grid { disabilityRecords(first: $first) { totalCount } } } }`;
    for (const first of [501, -1]) {
      expect(errorCodes(await gql(query, { reps: gridReps(codes.slice(0, 1)), first }))).toEqual(['INVALID_PAGE_SIZE']);
      expect(errorCodes(await gql(register, { reps: gridReps(codes.slice(0, 1)), first }))).toEqual(['INVALID_PAGE_SIZE']);
    }
    // A welfare page's cursor handed to the care list.
    const welfareCursor = Buffer.from(`grid-welfare:MZ${codes[0]}0001`).toString('base64url');
    expect(errorCodes(await gql(query, { reps: gridReps(codes.slice(0, 1)), first: 1, after: welfareCursor }))).toEqual(['INVALID_CURSOR']);
  });
});
