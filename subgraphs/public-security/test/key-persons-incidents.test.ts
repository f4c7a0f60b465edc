import { DEMO_HUB_SECRET, encodeCursor, residentKey } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents, type DemoIncident, type DemoKeyPerson, type KeyPersonCategory } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const grids: DemoGridContents[] = [...world.gridContents()];
const keyPersons: DemoKeyPerson[] = grids.flatMap((g) => g.publicSecurity.keyPersons);
const incidents: DemoIncident[] = grids.flatMap((g) => g.publicSecurity.incidents);
const CATEGORIES: KeyPersonCategory[] = ['COMMUNITY_CORRECTION', 'RELEASED_PRISONER', 'SEVERE_MENTAL_DISORDER', 'DRUG_USER', 'KEY_YOUTH', 'AIDS_RISK'];
const idOf = (idNumber: string) => residentKey(idNumber, DEMO_HUB_SECRET);
const sortedIds = (list: { id: string }[]) => list.map((x) => x.id).sort();

const harness = serveSubgraphForTests(subgraph);

// A police officer on public-safety work: plans, addresses and names in clear (masking is tested in public-security.test.ts).
const gql = async (query: string, variables?: Record<string, unknown>) =>
  harness.gql(query, variables, testCaller('police-officer', { purpose: 'public-safety' }));

interface Page<T> {
  totalCount: number;
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const KEY_PERSON_FIELDS = 'id resident { id } category riskLevel responsibleOfficer { name badge } plan since guardian { id } grid { code }';
const keyPerson = (k: DemoKeyPerson, gridCode: string) => ({
  id: k.id,
  resident: { id: idOf(k.idNumber) },
  category: k.category,
  riskLevel: k.riskLevel,
  responsibleOfficer: { name: k.responsibleOfficerName, badge: k.responsibleOfficerBadge },
  plan: k.plan,
  since: k.since,
  guardian: k.guardianIdNumber ? { id: idOf(k.guardianIdNumber) } : null,
  grid: { code: gridCode },
});
const gridOfKeyPerson = new Map(grids.flatMap((g) => g.publicSecurity.keyPersons.map((k) => [k.id, g.grid.code] as const)));

const INCIDENT_FIELDS = 'id occurredAt grid { code } address type summary involved { id } referredToMediation referredOn';
const incident = (i: DemoIncident) => ({
  id: i.id,
  occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/),
  grid: { code: i.gridCode },
  address: i.address,
  type: i.type,
  summary: i.summary,
  involved: i.involvedIdNumbers.map((n) => ({ id: idOf(n) })),
  referredToMediation: i.referredToMediation,
  referredOn: i.referredOn,
});

const GRID_RECORDS = /* GraphQL */ `
  query ($reps: [_Any!]!, $category: KeyPersonCategory, $first: Int, $keyPersonsAfter: String, $incidentsAfter: String) {
    _entities(representations: $reps) {
      ... on Grid {
        keyPersons(category: $category, first: $first, after: $keyPersonsAfter) {
          totalCount
          edges { cursor node { ${KEY_PERSON_FIELDS} resident { name keyPerson { id } } guardian { name } } }
          pageInfo { hasNextPage endCursor }
        }
        incidents(first: $first, after: $incidentsAfter) {
          totalCount
          edges { cursor node { ${INCIDENT_FIELDS} involved { name keyPerson { category } } } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`;

interface GridRecords {
  keyPersons: Page<{ id: string }>;
  incidents: Page<{ id: string; occurredAt: string }>;
}

const gridRecords = async (codes: string[], variables: Record<string, unknown>) => {
  const response = await gql(GRID_RECORDS, { reps: codes.map((code) => ({ __typename: 'Grid', code })), ...variables });
  expect(response.errors).toBeUndefined();
  return (response.data as { _entities: GridRecords[] })._entities;
};

describe('key persons', () => {
  const busiest = grids.reduce((a, b) => (b.publicSecurity.keyPersons.length > a.publicSecurity.keyPersons.length ? b : a));

  it("answers a resident's key-person record, and null for others", async () => {
    expect(keyPersons.length).toBeGreaterThan(0);
    const sample = [
      keyPersons.find((k) => k.guardianIdNumber),
      ...CATEGORIES.map((c) => keyPersons.find((k) => k.category === c)),
    ].filter((k) => k !== undefined);
    const listed = new Set(keyPersons.map((k) => k.idNumber));
    const other = grids[0]!.residents.find((r) => !listed.has(r.idNumber))!;
    const response = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { id keyPerson { ${KEY_PERSON_FIELDS} } } } }`,
      { reps: [...sample.map((k) => k.idNumber), other.idNumber].map((n) => ({ __typename: 'Resident', id: idOf(n) })) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      _entities: [
        ...sample.map((k) => ({ id: idOf(k.idNumber), keyPerson: keyPerson(k, gridOfKeyPerson.get(k.id)!) })),
        { id: idOf(other.idNumber), keyPerson: null },
      ],
    });
  });

  it("answers a grid's key persons by category, with totals", async () => {
    const all = busiest.publicSecurity.keyPersons;
    const [grid] = await gridRecords([busiest.grid.code], { first: 500 });
    expect(grid!.keyPersons.totalCount).toBe(all.length);
    expect(grid!.keyPersons.edges.map((e) => e.node.id)).toEqual(sortedIds(all));
    for (const category of CATEGORIES) {
      // A person on several lists is found under each of them.
      const ofCategory = all.filter((k) => k.specialGroups.some((g) => g.category === category));
      const [page] = await gridRecords([busiest.grid.code], { category, first: 500 });
      expect(page!.keyPersons.totalCount).toBe(ofCategory.length);
      expect(page!.keyPersons.edges.map((e) => e.node)).toEqual(
        [...ofCategory]
          .sort((a, b) => (a.id < b.id ? -1 : 1))
          .map((k) => ({
            ...keyPerson(k, busiest.grid.code),
            resident: { id: idOf(k.idNumber), name: expect.any(String), keyPerson: { id: k.id } },
            guardian: k.guardianIdNumber ? { id: idOf(k.guardianIdNumber), name: expect.any(String) } : null,
          })),
      );
    }
  });
});

describe('incidents', () => {
  const busiest = grids.reduce((a, b) => (b.publicSecurity.incidents.length > a.publicSecurity.incidents.length ? b : a));

  it("answers a grid's incidents in id order with the total, at the time they occurred", async () => {
    const all = [...busiest.publicSecurity.incidents].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(all.length).toBeGreaterThan(0);
    const seen: { id: string; occurredAt: string }[] = [];
    let after: string | null = null;
    do {
      const [grid] = await gridRecords([busiest.grid.code], { first: 2, incidentsAfter: after });
      expect(grid!.incidents.totalCount).toBe(all.length);
      seen.push(...grid!.incidents.edges.map((e) => e.node));
      after = grid!.incidents.pageInfo.hasNextPage ? grid!.incidents.pageInfo.endCursor : null;
    } while (after);
    expect(seen.map((i) => i.id)).toEqual(all.map((i) => i.id));
    expect(seen.map((i) => Date.parse(i.occurredAt))).toEqual(all.map((i) => Date.parse(i.occurredAt)));
  });

  it('answers an incident by id with the residents involved; null for an unknown id', async () => {
    const sample = [incidents.find((i) => i.referredToMediation), incidents.find((i) => i.involvedIdNumbers.length > 1), incidents[0]]
      .filter((i) => i !== undefined);
    for (const i of sample) {
      const response = await gql(`query ($id: ID!) { incident(id: $id) { ${INCIDENT_FIELDS} } }`, { id: i.id });
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ incident: incident(i) });
    }
    const unknown = `JQ20000101${grids[0]!.grid.code}999`;
    expect((await gql(`{ incident(id: "${unknown}") { id } }`)).data).toEqual({ incident: null });
    const references = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Incident { id type } } }`,
      { reps: [{ __typename: 'Incident', id: sample[0]!.id }, { __typename: 'Incident', id: unknown }] },
    );
    expect(references.data).toEqual({ _entities: [{ id: sample[0]!.id, type: sample[0]!.type }, null] });
  });

  it("answers a resident's incidents", async () => {
    const involvedIn = new Map<string, string[]>();
    for (const i of incidents) for (const n of new Set(i.involvedIdNumbers)) involvedIn.set(n, [...(involvedIn.get(n) ?? []), i.id]);
    const people = [...involvedIn.keys()].slice(0, 20);
    const response = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { id incidents { id } } } }`,
      { reps: people.map((n) => ({ __typename: 'Resident', id: idOf(n) })) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      _entities: people.map((n) => ({ id: idOf(n), incidents: involvedIn.get(n)!.sort().map((id) => ({ id })) })),
    });
  });

  it('lists incidents referred to mediation, by type, street, grid and date', async () => {
    const list = async (args: Record<string, unknown>) => {
      const response = await gql(
        `query ($referred: Boolean, $type: IncidentType, $s: ID, $g: ID, $from: Date, $to: Date) {
          incidents(referredToMediation: $referred, type: $type, streetCode: $s, gridCode: $g, from: $from, to: $to, first: 500) {
            totalCount edges { node { id referredToMediation } }
          }
        }`,
        args,
      );
      expect(response.errors).toBeUndefined();
      const page = (response.data as { incidents: Page<{ id: string }> }).incidents;
      return { total: page.totalCount, ids: page.edges.map((e) => e.node.id) };
    };
    const expected = (list: DemoIncident[]) => ({ total: list.length, ids: sortedIds(list).slice(0, 500) });
    const referred = incidents.filter((i) => i.referredToMediation);
    expect(referred.length).toBeGreaterThan(0);
    expect(await list({ referred: true })).toEqual(expected(referred));
    expect(await list({ referred: false })).toEqual(expected(incidents.filter((i) => !i.referredToMediation)));
    const street = world.streets[0]!;
    const inStreet = incidents.filter((i) => i.gridCode.startsWith(street.code.slice(0, 9)));
    expect(await list({ s: street.code })).toEqual(expected(inStreet));
    expect(await list({ s: street.code, referred: true })).toEqual(expected(inStreet.filter((i) => i.referredToMediation)));
    expect(await list({ g: busiest.grid.code })).toEqual(expected(busiest.publicSecurity.incidents));
    const type = incidents[0]!.type;
    expect(await list({ type })).toEqual(expected(incidents.filter((i) => i.type === type)));
    // Days are China days: an incident at 2026-03-01T07:00+08:00 belongs to 1 March though it is still 28 February in UTC.
    const day = (i: DemoIncident) => i.id.slice(2, 10).replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3');
    const days = [...new Set(incidents.map(day))].sort();
    const from = days[Math.floor(days.length / 3)]!;
    const to = days[Math.floor((2 * days.length) / 3)]!;
    expect(await list({ from, to })).toEqual(expected(incidents.filter((i) => day(i) >= from && day(i) <= to)));
    expect(await list({ from: to, to })).toEqual(expected(incidents.filter((i) => day(i) === to)));
  });

  it("pages through a street's referrals to mediation in id order, and keeps them to a grid worker's grids", async () => {
    const page = async (variables: Record<string, unknown>, caller?: ReturnType<typeof testCaller>) => {
      const response = await harness.gql(
        `query ($s: ID, $after: String, $first: Int) {
          incidents(referredToMediation: true, streetCode: $s, first: $first, after: $after) {
            totalCount edges { node { id referredToMediation } } pageInfo { hasNextPage endCursor }
          }
        }`,
        variables,
        caller ?? testCaller('police-officer', { purpose: 'public-safety' }),
      );
      expect(response.errors).toBeUndefined();
      return (response.data as { incidents: Page<{ id: string; referredToMediation: boolean }> }).incidents;
    };
    const street = world.streets.find((s) => incidents.filter((i) => i.referredToMediation && i.gridCode.startsWith(s.code.slice(0, 9))).length > 2)!;
    const referred = incidents.filter((i) => i.referredToMediation && i.gridCode.startsWith(street.code.slice(0, 9)));
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const { totalCount, edges, pageInfo } = await page({ s: street.code, first: 2, after });
      expect(totalCount).toBe(referred.length);
      expect(edges.length).toBeLessThanOrEqual(2);
      expect(edges.every((e) => e.node.referredToMediation)).toBe(true);
      seen.push(...edges.map((e) => e.node.id));
      after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(sortedIds(referred));

    const grid = referred[0]!.gridCode;
    const worker = testCaller('grid-worker', { grids: [grid], scopes: ['incident:read'], purpose: 'grid-service' });
    const own = referred.filter((i) => i.gridCode === grid);
    const scoped = await page({ s: street.code, first: 500 }, worker);
    expect(scoped.totalCount).toBe(own.length);
    expect(scoped.edges.map((e) => e.node.id)).toEqual(sortedIds(own));
  });
});

describe('who lives in a house', () => {
  it('answers the occupants of a group-rental house: its tenants', async () => {
    const rentals = grids.flatMap((g) => g.housing.groupRentals.map((r) => ({ rental: r, grid: g })));
    expect(rentals.length).toBeGreaterThan(0);
    for (const { rental, grid } of rentals.slice(0, 5)) {
      const tenants = grid.housing.tenancies.filter((t) => t.houseCode === rental.houseCode).flatMap((t) => t.occupantIdNumbers);
      expect(tenants.length).toBeGreaterThan(1);
      const response = await gql(
        `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on House { code occupants { id populationType residence { code } } } } }`,
        { reps: [{ __typename: 'House', code: rental.houseCode }] },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({
        _entities: [
          {
            code: rental.houseCode,
            occupants: tenants
              .map(idOf)
              .sort()
              .map((id) => ({ id, populationType: 'FLOATING', residence: { code: rental.houseCode } })),
          },
        ],
      });
    }
  });

  it('answers no occupants for a house nobody is registered in', async () => {
    const lived = new Set(grids.flatMap((g) => g.residents.map((r) => r.houseCode)));
    const empty = grids.flatMap((g) => g.houses).find((h) => !lived.has(h.code));
    const code = empty?.code ?? `${grids[0]!.grid.code.slice(0, 12)}99999-01-0101`;
    const response = await gql(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on House { code occupants { id } } } }`,
      { reps: [{ __typename: 'House', code }] },
    );
    expect(response.data).toEqual({ _entities: [{ code, occupants: [] }] });
  });
});

describe('statement counts', () => {
  const measure = async (query: string, variables: Record<string, unknown>) => {
    harness.database.statements.reset();
    const response = await gql(query, variables);
    expect(response.errors).toBeUndefined();
    return harness.database.statements.count;
  };

  it("costs the same for 10 grids' key persons and incidents as for 1, and for first=500 as for first=10", async () => {
    // The one grid has rows at every hop (a key person with a guardian, incidents), so ten can add no new hop.
    const full = grids.find((g) => g.publicSecurity.keyPersons.some((k) => k.guardianIdNumber) && g.publicSecurity.incidents.length > 0)!;
    expect(full).toBeDefined();
    const ordered = [full, ...grids.filter((g) => g !== full)];
    const reps = (n: number) => ordered.slice(0, n).map((g) => ({ __typename: 'Grid', code: g.grid.code }));
    const one = await measure(GRID_RECORDS, { reps: reps(1), first: 10 });
    expect(one).toBeGreaterThan(0);
    expect(await measure(GRID_RECORDS, { reps: reps(1), first: 500 })).toBe(one);
    expect(await measure(GRID_RECORDS, { reps: reps(10), first: 10 })).toBe(one);
  });

  it('costs the same for a page of 500 incidents as of 10', async () => {
    const query = `query ($first: Int) { incidents(first: $first) { totalCount edges { node { ${INCIDENT_FIELDS} involved { name keyPerson { category guardian { name } } incidents { id } } } } } }`;
    expect(incidents.length).toBeGreaterThan(10);
    expect(await measure(query, { first: 500 })).toBe(await measure(query, { first: 10 }));
  });

  it("costs the same for a street's referrals whatever the page: its ids, its rows and its total", async () => {
    const query = `query ($s: ID, $first: Int, $after: String) { incidents(referredToMediation: true, streetCode: $s, first: $first, after: $after) { totalCount edges { node { id } } } }`;
    const street = world.streets[0]!.code;
    const one = await measure(query, { s: street, first: 1 });
    expect(one).toBe(2);
    expect(await measure(query, { s: street, first: 500 })).toBe(one);
    const first = sortedIds(incidents.filter((i) => i.referredToMediation && i.gridCode.startsWith(street.slice(0, 9))))[0]!;
    expect(await measure(query, { s: street, first: 2, after: encodeCursor('incidents', first) })).toBe(one);
  });

  it('costs the same for the occupants of 10 houses as of 1', async () => {
    // Houses whose occupants were involved in incidents, so that every hop of the query has rows to load.
    const involved = new Set(incidents.flatMap((i) => i.involvedIdNumbers));
    const houseCodes = [...new Set(grids.flatMap((g) => g.residents).filter((r) => involved.has(r.idNumber)).map((r) => r.houseCode))];
    expect(houseCodes.length).toBeGreaterThanOrEqual(10);
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on House { occupants { name keyPerson { id } incidents { ${INCIDENT_FIELDS} } } } } }`;
    const reps = (n: number) => houseCodes.slice(0, n).map((code) => ({ __typename: 'House', code }));
    expect(await measure(query, { reps: reps(10) })).toBe(await measure(query, { reps: reps(1) }));
  });

  it('costs the same for 10 residents as for 2', async () => {
    // Key persons (one with a guardian, so that hop has a row to load) and people involved in incidents.
    const guarded = keyPersons.find((k) => k.guardianIdNumber)!;
    expect(guarded).toBeDefined();
    const others = keyPersons.filter((k) => k !== guarded).map((k) => k.idNumber);
    const involved = [...new Set(incidents.flatMap((i) => i.involvedIdNumbers))];
    expect(others.length).toBeGreaterThanOrEqual(4);
    // (Who else an incident involved is measured on the incident list: here the people asked would be cache hits.)
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Resident { keyPerson { ${KEY_PERSON_FIELDS} guardian { name } } incidents { id occurredAt type grid { code } } } } }`;
    const reps = (n: number) =>
      [guarded.idNumber, ...others.slice(0, n - 1), ...involved.slice(0, n)].map((idNumber) => ({ __typename: 'Resident', id: idOf(idNumber) }));
    expect(await measure(query, { reps: reps(5) })).toBe(await measure(query, { reps: reps(1) }));
  });
});

describe('bad input', () => {
  const grid = grids[0]!.grid.code;
  const reps = [{ __typename: 'Grid', code: grid }];

  it.each([
    ['an incident id without the JQ prefix', `{ incident(id: "XX20260101${grid}001") { id } }`, 'INVALID_INCIDENT_ID'],
    ['an incident id of the wrong length', `{ incident(id: "JQ20260101${grid}01") { id } }`, 'INVALID_INCIDENT_ID'],
    ['a date range that ends before it starts', `{ incidents(from: "2026-03-02", to: "2026-03-01") { totalCount } }`, 'INVALID_DATE_RANGE'],
    ['a malformed street code', `{ incidents(streetCode: "320311001") { totalCount } }`, 'INVALID_PLACE_CODE'],
    ['a malformed grid code', `{ incidents(gridCode: "32031100100100") { totalCount } }`, 'INVALID_GRID_CODE'],
    ['a page above the maximum', `{ incidents(first: 501) { totalCount } }`, 'INVALID_PAGE_SIZE'],
    ['a negative page size', `{ incidents(first: -1) { totalCount } }`, 'INVALID_PAGE_SIZE'],
    ['a malformed cursor', `{ incidents(after: "not a cursor") { totalCount } }`, 'INVALID_CURSOR'],
  ])('refuses %s', async (_, query, code) => {
    expect(errorCodes(await gql(query))).toEqual([code]);
  });

  it('accepts a one-day range', async () => {
    const response = await gql(`{ incidents(from: "2026-03-01", to: "2026-03-01") { totalCount } }`);
    expect(response.errors).toBeUndefined();
  });

  it("refuses page sizes out of range on a grid's key persons and incidents, and a cursor of another list", async () => {
    for (const first of [501, -1]) {
      const response = await gql(GRID_RECORDS, { reps, first });
      expect(errorCodes(response)).toContain('INVALID_PAGE_SIZE');
      expect(response.errors?.[0]?.extensions).toMatchObject({ argumentName: 'first', maximum: 500 });
    }
    const [page] = await gridRecords([busiestIncidentGrid().grid.code], { first: 1 });
    const incidentCursor = page!.incidents.pageInfo.endCursor!;
    expect(errorCodes(await gql(`query ($after: String) { incidents(after: $after) { totalCount } }`, { after: incidentCursor }))).toEqual([
      'INVALID_CURSOR',
    ]);
  });
});

function busiestIncidentGrid() {
  return grids.reduce((a, b) => (b.publicSecurity.incidents.length > a.publicSecurity.incidents.length ? b : a));
}
