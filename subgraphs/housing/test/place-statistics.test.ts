import { serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents } from '@hub/demo';
import { demoPlaces, EMPTY_PLACES, TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const grids: DemoGridContents[] = [...world.gridContents()];
const places = demoPlaces(world, grids);

const harness = serveSubgraphForTests(subgraph);

const COUNTS = 'housingCounts { buildings houses tenancies filedTenancies groupRentalsByStatus { total identified interviewed rectified } }';
const HOUSING_COUNTS = /* GraphQL */ `
  query ($reps: [_Any!]!) {
    _entities(representations: $reps) {
      ... on Grid { code ${COUNTS} }
      ... on Community { code ${COUNTS} }
      ... on Street { code ${COUNTS} }
      ... on District { code ${COUNTS} }
    }
  }
`;
type Counts = { buildings: number; houses: number; tenancies: number; filedTenancies: number; groupRentalsByStatus: Record<string, number> };
type Answer = { _entities: ({ code: string; housingCounts: Counts | null } | null)[] };

const ask = async (reps: { __typename: string; code: string }[], caller = testCaller('district-analyst', { purpose: 'statistics' })) => {
  harness.database.statements.reset();
  const response = await harness.gql<Answer>(HOUSING_COUNTS, { reps }, caller);
  expect(response.errors).toBeUndefined();
  return { entities: response.data!._entities, statements: harness.database.statements.count };
};

/** The generator's buildings, houses, leases and group rentals of some grids, summed as `HousingCounts` counts them. */
function expected(of: DemoGridContents[]): Counts {
  const rentals = of.flatMap((g) => g.housing.groupRentals);
  const leases = of.flatMap((g) => g.housing.tenancies);
  const status = (s: string) => rentals.filter((r) => r.status === s).length;
  return {
    buildings: of.reduce((n, g) => n + g.buildings.length, 0),
    houses: of.reduce((n, g) => n + g.houses.length, 0),
    tenancies: leases.length,
    filedTenancies: leases.filter((t) => t.filingNumber !== null).length,
    groupRentalsByStatus: { total: rentals.length, identified: status('IDENTIFIED'), interviewed: status('INTERVIEWED'), rectified: status('RECTIFIED') },
  };
}

const repOf = (p: { typename: string; code: string }) => ({ __typename: p.typename, code: p.code });
const firstOfEachLevel = places.filter((p, i, all) => all.findIndex((q) => q.typename === p.typename) === i);

describe('housing figures of communities, streets and the district', () => {
  it("equal the generator's records of each place's grids, at every level, and the sums of their grids' figures", async () => {
    const gridReps = grids.map((g) => ({ __typename: 'Grid', code: g.grid.code }));
    const { entities } = await ask([...gridReps, ...places.map(repOf)]);
    expect(entities).toEqual([
      ...grids.map((g) => ({ code: g.grid.code, housingCounts: expected([g]) })),
      ...places.map((p) => ({ code: p.code, housingCounts: expected(p.grids) })),
    ]);
    const district = entities.at(-1)!.housingCounts!;
    expect(district.groupRentalsByStatus.total).toBe(grids.reduce((n, g) => n + g.housing.groupRentals.length, 0));
    expect(Object.values(district.groupRentalsByStatus).every((n) => n > 0)).toBe(true);
    expect(district.filedTenancies).toBeGreaterThan(0);
  });

  it('counts zeros for well-formed codes that hold nothing', async () => {
    const { entities } = await ask(EMPTY_PLACES.map(repOf));
    expect(entities).toEqual(EMPTY_PLACES.map((p) => ({ code: p.code, housingCounts: expected([]) })));
  });

  it('runs one statement per level for every figure, whatever the number of places', async () => {
    const one = await ask(firstOfEachLevel.map(repOf));
    expect(one.statements).toBe(3);
    expect((await ask(places.map(repOf))).statements).toBe(one.statements);
  });

  it("counts only a grid worker's own grids, at every level", async () => {
    const own = grids.find((g) => g.housing.groupRentals.length > 0 && g.housing.tenancies.length > 0)!;
    const worker = testCaller('grid-worker', { grids: [own.grid.code], purpose: 'grid-service' });
    const { entities } = await ask(places.map(repOf), worker);
    expect(entities).toEqual(places.map((p) => ({ code: p.code, housingCounts: expected(p.grids.filter((g) => g === own)) })));
    expect(entities.at(-1)!.housingCounts!.groupRentalsByStatus.total).toBe(own.housing.groupRentals.length);
  });
});
