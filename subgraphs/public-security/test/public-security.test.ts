import { ageOn, DEMO_HUB_SECRET, maskAddress, maskIdNumber, maskName, maskPhone, MINOR_AGE, residentKey } from '@hub/core';
import { errorCodes, serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents, type DemoResident } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { residents } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';
import { count } from 'drizzle-orm';

const grids: DemoGridContents[] = [...generateDemoWorld(TEST_DEMO).gridContents()];
const everyone: DemoResident[] = grids.flatMap((g) => g.residents);
/** People registered here but living elsewhere (户在人不在): on the register under their hukou grid, not residents. */
const away = grids.flatMap((g) => g.registeredAway);
const idOf = (r: { idNumber: string }) => residentKey(r.idNumber, DEMO_HUB_SECRET);

const harness = serveSubgraphForTests(subgraph);

const gql = async (query: string, variables?: Record<string, unknown>) =>
  harness.gql(query, variables);

const GRID_RESIDENTS = /* GraphQL */ `
  query ($reps: [_Any!]!, $first: Int, $after: String, $type: PopulationType) {
    _entities(representations: $reps) {
      ... on Grid {
        code
        residents(first: $first, after: $after, populationType: $type) {
          totalCount
          edges { cursor node { id name populationType grid { code } } }
          pageInfo { hasNextPage endCursor }
        }
        population { total registered floating overseas unsettled }
      }
    }
  }
`;

describe('the population register', () => {
  it('holds every generated resident, and everyone registered here but living elsewhere, under the hub id of their ID number', async () => {
    const [row] = await harness.database.db.select({ n: count() }).from(residents);
    expect(away.length).toBeGreaterThan(0);
    expect(row?.n).toBe(everyone.length + away.length);
    const awaySample = away.filter((_, i) => i % 29 === 0);
    const awayResponse = await gql(
      `query ($ids: [_Any!]!) { _entities(representations: $ids) { ... on Resident { id sex populationType residenceStatus residence { code } grid { code } } } }`,
      { ids: awaySample.map((r) => ({ __typename: 'Resident', id: idOf(r) })) },
    );
    expect(awayResponse.errors).toBeUndefined();
    expect(awayResponse.data?._entities).toEqual(
      awaySample.map((r) => ({ id: idOf(r), sex: r.sex, populationType: 'REGISTERED', residenceStatus: 'REGISTERED_NOT_RESIDENT', residence: null, grid: { code: r.gridCode } })),
    );
    const sample = everyone.filter((_, i) => i % 97 === 0);
    const response = await gql(
      `query ($ids: [_Any!]!) { _entities(representations: $ids) { ... on Resident { id name sex birthDate populationType residence { code } grid { code } } } }`,
      { ids: sample.map((r) => ({ __typename: 'Resident', id: idOf(r) })) },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual(
      // The default test caller declares no purpose: children's names and birth dates stay withheld.
      sample.map((r) => ({
        id: idOf(r),
        name: ageOn(r.birthDate) < MINOR_AGE ? maskName(r.name) : r.name,
        sex: r.sex,
        birthDate: ageOn(r.birthDate) < MINOR_AGE ? null : r.birthDate,
        populationType: r.populationType,
        residence: { code: r.houseCode },
        grid: { code: r.gridCode },
      })),
    );
  });

  it('finds a resident by ID number and masks the number and phone by default', async () => {
    const person = everyone.find((r) => r.phone && r.populationType === 'FLOATING')!;
    const response = await gql(
      `query ($n: String!) { residentByIdNumber(idNumber: $n) { id idNumber phone age floating { inflowReason inflowDate originAddress residencePermitNumber } } residentIdOf(idNumber: $n) }`,
      { n: person.idNumber },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      residentByIdNumber: {
        id: idOf(person),
        idNumber: maskIdNumber(person.idNumber),
        phone: maskPhone(person.phone!),
        age: expect.any(Number),
        floating: {
          inflowReason: person.floating!.inflowReason,
          inflowDate: person.floating!.inflowDate,
          originAddress: maskAddress(person.floating!.originAddress),
          residencePermitNumber: person.floating!.residencePermitNumber && maskIdNumber(person.floating!.residencePermitNumber),
        },
      },
      residentIdOf: idOf(person),
    });
  });

  it('refuses an ID number with a wrong check digit, and a malformed hub id', async () => {
    const valid = everyone[0]!.idNumber;
    const last = valid.at(-1) === '0' ? '1' : '0';
    const wrong = await gql(`{ residentByIdNumber(idNumber: "${valid.slice(0, 17)}${last}") { id } }`);
    expect(errorCodes(wrong)).toEqual(['INVALID_ID_NUMBER']);
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ reason: 'check-digit', argumentName: 'idNumber' });
    expect(wrong.errors?.[0]?.message).not.toContain(valid.slice(0, 17));
    expect(errorCodes(await gql(`{ resident(id: "not-a-hub-id") { id } }`))).toEqual(['INVALID_RESIDENT_ID']);
    expect((await gql(`{ resident(id: "${'0'.repeat(32)}") { id } }`)).data).toEqual({ resident: null });
  });
});

describe("a grid's residents", () => {
  const grid = grids.reduce((a, b) => (b.residents.length > a.residents.length ? b : a));
  const expectedIds = grid.residents.map(idOf).sort();

  it('pages through every resident of the grid, in id order, with the total', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const response = await gql(GRID_RESIDENTS, { reps: [{ __typename: 'Grid', code: grid.grid.code }], first: 7, after });
      expect(response.errors).toBeUndefined();
      const connection = (response.data as { _entities: { residents: { totalCount: number; edges: { node: { id: string; grid: { code: string } } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }[] })._entities[0]!.residents;
      expect(connection.totalCount).toBe(grid.residents.length);
      for (const edge of connection.edges) {
        expect(edge.node.grid.code).toBe(grid.grid.code);
        seen.push(edge.node.id);
      }
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(expectedIds);
  });

  it('counts the population by type', async () => {
    const response = await gql(GRID_RESIDENTS, { reps: [{ __typename: 'Grid', code: grid.grid.code }], first: 0 });
    const countOf = (t: string) => grid.residents.filter((r) => r.populationType === t).length;
    expect((response.data as { _entities: { population: unknown }[] })._entities[0]!.population).toEqual({
      total: grid.residents.length,
      registered: countOf('REGISTERED'),
      floating: countOf('FLOATING'),
      overseas: countOf('OVERSEAS'),
      unsettled: countOf('UNSETTLED'),
    });
  });

  it('filters by population type', async () => {
    const response = await gql(GRID_RESIDENTS, { reps: [{ __typename: 'Grid', code: grid.grid.code }], first: 500, type: 'FLOATING' });
    const connection = (response.data as { _entities: { residents: { totalCount: number; edges: { node: { id: string; populationType: string } }[] } }[] })._entities[0]!.residents;
    const floating = grid.residents.filter((r) => r.populationType === 'FLOATING');
    expect(connection.totalCount).toBe(floating.length);
    expect(connection.edges.map((e) => e.node.id)).toEqual(floating.map(idOf).sort());
  });

  it('runs the same number of statements for 10 grids as for 1, and for first=500 as for first=10', async () => {
    const measure = async (codes: string[], first: number) => {
      harness.database.statements.reset();
      const response = await gql(GRID_RESIDENTS, { reps: codes.map((code) => ({ __typename: 'Grid', code })), first });
      expect(response.errors).toBeUndefined();
      return harness.database.statements.count;
    };
    const one = await measure([grid.grid.code], 10);
    expect(one).toBeGreaterThan(0);
    expect(await measure([grid.grid.code], 500)).toBe(one);
    expect(await measure(grids.slice(0, 10).map((g) => g.grid.code), 10)).toBe(one);
  });

  it('refuses page sizes out of range and malformed cursors, naming the argument', async () => {
    const reps = [{ __typename: 'Grid', code: grid.grid.code }];
    for (const first of [501, -1]) {
      const response = await gql(GRID_RESIDENTS, { reps, first });
      expect(errorCodes(response)).toEqual(['INVALID_PAGE_SIZE']);
      expect(response.errors?.[0]?.extensions).toMatchObject({ argumentName: 'first', maximum: 500 });
    }
    for (const after of ['not a cursor', 'Z3JpZHM6MzIwMzExMDAxMDAxMDAx']) {
      expect(errorCodes(await gql(GRID_RESIDENTS, { reps, first: 5, after }))).toEqual(['INVALID_CURSOR']);
    }
  });
});

describe('masking and row scope at the subgraph itself (a request that bypasses the gateway gains nothing)', () => {
  const [own, other] = grids.filter((g) => g.residents.length > 0) as [DemoGridContents, DemoGridContents];
  const mine = own.residents.find((r) => r.phone && r.registeredAddress)!;
  const theirs = other.residents[0]!;
  const as = async (caller: ReturnType<typeof testCaller>, query: string, variables?: Record<string, unknown>) =>
    harness.gql<Record<string, any>>(query, variables, caller);
  const PROFILE = `query ($ids: [_Any!]!) { _entities(representations: $ids) { ... on Resident { id name idNumber phone registeredAddress } } }`;
  const reps = [mine, theirs].map((r) => ({ __typename: 'Resident', id: idOf(r) }));

  it('answers a grid worker with a purpose their own grid in clear, and nothing of another grid', async () => {
    const worker = testCaller('grid-worker', { grids: [own.grid.code], purpose: 'grid-service' });
    const response = await as(worker, PROFILE, { ids: reps });
    // Another grid's person is withheld and said so: the gateway nulls the reference that named them.
    expect(response.errors?.map((e) => ({ code: e.extensions?.code, path: e.path, message: e.message }))).toEqual([
      { code: 'OUTSIDE_SCOPE', path: ['_entities', 1], message: 'The person referred to lives outside the grids the caller may see' },
    ]);
    expect(response.data?._entities).toEqual([
      { id: idOf(mine), name: mine.name, idNumber: mine.idNumber, phone: mine.phone, registeredAddress: mine.registeredAddress },
      null,
    ]);
    const lists = await as(worker, GRID_RESIDENTS, { reps: [own, other].map((g) => ({ __typename: 'Grid', code: g.grid.code })), first: 500 });
    const [ownPage, otherPage] = lists.data?._entities as { residents: { totalCount: number; edges: unknown[] }; population: { total: number } }[];
    expect(ownPage!.residents.totalCount).toBe(own.residents.length);
    expect(ownPage!.residents.edges).toHaveLength(own.residents.length);
    expect(otherPage!.residents).toMatchObject({ totalCount: 0, edges: [] });
    expect(otherPage!.population.total).toBe(0);
  });

  it('masks identity and address without a purpose, and names for an analyst', async () => {
    const noPurpose = await as(testCaller('grid-worker', { grids: [own.grid.code] }), PROFILE, { ids: reps.slice(0, 1) });
    expect(noPurpose.data?._entities).toEqual([
      { id: idOf(mine), name: mine.name, idNumber: maskIdNumber(mine.idNumber), phone: maskPhone(mine.phone!), registeredAddress: maskAddress(mine.registeredAddress!) },
    ]);
    // The analyst holds no resident:address: the subgraph refuses the field itself, as the gateway would.
    const analyst = await as(testCaller('district-analyst', { purpose: 'statistics' }), PROFILE, { ids: reps.slice(0, 1) });
    expect(analyst.data?._entities).toEqual([{ id: idOf(mine), name: maskName(mine.name), idNumber: maskIdNumber(mine.idNumber), phone: maskPhone(mine.phone!), registeredAddress: null }]);
    expect(analyst.errors).toEqual([expect.objectContaining({ path: ['_entities', 0, 'registeredAddress'], extensions: expect.objectContaining({ code: 'FORBIDDEN', missingScopes: ['resident:address'] }) })]);
  });
});
