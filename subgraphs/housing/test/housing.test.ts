import { DEMO_HUB_SECRET, maskAddress, residentKey, streetCodeOfCommunity } from '@hub/core';
import { errorCodes, type GraphQLResponse, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import {
  generateDemoWorld,
  type DemoGridContents,
  type DemoGroupRental,
  type DemoHouse,
  type DemoOwnership,
  type DemoTenancy,
} from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildings, groupRentals, houses, ownerships, tenancies } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const grids: DemoGridContents[] = [...world.gridContents()];
const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);

const allHouses = new Map<string, DemoHouse>(grids.flatMap((g) => g.houses.map((h) => [h.code, h] as const)));
const allOwnerships: DemoOwnership[] = grids.flatMap((g) => g.housing.ownerships);
const allTenancies: DemoTenancy[] = grids.flatMap((g) => g.housing.tenancies);
const allGroupRentals: DemoGroupRental[] = grids.flatMap((g) => g.housing.groupRentals);
const houseOf = (code: string) => allHouses.get(code)!;
const round2 = (n: number) => Math.round(n * 100) / 100;
const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

const harness = serveSubgraphForTests(subgraph);

// A housing officer on housing work sees addresses in clear; masking and row scope are tested at the end.
const HOUSING_OFFICER = testCaller('housing-officer', { purpose: 'housing-management' });
const gql = async <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
  harness.gql<T>(query, variables, HOUSING_OFFICER);

/** The data of a response that must have succeeded. */
function dataOf<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data as T;
}

interface Page<N> {
  totalCount: number;
  edges: { cursor: string; node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Follows a connection to its end with pages of `first`, checking the total on every page. */
async function pageThrough<N>(fetchPage: (after: string | null) => Promise<Page<N>>): Promise<{ nodes: N[]; totalCount: number }> {
  const nodes: N[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let pages = 0; pages < 200; pages++) {
    const page: Page<N> = await fetchPage(after);
    if (totalCount >= 0) expect(page.totalCount).toBe(totalCount);
    totalCount = page.totalCount;
    nodes.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return { nodes, totalCount };
    after = page.pageInfo.endCursor;
  }
  throw new Error('connection did not end');
}

const GROUP_RENTAL_FIELDS = /* GraphQL */ `
  id status identifiedOn interviewedOn rectifiedOn occupantCount note peoplePerRoom areaPerPersonM2 reasons
  partitioned bedLetting inspections { id inspectedOn occupantCount result }
  house { code usableAreaM2 } grid { code }
`;

const usableOf = new Map(grids.flatMap((g) => g.housing.houses.map((h) => [h.houseCode, h.usableAreaM2] as const)));

/** Crowding as the rules measure it: on usable area (使用面积), not on the floor area. */
function expectedGroupRental(g: DemoGroupRental) {
  const house = houseOf(g.houseCode);
  const usable = usableOf.get(g.houseCode)!;
  const reasons: string[] = [];
  if (usable / g.occupantCount < 5) reasons.push('AREA_PER_PERSON');
  if (g.occupantCount / house.rooms > 2) reasons.push('PEOPLE_PER_ROOM');
  if (g.partitioned) reasons.push('PARTITIONED');
  if (g.bedLetting) reasons.push('BED_LETTING');
  return {
    id: g.id,
    status: g.status,
    identifiedOn: g.identifiedOn,
    interviewedOn: g.interviewedOn,
    rectifiedOn: g.rectifiedOn,
    occupantCount: g.occupantCount,
    note: g.note,
    peoplePerRoom: round2(g.occupantCount / house.rooms),
    areaPerPersonM2: round2(usable / g.occupantCount),
    reasons,
    partitioned: g.partitioned,
    bedLetting: g.bedLetting,
    inspections: g.inspections.map((i, k) => ({ id: `${g.id}0${k + 1}`, ...i })),
    house: { code: g.houseCode, usableAreaM2: usable },
    grid: { code: house.gridCode },
  };
}

describe('the housing register', () => {
  it('holds every generated building, house, title, lease and group rental', async () => {
    const sizeOf = async (table: typeof buildings | typeof houses | typeof ownerships | typeof tenancies | typeof groupRentals) =>
      (await harness.database.db.select({ n: count() }).from(table))[0]?.n;
    expect(await sizeOf(buildings)).toBe(grids.reduce((n, g) => n + g.buildings.length, 0));
    expect(await sizeOf(houses)).toBe(allHouses.size);
    expect(await sizeOf(ownerships)).toBe(allOwnerships.length);
    expect(await sizeOf(tenancies)).toBe(allTenancies.length);
    expect(await sizeOf(groupRentals)).toBe(allGroupRentals.length);
    // The generator must give the tests something to look at.
    expect(allOwnerships.length).toBeGreaterThan(0);
    expect(allTenancies.length).toBeGreaterThan(0);
    expect(allGroupRentals.length).toBeGreaterThan(0);
  });
});

describe("a grid's buildings", () => {
  const grid = grids.reduce((a, b) => (b.buildings.length > a.buildings.length ? b : a));
  const QUERY = /* GraphQL */ `
    query ($reps: [_Any!]!, $first: Int, $after: String) {
      _entities(representations: $reps) {
        ... on Grid {
          code
          buildings(first: $first, after: $after) {
            totalCount
            edges { cursor node { code number address floors units use builtYear grid { code } } }
            pageInfo { hasNextPage endCursor }
          }
        }
      }
    }
  `;

  it('pages through every building of the grid in code order', async () => {
    const { nodes, totalCount } = await pageThrough(async (after) => {
      const data = dataOf(await gql<{ _entities: { buildings: Page<unknown> }[] }>(QUERY, {
        reps: [{ __typename: 'Grid', code: grid.grid.code }],
        first: 7,
        after,
      }));
      return data._entities[0]!.buildings;
    });
    expect(totalCount).toBe(grid.buildings.length);
    expect(nodes).toEqual(
      [...grid.buildings].sort(byKey((b) => b.code)).map((b) => ({
        code: b.code,
        number: b.number,
        address: b.address,
        floors: b.floors,
        units: b.units,
        use: b.use,
        builtYear: b.builtYear,
        grid: { code: grid.grid.code },
      })),
    );
  });

  it("counts the grid's buildings, houses, leases and group rentals", async () => {
    const data = dataOf(await gql<{ _entities: unknown[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid {
        housingCounts { buildings houses tenancies filedTenancies groupRentalsByStatus { total identified interviewed rectified relapsed } }
      } } }`,
      { reps: grids.slice(0, 5).map((g) => ({ __typename: 'Grid', code: g.grid.code })) },
    ));
    expect(data._entities).toEqual(
      grids.slice(0, 5).map((g) => {
        const statusCount = (s: string) => g.housing.groupRentals.filter((r) => r.status === s).length;
        return {
          housingCounts: {
            buildings: g.buildings.length,
            houses: g.houses.length,
            tenancies: g.housing.tenancies.length,
            filedTenancies: g.housing.tenancies.filter((t) => t.filingNumber !== null).length,
            groupRentalsByStatus: {
              total: g.housing.groupRentals.length,
              identified: statusCount('IDENTIFIED'),
              interviewed: statusCount('INTERVIEWED'),
              rectified: statusCount('RECTIFIED'),
              relapsed: statusCount('RELAPSED'),
            },
          },
        };
      }),
    );
  });

  it("pages a building's houses in code order", async () => {
    const building = grid.buildings.find((b) => grid.houses.filter((h) => h.buildingCode === b.code).length > 5)!;
    const expected = grid.houses.filter((h) => h.buildingCode === building.code).sort(byKey((h) => h.code));
    const { nodes, totalCount } = await pageThrough(async (after) => {
      const data = dataOf(await gql<{ building: { houses: Page<unknown> } }>(
        `query ($code: ID!, $after: String) { building(code: $code) { houses(first: 4, after: $after) {
          totalCount edges { node { code unit room floor areaM2 rooms use address building { code } grid { code } } }
          pageInfo { hasNextPage endCursor } } } }`,
        { code: building.code, after },
      ));
      return data.building.houses;
    });
    expect(totalCount).toBe(expected.length);
    expect(nodes).toEqual(
      expected.map((h) => ({
        code: h.code,
        unit: h.unit,
        room: h.room,
        floor: Math.floor(Number(h.room) / 100),
        areaM2: h.areaM2,
        rooms: h.rooms,
        use: 'RESIDENTIAL',
        address: h.address,
        building: { code: building.code },
        grid: { code: h.gridCode },
      })),
    );
  });
});

describe('group rentals', () => {
  const grid = grids.reduce((a, b) => (b.housing.groupRentals.length > a.housing.groupRentals.length ? b : a));
  const streetOf = (gridCode: string) => streetCodeOfCommunity(gridCode.slice(0, 12));
  const streetCodes = [...new Set(world.grids.map((g) => streetOf(g.code)))];
  const street = streetCodes.reduce((a, b) =>
    allGroupRentals.filter((r) => streetOf(houseOf(r.houseCode).gridCode) === b).length >
    allGroupRentals.filter((r) => streetOf(houseOf(r.houseCode).gridCode) === a).length
      ? b
      : a,
  );
  const inStreet = allGroupRentals.filter((r) => streetOf(houseOf(r.houseCode).gridCode) === street).sort(byKey((r) => r.id));

  it('generates every stage of remediation', () => {
    expect(new Set(allGroupRentals.map((r) => r.status))).toEqual(new Set(['IDENTIFIED', 'INTERVIEWED', 'RECTIFIED', 'RELAPSED']));
    expect(grid.housing.groupRentals.length).toBeGreaterThan(1);
    expect(new Set(inStreet.map((r) => houseOf(r.houseCode).gridCode)).size).toBeGreaterThan(1);
  });

  it("lists a grid's group rentals with their status, dates and crowding, by status", async () => {
    const QUERY = `query ($reps: [_Any!]!, $status: GroupRentalStatus) { _entities(representations: $reps) { ... on Grid {
      groupRentals(status: $status, first: 500) { totalCount edges { node { ${GROUP_RENTAL_FIELDS} } } pageInfo { hasNextPage } }
    } } }`;
    const reps = [{ __typename: 'Grid', code: grid.grid.code }];
    for (const status of [null, 'IDENTIFIED', 'INTERVIEWED', 'RECTIFIED', 'RELAPSED']) {
      const data = dataOf(await gql<{ _entities: { groupRentals: Page<unknown> }[] }>(QUERY, { reps, status }));
      const expected = grid.housing.groupRentals.filter((r) => !status || r.status === status).sort(byKey((r) => r.id));
      const connection = data._entities[0]!.groupRentals;
      expect(connection.totalCount).toBe(expected.length);
      expect(connection.pageInfo.hasNextPage).toBe(false);
      expect(connection.edges.map((e) => e.node)).toEqual(expected.map(expectedGroupRental));
    }
  });

  it('keeps remediation dates in order: identified, then interviewed, then rectified', async () => {
    const data = dataOf(await gql<{ groupRentals: Page<{ status: string; identifiedOn: string; interviewedOn: string | null; rectifiedOn: string | null }> }>(
      `{ groupRentals(first: 500) { edges { node { status identifiedOn interviewedOn rectifiedOn } } } }`,
    ));
    for (const { node } of data.groupRentals.edges) {
      expect(node.interviewedOn === null).toBe(node.status === 'IDENTIFIED');
      expect(node.rectifiedOn === null).toBe(node.status !== 'RECTIFIED' && node.status !== 'RELAPSED');
      if (node.interviewedOn) expect(node.interviewedOn >= node.identifiedOn).toBe(true);
      if (node.rectifiedOn) expect(node.rectifiedOn >= node.interviewedOn!).toBe(true);
    }
  });

  it("pages a street's group rentals across its grids, in id order", async () => {
    const { nodes, totalCount } = await pageThrough(async (after) => {
      const data = dataOf(await gql<{ _entities: { groupRentals: Page<{ id: string }> }[] }>(
        `query ($reps: [_Any!]!, $after: String) { _entities(representations: $reps) { ... on Street {
          groupRentals(first: 3, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } }
        } } }`,
        { reps: [{ __typename: 'Street', code: street }], after },
      ));
      return data._entities[0]!.groupRentals;
    });
    expect(totalCount).toBe(inStreet.length);
    expect(nodes.map((n) => n.id)).toEqual(inStreet.map((r) => r.id));

    const rectified = dataOf(await gql<{ _entities: { groupRentals: Page<{ id: string }> }[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Street {
        groupRentals(status: RECTIFIED, first: 500) { totalCount edges { node { id } } } } } }`,
      { reps: [{ __typename: 'Street', code: street }] },
    ))._entities[0]!.groupRentals;
    const expected = inStreet.filter((r) => r.status === 'RECTIFIED');
    expect(rectified.totalCount).toBe(expected.length);
    expect(rectified.edges.map((e) => e.node.id)).toEqual(expected.map((r) => r.id));
  });

  it('answers the root list by street, community, grid and status', async () => {
    const ROOT = `query ($s: ID, $c: ID, $g: ID, $status: GroupRentalStatus, $after: String) {
      groupRentals(streetCode: $s, communityCode: $c, gridCode: $g, status: $status, first: 4, after: $after) {
        totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`;
    const community = grid.grid.code.slice(0, 12);
    const cases: [Record<string, string | null>, DemoGroupRental[]][] = [
      [{}, allGroupRentals],
      [{ s: street }, inStreet],
      [{ c: community }, allGroupRentals.filter((r) => r.houseCode.startsWith(community))],
      [{ g: grid.grid.code }, grid.housing.groupRentals],
      [{ g: grid.grid.code, status: 'INTERVIEWED' }, grid.housing.groupRentals.filter((r) => r.status === 'INTERVIEWED')],
      [{ s: streetOf(grid.grid.code), c: community, g: grid.grid.code }, grid.housing.groupRentals],
      // A grid outside the community named matches nothing rather than either filter alone.
      [{ c: `${community.slice(0, 9)}999`, g: grid.grid.code }, []],
    ];
    for (const [variables, expected] of cases) {
      const { nodes, totalCount } = await pageThrough(async (after) =>
        dataOf(await gql<{ groupRentals: Page<{ id: string }> }>(ROOT, { ...variables, after })).groupRentals,
      );
      expect(totalCount).toBe(expected.length);
      expect(nodes.map((n) => n.id)).toEqual(expected.map((r) => r.id).sort());
    }
  });
});

describe('houses, owners and tenants', () => {
  const HOUSE = /* GraphQL */ `
    query ($code: ID!) { house(code: $code) {
      code areaM2 rooms building { code }
      owners { owner { id } organization { id } sharePercent certificateNumber registeredOn house { code } }
      tenancies { id landlord { id } landlordOrganization { id } occupants { id } rooms areaM2 monthlyRent filingNumber filed startsOn endsOn house { code } }
      groupRental { id status }
    } }
  `;
  const expectedOwner = (o: DemoOwnership) => ({
    owner: o.ownerIdNumber ? { id: idOf(o.ownerIdNumber) } : null,
    organization: o.ownerOrganizationId ? { id: o.ownerOrganizationId } : null,
    sharePercent: o.sharePercent,
    certificateNumber: o.certificateNumber,
    registeredOn: o.registeredOn,
    house: { code: o.houseCode },
  });
  const expectedTenancy = (t: DemoTenancy) => ({
    id: t.id,
    landlord: t.landlordIdNumber ? { id: idOf(t.landlordIdNumber) } : null,
    landlordOrganization: t.landlordOrganizationId ? { id: t.landlordOrganizationId } : null,
    occupants: [...new Set(t.occupantIdNumbers)].map(idOf).sort().map((id) => ({ id })),
    rooms: t.rooms,
    areaM2: t.areaM2,
    monthlyRent: t.monthlyRent,
    filingNumber: t.filingNumber,
    filed: t.filingNumber !== null,
    startsOn: t.startsOn,
    endsOn: t.endsOn,
    house: { code: t.houseCode },
  });

  async function expectHouse(code: string) {
    const data = dataOf(await gql<{ house: unknown }>(HOUSE, { code }));
    const house = houseOf(code);
    const latest = allGroupRentals.filter((r) => r.houseCode === code).sort(byKey((r) => r.identifiedOn)).at(-1);
    expect(data.house).toEqual({
      code,
      areaM2: house.areaM2,
      rooms: house.rooms,
      building: { code: house.buildingCode },
      owners: allOwnerships.filter((o) => o.houseCode === code).map(expectedOwner),
      tenancies: allTenancies
        .filter((t) => t.houseCode === code)
        .sort(byKey((t) => t.startsOn))
        .map(expectedTenancy),
      groupRental: latest ? { id: latest.id, status: latest.status } : null,
    });
  }

  it('answers a co-owned house with its owners and shares', async () => {
    const coOwned = allOwnerships.find((o) => allOwnerships.filter((p) => p.houseCode === o.houseCode).length > 1);
    expect(coOwned).toBeDefined();
    await expectHouse(coOwned!.houseCode);
  });

  it('answers a let house with its rental registrations, filed or not', async () => {
    const filed = allTenancies.find((t) => t.filingNumber !== null);
    const unfiled = allTenancies.find((t) => t.filingNumber === null);
    expect(filed && unfiled).toBeDefined();
    await expectHouse(filed!.houseCode);
    await expectHouse(unfiled!.houseCode);
  });

  it('answers a group-rental house with its latest record', async () => {
    await expectHouse(allGroupRentals[0]!.houseCode);
  });

  it("resolves public security's residence references by code, unknown and malformed ones to null", async () => {
    const known = grids[0]!.houses.slice(0, 3).map((h) => h.code);
    const unknown = `${known[0]!.slice(0, 17)}-99-9999`;
    const data = dataOf(await gql<{ _entities: unknown[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on House { code address } } }`,
      { reps: [...known, unknown, 'not-a-house'].map((code) => ({ __typename: 'House', code })) },
    ));
    expect(data._entities).toEqual([...known.map((code) => ({ code, address: houseOf(code).address })), null, null]);
  });
});

describe("a resident's homes", () => {
  const HOMES = /* GraphQL */ `
    query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident {
      id homes { role house { code } sharePercent since until }
      housingSummary { ownedHouses ownedAreaM2 largestOwnedAreaM2 }
    } } }
  `;
  function expectedHomes(idNumber: string) {
    const owned = allOwnerships
      .filter((o) => o.ownerIdNumber === idNumber)
      .sort(byKey((o) => o.registeredOn))
      .map((o) => ({ role: 'OWNER', house: { code: o.houseCode }, sharePercent: o.sharePercent, since: o.registeredOn, until: null }));
    const rented = allTenancies
      .filter((t) => t.occupantIdNumbers.includes(idNumber))
      .sort((a, b) => byKey<DemoTenancy>((t) => t.startsOn)(a, b) || byKey<DemoTenancy>((t) => t.id)(a, b))
      .map((t) => ({ role: 'TENANT', house: { code: t.houseCode }, sharePercent: null, since: t.startsOn, until: t.endsOn }));
    return [...owned, ...rented];
  }
  function expectedSummary(idNumber: string) {
    const areas = [...new Set(allOwnerships.filter((o) => o.ownerIdNumber === idNumber).map((o) => o.houseCode))].map(
      (code) => houseOf(code).areaM2,
    );
    return {
      ownedHouses: areas.length,
      ownedAreaM2: round2(areas.reduce((a, b) => a + b, 0)),
      largestOwnedAreaM2: areas.length ? Math.max(...areas) : null,
    };
  }
  const homesOf = async (idNumbers: string[]) =>
    dataOf(await gql<{ _entities: unknown[] }>(HOMES, { reps: idNumbers.map((n) => ({ __typename: 'Resident', id: idOf(n) })) }))._entities;

  it('lists the houses an owner holds and the one a tenant rents', async () => {
    const owner = allOwnerships.find((o) => o.ownerIdNumber !== null)!.ownerIdNumber!;
    const tenant = allTenancies.find((t) => t.occupantIdNumbers.length > 0)!.occupantIdNumbers[0]!;
    expect(await homesOf([owner, tenant])).toEqual(
      [owner, tenant].map((n) => ({ id: idOf(n), homes: expectedHomes(n), housingSummary: expectedSummary(n) })),
    );
    expect(expectedHomes(owner).some((h) => h.role === 'OWNER')).toBe(true);
    expect(expectedHomes(tenant).some((h) => h.role === 'TENANT')).toBe(true);
  });

  it('sums the houses of a welfare recipient who owns more than one', async () => {
    const recipients = new Set(grids.flatMap((g) => g.civilAffairs.welfare.map((w) => w.idNumber)));
    const housesOf = (n: string) => new Set(allOwnerships.filter((o) => o.ownerIdNumber === n).map((o) => o.houseCode)).size;
    const recipient = [...recipients].find((n) => housesOf(n) > 1);
    expect(recipient).toBeDefined();
    const [answer] = (await homesOf([recipient!])) as { housingSummary: { ownedHouses: number } }[];
    expect(answer).toEqual({ id: idOf(recipient!), homes: expectedHomes(recipient!), housingSummary: expectedSummary(recipient!) });
    expect(answer!.housingSummary.ownedHouses).toBeGreaterThan(1);
  });

  it('answers a resident with no housing record with no homes, and a malformed id with null', async () => {
    const data = dataOf(await gql<{ _entities: unknown[] }>(HOMES, {
      reps: [{ __typename: 'Resident', id: '0'.repeat(32) }, { __typename: 'Resident', id: 'not-a-hub-id' }],
    }));
    expect(data._entities).toEqual([
      { id: '0'.repeat(32), homes: [], housingSummary: { ownedHouses: 0, ownedAreaM2: 0, largestOwnedAreaM2: null } },
      null,
    ]);
  });
});

describe('property-service companies and owners committees', () => {
  const companies = grids.flatMap((g) => g.housing.propertyCompanies);
  const committees = grids.flatMap((g) => g.housing.ownersCommittees);

  it("details a property-service company and pages the buildings it manages; buildings name their company", async () => {
    const company = companies.reduce((a, b) => (b.managedBuildingCodes.length > a.managedBuildingCodes.length ? b : a));
    const managed = companies
      .filter((c) => c.organizationId === company.organizationId)
      .flatMap((c) => c.managedBuildingCodes)
      .sort();
    const { nodes, totalCount } = await pageThrough(async (after) => {
      const data = dataOf(await gql<{ _entities: { propertyCompany: { managedBuildings: Page<{ code: string }> } }[] }>(
        `query ($reps: [_Any!]!, $after: String) { _entities(representations: $reps) { ... on Organization {
          propertyCompany { organization { id }
            managedBuildings(first: 2, after: $after) { totalCount edges { node { code propertyCompany { id } } } pageInfo { hasNextPage endCursor } } }
          ownersCommittee { electedOn }
        } } }`,
        { reps: [{ __typename: 'Organization', id: company.organizationId }], after },
      ));
      expect(data._entities[0]).toMatchObject({
        propertyCompany: { organization: { id: company.organizationId } },
        ownersCommittee: null,
      });
      return data._entities[0]!.propertyCompany.managedBuildings;
    });
    expect(totalCount).toBe(managed.length);
    expect(nodes).toEqual(managed.map((code) => ({ code, propertyCompany: { id: company.organizationId } })));
  });

  it('details an owners committee: election, filing within 30 days, chair and buildings', async () => {
    const reps = committees.slice(0, 20).map((c) => ({ __typename: 'Organization', id: c.organizationId }));
    const data = dataOf(await gql<{ _entities: unknown[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Organization {
        propertyCompany { organization { id } }
        ownersCommittee { organization { id } electedOn filedOn filed filingDueOn filingOverdue chair { id } buildings { code ownersCommittee { id } } }
      } } }`,
      { reps },
    ));
    const dueOf = (electedOn: string) => {
      const d = new Date(`${electedOn}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + 30);
      return d.toISOString().slice(0, 10);
    };
    expect(data._entities).toEqual(
      committees.slice(0, 20).map((c) => ({
        propertyCompany: null,
        ownersCommittee: {
          organization: { id: c.organizationId },
          electedOn: c.electedOn,
          filedOn: c.filedOn,
          filed: c.filedOn !== null,
          filingDueOn: dueOf(c.electedOn),
          filingOverdue: c.filedOn === null ? expect.any(Boolean) : c.filedOn > dueOf(c.electedOn),
          chair: { id: idOf(c.chairIdNumber) },
          buildings: [...c.buildingCodes].sort().map((code) => ({ code, ownersCommittee: { id: c.organizationId } })),
        },
      })),
    );
  });

  it('answers other kinds, unknown ids and malformed ids without details', async () => {
    const data = dataOf(await gql<{ _entities: unknown[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Organization { id propertyCompany { organization { id } } ownersCommittee { electedOn } } } }`,
      { reps: ['PB320311001001001', 'PM320311001001999', 'XX1'].map((id) => ({ __typename: 'Organization', id })) },
    ));
    expect(data._entities).toEqual([
      { id: 'PB320311001001001', propertyCompany: null, ownersCommittee: null },
      { id: 'PM320311001001999', propertyCompany: null, ownersCommittee: null },
      null,
    ]);
  });
});

describe('statement counts stay flat', () => {
  const measure = async (query: string, variables: Record<string, unknown>) => {
    harness.database.statements.reset();
    dataOf(await gql(query, variables));
    return harness.database.statements.count;
  };
  const byGrid = [...grids].sort((a, b) => b.houses.length - a.houses.length);

  // Each query reaches every loader along one path only: loads that two sibling branches make at different depths
  // may or may not share a batch depending on which answer the database sends first.
  const reps = (gs: DemoGridContents[]) => gs.map((g) => ({ __typename: 'Grid', code: g.grid.code }));
  const flat = async (query: string, order = byGrid) => {
    const one = await measure(query, { reps: reps(order.slice(0, 1)), first: 10 });
    expect(one).toBeGreaterThan(0);
    expect(await measure(query, { reps: reps(order.slice(0, 1)), first: 500 })).toBe(one);
    expect(await measure(query, { reps: reps(order.slice(0, 10)), first: 10 })).toBe(one);
  };
  // The first grid must reach every loader the query can: for group rentals, a grid that has some.
  const byGroupRentals = [...grids].sort((a, b) => b.housing.groupRentals.length - a.housing.groupRentals.length);

  it("for a grid's buildings with their houses, owners, leases and group rentals: first 10 vs 500, 1 vs 10 grids", async () => {
    await flat(`query ($reps: [_Any!]!, $first: Int) { _entities(representations: $reps) { ... on Grid {
      buildings(first: $first) { totalCount edges { node { code propertyCompany { id } ownersCommittee { id }
        houses(first: $first) { totalCount edges { node { code floor
          owners { owner { id } organization { id } sharePercent }
          tenancies { id landlord { id } occupants { id } }
          groupRental { id status } } } } } } }
    } } }`);
  });

  it("for a grid's group rentals and housing figures: first 10 vs 500, 1 vs 10 grids", async () => {
    await flat(`query ($reps: [_Any!]!, $first: Int) { _entities(representations: $reps) { ... on Grid {
      housingCounts { buildings houses tenancies filedTenancies groupRentalsByStatus { total rectified } }
      groupRentals(first: $first) { totalCount edges { node { ${GROUP_RENTAL_FIELDS} house { building { code } } } } }
    } } }`, byGroupRentals);
  });

  it('for the root and street group-rental lists: first 10 vs 500', async () => {
    const ROOT = `query ($first: Int) { groupRentals(first: $first) { totalCount edges { node { ${GROUP_RENTAL_FIELDS}
      house { owners { owner { id } } tenancies { occupants { id } } building { code propertyCompany { id } } } } } } }`;
    expect(await measure(ROOT, { first: 500 })).toBe(await measure(ROOT, { first: 10 }));
    const STREET = `query ($reps: [_Any!]!, $first: Int) { _entities(representations: $reps) { ... on Street {
      groupRentals(first: $first) { totalCount edges { node { ${GROUP_RENTAL_FIELDS} } } } } } }`;
    const streets = world.streets.map((s) => ({ __typename: 'Street', code: s.code }));
    const oneStreet = await measure(STREET, { reps: streets.slice(0, 1), first: 10 });
    expect(await measure(STREET, { reps: streets.slice(0, 1), first: 500 })).toBe(oneStreet);
    expect(await measure(STREET, { reps: streets, first: 10 })).toBe(oneStreet);
  });

  it("for residents' homes and summaries: an owner and a tenant vs 10 residents", async () => {
    const QUERY = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident {
      homes { role house { code building { code } groupRental { id } } } housingSummary { ownedHouses } } } }`;
    // The first two exercise every path (titles, leases, houses, buildings); the other eight only add keys.
    const owners = [...new Set(allOwnerships.flatMap((o) => (o.ownerIdNumber ? [o.ownerIdNumber] : [])))];
    const tenants = [...new Set(allTenancies.flatMap((t) => t.occupantIdNumbers))];
    const people = [owners[0]!, tenants[0]!, ...owners.slice(1, 5), ...tenants.slice(1, 5)].map((n) => ({
      __typename: 'Resident',
      id: idOf(n),
    }));
    expect(new Set(people.map((p) => p.id)).size).toBe(10);
    expect(await measure(QUERY, { reps: people })).toBe(await measure(QUERY, { reps: people.slice(0, 2) }));
  });
});

describe('bad input', () => {
  const house = grids[0]!.houses[0]!.code;
  const building = grids[0]!.buildings[0]!.code;
  const gridCode = grids[0]!.grid.code;
  it.each([
    ['a house code without dashes', `{ house(code: "${house.replaceAll('-', '')}") { code } }`, 'INVALID_HOUSE_CODE'],
    ['a house code with a short room', `{ house(code: "${house.slice(0, -1)}") { code } }`, 'INVALID_HOUSE_CODE'],
    ['a house code outside any community', `{ house(code: "00000000000000001-01-0101") { code } }`, 'INVALID_HOUSE_CODE'],
    ['a building code of the wrong length', `{ building(code: "${building.slice(0, 16)}") { code } }`, 'INVALID_BUILDING_CODE'],
    ['a building code with letters', `{ building(code: "3203110010010001A") { code } }`, 'INVALID_BUILDING_CODE'],
    ['a building numbered 00000', `{ building(code: "${building.slice(0, 12)}00000") { code } }`, 'INVALID_BUILDING_CODE'],
    ['a malformed street code', `{ groupRentals(streetCode: "320311001") { totalCount } }`, 'INVALID_PLACE_CODE'],
    ['a community code given as street', `{ groupRentals(streetCode: "${gridCode.slice(0, 12)}") { totalCount } }`, 'INVALID_PLACE_CODE'],
    ['a malformed community code', `{ groupRentals(communityCode: "32031100100") { totalCount } }`, 'INVALID_PLACE_CODE'],
    ['a malformed grid code', `{ groupRentals(gridCode: "${gridCode.slice(0, 14)}") { totalCount } }`, 'INVALID_GRID_CODE'],
    ['a page size above the maximum', `{ groupRentals(first: 501) { totalCount } }`, 'INVALID_PAGE_SIZE'],
    ['a negative page size', `{ groupRentals(first: -1) { totalCount } }`, 'INVALID_PAGE_SIZE'],
    ['a malformed cursor', `{ groupRentals(after: "!!") { totalCount } }`, 'INVALID_CURSOR'],
    ['a page size above the maximum on a building', `{ building(code: "${building}") { houses(first: 501) { totalCount } } }`, 'INVALID_PAGE_SIZE'],
  ])('refuses %s', async (_, query, code) => {
    expect(errorCodes(await gql(query))).toEqual([code]);
  });

  it('refuses a cursor of another list', async () => {
    const page = dataOf(await gql<{ building: { houses: Page<unknown> } }>(
      `query ($code: ID!) { building(code: $code) { houses(first: 1) { pageInfo { endCursor } } } }`,
      { code: building },
    ));
    const cursor = page.building.houses.pageInfo.endCursor;
    expect(cursor).toBeTruthy();
    const response = await gql(`query ($after: String) { groupRentals(after: $after) { totalCount } }`, { after: cursor });
    expect(errorCodes(response)).toEqual(['INVALID_CURSOR']);
    expect(response.errors?.[0]?.extensions).toMatchObject({ argumentName: 'after' });
  });

  it('answers well-formed unknown houses and buildings with null, and unknown places with empty lists', async () => {
    const data = dataOf(await gql(
      `{ house(code: "${building}-99-9999") { code } building(code: "${building.slice(0, 12)}99999") { code }
         groupRentals(communityCode: "${gridCode.slice(0, 9)}999") { totalCount edges { cursor } } }`,
    ));
    expect(data).toEqual({ house: null, building: null, groupRentals: { totalCount: 0, edges: [] } });
  });

  it('answers grid and street references with malformed codes with null', async () => {
    const data = dataOf(await gql<{ _entities: unknown[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grid { code } ... on Street { code } } }`,
      { reps: [{ __typename: 'Grid', code: '123' }, { __typename: 'Street', code: gridCode }] },
    ));
    expect(data._entities).toEqual([null, null]);
  });
});

describe('masking and row scope at the subgraph itself', () => {
  const [own, other] = grids.filter((g) => g.buildings.length > 0 && g.houses.length > 0) as [DemoGridContents, DemoGridContents];
  const worker = (purpose: 'grid-service' | null) => testCaller('grid-worker', { grids: [own.grid.code], purpose });
  const as = async (caller: ReturnType<typeof testCaller>, query: string) =>
    harness.gql<Record<string, any>>(query, undefined, caller);
  const QUERY = `{
    mine: house(code: "${own.houses[0]!.code}") { code address }
    theirs: house(code: "${other.houses[0]!.code}") { code address }
    theirBuilding: building(code: "${other.buildings[0]!.code}") { code }
    _entities(representations: [{ __typename: "Grid", code: "${own.grid.code}" }, { __typename: "Grid", code: "${other.grid.code}" }]) {
      ... on Grid { buildings(first: 500) { totalCount edges { node { code } } } housingCounts { buildings houses } }
    }
  }`;

  it('answers a grid worker their own grid, and nothing of another grid', async () => {
    const response = await as(worker('grid-service'), QUERY);
    expect(response.errors).toBeUndefined();
    expect(response.data?.mine).toEqual({ code: own.houses[0]!.code, address: own.houses[0]!.address });
    expect(response.data?.theirs).toBeNull();
    expect(response.data?.theirBuilding).toBeNull();
    const [ownGrid, otherGrid] = response.data?._entities;
    expect(ownGrid.buildings.totalCount).toBe(own.buildings.length);
    expect(ownGrid.buildings.edges).toHaveLength(own.buildings.length);
    expect(ownGrid.housingCounts).toEqual({ buildings: own.buildings.length, houses: own.houses.length });
    expect(otherGrid).toEqual({ buildings: { totalCount: 0, edges: [] }, housingCounts: { buildings: 0, houses: 0 } });
  });

  it('masks exact addresses without a purpose', async () => {
    const response = await as(worker(null), QUERY);
    expect(response.data?.mine).toEqual({ code: own.houses[0]!.code, address: maskAddress(own.houses[0]!.address) });
    expect(maskAddress(own.houses[0]!.address)).toMatch(/\*\*\*$/);
  });
});

describe('a group rental in a dwelling recorded with no rooms, or left with no occupant', () => {
  // The house import accepts 0 rooms (an open-plan flat): the figures must stay numbers, never Infinity or NaN.
  it('counts the dwelling as one shared space, and an emptied rental as the whole area for one', async () => {
    const rental = allGroupRentals.find((g) => g.occupantCount > 2)!;
    const query = `{ _entities(representations: [{ __typename: "GroupRental", id: "${rental.id}" }]) { ... on GroupRental { occupantCount peoplePerRoom areaPerPersonM2 reasons } } }`;
    const [before] = await harness.database.db.select({ rooms: houses.rooms, areaM2: houses.areaM2 }).from(houses).where(eq(houses.code, rental.houseCode));
    try {
      await harness.database.db.update(houses).set({ rooms: 0 }).where(eq(houses.code, rental.houseCode));
      const open = await gql<{ _entities: { occupantCount: number; peoplePerRoom: number; areaPerPersonM2: number; reasons: string[] }[] }>(query);
      expect(open.errors).toBeUndefined();
      expect(open.data?._entities[0]).toMatchObject({ occupantCount: rental.occupantCount, peoplePerRoom: rental.occupantCount });
      expect(open.data?._entities[0]?.reasons).toContain('PEOPLE_PER_ROOM');
      await harness.database.db.update(groupRentals).set({ occupantCount: 0 }).where(eq(groupRentals.id, rental.id));
      const emptied = await gql<{ _entities: { peoplePerRoom: number; areaPerPersonM2: number; reasons: string[] }[] }>(query);
      expect(emptied.errors).toBeUndefined();
      // The whole usable area for one; the practices recorded when identified (隔断, 床位出租) stay reasons.
      expect(emptied.data?._entities[0]).toEqual({
        occupantCount: 0,
        peoplePerRoom: 0,
        areaPerPersonM2: Math.round(usableOf.get(rental.houseCode)! * 100) / 100,
        reasons: [...(rental.partitioned ? ['PARTITIONED'] : []), ...(rental.bedLetting ? ['BED_LETTING'] : [])],
      });
    } finally {
      await harness.database.db.update(houses).set({ rooms: before!.rooms }).where(eq(houses.code, rental.houseCode));
      await harness.database.db.update(groupRentals).set({ occupantCount: rental.occupantCount }).where(eq(groupRentals.id, rental.id));
    }
  });
});
