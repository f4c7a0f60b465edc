import { buildCreditCode, DEMO_HUB_SECRET, residentKey } from '@hub/core';
import { errorCodes, serveSubgraphForTests } from '@hub/core/testing';
import { generateDemoWorld, type DemoOrganization, type OrganizationKind } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { organizations } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const contents = [...world.gridContents()];
const directory: DemoOrganization[] = contents.flatMap((c) => c.organizations);
const socialDetails = new Map(contents.flatMap((c) => c.civilAffairs.socialOrganizations).map((s) => [s.organizationId, s]));
const KINDS: OrganizationKind[] = [
  'PARTY_ORGANIZATION',
  'SOCIAL_ORGANIZATION',
  'RESIDENTS_COMMITTEE',
  'VILLAGERS_COMMITTEE',
  'PROPERTY_COMPANY',
  'OWNERS_COMMITTEE',
  'MEDIATION_COMMITTEE',
  'GOVERNMENT_AGENCY',
  'COMMUNITY_ORGANIZATION',
  'ENTERPRISE',
  'INDIVIDUAL_BUSINESS',
  'SCHOOL',
  'CLINIC',
];
const REGISTERED_BY: Record<DemoOrganization['department'], string> = {
  party: 'PARTY',
  'civil-affairs': 'CIVIL_AFFAIRS',
  housing: 'HOUSING',
  mediation: 'MEDIATION',
  'market-regulation': 'MARKET_REGULATION',
  education: 'EDUCATION',
  health: 'HEALTH',
};
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const entry = (o: DemoOrganization) => ({
  id: o.id,
  kind: o.kind,
  name: o.name,
  creditCode: o.creditCode,
  grid: { code: o.gridCode },
  community: { code: o.communityCode },
  registeredOn: o.registeredOn,
  registeredBy: REGISTERED_BY[o.department],
});
const ENTRY_FIELDS = 'id kind name creditCode grid { code } community { code } registeredOn registeredBy';

const harness = serveSubgraphForTests(subgraph);

const gql = async (query: string, variables?: Record<string, unknown>) =>
  harness.gql(query, variables);

interface Page<T> {
  totalCount: number;
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const GRID_ORGANIZATIONS = /* GraphQL */ `
  query ($reps: [_Any!]!, $kind: OrganizationKind, $first: Int, $after: String) {
    _entities(representations: $reps) {
      ... on Grid {
        code
        organizations(kind: $kind, first: $first, after: $after) {
          totalCount
          edges { cursor node { ${ENTRY_FIELDS} socialOrganization { type businessScope legalRepresentative { id } } } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`;

const gridOrganizations = async (codes: string[], variables: Record<string, unknown>) => {
  const response = await gql(GRID_ORGANIZATIONS, { reps: codes.map((code) => ({ __typename: 'Grid', code })), ...variables });
  expect(response.errors).toBeUndefined();
  return (response.data as { _entities: { organizations: Page<ReturnType<typeof entry>> }[] })._entities.map((g) => g.organizations);
};

describe('the organization directory', () => {
  const busiest = contents.reduce((a, b) => (b.organizations.length > a.organizations.length ? b : a));

  it('holds every organization of every department, as generated', async () => {
    expect(directory.length).toBeGreaterThan(0);
    const [row] = await harness.database.db.select({ n: count() }).from(organizations);
    expect(row?.n).toBe(directory.length);
    const registeredBy = new Set(directory.map((o) => o.department));
    expect(registeredBy.size).toBeGreaterThan(1);
  });

  it("answers a grid's organizations by kind, with totals", async () => {
    const expected = [...busiest.organizations].sort(byId);
    const [all] = await gridOrganizations([busiest.grid.code], { first: 500 });
    expect(all!.totalCount).toBe(expected.length);
    expect(all!.edges.map((e) => e.node.id)).toEqual(expected.map((o) => o.id));
    for (const kind of KINDS) {
      const ofKind = expected.filter((o) => o.kind === kind);
      const [page] = await gridOrganizations([busiest.grid.code], { kind, first: 500 });
      expect(page!.totalCount).toBe(ofKind.length);
      expect(page!.edges.map((e) => e.node)).toEqual(
        ofKind.map((o) => ({
          ...entry(o),
          socialOrganization:
            o.kind === 'SOCIAL_ORGANIZATION'
              ? {
                  type: socialDetails.get(o.id)!.type,
                  businessScope: socialDetails.get(o.id)!.businessScope,
                  legalRepresentative: { id: residentKey(socialDetails.get(o.id)!.legalRepresentativeIdNumber, DEMO_HUB_SECRET) },
                }
              : null,
        })),
      );
    }
  });

  it("pages through a grid's organizations in id order", async () => {
    const expected = busiest.organizations.map((o) => o.id).sort();
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const [page] = await gridOrganizations([busiest.grid.code], { first: 2, after });
      seen.push(...page!.edges.map((e) => e.node.id));
      after = page!.pageInfo.hasNextPage ? page!.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(expected);
  });

  it('answers an organization by id, and null for an id it does not know', async () => {
    const sample = KINDS.map((kind) => directory.find((o) => o.kind === kind)).filter((o) => o !== undefined);
    for (const o of sample) {
      const response = await gql(`query ($id: ID!) { organization(id: $id) { ${ENTRY_FIELDS} } }`, { id: o.id });
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ organization: entry(o) });
    }
    const unknown = `SO${directory[0]!.communityCode}999`;
    expect((await gql(`{ organization(id: "${unknown}") { id } }`)).data).toEqual({ organization: null });
    const references = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Organization { id name } } }`,
      { reps: [{ __typename: 'Organization', id: sample[0]!.id }, { __typename: 'Organization', id: unknown }] },
    );
    expect(references.data).toEqual({ _entities: [{ id: sample[0]!.id, name: sample[0]!.name }, null] });
  });

  it('finds an organization by credit code, in any letter case; null for a valid code it does not hold', async () => {
    const registered = directory.filter((o) => o.creditCode !== null);
    expect(registered.length).toBeGreaterThan(0);
    for (const o of registered.filter((_, i) => i % 7 === 0)) {
      const response = await gql(`query ($c: String!) { organizationByCreditCode(creditCode: $c) { id name } }`, {
        c: o.creditCode!.toLowerCase(),
      });
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ organizationByCreditCode: { id: o.id, name: o.name } });
    }
    const held = new Set(registered.map((o) => o.creditCode));
    const unknown = [...Array(100).keys()]
      .map((n) => buildCreditCode(`51320311MJ${String(n).padStart(7, '0')}`))
      .find((c) => !held.has(c))!;
    expect((await gql(`{ organizationByCreditCode(creditCode: "${unknown}") { id } }`)).data).toEqual({
      organizationByCreditCode: null,
    });
  });

  it('lists the directory by kind, community, grid and name', async () => {
    const community = busiest.grid.communityCode;
    const list = async (args: Record<string, unknown>) => {
      const response = await gql(
        `query ($kind: OrganizationKind, $gridCode: ID, $communityCode: ID, $nameContains: String) {
          organizations(kind: $kind, gridCode: $gridCode, communityCode: $communityCode, nameContains: $nameContains, first: 500) {
            totalCount edges { node { id } } pageInfo { hasNextPage }
          }
        }`,
        args,
      );
      expect(response.errors).toBeUndefined();
      const page = (response.data as { organizations: Page<{ id: string }> }).organizations;
      return { total: page.totalCount, ids: page.edges.map((e) => e.node.id) };
    };
    const expectIds = (orgs: DemoOrganization[]) => {
      const ids = orgs.map((o) => o.id).sort();
      return { total: ids.length, ids };
    };
    for (const kind of KINDS) {
      expect(await list({ kind })).toEqual(expectIds(directory.filter((o) => o.kind === kind)));
    }
    expect(await list({ communityCode: community })).toEqual(expectIds(directory.filter((o) => o.communityCode === community)));
    expect(await list({ gridCode: busiest.grid.code })).toEqual(expectIds(busiest.organizations));
    const name = busiest.organizations[0]!.name;
    const fragment = [...name].slice(1, 4).join('');
    expect(await list({ nameContains: fragment })).toEqual(expectIds(directory.filter((o) => o.name.includes(fragment))));
    expect(await list({ nameContains: '%' })).toEqual(expectIds(directory.filter((o) => o.name.includes('%'))));
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

  it("costs the same for 10 grids' organizations as for 1, and for first=500 as for first=10", async () => {
    // Social organizations have details to load: pages are compared with one of them on each (ids order clinics,
    // filed organizations, enterprises and shops before them, so a short unfiltered page may hold none).
    const kind = 'SOCIAL_ORGANIZATION';
    const one = await measure(GRID_ORGANIZATIONS, { reps: [{ __typename: 'Grid', code: gridCodes[0] }], first: 1, kind });
    expect(one).toBeGreaterThan(0);
    expect(await measure(GRID_ORGANIZATIONS, { reps: [{ __typename: 'Grid', code: gridCodes[0] }], first: 500, kind })).toBe(one);
    expect(await measure(GRID_ORGANIZATIONS, { reps: gridCodes.map((code) => ({ __typename: 'Grid', code })), first: 10, kind })).toBe(one);
    const all = await measure(GRID_ORGANIZATIONS, { reps: [{ __typename: 'Grid', code: gridCodes[0] }], first: 500 });
    expect(await measure(GRID_ORGANIZATIONS, { reps: gridCodes.map((code) => ({ __typename: 'Grid', code })), first: 500 })).toBe(all);
  });

  it('costs the same for a directory page of 500 as of 10', async () => {
    const query = (details: string) =>
      `query ($first: Int, $kind: OrganizationKind) { organizations(first: $first, kind: $kind) { totalCount edges { node { ${ENTRY_FIELDS} grid { name } community { name street { name } } ${details} } } } }`;
    expect(directory.length).toBeGreaterThan(10);
    expect(await measure(query(''), { first: 500 })).toBe(await measure(query(''), { first: 10 }));
    // Only social organizations have details to load, and the directory's first rows are of other kinds.
    const details = query('socialOrganization { type legalRepresentative { id } }');
    const kind = 'SOCIAL_ORGANIZATION';
    expect(directory.filter((o) => o.kind === kind).length).toBeGreaterThan(1);
    expect(await measure(details, { first: 500, kind })).toBe(await measure(details, { first: 1, kind }));
  });

  it('costs the same to resolve 10 organization references as 1', async () => {
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Organization { ${ENTRY_FIELDS} socialOrganization { type } } } }`;
    const reps = (n: number) =>
      directory.filter((o) => o.kind === 'SOCIAL_ORGANIZATION').slice(0, n).map((o) => ({ __typename: 'Organization', id: o.id }));
    expect(await measure(query, { reps: reps(10) })).toBe(await measure(query, { reps: reps(1) }));
  });
});

describe('bad input', () => {
  const grid = contents[0]!.grid.code;
  const valid = directory.find((o) => o.creditCode)?.creditCode ?? buildCreditCode('91320311MA0000000');
  const wrongCheck = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
  const reps = [{ __typename: 'Grid', code: grid }];
  const gridCursor = async () => {
    const [page] = await gridOrganizations([grid], { first: 1 });
    return page!.pageInfo.endCursor!;
  };

  it.each([
    ['an organization id without a kind prefix', `{ organization(id: "XX320311001001001") { id } }`, 'INVALID_ORGANIZATION_ID'],
    ['an organization id of the wrong length', `{ organization(id: "SO32031100100100") { id } }`, 'INVALID_ORGANIZATION_ID'],
    ['a credit code with a wrong check character', `{ organizationByCreditCode(creditCode: "${wrongCheck}") { id } }`, 'INVALID_CREDIT_CODE'],
    ['a credit code with a letter outside GB 32100', `{ organizationByCreditCode(creditCode: "91320311MA0000000I") { id } }`, 'INVALID_CREDIT_CODE'],
    ['a credit code of the wrong length', `{ organizationByCreditCode(creditCode: "91320311") { id } }`, 'INVALID_CREDIT_CODE'],
    ['a name filter over 50 characters', `{ organizations(nameContains: "${'社'.repeat(51)}") { totalCount } }`, 'INPUT_TOO_LONG'],
    ['a malformed grid filter', `{ organizations(gridCode: "3203110010010") { totalCount } }`, 'INVALID_GRID_CODE'],
    ['a malformed community filter', `{ organizations(communityCode: "32031100100") { totalCount } }`, 'INVALID_PLACE_CODE'],
    ['an unknown community filter', `{ organizations(communityCode: "320311001099") { totalCount } }`, 'NOT_FOUND'],
    ['a directory page above the maximum', `{ organizations(first: 501) { totalCount } }`, 'INVALID_PAGE_SIZE'],
    ['a negative directory page', `{ organizations(first: -1) { totalCount } }`, 'INVALID_PAGE_SIZE'],
    ['a malformed directory cursor', `{ organizations(after: "!!") { totalCount } }`, 'INVALID_CURSOR'],
  ])('refuses %s', async (_, query, code) => {
    expect(errorCodes(await gql(query))).toEqual([code]);
  });

  it('accepts a name filter of exactly 50 characters', async () => {
    const response = await gql(`{ organizations(nameContains: "${'社'.repeat(50)}") { totalCount } }`);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ organizations: { totalCount: 0 } });
  });

  it("refuses page sizes out of range on a grid's organizations, and a cursor of another list", async () => {
    for (const first of [501, -1]) {
      const response = await gql(GRID_ORGANIZATIONS, { reps, first });
      expect(errorCodes(response)).toEqual(['INVALID_PAGE_SIZE']);
      expect(response.errors?.[0]?.extensions).toMatchObject({ argumentName: 'first', maximum: 500 });
    }
    const cursor = await gridCursor();
    expect(errorCodes(await gql(`query ($after: String) { organizations(after: $after) { totalCount } }`, { after: cursor }))).toEqual([
      'INVALID_CURSOR',
    ]);
    expect(errorCodes(await gql(GRID_ORGANIZATIONS, { reps, first: 5, after: 'Z3JpZHM6MzIwMzExMDAxMDAxMDAx' }))).toEqual([
      'INVALID_CURSOR',
    ]);
  });
});
