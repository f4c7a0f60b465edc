import { serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents } from '@hub/demo';
import { demoPlaces, TEST_DEMO } from '@hub/demo/testing';
import { describe, expect, it } from 'vitest';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const grids: DemoGridContents[] = [...world.gridContents()];
const places = demoPlaces(world, grids);

const harness = serveSubgraphForTests(subgraph);

const COUNTS = 'total minimumLiving extremePoverty disabilityLiving disabilityCare oldAge';
const FIELDS = `code all: welfareCounts { ${COUNTS} } active: welfareCounts(status: ACTIVE) { ${COUNTS} }`;
const WELFARE_COUNTS = /* GraphQL */ `
  query ($reps: [_Any!]!) {
    _entities(representations: $reps) {
      ... on Community { ${FIELDS} }
      ... on Street { ${FIELDS} }
      ... on District { ${FIELDS} }
    }
  }
`;
type Counts = { total: number } & Record<string, number>;
type Answer = { _entities: ({ code: string; all: Counts | null; active: Counts | null } | null)[] };

const ask = async (reps: { __typename: string; code: string }[], caller = testCaller('district-analyst', { purpose: 'statistics' })) => {
  harness.database.statements.reset();
  const response = await harness.gql<Answer>(WELFARE_COUNTS, { reps }, caller);
  expect(response.errors).toBeUndefined();
  return { entities: response.data!._entities, statements: harness.database.statements.count };
};

/** The generator's entitlements of some grids, counted by kind as `WelfareCounts` counts them. */
function expected(of: DemoGridContents[], status?: string): Counts {
  const codes = new Set(of.map((g) => g.grid.code));
  const list = grids.flatMap((g) => g.civilAffairs.welfare).filter((w) => codes.has(w.gridCode) && (!status || w.status === status));
  const count = (kind: string) => list.filter((w) => w.kind === kind).length;
  return {
    total: list.length,
    minimumLiving: count('MINIMUM_LIVING'),
    extremePoverty: count('EXTREME_POVERTY'),
    disabilityLiving: count('DISABILITY_LIVING'),
    disabilityCare: count('DISABILITY_CARE'),
    oldAge: count('OLD_AGE'),
  };
}

const repOf = (p: { typename: string; code: string }) => ({ __typename: p.typename, code: p.code });

describe('welfare counts of communities, streets and the district', () => {
  it("equal the generator's entitlements of each place's grids, at every level, with and without a status", async () => {
    const { entities } = await ask(places.map(repOf));
    expect(entities).toEqual(places.map((p) => ({ code: p.code, all: expected(p.grids), active: expected(p.grids, 'ACTIVE') })));
    const district = entities.at(-1)!;
    expect(district.all!.total).toBe(grids.reduce((n, g) => n + g.civilAffairs.welfare.length, 0));
    expect(district.active!.total).toBeGreaterThan(0);
    expect(district.active!.total).toBeLessThan(district.all!.total);
  });

  it('runs one statement per level and status asked, whatever the number of places', async () => {
    const firstOfEachLevel = places.filter((p, i, all) => all.findIndex((q) => q.typename === p.typename) === i);
    const one = await ask(firstOfEachLevel.map(repOf));
    const many = await ask(places.map(repOf));
    expect(many.statements).toBe(one.statements);
    // The places themselves (one look-up per type) and two counts (all, ACTIVE) per level.
    expect(one.statements).toBe(3 + 2 * 3);
  });

  it("counts only a grid worker's own grids, and zeros where they have none", async () => {
    const own = grids.find((g) => g.civilAffairs.welfare.length > 0)!;
    const worker = testCaller('grid-worker', { grids: [own.grid.code], purpose: 'grid-service' });
    const { entities } = await ask(places.map(repOf), worker);
    const mine = (p: (typeof places)[number]) => p.grids.filter((g) => g === own);
    expect(entities).toEqual(places.map((p) => ({ code: p.code, all: expected(mine(p)), active: expected(mine(p), 'ACTIVE') })));
    expect(entities.some((e) => e!.all!.total === 0)).toBe(true);
    expect(entities.at(-1)!.all!.total).toBe(own.civilAffairs.welfare.filter((w) => w.gridCode === own.grid.code).length);
  });
});
