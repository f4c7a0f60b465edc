import { serveSubgraphForTests } from '@hub/core/testing';
import { generateDemoWorld, type DemoGridContents } from '@hub/demo';
import { describePlaceStatistics, TEST_DEMO } from '@hub/demo/testing';
import { expect } from 'vitest';
import { subgraph } from '../src/server.ts';

const harness = serveSubgraphForTests(subgraph);

const welfare = [...generateDemoWorld(TEST_DEMO).gridContents()].flatMap((g) => g.civilAffairs.welfare);
const COUNTS = 'total minimumLiving extremePoverty disabilityLiving disabilityCare oldAge';

/** The generator's entitlements of some grids, counted by kind as `WelfareCounts` counts them. */
function counted(of: readonly DemoGridContents[], status?: string) {
  const codes = new Set(of.map((g) => g.grid.code));
  const list = welfare.filter((w) => codes.has(w.gridCode) && (!status || w.status === status));
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

describePlaceStatistics('welfare counts of communities, streets and the district', {
  harness,
  fields: `all: welfareCounts { ${COUNTS} } active: welfareCounts(status: ACTIVE) { ${COUNTS} }`,
  grids: false,
  expected: (of) => ({ all: counted(of), active: counted(of, 'ACTIVE') }),
  // The places themselves (one look-up per type) and two counts (all, ACTIVE) per level.
  statements: 3 + 2 * 3,
  // Civil affairs owns the places: a code it does not hold is not a place.
  emptyPlaces: false,
  workerGrid: (g) => g.civilAffairs.welfare.length > 0,
  district: ({ all, active }) => {
    expect(active.total).toBeGreaterThan(0);
    expect(active.total).toBeLessThan(all.total);
  },
});
