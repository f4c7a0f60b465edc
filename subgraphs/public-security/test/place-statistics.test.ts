import { placeRelation } from '@hub/core';
import { serveSubgraphForTests } from '@hub/core/testing';
import type { DemoGridContents } from '@hub/demo';
import { describePlaceStatistics, EMPTY_PLACES } from '@hub/demo/testing';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { describe, expect, it } from 'vitest';
import { residents } from '../src/db/schema.ts';
import { subgraph } from '../src/server.ts';

const harness = serveSubgraphForTests(subgraph);

/** The generator's residents of some grids, counted as `PopulationCounts` counts them. */
function expected(of: readonly DemoGridContents[]) {
  const residents = of.flatMap((g) => g.residents);
  const count = (type: string) => residents.filter((r) => r.populationType === type).length;
  return { population: { total: residents.length, registered: count('REGISTERED'), floating: count('FLOATING'), overseas: count('OVERSEAS'), unsettled: count('UNSETTLED') } };
}

const { ask, repOf, places } = describePlaceStatistics('population of communities, streets and the district', {
  harness,
  fields: 'population { total registered floating overseas unsettled }',
  grids: false,
  expected,
  // One per level: communities, streets, the district.
  statements: 3,
  emptyPlaces: true,
  workerGrid: (g) => g.residents.length > 0,
  district: ({ population }) => expect(population.total).toBeGreaterThan(0),
});

describe('population of places, further', () => {
  it('is null for a malformed code', async () => {
    const { entities } = await ask([...EMPTY_PLACES.map(repOf), { __typename: 'Community', code: '12345' }]);
    expect(entities.at(-1)).toBeNull();
  });

  it('runs one statement for one community as for all of them', async () => {
    const communities = places.filter((p) => p.typename === 'Community');
    expect(communities.length).toBeGreaterThan(2);
    expect((await ask(communities.slice(0, 1).map(repOf))).statements).toBe(1);
    expect((await ask(communities.map(repOf))).statements).toBe(1);
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
