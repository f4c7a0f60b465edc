import { serveSubgraphForTests } from '@hub/core/testing';
import type { DemoGridContents } from '@hub/demo';
import { describePlaceStatistics } from '@hub/demo/testing';
import { expect } from 'vitest';
import { subgraph } from '../src/server.ts';

const harness = serveSubgraphForTests(subgraph);

/** The generator's buildings, houses, leases and group rentals of some grids, summed as `HousingCounts` counts them. */
function expected(of: readonly DemoGridContents[]) {
  const rentals = of.flatMap((g) => g.housing.groupRentals);
  const leases = of.flatMap((g) => g.housing.tenancies);
  const status = (s: string) => rentals.filter((r) => r.status === s).length;
  return {
    housingCounts: {
      buildings: of.reduce((n, g) => n + g.buildings.length, 0),
      houses: of.reduce((n, g) => n + g.houses.length, 0),
      tenancies: leases.length,
      filedTenancies: leases.filter((t) => t.filingNumber !== null).length,
      groupRentalsByStatus: { total: rentals.length, identified: status('IDENTIFIED'), interviewed: status('INTERVIEWED'), rectified: status('RECTIFIED') },
    },
  };
}

describePlaceStatistics('housing figures of grids, communities, streets and the district', {
  harness,
  fields: 'housingCounts { buildings houses tenancies filedTenancies groupRentalsByStatus { total identified interviewed rectified } }',
  grids: true,
  expected,
  // One per level for every figure: communities, streets, the district.
  statements: 3,
  statementsWithoutGrids: true,
  emptyPlaces: true,
  workerGrid: (g) => g.housing.groupRentals.length > 0 && g.housing.tenancies.length > 0,
  district: ({ housingCounts }) => {
    expect(Object.values(housingCounts.groupRentalsByStatus).every((n) => n > 0)).toBe(true);
    expect(housingCounts.filedTenancies).toBeGreaterThan(0);
  },
});
