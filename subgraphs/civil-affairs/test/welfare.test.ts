import { DEMO_HUB_SECRET, encodeCursor, maskIdNumber, residentKey, SCOPES, type Scope } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoWelfareEntitlement, type WelfareKind } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const contents = [...world.gridContents()];
const welfare: DemoWelfareEntitlement[] = contents.flatMap((c) => c.civilAffairs.welfare);
const KINDS: WelfareKind[] = ['MINIMUM_LIVING', 'EXTREME_POVERTY', 'DISABILITY_LIVING', 'DISABILITY_CARE', 'OLD_AGE'];
const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);
const ids = (list: DemoWelfareEntitlement[]) => list.map((w) => w.id).sort();

const harness = serveSubgraphForTests(subgraph);

const gql = async (query: string, variables?: Record<string, unknown>) =>
  harness.gql(query, variables);

interface Page<T> {
  totalCount: number;
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const ENTITLEMENT_FIELDS = 'id resident { id } kind monthlyAmount startsOn endsOn status disabilityCertificateNumber grid { code }';
const entitlement = (w: DemoWelfareEntitlement) => ({
  id: w.id,
  resident: { id: idOf(w.idNumber) },
  kind: w.kind,
  monthlyAmount: w.monthlyAmount,
  startsOn: w.startsOn,
  endsOn: w.endsOn,
  status: w.status,
  disabilityCertificateNumber: w.disabilityCertificateNumber
    ? maskIdNumber(w.disabilityCertificateNumber.slice(0, 18)) + w.disabilityCertificateNumber.slice(18)
    : null,
  grid: { code: w.gridCode },
});

const GRID_WELFARE = /* GraphQL */ `
  query ($reps: [_Any!]!, $kind: WelfareKind, $status: WelfareStatus, $first: Int, $after: String) {
    _entities(representations: $reps) {
      ... on Grid {
        welfareRecipients(kind: $kind, status: $status, first: $first, after: $after) {
          totalCount
          edges { cursor node { ${ENTITLEMENT_FIELDS} grid { name community { name } } } }
          pageInfo { hasNextPage endCursor }
        }
        welfareCounts(status: $status) { total minimumLiving extremePoverty disabilityLiving disabilityCare oldAge }
      }
    }
  }
`;

interface GridWelfare {
  welfareRecipients: Page<{ id: string }>;
  welfareCounts: Record<string, number>;
}

const gridWelfare = async (codes: string[], variables: Record<string, unknown>) => {
  const response = await gql(GRID_WELFARE, { reps: codes.map((code) => ({ __typename: 'Grid', code })), ...variables });
  expect(response.errors).toBeUndefined();
  return (response.data as { _entities: GridWelfare[] })._entities;
};

describe('welfare entitlements', () => {
  const busiest = contents.reduce((a, b) => (b.civilAffairs.welfare.length > a.civilAffairs.welfare.length ? b : a));

  it("answers a resident's entitlements, the certificate number masked", async () => {
    expect(welfare.length).toBeGreaterThan(0);
    const byResident = new Map<string, DemoWelfareEntitlement[]>();
    for (const w of welfare) byResident.set(w.idNumber, [...(byResident.get(w.idNumber) ?? []), w]);
    const withCertificate = welfare.find((w) => w.disabilityCertificateNumber)!;
    expect(withCertificate).toBeDefined();
    const several = [...byResident.values()].find((list) => list.length > 1) ?? [];
    const people = [...new Set([withCertificate.idNumber, ...several.map((w) => w.idNumber), welfare[0]!.idNumber])];
    const nobody = contents[0]!.residents.find((r) => !byResident.has(r.idNumber))!;
    const response = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { id welfare { ${ENTITLEMENT_FIELDS} } } } }`,
      { reps: [...people, nobody.idNumber].map((n) => ({ __typename: 'Resident', id: idOf(n) })) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      _entities: [
        ...people.map((n) => ({
          id: idOf(n),
          welfare: byResident.get(n)!.sort((a, b) => (a.id < b.id ? -1 : 1)).map(entitlement),
        })),
        { id: idOf(nobody.idNumber), welfare: [] },
      ],
    });
    const masked = entitlement(withCertificate).disabilityCertificateNumber!;
    expect(masked).toMatch(/^\d{6}\*{8}[\dX]{4}\d{2}$/);
    expect(masked).not.toContain(withCertificate.idNumber.slice(6, 14));
  });

  it("answers a grid's recipients by kind and status, with totals and counts", async () => {
    const all = busiest.civilAffairs.welfare;
    for (const status of [null, 'ACTIVE', 'SUSPENDED', 'ENDED'] as const) {
      const matching = all.filter((w) => !status || w.status === status);
      const [grid] = await gridWelfare([busiest.grid.code], { status, first: 500 });
      expect(grid!.welfareRecipients.totalCount).toBe(matching.length);
      expect(grid!.welfareRecipients.edges.map((e) => e.node.id)).toEqual(ids(matching));
      const countOf = (kind: WelfareKind) => matching.filter((w) => w.kind === kind).length;
      expect(grid!.welfareCounts).toEqual({
        total: matching.length,
        minimumLiving: countOf('MINIMUM_LIVING'),
        extremePoverty: countOf('EXTREME_POVERTY'),
        disabilityLiving: countOf('DISABILITY_LIVING'),
        disabilityCare: countOf('DISABILITY_CARE'),
        oldAge: countOf('OLD_AGE'),
      });
    }
    for (const kind of KINDS) {
      const ofKind = all.filter((w) => w.kind === kind);
      const [grid] = await gridWelfare([busiest.grid.code], { kind, first: 500 });
      expect(grid!.welfareRecipients.totalCount).toBe(ofKind.length);
      expect(grid!.welfareRecipients.edges.map((e) => e.node)).toEqual(
        ofKind
          .sort((a, b) => (a.id < b.id ? -1 : 1))
          .map((w) => ({ ...entitlement(w), grid: expect.objectContaining({ code: w.gridCode }) })),
      );
    }
  });

  it("pages through a grid's recipients in id order", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const [grid] = await gridWelfare([busiest.grid.code], { first: 3, after });
      seen.push(...grid!.welfareRecipients.edges.map((e) => e.node.id));
      after = grid!.welfareRecipients.pageInfo.hasNextPage ? grid!.welfareRecipients.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(ids(busiest.civilAffairs.welfare));
  });

  it('lists entitlements by kind, status, street, community and grid', async () => {
    const list = async (args: Record<string, unknown>) => {
      const response = await gql(
        `query ($kind: WelfareKind, $status: WelfareStatus, $s: ID, $c: ID, $g: ID) {
          welfareEntitlements(kind: $kind, status: $status, streetCode: $s, communityCode: $c, gridCode: $g, first: 500) {
            totalCount edges { node { id } }
          }
        }`,
        args,
      );
      expect(response.errors).toBeUndefined();
      const page = (response.data as { welfareEntitlements: Page<{ id: string }> }).welfareEntitlements;
      return { total: page.totalCount, ids: page.edges.map((e) => e.node.id) };
    };
    const expected = (list: DemoWelfareEntitlement[]) => ({ total: list.length, ids: ids(list).slice(0, 500) });
    const street = world.streets[0]!;
    const community = busiest.grid.communityCode;
    const inStreet = welfare.filter((w) => w.gridCode.startsWith(street.code.slice(0, 9)));
    expect(await list({ s: street.code })).toEqual(expected(inStreet));
    expect(await list({ s: street.code, kind: 'MINIMUM_LIVING', status: 'ACTIVE' })).toEqual(
      expected(inStreet.filter((w) => w.kind === 'MINIMUM_LIVING' && w.status === 'ACTIVE')),
    );
    expect(await list({ c: community })).toEqual(expected(welfare.filter((w) => w.gridCode.startsWith(community))));
    expect(await list({ g: busiest.grid.code, kind: 'OLD_AGE' })).toEqual(
      expected(busiest.civilAffairs.welfare.filter((w) => w.kind === 'OLD_AGE')),
    );
    for (const kind of KINDS) expect((await list({ kind })).total).toBe(welfare.filter((w) => w.kind === kind).length);
  });

  it("pages through a street's and a community's entitlements in id order across their grids", async () => {
    const walk = async (args: Record<string, unknown>) => {
      const seen: string[] = [];
      const totals = new Set<number>();
      let after: string | null = null;
      do {
        const response = await gql(
          `query ($kind: WelfareKind, $status: WelfareStatus, $s: ID, $c: ID, $after: String) {
            welfareEntitlements(kind: $kind, status: $status, streetCode: $s, communityCode: $c, first: 3, after: $after) {
              totalCount edges { node { id grid { code } } } pageInfo { hasNextPage endCursor }
            }
          }`,
          { ...args, after },
        );
        expect(response.errors).toBeUndefined();
        const page = (response.data as { welfareEntitlements: Page<{ id: string; grid: { code: string } }> }).welfareEntitlements;
        expect(page.edges.length).toBeLessThanOrEqual(3);
        totals.add(page.totalCount);
        seen.push(...page.edges.map((e) => e.node.id));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      return { seen, totals: [...totals] };
    };
    const street = world.streets[0]!;
    const inStreet = welfare.filter((w) => w.gridCode.startsWith(street.code.slice(0, 9)));
    // More grids than a page holds, each with entitlements: the page is merged from several grids' first rows.
    expect(new Set(inStreet.map((w) => w.gridCode)).size).toBeGreaterThan(3);
    expect(await walk({ s: street.code })).toEqual({ seen: ids(inStreet), totals: [inStreet.length] });
    const active = inStreet.filter((w) => w.kind === 'MINIMUM_LIVING' && w.status === 'ACTIVE');
    expect(active.length).toBeGreaterThan(3);
    expect(await walk({ s: street.code, kind: 'MINIMUM_LIVING', status: 'ACTIVE' })).toEqual({ seen: ids(active), totals: [active.length] });
    const community = busiest.grid.communityCode;
    const inCommunity = welfare.filter((w) => w.gridCode.startsWith(community));
    expect(await walk({ c: community, status: 'ACTIVE' })).toEqual({
      seen: ids(inCommunity.filter((w) => w.status === 'ACTIVE')),
      totals: [inCommunity.filter((w) => w.status === 'ACTIVE').length],
    });
  });
});

describe('statement counts', () => {
  const gridCodes = contents.slice(0, 10).map((c) => c.grid.code);
  const measure = async (query: string, variables: Record<string, unknown>) => {
    harness.database.statements.reset();
    const response = await gql(query, variables);
    expect(response.errors).toBeUndefined();
    return harness.database.statements.count;
  };

  it("costs the same for 10 grids' recipients as for 1, and for first=500 as for first=10", async () => {
    const reps = (codes: string[]) => codes.map((code) => ({ __typename: 'Grid', code }));
    const one = await measure(GRID_WELFARE, { reps: reps(gridCodes.slice(0, 1)), first: 10, kind: null });
    expect(one).toBeGreaterThan(0);
    expect(await measure(GRID_WELFARE, { reps: reps(gridCodes.slice(0, 1)), first: 500 })).toBe(one);
    expect(await measure(GRID_WELFARE, { reps: reps(gridCodes), first: 10 })).toBe(one);
  });

  it('costs the same for a page of 500 entitlements as of 10, and for 10 residents as for 1', async () => {
    const query = `query ($first: Int) { welfareEntitlements(first: $first) { totalCount edges { node { ${ENTITLEMENT_FIELDS} grid { name street { name } } } } } }`;
    expect(welfare.length).toBeGreaterThan(10);
    expect(await measure(query, { first: 500 })).toBe(await measure(query, { first: 10 }));
    const residents = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { welfare { ${ENTITLEMENT_FIELDS} grid { name } } } } }`;
    const reps = (n: number) => [...new Set(welfare.map((w) => w.idNumber))].slice(0, n).map((i) => ({ __typename: 'Resident', id: idOf(i) }));
    expect(await measure(residents, { reps: reps(10) })).toBe(await measure(residents, { reps: reps(1) }));
  });

  it("costs the same for a street's page of entitlements whatever the page: the street's check, its page and its total", async () => {
    const query = `query ($s: ID, $first: Int, $after: String) { welfareEntitlements(kind: MINIMUM_LIVING, status: ACTIVE, streetCode: $s, first: $first, after: $after) { totalCount edges { node { id } } } }`;
    const street = world.streets[0]!.code;
    const one = await measure(query, { s: street, first: 1 });
    expect(one).toBe(3);
    expect(await measure(query, { s: street, first: 500 })).toBe(one);
    const first = welfare.filter((w) => w.gridCode.startsWith(street.slice(0, 9)) && w.kind === 'MINIMUM_LIVING' && w.status === 'ACTIVE').map((w) => w.id).sort()[0]!;
    expect(await measure(query, { s: street, first: 2, after: encodeCursor('welfare', first) })).toBe(one);
  });
});

describe('bad input', () => {
  const reps = [{ __typename: 'Grid', code: contents[0]!.grid.code }];

  it.each([
    ['a page above the maximum', `{ welfareEntitlements(first: 501) { totalCount } }`, 'INVALID_PAGE_SIZE'],
    ['a malformed cursor', `{ welfareEntitlements(after: "bm90LWEtY3Vyc29y") { totalCount } }`, 'INVALID_CURSOR'],
    ['a malformed street filter', `{ welfareEntitlements(streetCode: "320311001001") { totalCount } }`, 'INVALID_PLACE_CODE'],
    ['an unknown street filter', `{ welfareEntitlements(streetCode: "320311098000") { totalCount } }`, 'NOT_FOUND'],
    ['a malformed grid filter', `{ welfareEntitlements(gridCode: "32031100100100X") { totalCount } }`, 'INVALID_GRID_CODE'],
  ])('refuses %s', async (_, query, code) => {
    expect(errorCodes(await gql(query))).toEqual([code]);
  });

  it("refuses page sizes out of range on a grid's recipients", async () => {
    for (const first of [501, -1]) {
      const response = await gql(GRID_WELFARE, { reps, first });
      expect(errorCodes(response)).toEqual(['INVALID_PAGE_SIZE']);
    }
  });
});

describe('disclosure and row scope at the subgraph itself', () => {
  const withCertificate = welfare.find((w) => w.disabilityCertificateNumber)!;
  const as = async (caller: ReturnType<typeof testCaller>, query: string) =>
    harness.gql<Record<string, any>>(query, undefined, caller);
  const QUERY = `{ _entities(representations: [{ __typename: "Resident", id: "${idOf(withCertificate.idNumber)}" }]) {
    ... on Resident { welfare { id disabilityCertificateNumber } } } }`;
  const certificateOf = (response: { data?: Record<string, any> | null }) =>
    response.data?._entities[0].welfare.find((w: { id: string }) => w.id === withCertificate.id)?.disabilityCertificateNumber;

  it('shows a disability certificate whole only to a role with the scopes and a purpose', async () => {
    expect(certificateOf(await as(testCaller('civil-affairs-clerk', { purpose: 'welfare-review' }), QUERY))).toBe(withCertificate.disabilityCertificateNumber);
    expect(certificateOf(await as(testCaller('civil-affairs-clerk'), QUERY))).toBe(entitlement(withCertificate).disabilityCertificateNumber);
    // The analyst holds welfare:read but not health:read: the number is refused here, as at the gateway.
    const analyst = await as(testCaller('district-analyst', { purpose: 'statistics' }), QUERY);
    expect(certificateOf(analyst)).toBeNull();
    expect(errorCodes(analyst)).toContain('FORBIDDEN');
  });

  it("leaves welfare of other grids out for a grid worker, in lookups, lists and counts", async () => {
    const elsewhere = contents.find((c) => c.grid.code !== withCertificate.gridCode && c.civilAffairs.welfare.length > 0)!;
    // Every scope, so the field policy (a grid worker holds no welfare:read) leaves the row scope alone to be tested.
    const worker = testCaller('grid-worker', { grids: [elsewhere.grid.code], scopes: Object.keys(SCOPES) as Scope[] });
    expect(certificateOf(await as(worker, QUERY))).toBeUndefined();
    const response = await as(worker, `{ welfareEntitlements(first: 500) { totalCount edges { node { id } } } }`);
    expect(response.errors).toBeUndefined();
    expect(response.data?.welfareEntitlements.totalCount).toBe(elsewhere.civilAffairs.welfare.length);
    expect(response.data?.welfareEntitlements.edges.map((e: { node: { id: string } }) => e.node.id).sort()).toEqual(ids(elsewhere.civilAffairs.welfare));
  });

  it("keeps a street's page to the grid worker's grids", async () => {
    const elsewhere = contents.find((c) => c.grid.code !== withCertificate.gridCode && c.civilAffairs.welfare.length > 0)!;
    const worker = testCaller('grid-worker', { grids: [elsewhere.grid.code], scopes: Object.keys(SCOPES) as Scope[] });
    const streetCode = world.communities.find((c) => c.code === elsewhere.grid.communityCode)!.streetCode;
    const response = await as(worker, `{ welfareEntitlements(streetCode: "${streetCode}", first: 500) { totalCount edges { node { id } } } }`);
    expect(response.errors).toBeUndefined();
    expect(elsewhere.civilAffairs.welfare.length).toBeGreaterThan(0);
    expect(response.data?.welfareEntitlements.totalCount).toBe(elsewhere.civilAffairs.welfare.length);
    expect(response.data?.welfareEntitlements.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(ids(elsewhere.civilAffairs.welfare));
  });
});
