import { placeRelation } from '@hub/core';
import { serveSubgraphForTests, testCaller } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents } from '@hub/demo';
import { demoPlaces, EMPTY_PLACES, TEST_DEMO } from '@hub/demo/testing';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { describe, expect, it } from 'vitest';
import { residents } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';

const world = generateDemoWorld(TEST_DEMO);
const grids: DemoGridContents[] = [...world.gridContents()];
const places = demoPlaces(world, grids);

const harness = serveSubgraphForTests(subgraph);

const POPULATION = /* GraphQL */ `
  query ($reps: [_Any!]!) {
    _entities(representations: $reps) {
      ... on Community { code population { total registered floating overseas unsettled } }
      ... on Street { code population { total registered floating overseas unsettled } }
      ... on District { code population { total registered floating overseas unsettled } }
    }
  }
`;
type Answer = { _entities: ({ code: string; population: Record<string, number> | null } | null)[] };

const ask = async (reps: { __typename: string; code: string }[], caller = testCaller('district-analyst', { purpose: 'statistics' })) => {
  harness.database.statements.reset();
  const response = await harness.gql<Answer>(POPULATION, { reps }, caller);
  expect(response.errors).toBeUndefined();
  return { entities: response.data!._entities, statements: harness.database.statements.count };
};

/** The generator's residents of some grids, counted as `PopulationCounts` counts them. */
function expected(of: DemoGridContents[]) {
  const residents = of.flatMap((g) => g.residents);
  const count = (type: string) => residents.filter((r) => r.populationType === type).length;
  return { total: residents.length, registered: count('REGISTERED'), floating: count('FLOATING'), overseas: count('OVERSEAS'), unsettled: count('UNSETTLED') };
}

const repOf = (p: { typename: string; code: string }) => ({ __typename: p.typename, code: p.code });

describe('population of communities, streets and the district', () => {
  it("equals the generator's residents of each place's grids, at every level", async () => {
    expect(places.map((p) => p.typename)).toEqual(expect.arrayContaining(['Community', 'Street', 'District']));
    const { entities } = await ask(places.map(repOf));
    expect(entities).toEqual(places.map((p) => ({ code: p.code, population: expected(p.grids) })));
    const district = entities.at(-1)!;
    expect(district.population!.total).toBe(grids.reduce((n, g) => n + g.residents.length, 0));
    expect(district.population!.total).toBeGreaterThan(0);
  });

  it('counts zeros for well-formed codes that hold nothing, and null for malformed ones', async () => {
    const { entities } = await ask([...EMPTY_PLACES.map(repOf), { __typename: 'Community', code: '12345' }]);
    const zero = { total: 0, registered: 0, floating: 0, overseas: 0, unsettled: 0 };
    expect(entities).toEqual([...EMPTY_PLACES.map((p) => ({ code: p.code, population: zero })), null]);
  });

  it('runs one statement per level, whatever the number of places', async () => {
    const communities = places.filter((p) => p.typename === 'Community');
    const streets = places.filter((p) => p.typename === 'Street');
    const district = places.filter((p) => p.typename === 'District');
    expect(communities.length).toBeGreaterThan(2);
    expect((await ask(communities.slice(0, 1).map(repOf))).statements).toBe(1);
    expect((await ask(communities.map(repOf))).statements).toBe(1);
    const one = await ask([communities[0]!, streets[0]!, district[0]!].map(repOf));
    expect(one.statements).toBe(3);
    expect((await ask(places.map(repOf))).statements).toBe(one.statements);
  });

  it("counts only a grid worker's own grids, at every level", async () => {
    const own = grids.find((g) => g.residents.length > 0)!;
    const worker = testCaller('grid-worker', { grids: [own.grid.code], purpose: 'grid-service' });
    const { entities } = await ask(places.map(repOf), worker);
    expect(entities).toEqual(
      places.map((p) => ({ code: p.code, population: expected(p.grids.filter((g) => g.grid.code === own.grid.code)) })),
    );
    expect(entities.at(-1)!.population!.total).toBe(own.residents.length);
  });

  it("finds each place's rows by a range an index on the grid code answers", async () => {
    // The test district is small enough for a scan to be cheaper; with scans off, the plan shows whether the join
    // condition can be an index condition at all (a condition such as left(grid_code, 12) = … could not).
    const client = await harness.database.pool.connect();
    try {
      await client.query('set enable_seqscan = off');
      const place = placeRelation('COMMUNITY', places.filter((p) => p.typename === 'Community').map((p) => p.code));
      const { rows } = await drizzle(client).execute<{ 'QUERY PLAN': string }>(
        sql`explain select count(*) from ${place.from} join ${residents} on ${place.contains(residents.gridCode)}`,
      );
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Cond: \(+\(?grid_code\)?(::text)? >= /);
    } finally {
      await client.query('reset enable_seqscan');
      client.release();
    }
  });
});
